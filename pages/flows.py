"""Sister-city flows: where help went, as arcs on an offline map, with the records behind it."""
import streamlit as st

from atlas import export, query
from atlas.filters import slug as filter_slug
from atlas.flowmap import flow_table
from atlas.i18n import fmt_number, label, t
from atlas.maps import deck_html, flow_deck
from components import page, state, views
from components.flow_map import show_flow_map
from components.table import show_table

page.header("flows", applies=page.ALL_FILTERS)
lang = state.lang()
d = state.data()

level = st.segmented_control(t("flows.level", lang), ["region", "place"], default="region", key="flows_level",
                             format_func=lambda v: t(f"flows.level_{v}", lang)) or "region"
view = views.flows(level)
if view is None:
    page.empty()
else:
    fm, s = view.map, view.summary
    masks = s["masks_by_category"]
    st.markdown(t("flows.summary", lang, **{k: fmt_number(s[k], lang) for k in ("donations", "recipients", "donors", "messages")})
                + (" " + t("flows.masks", lang, masks=t("list.separator", lang).join(f"{label('category', c, lang)} **{fmt_number(v, lang)}**"
                                                              for c, v in masks.items())) if masks else ""))
    show_flow_map(fm, lang)
    if fm.unmapped:
        st.caption(t("flows.unmapped", lang, n=fm.unmapped))
    st.subheader(t("flows.table_heading", lang, n=fmt_number(view.rows, lang)))
    show_table(view.table, lang, total=view.rows, height=320)
    # Exports run when clicked, outside this script run: they get the filters as they are now.
    f = state.filters()
    fslug = filter_slug(f, d.vocab)
    c1, c2 = st.columns(2)
    c1.download_button("CSV", data=lambda: export.csv_bytes(flow_table(query.filter_records(d.records, f))),
                       file_name=export.file_name("flows", fslug, "csv", lang), mime="text/csv", key="dl_flows_csv",
                       on_click="ignore", icon=":material/download:", help=t("flows.download_csv", lang), width="stretch")
    c2.download_button("HTML", data=lambda: deck_html(flow_deck(fm.flows, fm.points, lang, dark=False, qmax=fm.qmax)),
                       file_name=export.file_name("flow-map", fslug, "html", lang), mime="text/html", key="dl_flows_html",
                       on_click="ignore", icon=":material/download:", help=t("flows.download_html", lang), width="stretch")


page.sources(["ccg2020"])

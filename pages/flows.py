"""Sister-city flows: where help went, as arcs on an offline map, with the records behind it."""
import streamlit as st

from atlas import export
from atlas.filters import slug as filter_slug
from atlas.flowmap import build_flow_map, flow_table, text_summary
from atlas.i18n import fmt_number, label, t
from components import page, state
from components.flow_map import show_flow_map
from components.table import show_table

lang = state.lang()
d = state.data()
def export_map_html(records, level: str) -> bytes:
    from atlas.maps import deck_html, flow_deck
    fm = build_flow_map(records, d.package, level, lang)
    return deck_html(flow_deck(fm.flows, fm.points, lang, dark=False, qmax=fm.qmax))



page.header("flows", applies=page.ALL_FILTERS)
records = state.filtered_records()

level = st.segmented_control(t("flows.level", lang), ["region", "place"], default="region", key="flows_level",
                             format_func=lambda v: t(f"flows.level_{v}", lang)) or "region"
if records.empty:
    page.empty()
else:
    fm = build_flow_map(records, d.package, level, lang)
    s = text_summary(records)
    masks = s["masks_by_category"]
    st.markdown(t("flows.summary", lang, donations=s["donations"], recipients=s["recipients"], donors=s["donors"],
                  messages=s["messages"])
                + (" " + t("flows.masks", lang, masks=t("list.separator", lang).join(f"{label('category', c, lang)} **{fmt_number(v, lang)}**"
                                                              for c, v in masks.items())) if masks else ""))
    show_flow_map(fm, lang)
    if fm.unmapped:
        st.caption(t("flows.unmapped", lang, n=fm.unmapped))
    table = flow_table(records)
    st.subheader(t("flows.table_heading", lang, n=len(table)))
    show_table(table, lang, height=320)
    fslug = filter_slug(state.filters(), d.vocab)
    c1, c2 = st.columns(2)
    c1.download_button("CSV", data=lambda: export.csv_bytes(table),
                       file_name=export.file_name("flows", fslug, "csv", lang), mime="text/csv", key="dl_flows_csv",
                       on_click="ignore", icon=":material/download:", help=t("flows.download_csv", lang), width="stretch")
    c2.download_button("HTML", data=lambda: export_map_html(records, level),
                       file_name=export.file_name("flow-map", fslug, "html", lang), mime="text/html", key="dl_flows_html",
                       on_click="ignore", icon=":material/download:", help=t("flows.download_html", lang), width="stretch")


page.sources(["ccg2020"])

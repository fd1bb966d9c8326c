"""Sister-city flows: where help went, as flat curves on an offline world map, the largest flows beside it,
a Sankey of provinces and states, and the records behind them."""
import streamlit as st

from atlas import exports, flows
from atlas.i18n import fmt_number, label, t
from components import data, downloads, frame, sidebar, site, url_state
from components.charts import show_chart
from components.charts_flows import build_flow_sankey
from components.flow_map import show_flow_map
from components.map_exports import flow_map_html, flow_map_png
from components.tables import show_table

lang = frame.header("flows")
level = sidebar.option("level")
f = url_state.filters()
view = data.view(flows.view, f, lang, level=level)
if view is None:
    frame.empty()
else:
    s = view.summary
    masks = s["masks_by_category"]
    st.markdown(t("flows.summary", lang, **{k: fmt_number(s[k], lang) for k in ("donations", "recipients", "donors", "messages")})
                + (" " + t("flows.masks", lang, masks=t("list.separator", lang).join(
                    f"{label('category', c, lang)} **{fmt_number(v, lang)}**" for c, v in masks.items())) if masks else ""))
    show_flow_map(view.map, lang)
    if view.map.unmapped:
        st.caption(t("flows.unmapped", lang, n=view.map.unmapped))
    applies = site.BY_KEY["flows"].applies
    described = frame.describe(applies)
    link = st.context.url
    # Exports run when clicked, outside this script run: they get the filters as they are now.
    downloads.show_row("flows", {"csv": "flows", "html": "flow-map", "png": "flow-map"}, applies, {
        "csv": lambda: exports.csv_bytes(flows.records_table(data.get(), f)),
        "html": lambda: flow_map_html(view.map, lang, described, link),
        "png": lambda: flow_map_png(view.map, lang, described, link),
    }, help_prefix="flows.download_")
    st.subheader(t("flows.sankey_heading", lang))
    measure = st.segmented_control(t("sankey.measure", lang), flows.SANKEY_MEASURES, default="masks", key="sankey_measure",
                                   format_func=lambda m: t(f"sankey.measure.{m}", lang)) or "masks"
    links = data.view(flows.sankey_view, f, lang, measure=measure)
    if len(links):
        show_chart(lambda dark: build_flow_sankey(links, data.get().package.regions, measure, lang,
                                                  t("source.ccg_tables", lang), described, dark), "flows_sankey", applies)
    else:
        st.caption(t("sankey.empty", lang))
    st.subheader(t("flows.table_heading", lang, n=fmt_number(view.rows, lang)))
    show_table(view.table, lang, total=view.rows, height=320)
frame.sources("flows")

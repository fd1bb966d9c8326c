"""Sister-city flows: where help went, as flat curves on an offline world map, the largest flows beside it,
a Sankey of provinces and states, and the records behind them."""
import streamlit as st

from atlas import engine, flows
from atlas.i18n import fmt_number, t
from components import data, downloads, frame, sidebar, url_state
from components.exhibit_view import show_chart
from components.flow_map import show_flow_map
from components.tables import show_table

lang = frame.header("flows")
level = sidebar.option("level")
f = url_state.filters()
view = data.view(flows.view, f, lang, level=level)
frame.date_aside(f)
if view is None:
    frame.empty()
else:
    st.markdown(flows.summary_words(view.summary, lang))
    show_flow_map(view.map, lang)
    if len(view.promised):
        st.caption(engine.promised_words(view.promised, lang))
    if view.map.unmapped:
        st.caption(t("flows.unmapped_one" if view.map.unmapped == 1 else "flows.unmapped", lang, n=view.map.unmapped))
    downloads.show_row("flow-map", key="flows", help_prefix="flows.download_")
    st.subheader(t("flows.sankey_heading", lang))
    sidebar.option("measure")
    show_chart("flows-sankey")
    st.subheader(t("flows.table_heading", lang, n=fmt_number(view.rows, lang)))
    downloads.show_row("flows", help_prefix="flows.download_")  # before the table: the keyboard reaches it first
    show_table(view.table, lang, total=view.rows, height=320)
frame.sources("flows")

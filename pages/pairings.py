"""Sister relationships: which pairs the sources name, and which of them exchanged help during COVID-19."""
import streamlit as st

from atlas import export
from atlas.filters import slug as filter_slug
from atlas.i18n import label, t
from atlas.pairings import pairings_deck, pairings_table, pairings_summary
from components import page, state, views
from components.flow_map import basemap_toggle
from components.table import show_table

page.header("pairings", applies=("province", "state"))
lang = state.lang()
d = state.data()
f = state.filters()
view = views.pairings()
if view.empty:
    page.empty()
else:
    s = pairings_summary(view, d.package)
    cols = st.columns(4)
    cols[0].metric(t("pairings.total", lang), s["pairs"], border=True)
    cols[1].metric(t("pairings.province_state", lang), s["province_state"], border=True)
    cols[2].metric(t("pairings.city", lang), s["city"], border=True)
    cols[3].metric(t("pairings.exchanged", lang), s["exchanged"], border=True)
    st.caption(t("pairings.completeness", lang, listed=s["pairs_all"], official=s["official_total"],
                 official_ps=s["official_province_state"], official_city=s["official_city"], date=s["official_date"]))
    st.pydeck_chart(pairings_deck(view, lang, state.dark(), basemap=basemap_toggle(lang)), height=480, key="pairings_map")
    st.caption(t("pairings.legend", lang))
    table = pairings_table(view, lang)
    show_table(table, lang, height=420)
    st.download_button("CSV", data=lambda: export.csv_bytes(pairings_table(view, "en")),
                       file_name=export.file_name("sister-relationships", filter_slug(f, d.vocab), "csv", lang),
                       mime="text/csv", key="dl_pairings_csv", on_click="ignore", icon=":material/download:")
page.sources(["ccg2020", "wikipedia-sister-cities", "chinadaily2022"])

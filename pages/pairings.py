"""Sister relationships: which pairs the sources name, and which of them exchanged help during COVID-19."""
import streamlit as st

from atlas import exports, pairings
from atlas.i18n import t
from components import data, downloads, frame, site, url_state
from components.map_exports import pairings_map_html, pairings_map_png
from components.pairings_map import show_pairings_map
from components.tables import show_table

lang = frame.header("pairings")
pkg = data.get().package
view = data.view(pairings.view, url_state.filters())
if view.empty:
    frame.empty()
else:
    s = pairings.summary(view, pkg)
    cards = {"pairs": "pairings.total", "province_state": "pairings.province_state", "city": "pairings.city",
             "exchanged": "pairings.exchanged"}
    for col, (key, label_key) in zip(st.columns(len(cards)), cards.items()):
        col.metric(t(label_key, lang), s[key], border=True)
    if s["official_total"] is not None:
        st.caption(t("pairings.completeness", lang, listed=s["pairs_all"], official=s["official_total"],
                     official_ps=s["official_province_state"], official_city=s["official_city"], date=s["official_date"]))
    show_pairings_map(view, lang)
    show_table(pairings.table(view, lang), lang, height=420)
    applies = site.BY_KEY["pairings"].applies
    described, link = frame.describe(applies), st.context.url
    downloads.show_row("pairings", {"csv": "sister-relationships", "html": "pairings-map", "png": "pairings-map"}, applies,
                       {"csv": lambda: exports.csv_bytes(pairings.table(view, "en")),
                        "html": lambda: pairings_map_html(view, lang, described, link),
                        "png": lambda: pairings_map_png(view, lang, described, link)}, help_prefix="pairings.download_")
frame.sources("pairings")

"""Sister relationships: which pairs the sources name, since when, what went each way in 2020, and how the record
compares with the official totals."""
import streamlit as st

from atlas import pairings
from atlas.i18n import t
from components import data, downloads, frame, sidebar, url_state
from components.pairings_map import show_pairings_map
from components.exhibit_view import show_chart
from components.tables import pairings_shown, show_table

lang = frame.header("pairings")
place = sidebar.option("place")  # a city, county, province or state, by any part of its name
f = url_state.filters()
found = [(pairings.found, place)]  # the view's pairs that name the place; what the page shows is made from them
view = data.view(pairings.view, f, lang, then=found)
if view.empty:
    frame.empty()
else:
    include_inferred = st.toggle(t("pairings.count_inferred", lang), key="pairings_count_inferred")
    s = data.view(pairings.view, f, lang, then=found + [(pairings.summary_of, include_inferred)])
    cards = {"pairs": "pairings.total_all" if include_inferred else "pairings.total",
             "province_state": "pairings.province_state", "city": "pairings.city", "exchanged": "pairings.exchanged"}
    for col, (key, label_key) in zip(st.columns(len(cards)), cards.items()):
        col.metric(t(label_key, lang), s[key], border=True)
    if s["inferred"] and not include_inferred:
        st.caption(t("pairings.inferred_caption_one" if s["inferred"] == 1 else "pairings.inferred_caption", lang,
                     inferred=s["inferred"], contradicted=s["contradicted"]))
    if s["state_not_stated"]:
        st.caption(t("pairings.state_not_stated_caption_one" if s["state_not_stated"] == 1
                     else "pairings.state_not_stated_caption", lang, n=s["state_not_stated"]))
    if s["official_total"] is not None:
        st.caption(t("pairings.completeness", lang, listed=s["pairs_all"], official=s["official_total"],
                     official_ps=s["official_province_state"], official_city=s["official_city"], date=s["official_date"]))
    show_pairings_map(view, lang)
    st.markdown(t("pairings.evidence_legend", lang))
    downloads.show_row("sister-relationships-map", key="pairings", help_prefix="pairings.download_")
    downloads.show_row("sister-relationships", key="pairings", help_prefix="pairings.download_")
    show_table(data.view(pairings.view, f, lang, then=found + [(pairings_shown,)]), lang, height=420)
    # Who is paired with whom, since when, and what went each way: one row per relationship on record shown
    st.header(t("history.heading", lang))
    st.caption(t("history.caption", lang))
    show_table(data.view(pairings.view, f, lang, then=found + [(pairings.history_of,)]), lang, height=420)
    st.header(t("pairing_years.heading", lang))
    show_chart("sister-relationships-by-year")
st.header(t("pairing_reconcile.heading", lang))
show_chart("sister-relationships-reconciled")
frame.sources("pairings")

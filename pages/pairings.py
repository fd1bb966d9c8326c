"""Sister relationships: which pairs the sources name, since when, what went each way in 2020, and how the record
compares with the official totals."""
import streamlit as st

from atlas import pairings
from atlas.i18n import t
from components import data, downloads, exhibits, frame, sidebar, url_state
from components.pairings_map import show_pairings_map
from components.exhibit_view import show_chart
from components.tables import pairings_on_screen, show_table

lang = frame.header("pairings")
pkg = data.get().package
place = sidebar.option("place")  # a city, county, province or state, by any part of its name
view = pairings.find(data.view(pairings.view, url_state.filters()), place)
if view.empty:
    frame.empty()
else:
    include_inferred = st.toggle(t("pairings.count_inferred", lang), key="pairings_count_inferred")
    view_key = exhibits.cache_key(url_state.state(), data.vocab())  # the cards and the table: once per view
    s = data.rendered(("pairings_summary", view_key, include_inferred), lambda: pairings.summary(view, pkg, include_inferred))
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
    show_table(data.rendered(("pairings_table", view_key), lambda: pairings_on_screen(
        pairings.table(view, lang), lang, data.get().package.places)), lang, height=420)
    # Who is paired with whom, since when, and what went each way: one row per relationship on record shown
    st.header(t("history.heading", lang))
    st.caption(t("history.caption", lang))
    show_table(data.rendered(("pairings_history", view_key), lambda: pairings.history(data.get(), view, lang)), lang,
               height=420)
    st.header(t("pairing_years.heading", lang))
    show_chart("sister-relationships-by-year")
st.header(t("pairing_reconcile.heading", lang))
show_chart("sister-relationships-reconciled")
frame.sources("pairings")

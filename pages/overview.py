"""Overview: headline figures for the current filters, what flowed each way, provinces and states, timeline, reconciliation."""
import streamlit as st

from atlas import overview, pairings
from atlas.filters import Filters
from atlas.i18n import fmt_number, t
from components import data, downloads, frame, sidebar, url_state
from components.exhibit_view import show_chart
from components.landing import show_landing
from components.tables import show_reconciliation

lang = frame.header("overview")
show_landing(lang)
f = url_state.filters()
pkg = data.get().package
view = data.view(overview.view, f, lang)

if view is None:
    frame.empty()
else:
    for col, card in zip(st.columns(4), overview.headline(view.summary, pkg)):
        col.metric(t(f"headline.{card['key']}", lang), fmt_number(card["value"], lang), border=True)
        col.caption(overview.headline_caption(card, lang))
    on_record = pairings.on_record(pkg)
    st.caption(t("headline.source", lang, pairs=fmt_number(on_record, lang),
                 inferred=fmt_number(len(pkg.pairings) - on_record, lang)))

    st.header(t("overview.items_heading", lang))
    sidebar.option("scale")  # linear, or log as a labelled option
    show_chart("items-each-way")
    st.header(t("overview.regions_heading", lang))
    show_chart("provinces-and-states")

st.header(t("overview.timeline_heading", lang))
show_chart("timeline")

st.header(t("overview.reconcile_heading", lang))
st.markdown(t("overview.reconcile_intro", lang))
reconciliation = data.view(overview.reconciliation_view, Filters())
show_reconciliation(reconciliation, lang)
st.caption(t("overview.reconcile_note", lang))
downloads.show_row("reconciliation", help_prefix="overview.download_")
frame.sources("overview")

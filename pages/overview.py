"""Overview: headline figures for the current filters, what flowed each way, provinces and states, timeline, reconciliation."""
import streamlit as st

from atlas import overview
from atlas.i18n import t
from components import data, downloads, frame, sidebar, url_state
from components.exhibit_view import show_chart
from components.landing import show_landing
from components.tables import show_reconciliation

lang = frame.header("overview")
show_landing(lang)
f = url_state.filters()
view = data.view(overview.view, f, lang)
frame.date_aside(f)

if view is None:
    frame.empty()
else:
    shown = data.view(overview.view, f, lang, then=[(overview.headline_of,)])
    for col, (label, number, caption) in zip(st.columns(4), shown["cards"]):
        col.metric(label, number, border=True)
        col.caption(caption)
    st.caption(shown["source"])

    st.header(t("overview.items_heading", lang))
    sidebar.option("scale")  # linear, or log as a labelled option
    show_chart("items-each-way")
    st.header(t("overview.regions_heading", lang))
    show_chart("provinces-and-states")

st.header(t("overview.timeline_heading", lang))
show_chart("timeline")

st.header(t("overview.reconcile_heading", lang))
st.markdown(t("overview.reconcile_intro", lang))
show_reconciliation(lang)
st.caption(t("overview.reconcile_note", lang))
downloads.show_row("reconciliation", help_prefix="overview.download_")
frame.sources("overview")

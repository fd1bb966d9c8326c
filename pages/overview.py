"""Overview: headline figures for the current filters, what flowed each way, provinces and states, timeline, reconciliation."""
import streamlit as st

from atlas import overview
from atlas.i18n import fmt_number, t
from components import data, downloads, frame, url_state
from components.exhibit_view import show_chart
from components.tables import show_reconciliation

lang = frame.header("overview")
f = url_state.filters()
pkg = data.get().package
view = data.view(overview.view, f, lang)

if view is None:
    frame.empty()
else:
    s = view.summary
    for col, key in zip(st.columns(4), ("masks_cn_to_us", "masks_us_to_cn", "donations", "messages")):
        col.metric(t(f"headline.{key}", lang), fmt_number(s[key], lang), border=True)
    st.caption(t("headline.source", lang, pairs=fmt_number(len(pkg.pairings), lang)))

    st.header(t("overview.items_heading", lang))
    show_chart("items-each-way")
    st.header(t("overview.regions_heading", lang))
    show_chart("provinces-and-states")

st.header(t("overview.timeline_heading", lang))
show_chart("timeline")

st.header(t("overview.reconcile_heading", lang))
st.markdown(t("overview.reconcile_intro", lang))
show_reconciliation(data.of_package(overview.reconciliation), lang)
st.caption(t("overview.reconcile_note", lang))
downloads.show_row("reconciliation", help_prefix="overview.download_")
frame.sources("overview")

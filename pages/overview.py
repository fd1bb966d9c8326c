"""Overview: headline figures for the current filters, what flowed each way, provinces and states, timeline, reconciliation."""
import streamlit as st

from atlas import overview
from atlas.i18n import fmt_number, t
from atlas.vocab import PHYSICAL_UNITS
from components import data, frame, sidebar, site, url_state
from components.charts import build_category_chart, build_region_chart, build_timeline_chart, show_chart
from components.landing import show_landing
from components.tables import show_reconciliation

lang = frame.header("overview")
show_landing(lang)
f = url_state.filters()
pkg = data.get().package
applies = site.BY_KEY["overview"].applies
described = frame.describe()
view = data.view(overview.view, f, lang)

if view is None:
    frame.empty()
else:
    s = view.summary
    for col, key in zip(st.columns(4), ("masks_cn_to_us", "masks_us_to_cn", "donations", "messages")):
        col.metric(t(f"headline.{key}", lang), fmt_number(s[key], lang), border=True)
    st.caption(t("headline.source", lang, pairs=fmt_number(len(pkg.pairings), lang)))

    st.header(t("overview.items_heading", lang))
    totals = view.category_totals
    if not totals["unit"].isin(PHYSICAL_UNITS).any():
        frame.empty("empty.no_items")
    else:
        scale = sidebar.option("scale")
        show_chart(lambda dark: build_category_chart(totals, lang, t("source.ccg_tables", lang), described, dark, scale),
                   "items", applies)

    st.header(t("overview.regions_heading", lang))
    show_chart(lambda dark: build_region_chart(view.region_giving, lang, t("source.ccg_tables", lang), described, dark),
               "regions", applies)

st.header(t("overview.timeline_heading", lang))
timeline = overview.timeline_figures(pkg.key_figures, f)
if timeline.empty:
    frame.empty("empty.no_figures")
else:
    show_chart(lambda dark: build_timeline_chart(timeline, lang, t("source.all", lang), frame.describe(("dates",)), dark),
               "timeline", ("dates",))

st.header(t("overview.reconcile_heading", lang))
st.markdown(t("overview.reconcile_intro", lang))
show_reconciliation(data.of_package(overview.reconciliation), lang)
st.caption(t("overview.reconcile_note", lang))
frame.sources("overview")

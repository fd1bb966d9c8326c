"""Overview: headline figures for the current filters, what flowed each way, provinces and states, timeline, reconciliation."""
import streamlit as st

from atlas import overview as ov
from atlas.figures import category_chart, region_chart, timeline_chart
from atlas.i18n import fmt_number, label, t
from components import page, state, views
from components.chart import show_chart

page.header("overview", applies=page.ALL_FILTERS)
lang = state.lang()
d = state.data()
pkg = d.package
view = views.overview()
f = state.filters()
described, described_dates = page.describe(), page.describe(("dates",))

if view is None:
    page.empty()
else:
    s = view.summary
    cols = st.columns(4)
    for col, (key, value) in zip(cols, [("masks_cn_to_us", s["masks_cn_to_us"]), ("masks_us_to_cn", s["masks_us_to_cn"]),
                                        ("donations", s["donations"]), ("messages", s["messages"])]):
        col.metric(t(f"headline.{key}", lang), fmt_number(value, lang), border=True)
    st.caption(t("headline.source", lang, pairs=fmt_number(len(pkg.pairings), lang)))

    st.header(t("overview.items_heading", lang))
    totals = view.category_totals
    if totals[totals["unit"].isin(["pieces", "items", "pairs"])].empty:
        page.empty("empty.no_items")
    else:
        show_chart(lambda dark: category_chart(totals, lang, t("source.ccg_tables", lang), described, dark),
                   "items", page.ALL_FILTERS)

    st.header(t("overview.regions_heading", lang))
    show_chart(lambda dark: region_chart(view.region_giving, lang, t("source.ccg_tables", lang),
                                         described, dark), "regions", page.ALL_FILTERS)

st.header(t("overview.timeline_heading", lang))
timeline = ov.timeline_figures(pkg.key_figures, f)
if timeline.empty:
    page.empty("empty.no_figures")
else:
    show_chart(lambda dark: timeline_chart(timeline, lang, t("source.all", lang), described_dates, dark),
               "timeline", ("dates",))

st.header(t("overview.reconcile_heading", lang))
st.markdown(t("overview.reconcile_intro", lang))
rec = views.reconciliation()
rec_view = rec.assign(category=[label("category", c, lang) if c in ov.CATEGORY_KEYS else c for c in rec["category"]])
st.dataframe(rec_view.rename(columns={c: t(f"reconcile.{c}", lang) for c in rec.columns}), hide_index=True, width="stretch")
st.caption(t("overview.reconcile_note", lang))
page.sources(["ccg2020", "diplomat", "bjreview2023", "supchina2021", "teets"])

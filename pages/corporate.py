"""Corporate giving: Table 4's companies, the context figures, and Chinese tech philanthropy kept apart."""
import streamlit as st

from atlas import corporate
from atlas.i18n import t
from components import data, frame, sidebar
from components.cards import show_figure_cards, source_title
from components.charts import build_corporate_chart, build_figures_chart, show_chart

lang = frame.header("corporate")
pkg = data.get().package
currency = sidebar.option("currency")
rate = corporate.EXCHANGE_RATE
st.caption(t("corporate.rate_note", lang, rate=f"{rate.value:.2f}", source=t(rate.source_key, lang)))
giving = corporate.giving(pkg, currency, rate)
show_chart(lambda dark: build_corporate_chart(giving, currency, lang, t("source.ccg_table4", lang), frame.describe(()), dark),
           "corporate")

st.subheader(t("corporate.context_heading", lang))
show_figure_cards(corporate.context_figures(pkg.key_figures), pkg, lang)

st.subheader(t("corporate.domestic_heading", lang))
st.markdown(t("corporate.domestic_intro", lang))
for group in corporate.DOMESTIC_GROUPS:
    rows = corporate.domestic_figures(pkg.key_figures, group)
    if rows.empty:
        continue
    unit = rows["unit"].iloc[0]
    source = t("source.generic", lang, sources="; ".join(source_title(pkg, s, lang) for s in rows["source_id"].unique()))
    show_chart(lambda dark, rows=rows, group=group, unit=unit: build_figures_chart(
        rows, f"china-tech-philanthropy-{group}", t(f"corporate.domestic.{group}", lang),
        t("unit.currency_" + unit.lower(), lang), lang, source, dark), f"domestic_{group}")
frame.sources("corporate")

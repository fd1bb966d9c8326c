"""Corporate giving: Table 4's companies, the context figures, and Chinese tech philanthropy kept apart."""
import streamlit as st

from atlas import queries_corporate as qc
from atlas.figures import corporate_chart, figures_chart
from atlas.i18n import fmt_number, md, t
from components import page, state
from components.chart import show_chart

page.header("corporate", applies=())
lang = state.lang()
pkg = state.data().package

currency = st.segmented_control(t("corporate.currency", lang), ["CNY", "USD"], default="CNY", key="corporate_currency") or "CNY"
rate = qc.EXCHANGE_RATE
st.caption(t("corporate.rate_note", lang, rate=rate.value, source=t(rate.source_key, lang)))


described = page.describe(())


def build(dark: bool):
    return corporate_chart(pkg.corporate_donations, currency, rate.value, lang, t("source.ccg_table4", lang), described, dark)


show_chart(build, "corporate")

st.subheader(t("corporate.context_heading", lang))
cards = qc.context_figures(pkg.key_figures)
cols = st.columns(len(cards))
for col, (_, row) in zip(cols, cards.iterrows()):
    with col:
        st.metric(md(row["actor"]), f"{fmt_number(row['value'], lang)} {t('unit.' + row['unit'], lang)}", border=True)
        st.caption(md(f"{row['description']} ({row['date']}). {pkg.source_title(row['source_id'])}"))

st.subheader(t("corporate.domestic_heading", lang))
st.markdown(t("corporate.domestic_intro", lang))
for group in qc.DOMESTIC_GROUPS:
    rows = qc.domestic_figures(pkg.key_figures, group)
    if rows.empty:
        continue

    def build_group(dark: bool, rows=rows, group=group):
        unit = rows["unit"].iloc[0]
        return figures_chart(rows, f"china-tech-philanthropy-{group}", t(f"corporate.domestic.{group}", lang),
                             t("unit.currency_" + unit.lower(), lang), lang,
                             t("source.generic", lang, sources="; ".join(pkg.source_title(s) for s in rows["source_id"].unique())), dark)

    show_chart(build_group, f"domestic_{group}")
page.sources(["ccg2020", "bjreview2023", "supchina2021"])

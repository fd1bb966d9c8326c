"""Corporate giving: Table 4's companies, the context figures, and Chinese tech philanthropy kept apart."""
import streamlit as st

from atlas import corporate
from atlas.i18n import t
from components import frame, sidebar
from components.cards import show_figure_cards
from components.exhibit_view import show_chart

lang = frame.header("corporate")
currency = sidebar.option("currency")
rate = corporate.EXCHANGE_RATE
st.caption(t("corporate.rate_note", lang, rate=f"{rate.value:.2f}", source=t(rate.source_key, lang)))
show_chart("corporate-giving")

st.subheader(t("corporate.context_heading", lang))
show_figure_cards(lang)

st.subheader(t("corporate.domestic_heading", lang))
st.markdown(t("corporate.domestic_intro", lang))
for group in corporate.DOMESTIC_GROUPS:
    show_chart(f"china-tech-philanthropy-{group}")
frame.sources("corporate")

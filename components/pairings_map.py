"""The sister-relationships map on screen."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas.i18n import t

from . import sidebar
from .decks import build_pairings_deck
from .theme import dark


def show_pairings_map(view: pd.DataFrame, lang: str) -> None:
    deck = build_pairings_deck(view, lang, dark(), basemap=sidebar.option("basemap"))
    st.pydeck_chart(deck, height=480, key="pairings_map")
    st.caption(t("pairings.legend", lang))

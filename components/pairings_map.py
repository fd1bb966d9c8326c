"""The sister-relationships map on screen: clicking a place or a pair filters every page to it."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas.i18n import t
from atlas.map_text import pairings_map_text

from . import data, exhibits, sidebar, url_state
from .decks import build_pairings_deck
from .flow_map import on_select, show_map_text
from .theme import dark

MAP_KEY = "pairings_map"


def show_pairings_map(view: pd.DataFrame, lang: str) -> None:
    basemap, is_dark = sidebar.option("basemap"), dark()
    key = ("pairings_deck", exhibits.cache_key(url_state.state(), data.vocab()), is_dark)  # once per view, not every rerun
    deck = data.rendered(key, lambda: build_pairings_deck(view, lang, is_dark, basemap=basemap))
    text = pairings_map_text(view, lang)
    st.pydeck_chart(deck, height=480, key=MAP_KEY, on_select=on_select(MAP_KEY, ("pair_places", "pairs")),
                    selection_mode="single-object", alt=text)
    show_map_text(text, lang)
    st.caption(t("pairings.click_hint", lang))
    st.caption(t("pairings.legend", lang))

"""The sister-relationships map on screen: clicking a place or a pair filters every page to it."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas.i18n import t
from atlas.map_text import pairings_map_text

from . import data, exhibits, sidebar, url_state
from .decks import FIT_WIDTH, build_pairings_deck
from .map_width import map_width
from .streamlit_fixes import deck_key
from .flow_map import on_select, show_map_text
from .theme import dark

MAP_KEY = "pairings_map"
MAP_HEIGHT = 480


def show_pairings_map(view: pd.DataFrame, lang: str) -> None:
    basemap, is_dark = sidebar.option("basemap"), dark()
    view_key = exhibits.cache_key(url_state.state(), data.vocab())  # the deck and its words: once per view, not every rerun
    measured = map_width(MAP_KEY)  # fitted to the reader's map once the browser has measured it
    width = measured or FIT_WIDTH
    deck = data.rendered(("pairings_deck", view_key, is_dark, width), lambda: build_pairings_deck(
        view, lang, is_dark, basemap=basemap, fit_width=width, fit_height=MAP_HEIGHT))
    text = data.rendered(("pairings_words", view_key), lambda: pairings_map_text(view, lang))
    key = deck_key(MAP_KEY, measured)
    st.pydeck_chart(deck, height=MAP_HEIGHT, key=key, on_select=on_select(key, ("pair_places", "pairs")),
                    selection_mode="single-object", alt=text)
    show_map_text(text, lang)
    st.caption(t("pairings.click_hint", lang))
    st.caption(t("pairings.legend", lang))

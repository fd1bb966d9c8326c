"""The shared filters, rendered once from app.py with fixed keys so that every page shows the same widgets."""
from __future__ import annotations

import streamlit as st

from atlas.filters import ACTOR_KINDS, CATEGORIES, DIRECTIONS
from atlas.i18n import LANG_NAMES, LANGS, label, t

from . import state
from .state import KEYS


def render() -> None:
    d = state.data()
    lang = state.lang()
    regions = d.package.regions.set_index("admin1")
    region_name = lambda code: (regions.at[code, "name_zh"] if lang == "zh" else regions.at[code, "name_en"])
    with st.sidebar:
        st.radio(t("sidebar.language", lang), LANGS, format_func=LANG_NAMES.get, key=KEYS["lang"], horizontal=True,
                 on_change=state.clear_warnings)
        st.subheader(t("sidebar.filters", lang))
        st.multiselect(t("filter.province", lang), list(d.vocab.provinces), format_func=region_name, key=KEYS["province"],
                       placeholder=t("filter.all", lang), on_change=state.clear_warnings)
        st.multiselect(t("filter.state", lang), list(d.vocab.states), format_func=region_name, key=KEYS["state"],
                       placeholder=t("filter.all", lang), on_change=state.clear_warnings)
        st.radio(t("filter.direction", lang), DIRECTIONS, format_func=lambda c: label("direction", c, lang),
                 key=KEYS["direction"], on_change=state.clear_warnings)
        st.multiselect(t("filter.category", lang), CATEGORIES, format_func=lambda c: label("category", c, lang),
                       key=KEYS["category"], placeholder=t("filter.all", lang), on_change=state.clear_warnings)
        st.multiselect(t("filter.actor", lang), ACTOR_KINDS, format_func=lambda c: label("actor", c, lang),
                       key=KEYS["actor"], placeholder=t("filter.all", lang), on_change=state.clear_warnings)
        st.select_slider(t("filter.dates", lang), options=list(d.months), key=KEYS["dates"], on_change=state.clear_warnings,
                         help=t("filter.dates_help", lang))
        st.button(t("sidebar.reset", lang), on_click=state.reset, icon=":material/restart_alt:", width="stretch")
        st.caption(t("sidebar.copy_link", lang))
        st.code(share_link(), language=None, wrap_lines=True)


def share_link() -> str:
    """The address that reopens this view (page, filters and language)."""
    from urllib.parse import urlencode
    query = state.query_for(state.filters(), state.lang())
    qs = urlencode([(k, v) for k, vs in query.items() for v in vs])
    try:
        base = st.context.url.split("?")[0]
    except Exception:
        base = ""
    return f"{base}?{qs}" if qs else base or "/"

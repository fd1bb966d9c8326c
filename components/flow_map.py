"""The flow map on screen: the deck, its legend, and clicks that filter the whole dashboard."""
from __future__ import annotations

import streamlit as st

from atlas.flows import FlowMap
from atlas.i18n import fmt_number, fmt_unit, label, t

from . import data, sidebar, url_state
from .decks import build_flow_deck, legend_widths
from .theme import CATEGORY_COLOURS, dark

MAP_KEY = "flow_map"


def _on_select() -> None:
    """A click on a place or arc narrows the shared filters (and so the URL and every page) to it."""
    selection = st.session_state.get(MAP_KEY, {}).get("selection", {}) or {}
    objects = selection.get("objects", {}) or {}
    picked = (objects.get("places") or []) + (objects.get("flows") or [])
    if not picked:
        return
    obj = picked[0]
    vocab = data.vocab()
    if "from_admin1" in obj:  # an arc: focus on both of its ends
        codes = [obj.get("from_admin1"), obj.get("to_admin1")]
        changes = {"province": tuple(c for c in codes if c in vocab.provinces),
                   "state": tuple(c for c in codes if c in vocab.states)}
        url_state.update(**{k: v for k, v in changes.items() if v})
    else:
        code = obj.get("admin1")
        if code in vocab.provinces:
            url_state.update(province=(code,))
        elif code in vocab.states:
            url_state.update(state=(code,))


def legend_view(legend, lang: str):
    """The legend as shown: an empty colour column, category and unit in the reader's language; and each row's colour."""
    view = legend.copy()
    colours = [CATEGORY_COLOURS.get(c, "#777777") for c in view["category"]]
    view.insert(0, "colour", "")
    view["category"] = [label("category", c, lang) for c in view["category"]]
    view["unit"] = [fmt_unit(u, lang) for u in view["unit"]]
    return view, colours


def show_flow_map(fm: FlowMap, lang: str) -> None:
    deck = build_flow_deck(fm, lang, dark=dark(), basemap=sidebar.option("basemap"))
    st.pydeck_chart(deck, key=MAP_KEY, on_select=_on_select, selection_mode="single-object", height=520)
    st.caption(t("map.click_hint", lang))
    if fm.capped:
        st.caption(t("map.capped", lang, shown=fmt_number(len(fm.flows), lang), total=fmt_number(fm.arcs_total, lang)))
    if len(fm.legend):
        legend, colours = legend_view(fm.legend, lang)
        styled = legend.style.apply(lambda col: [f"background-color: {c}" for c in colours], subset=["colour"]).format(
            {"quantity": "{:,.0f}"})
        st.caption(t("map.legend_colour", lang))
        st.dataframe(styled, hide_index=True, width="content",
                     column_config={"colour": st.column_config.TextColumn(" ", width="small"),
                                    "category": t("map.col_category", lang), "unit": t("map.col_unit", lang),
                                    "quantity": t("map.col_quantity", lang), "records": t("map.col_records", lang)})
    widths = legend_widths(fm.qmax, lang)
    st.caption(t("map.legend_width", lang, scale=", ".join(f"{q} → {w:.0f}px" for q, w in widths)))
    st.caption(t("map.legend_direction", lang))

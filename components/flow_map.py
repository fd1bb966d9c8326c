"""The flow map on screen: the deck, its legend, and clicks that filter the whole dashboard."""
from __future__ import annotations

import streamlit as st

from atlas.flowmap import FlowMap, legend_view
from atlas.i18n import fmt_number, t
from atlas.maps import flow_deck, legend_widths

from . import state

MAP_KEY = "flow_map"


def _on_select() -> None:
    """A click on a place or arc narrows the shared filters (and so the URL and every page) to it."""
    selection = st.session_state.get(MAP_KEY, {}).get("selection", {}) or {}
    objects = selection.get("objects", {}) or {}
    picked = (objects.get("places") or []) + (objects.get("flows") or [])
    if not picked:
        return
    obj = picked[0]
    known_cn, known_us = state.data().vocab.provinces, state.data().vocab.states
    if "from_admin1" in obj:  # an arc: focus on both of its ends
        codes = [obj.get("from_admin1"), obj.get("to_admin1")]
        state.focus(provinces=[c for c in codes if c in known_cn] or None, states=[c for c in codes if c in known_us] or None)
    else:
        code = obj.get("admin1")
        if code in known_cn:
            state.focus(provinces=[code])
        elif code in known_us:
            state.focus(states=[code])


def basemap_toggle(lang: str) -> bool:
    """Outlines bundled with the data work offline; a street basemap is an option when online."""
    return st.toggle(t("map.basemap", lang), key="map_basemap", help=t("map.basemap_help", lang))


def show_flow_map(fm: FlowMap, lang: str) -> None:
    deck = flow_deck(fm.flows, fm.points, lang, dark=state.dark(), qmax=fm.qmax, basemap=basemap_toggle(lang))
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

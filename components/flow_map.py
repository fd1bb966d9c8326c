"""The flow map on screen: the deck, the largest flows beside it, its legend, and clicks that filter the whole dashboard."""
from __future__ import annotations

import streamlit as st

from atlas.flows import FlowMap, giver_name, top_flows
from atlas.i18n import fmt_number, fmt_unit, label, md, t
from atlas.map_text import flow_map_text
from atlas.vocab import PHYSICAL_UNITS

from . import data, exhibits, sidebar, url_state
from .decks import FIT_WIDTH, MAP_HEIGHT, build_flow_deck, category_colour, legend_widths, records_text
from .map_width import map_width
from .streamlit_fixes import deck_key
from .theme import dark

MAP_KEY = "flow_map"


def filter_to(obj: dict) -> dict:
    """The filter change a click on a map object asks for: a place or region narrows to its province or state,
    a flow to both of its ends (only codes the vocabulary knows)."""
    vocab = data.vocab()
    if "from_admin1" in obj or "cn_admin1" in obj:  # a flow or a pair: focus on both of its ends
        codes = [obj.get("from_admin1"), obj.get("to_admin1"), obj.get("cn_admin1"), obj.get("us_admin1")]
        changes = {"province": tuple(dict.fromkeys(c for c in codes if c in vocab.provinces)),
                   "state": tuple(dict.fromkeys(c for c in codes if c in vocab.states))}
        return {k: v for k, v in changes.items() if v}
    code = obj.get("admin1")
    if code in vocab.provinces:
        return {"province": (code,)}
    if code in vocab.states:
        return {"state": (code,)}
    return {}


def on_select(key: str, layers: tuple[str, ...]):
    """A callback for `st.pydeck_chart`: the first object picked in `layers` narrows the shared filters
    (and so the URL and every page) to it."""
    def callback() -> None:
        selection = st.session_state.get(key, {}).get("selection", {}) or {}
        objects = selection.get("objects", {}) or {}
        picked = [o for layer in layers for o in (objects.get(layer) or [])]
        if picked:
            changes = filter_to(picked[0])
            if changes:
                url_state.update(**changes)
    return callback


def show_map_text(text: str, lang: str) -> None:
    """The map in words, for readers who cannot see it (its sentences are also the map's accessible name)."""
    with st.expander(t("map.as_text", lang), icon=":material/description:"):
        st.markdown(md(text))


def legend_view(legend, lang: str):
    """The legend as shown: an empty colour column, category and unit in the reader's language; and each row's colour."""
    view = legend.copy()
    colours = [category_colour(c) for c in view["category"]]
    view.insert(0, "colour", "")
    view["direction"] = [label("direction", d, lang) for d in view["direction"]]
    view["category"] = [label("category", c, lang) for c in view["category"]]
    view["unit"] = [fmt_unit(u, lang) for u in view["unit"]]
    return view, colours


def _end(en, zh, lang: str) -> str:
    return md(zh if lang == "zh" and isinstance(zh, str) and zh else en)


def top_flow_lines(fm: FlowMap, lang: str) -> list[str]:
    """The ranked list beside the map, one markdown line per flow (data text escaped)."""
    lines = []
    for r in top_flows(fm.flows).itertuples():
        giver = md(giver_name(r.from_name_zh if lang == "zh" and isinstance(r.from_name_zh, str) and r.from_name_zh
                              else r.from_name_en, getattr(r, "givers_en", ""), getattr(r, "givers_zh", ""), lang))
        receiver = _end(r.to_name_en, r.to_name_zh, lang)
        what, direction = label("category", r.category, lang), label("direction", r.direction, lang)
        if r.unit in PHYSICAL_UNITS and r.quantity == r.quantity:
            unit = fmt_unit(r.unit, lang)
            lines.append(t("map.top_item", lang, rank=r.rank, giver=giver, receiver=receiver, direction=direction,
                           quantity=fmt_number(r.quantity, lang), what=what if unit in what else t("map.what_unit", lang, what=what, unit=unit)))
        else:
            lines.append(t("map.top_item_count", lang, rank=r.rank, giver=giver, receiver=receiver, direction=direction,
                           what=what, records=records_text(r.records, lang)))
    return lines


def show_top_flows(fm: FlowMap, lang: str, lines: list[str] | None = None) -> None:
    st.markdown(f"**{t('map.top_heading', lang)}**")
    lines = top_flow_lines(fm, lang) if lines is None else lines
    st.markdown("  \n".join(lines))
    st.caption(t("map.top_note", lang, shown=len(lines), total=fmt_number(fm.arcs_total, lang)))


def show_flow_map(fm: FlowMap, lang: str) -> None:
    basemap, is_dark = sidebar.option("basemap"), dark()
    # Built once per process for each view (the map of these filters, language, theme and basemap), not every rerun.
    view_key = exhibits.cache_key(url_state.state(), data.vocab())
    # The map in words, the ranked list and the legends: once per view too (a tenth of a second of every rerun otherwise).
    text, lines, legend_rows, width_text = data.rendered(("flow_words", view_key), lambda: (
        flow_map_text(fm, lang), top_flow_lines(fm, lang), legend_view(fm.legend, lang) if len(fm.legend) else None,
        width_legend(fm.qmax, lang)))
    level = "region" if len(fm.coords) and (fm.coords["key"] == fm.coords["admin1"]).all() else "place"
    st.caption(t(f"map.level_{level}", lang))
    left, right = st.columns([5, 2], gap="medium")
    with left:
        # Fitted to the reader's map: the width the browser measured (FIT_WIDTH, the narrowest, until it has).
        measured = map_width(MAP_KEY)
        width = measured or FIT_WIDTH
        deck = data.rendered(("flow_deck", view_key, is_dark, width), lambda: build_flow_deck(
            fm, lang, dark=is_dark, basemap=basemap, fit_width=width, fit_height=MAP_HEIGHT))
        key = deck_key(MAP_KEY, measured)
        st.pydeck_chart(deck, key=key, on_select=on_select(key, ("places", "flows")),
                        selection_mode="single-object", height=MAP_HEIGHT, alt=text)
    with right:
        show_top_flows(fm, lang, lines)
    show_map_text(text, lang)
    st.caption(t("map.click_hint_fixed", lang))
    if fm.capped:
        st.caption(t("map.capped", lang, shown=fmt_number(len(fm.flows), lang), total=fmt_number(fm.arcs_total, lang)))
    st.caption(t("map.legend_lines", lang))
    if legend_rows is not None:
        legend, colours = legend_rows
        styled = legend.style.apply(lambda col: [f"background-color: {c}" for c in colours], subset=["colour"]).format(
            {"quantity": "{:,.0f}"})
        st.dataframe(styled, hide_index=True, width="content",
                     column_config={"colour": st.column_config.TextColumn(" ", width="small"),
                                    "direction": t("map.col_direction", lang), "category": t("map.col_category", lang),
                                    "unit": t("map.col_unit", lang),
                                    "quantity": t("map.col_quantity", lang), "records": t("map.col_records", lang)})
    st.caption(width_text, help=None)
    st.caption(t("map.legend_direction", lang))


def width_legend(qmax: float, lang: str) -> str:
    widths = legend_widths(qmax, lang)
    return t("map.legend_width_fixed", lang, scale=", ".join(f"{q} → {w:.0f}px" for q, w in widths))

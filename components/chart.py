"""Show a chart the same way everywhere: figure, a table view of the same numbers, and exports.

Exports (PNG, SVG, HTML, CSV) are produced only when their button is clicked, from the light
variant of the figure with title, subtitle, legend and source line baked in.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from atlas import export
from atlas.figures import Chart
from atlas.filters import slug as filter_slug
from atlas.i18n import md, t

from . import state
from .table import show_table

MIME = {"png": "image/png", "svg": "image/svg+xml", "html": "text/html", "csv": "text/csv"}


def show_chart(build: Callable[[bool], Chart], key: str, filter_keys: tuple[str, ...] = ()) -> Chart:
    """`build(dark)` returns the Chart; it is called for the screen and again (light) for exports."""
    lang = state.lang()
    chart = build(state.dark())
    tab_chart, tab_table = st.tabs([t("chart.tab_chart", lang), t("chart.tab_table", lang)])
    with tab_chart:
        st.plotly_chart(chart.figure, theme=None, key=f"plot_{key}", config={"displaylogo": False})
    with tab_table:
        show_table(chart.data, lang)
    for note in chart.notes:
        st.caption(md(note))
    st.caption(md(chart.source))
    download_row(build, chart.slug, key, filter_keys)
    return chart


def download_row(build: Callable[[bool], Chart], chart_slug: str, key: str, filter_keys: tuple[str, ...]) -> None:
    lang = state.lang()
    f = state.filters()
    fslug = filter_slug(_only(f, filter_keys), state.data().vocab)
    light = lambda: build(False)
    makers = {
        "png": lambda: export.static_image(light().figure, "png"),
        "svg": lambda: export.static_image(light().figure, "svg"),
        "html": lambda: (lambda c: export.html_bytes(c.figure, c.title))(light()),
        "csv": lambda: export.csv_bytes(light().data),
    }
    cols = st.columns(4)
    for col, (fmt, maker) in zip(cols, makers.items()):
        with col:
            st.download_button(fmt.upper(), data=maker, file_name=export.file_name(chart_slug, fslug, fmt, lang),
                               mime=MIME[fmt], key=f"dl_{key}_{fmt}", on_click="ignore", icon=":material/download:",
                               help=t(f"chart.download_{fmt}", lang), width="stretch")


def _only(f, keys: tuple[str, ...]):
    from atlas.filters import Filters
    return Filters(
        provinces=f.provinces if "province" in keys else (), states=f.states if "state" in keys else (),
        direction=f.direction if "direction" in keys else "both", categories=f.categories if "category" in keys else (),
        actors=f.actors if "actor" in keys else (), date_from=f.date_from if "dates" in keys else None,
        date_to=f.date_to if "dates" in keys else None)

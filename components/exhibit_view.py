"""A chart on its page: chart and table tabs, notes and source, its files, and "link, embed, cite".

The chart is the exhibit of that name (`components/exhibits.py`) built from the reader's URL state, so
what the page draws is what its addresses serve.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from atlas.i18n import md, t

from . import data, downloads, exhibits, frame, url_state
from .charts import Chart, for_screen, frozen, show_heading
from .tables import show_table
from .theme import dark


def screen_chart(name: str, state, is_dark: bool):
    """(chart, its screen figure) of exhibit `name` in a URL state, or (None, None) when nothing matches: built once
    per process for each parameter set (shared by every session; figures are only read). Both figures are kept
    frozen (`charts.FrozenFigure`): the page draws one and reads the other's height."""
    ex = exhibits.BY_NAME[name]
    key = ("screen", name, exhibits.cache_key(state, data.vocab()), is_dark)

    def build():
        made = ex.build(exhibits.Ask(data.get(), state, is_dark))
        if made is None:
            return None, None
        return replace(made, figure=frozen(made.figure)), for_screen(made.figure)

    return data.rendered(key, build)


def show_chart(name: str) -> Chart | None:
    """Exhibit `name` as the reader asked for it; its empty state when nothing matches."""
    ex = exhibits.BY_NAME[name]
    lang = url_state.lang()
    chart, on_screen = screen_chart(name, url_state.state(), dark())
    if chart is None:
        frame.empty(ex.empty)
        return None
    labels = [t("chart.tab_chart", lang), t("chart.tab_table", lang)]
    tabs_key = url_state.widget_key(f"as_table_{ex.key}")

    def switched() -> None:
        others = tuple(k for k in url_state.value("as_table") if k != ex.key)
        url_state.changed("as_table", others + ((ex.key,) if st.session_state.get(tabs_key) == labels[1] else ()))

    # Its files and "link, embed, cite" before the chart's table, which can be long (the keyboard reaches them first).
    downloads.show_row(name, share=(chart.title, chart.figure.height))
    shown_as_table = ex.key in url_state.value("as_table")
    tab_chart, tab_table = st.tabs(labels, default=labels[1] if shown_as_table else labels[0], key=tabs_key,
                                   on_change=switched)
    with tab_chart:
        if tab_chart.open:  # only the open tab is sent to the browser
            show_heading(chart)
            # No toolbar: it covered titles on phones; PNG, SVG and HTML are in the download row below.
            st.plotly_chart(on_screen, theme=None, key=f"plot_{ex.key}", alt=chart.alt or None,
                            config={"displaylogo": False, "displayModeBar": False, "responsive": True})
    with tab_table:
        if tab_table.open:
            show_heading(chart)
            show_table(chart.data, lang)
    for note in chart.notes:
        st.caption(md(note))
    st.caption(md(chart.source))
    # --- text alternative (screen readers get it as the chart's accessible name too) ---
    if chart.alt:
        with st.expander(t("alt.heading", lang), icon=":material/description:"):
            st.markdown(md(chart.alt))
    return chart

"""The floor: the dashboard's pages replayed from precomputed elements, with no logic of their own.

Same navigation (titles, icons, URL paths), same widgets (with the app's widget keys, `filter_<field>_0`) and,
page for page, the same Streamlit calls with the same arguments as pages/*.py and the components they call:
the header's style, script and notes, plotly figures in tabs with their heading and table, pydeck maps beside
their largest flows, dataframes, metrics, rows of download links with "link, embed, cite", page links,
containers, columns, expanders. Everything is read from the snapshot `floor_snapshot.py` wrote; the only
decision made per run is which filter state's snapshot to show (the province selection, falling back to
"no filter"). What this app costs is what Streamlit costs to show the dashboard's content: the benchmark
reports the dashboard's times, bytes and memory as ratios to it.

    streamlit run benchmarks/floor_app.py   (after python -m benchmarks.floor_snapshot)
"""
import os
import pickle
from pathlib import Path

import streamlit as st

from components.charts import FrozenFigure  # the figure as the app caches it: its dict, no plotly objects
from components.warm import freeze

SNAPSHOT = Path(os.environ.get("FLOOR_SNAPSHOT") or Path(__file__).resolve().parent / ".cache" / "floor-snapshot.pkl")


@st.cache_resource
def snapshot() -> dict:
    snap = pickle.loads(SNAPSHOT.read_bytes())
    freeze()  # as the app does once its first views are made (components/warm.py): same cost per collection
    return snap


class FrozenDeck:
    """What st.pydeck_chart reads from a pydeck Deck: the JSON (computed in advance) and the tooltip."""

    def __init__(self, spec: str, tooltip: dict):
        self._json, self._tooltip, self.layers = spec, tooltip, []

    def to_json(self) -> str:
        return self._json


def show(elements):
    for kind, *args in elements:
        RENDER[kind](*args)


def calls(recorded):
    """Streamlit calls recorded from one of the app's functions (frame.page_setup), each with those made in its block."""
    for name, args, kwargs, inner in recorded:
        made = getattr(st, name)(*args, **kwargs)
        if inner:
            with made:
                calls(inner)


def container(options, elements):
    with st.container(**options):
        show(elements)


def columns(spec, options, per_column):
    for col, elements in zip(st.columns(spec, **options), per_column):
        with col:
            show(elements)


def expander(label, options, elements):
    with st.expander(label, **options):
        show(elements)


def table(view, column_config, options, note):
    st.dataframe(view, hide_index=True, width="stretch", column_config=column_config, **options)
    if note:
        st.caption(note)


def button(label, url, key, icon, help_text, primary):
    """components/downloads.py's link, to the app's address (the floor does not serve it)."""
    st.link_button(label, url, key=key, icon=icon, help=help_text, width="content" if primary else "stretch",
                   type="primary" if primary else "secondary")


def share(label, items):
    """components/downloads.py's "link, embed, cite" popover: a caption and a code block per item."""
    with st.popover(label, icon=":material/share:"):
        for caption, code, language in items:
            st.caption(caption)
            st.code(code, language=language, wrap_lines=True)


def chart(tab_labels, tabs, heading, plot, data):
    """components/exhibit_view.py's tabs: heading and figure, heading and table."""
    # The tabs track which one is open (a tab switch reruns, as in the app) and only the open one's content is sent.
    title, subtitle = heading
    tab_chart, tab_table = st.tabs(tab_labels, default=tabs["default"], key=tabs["key"], on_change="rerun")
    with tab_chart:
        if tab_chart.open:
            st.markdown(title)
            st.caption(subtitle)
            spec, options = plot
            st.plotly_chart(FrozenFigure(spec), **options)
    with tab_table:
        if tab_table.open:
            st.markdown(title)
            st.caption(subtitle)
            table(*data)


def metrics(per_row, rows):
    """Rows of metric cards, `per_row` columns each, with their captions (None: no caption)."""
    for row in rows:
        for col, (label, value, caption) in zip(st.columns(per_row), row):
            with col:
                st.metric(label, value, border=True)
                if caption is not None:
                    st.caption(caption)


def downloads(key, links, shared):
    """components/downloads.py's show_row: the links in a row that wraps, and "link, embed, cite" at its end."""
    with st.container(horizontal=True, wrap=True, gap="small", key=key):
        for label, url, link_key, icon, help_text in links:
            st.link_button(label, url, key=link_key, icon=icon, help=help_text, width="content")
        if shared:
            share(*shared)


def legend(table, colours, labels):
    styled = table.style.apply(lambda col: [f"background-color: {c}" for c in colours], subset=["colour"]).format(
        {"quantity": "{:,.0f}"})
    st.dataframe(styled, hide_index=True, width="content", column_config={
        "colour": st.column_config.TextColumn(labels["colour"], width="small"), "category": labels["category"],
        "unit": labels["unit"], "quantity": labels["quantity"], "records": labels["records"]})


def sources(heading, lines, caption):
    with st.expander(heading, icon=":material/menu_book:"):
        for line in lines:
            st.markdown(line)
        st.caption(caption)


def expander_table(label, data):
    with st.expander(label):
        table(*data)


def widget(spec):
    """components/sidebar.py's widget for one field of the filter table, from its precomputed spec."""
    kind, options = spec["widget"], spec["options"]
    names, show = list(options), options.__getitem__
    common = {"key": spec["key"], "help": spec["help"]}
    if kind == "multiselect":
        st.multiselect(spec["label"], names, default=spec["default"], format_func=show, placeholder=spec["placeholder"],
                       select_all=False, filter_mode="contains", **common)
    elif kind == "radio":
        st.radio(spec["label"], names, index=spec["index"], format_func=show, horizontal=spec["horizontal"], **common)
    elif kind == "segmented":
        st.segmented_control(spec["label"], names, default=spec["default"], format_func=show, **common)
    elif kind == "select":
        st.selectbox(spec["label"], names, index=spec["index"], format_func=show, **common)
    elif kind == "months":
        presets = list(spec["presets"])
        with st.container(key=spec["key"]):
            st.radio(spec["label"], presets, index=presets.index(spec["preset"]), format_func=spec["presets"].get,
                     key=spec["key"] + "_preset", help=spec["help"])
            left, right = st.columns(2)
            left.selectbox(spec["from_label"], names, index=names.index(spec["start"]), format_func=show,
                           key=spec["key"] + "_from")
            ends = [m for m in names if m >= spec["start"]]
            right.selectbox(spec["to_label"], ends, index=ends.index(spec["end"]), format_func=show, key=spec["key"] + "_to")
    elif kind == "text":
        st.text_input(spec["label"], value=spec["value"], placeholder=spec["placeholder"], **common)
    elif kind == "toggle":
        st.toggle(spec["label"], value=spec["value"], **common)
    else:
        raise ValueError(f"unknown widget {kind!r}")


RENDER = {
    "title": st.title, "header": st.header, "subheader": st.subheader, "markdown": st.markdown, "caption": st.caption,
    "info": lambda text, icon: st.info(text, icon=icon),
    "code": lambda text: st.code(text, language=None, wrap_lines=True),
    "metric": st.metric, "metrics": metrics, "chart": chart, "legend": legend, "downloads": downloads,
    "sources": sources, "expander_table": expander_table, "table": table, "widget": widget, "download": button,
    "button": lambda label, icon: st.button(label, icon=icon, width="stretch"),
    "toggle": lambda label, key: st.toggle(label, key=key),
    "page_link": lambda page, label, icon: st.page_link(PAGES[page], label=label, icon=icon),
    "dataframe": lambda table, options: st.dataframe(table, hide_index=True, width="stretch", **options),
    "deck": lambda deck, options: st.pydeck_chart(FrozenDeck(*deck), **options),
    "calls": calls, "container": container, "columns": columns, "expander": expander,
}


def variant() -> dict:
    snap = snapshot()
    return snap["variants"].get(tuple(st.session_state.get(snap["variant_key"], ())), snap["variants"][()])


def page(name: str):
    def run():
        show(variant()["elements"][name])
    run.__name__ = name or "overview"
    return run


def sidebar(elements: list, share_link: str):
    from components.streamlit_fixes import narrow_screen_sidebar
    with st.sidebar:
        show(elements)
        st.code(share_link, language=None, wrap_lines=True)
    narrow_screen_sidebar()  # app.py's one element after the sidebar: a style and script, the same for both


PAGES: dict = {}  # name -> st.Page of this run (the landing's page links point at them)


def main() -> None:
    global PAGES
    st.set_page_config(page_title="Cooperation Atlas · 合作图谱", page_icon=":material/handshake:", layout="wide")
    snap = snapshot()
    PAGES = {name: st.Page(page(name), title=title, icon=icon, url_path=url or None, default=not url)
             for name, title, url, icon in snap["pages"]}
    current = st.navigation(list(PAGES.values()))
    shown = variant()
    sidebar(shown["sidebar"], shown["share_link"])
    current.run()
    if {k: st.query_params.get_all(k) for k in st.query_params} != shown["query"]:
        st.query_params.from_dict(shown["query"])


if __name__ == "__main__":  # a session's script run
    main()
else:  # imported by the ASGI server, once: the outline files the maps' decks point at, served as the app serves them
    # (the browser fetches and draws them; a floor without them drew maps without land, which cost the browser less)
    from starlette.routing import Route

    from components.http import asset
    app = st.App(__file__, routes=[Route("/assets/{file}", asset, methods=["GET", "HEAD"])])

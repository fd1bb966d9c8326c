"""The floor: the dashboard's pages replayed from precomputed elements, with no logic of their own.

Same navigation (titles, icons, URL paths), same widgets (with the app's widget keys, `filter_<field>_0`) and,
page for page, the same Streamlit calls with the same arguments as pages/*.py: plotly figures
in tabs with their table, pydeck maps, dataframes, metrics, download buttons, expanders. Everything
is read from the snapshot `floor_snapshot.py` wrote; the only decision made per run is which
filter state's snapshot to show (the province selection, falling back to "no filter"). What this
app costs is what Streamlit costs to show the dashboard's content: the benchmark reports the
dashboard's times, bytes and memory as ratios to it.

    streamlit run benchmarks/floor_app.py   (after python -m benchmarks.floor_snapshot)
"""
import os
import pickle
from pathlib import Path

import streamlit as st

SNAPSHOT = Path(os.environ.get("FLOOR_SNAPSHOT") or Path(__file__).resolve().parent / ".cache" / "floor-snapshot.pkl")


@st.cache_resource
def snapshot() -> dict:
    return pickle.loads(SNAPSHOT.read_bytes())


class FrozenDeck:
    """What st.pydeck_chart reads from a pydeck Deck: the JSON (computed in advance) and the tooltip."""

    def __init__(self, spec: str, tooltip: dict):
        self._json, self._tooltip, self.layers = spec, tooltip, []

    def to_json(self) -> str:
        return self._json


def table(view, headers, options, note):
    if headers is not None:
        options = {**options, "column_config": {c: st.column_config.Column(h) for c, h in headers.items()}}
    st.dataframe(view, hide_index=True, width="stretch", **options)
    if note:
        st.caption(note)


def button(label, url, key, icon, help_text, primary):
    """components/downloads.py's link, to an address the floor does not serve."""
    st.link_button(label, url, key=key, icon=icon, help=help_text, width="content" if primary else "stretch",
                   type="primary" if primary else "secondary")


def share(label, items):
    """components/downloads.py's "link, embed, cite" popover: a caption and a code block per item."""
    with st.popover(label, icon=":material/share:"):
        for caption, code, language in items:
            st.caption(caption)
            st.code(code, language=language, wrap_lines=True)


def chart(key, tab_labels, tabs, figure, data, captions):
    # The tabs track which one is open (a tab switch reruns, as in the app) and only the open one's content is sent.
    tab_chart, tab_table = st.tabs(tab_labels, default=tabs["default"], key=tabs["key"], on_change="rerun")
    with tab_chart:
        if tab_chart.open:
            st.plotly_chart(figure, theme=None, key=f"plot_{key}", config={"displaylogo": False})
    with tab_table:
        if tab_table.open:
            table(*data)
    for text in captions:
        st.caption(text)


def metrics(items):
    for col, (label, value, caption) in zip(st.columns(len(items)), items):
        with col:
            st.metric(label, value, border=True)
            if caption:
                st.caption(caption)


def downloads(buttons):
    with st.container(horizontal=True, wrap=True, gap="small"):
        for label, url, key, icon, help_text, _primary in buttons:
            st.link_button(label, url, key=key, icon=icon, help=help_text, width="content")


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
                       **common)
    elif kind == "radio":
        st.radio(spec["label"], names, index=spec["index"], format_func=show, horizontal=spec["horizontal"], **common)
    elif kind == "segmented":
        st.segmented_control(spec["label"], names, default=spec["default"], format_func=show, **common)
    elif kind == "select":
        st.selectbox(spec["label"], names, index=spec["index"], format_func=show, **common)
    elif kind == "slider":
        st.select_slider(spec["label"], options=names, value=spec["value"], **common)
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
    "metric": st.metric, "metrics": metrics, "chart": chart, "legend": legend, "downloads": downloads, "share": share,
    "sources": sources, "expander_table": expander_table, "table": table, "widget": widget, "download": button,
    "button": lambda label, icon: st.button(label, icon=icon, width="stretch"),
    "dataframe": lambda table, options: st.dataframe(table, hide_index=True, width="stretch", **options),
    "deck": lambda deck, options: st.pydeck_chart(FrozenDeck(*deck), **options),
}


def variant() -> dict:
    snap = snapshot()
    return snap["variants"].get(tuple(st.session_state.get(snap["variant_key"], ())), snap["variants"][()])


def page(name: str):
    def run():
        for kind, *args in variant()["elements"][name]:
            RENDER[kind](*args)
    run.__name__ = name or "overview"
    return run


def sidebar(elements: list, share_link: str):
    with st.sidebar:
        for kind, *args in elements:
            RENDER[kind](*args)
        st.code(share_link, language=None, wrap_lines=True)


st.set_page_config(page_title="Cooperation Atlas · 合作图谱", page_icon=":material/handshake:", layout="wide")
snap = snapshot()
current = st.navigation([st.Page(page(name), title=title, icon=icon, url_path=url or None, default=not url)
                         for name, title, url, icon in snap["pages"]])
shown = variant()
sidebar(snap["sidebar"], shown["share_link"])
current.run()
if {k: st.query_params.get_all(k) for k in st.query_params} != shown["query"]:
    st.query_params.from_dict(shown["query"])

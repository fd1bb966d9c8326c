"""The floor: the dashboard's pages replayed from precomputed elements, with no logic of their own.

Same navigation (titles, icons, URL paths), same sidebar widgets (with the app's widget keys) and,
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
DOWNLOAD_ICON = ":material/download:"


@st.cache_resource
def snapshot() -> dict:
    return pickle.loads(SNAPSHOT.read_bytes())


class FrozenDeck:
    """What st.pydeck_chart reads from a pydeck Deck: the JSON (computed in advance) and the tooltip."""

    def __init__(self, spec: str, tooltip: dict):
        self._json, self._tooltip, self.layers = spec, tooltip, []

    def to_json(self) -> str:
        return self._json


def _no_data() -> bytes:
    return b""


def table(view, headers, options, note):
    if headers is not None:
        options = {**options, "column_config": {c: st.column_config.Column(h) for c, h in headers.items()}}
    st.dataframe(view, hide_index=True, width="stretch", **options)
    if note:
        st.caption(note)


def chart(key, tab_labels, figure, data, captions, downloads):
    tab_chart, tab_table = st.tabs(tab_labels)
    with tab_chart:
        st.plotly_chart(figure, theme=None, key=f"plot_{key}", config={"displaylogo": False})
    with tab_table:
        table(*data)
    for text in captions:
        st.caption(text)
    for col, (label, file_name, mime, button_key, help_text) in zip(st.columns(4), downloads):
        with col:
            st.download_button(label, data=_no_data, file_name=file_name, mime=mime, key=button_key, on_click="ignore",
                               icon=DOWNLOAD_ICON, help=help_text, width="stretch")


def metrics(items):
    for col, (label, value, caption) in zip(st.columns(len(items)), items):
        with col:
            st.metric(label, value, border=True)
            if caption:
                st.caption(caption)


def downloads(columns, buttons):
    slots = st.columns(columns) if columns else [st] * len(buttons)
    for slot, (label, file_name, mime, key, help_text) in zip(slots, buttons):
        slot.download_button(label, data=_no_data, file_name=file_name, mime=mime, key=key, on_click="ignore",
                             icon=DOWNLOAD_ICON, help=help_text, width="stretch" if columns else "content")


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


RENDER = {
    "title": st.title, "header": st.header, "subheader": st.subheader, "markdown": st.markdown, "caption": st.caption,
    "info": lambda text, icon: st.info(text, icon=icon),
    "code": lambda text: st.code(text, language=None, wrap_lines=True),
    "metric": st.metric, "metrics": metrics, "chart": chart, "legend": legend, "downloads": downloads,
    "sources": sources, "expander_table": expander_table, "table": table,
    "dataframe": lambda table, options: st.dataframe(table, hide_index=True, width="stretch", **options),
    "deck": lambda deck, options: st.pydeck_chart(FrozenDeck(*deck), **options),
    "download": lambda label, file_name, mime, key, icon, kind: st.download_button(
        label, data=_no_data, file_name=file_name, mime=mime, key=key, on_click="ignore", icon=icon, type=kind),
    "segmented": lambda label, options, default, key: st.segmented_control(
        label, list(options), default=default, key=key, format_func=options.__getitem__),
    "selectbox": lambda label, options, key: st.selectbox(label, list(options), key=key, format_func=options.__getitem__),
    "text_input": lambda label, key, placeholder: st.text_input(label, key=key, placeholder=placeholder),
    "toggle": lambda label, key, help_text: st.toggle(label, key=key, help=help_text),
}


def variant() -> dict:
    variants = snapshot()["variants"]
    return variants.get(tuple(st.session_state.get("f_province", ())), variants[()])


def page(name: str):
    def run():
        for kind, *args in variant()["elements"][name]:
            RENDER[kind](*args)
    run.__name__ = name or "overview"
    return run


def sidebar(sb: dict, share_link: str):
    options = lambda names: {"options": list(names), "format_func": names.__getitem__}
    with st.sidebar:
        st.radio(sb["language"], **options(sb["langs"]), key="lang", horizontal=True)
        st.subheader(sb["filters"])
        st.multiselect(sb["province"], **options(sb["provinces"]), key="f_province", placeholder=sb["all"])
        st.multiselect(sb["state"], **options(sb["states"]), key="f_state", placeholder=sb["all"])
        st.radio(sb["direction"], **options(sb["directions"]), key="f_direction")
        st.multiselect(sb["category"], **options(sb["categories"]), key="f_category", placeholder=sb["all"])
        st.multiselect(sb["actor"], **options(sb["actors"]), key="f_actor", placeholder=sb["all"])
        st.select_slider(sb["dates"], options=sb["months"], value=(sb["months"][0], sb["months"][-1]), key="f_dates",
                         help=sb["dates_help"])
        st.button(sb["reset"], icon=":material/restart_alt:", width="stretch")
        st.caption(sb["copy_link"])
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

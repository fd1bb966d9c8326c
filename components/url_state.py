"""The reader's view state (every field of the filter table) and the URL that holds it.

One value per field lives in `st.session_state[STATE]`, apart from the widgets: widgets are
mirrors of it. Each widget starts from the state (its `value`/`default`) and writes back to it
when the reader changes it (`changed`), so a widget that Streamlit drops (a page option on another
page) or re-creates loses nothing. When the state changes from outside a widget (reset, a click on
the map, a language switch, whose labels every widget shows), the generation goes up and every
widget is created afresh from the state: a widget's identity is its field and that number, never
its label or language.

On a session's first run the state is parsed from the URL; on every run the URL is written back,
so page switches keep it and a copied link reopens the same view.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from atlas.filters import FIELDS, Filters, defaults, filters_of, parse_query, to_query

from . import data

STATE = "atlas_state"
GENERATION = "atlas_generation"
WARNINGS = "atlas_url_warnings"
FRESH = "atlas_first_run"        # this session's first run: widgets the browser kept may know better than the URL
RESTORED = "atlas_restored"


def _query_dict() -> dict[str, list[str]]:
    qp = st.query_params
    return {k: qp.get_all(k) for k in qp.keys()}


def init() -> None:
    """Parse the URL into the state once per session; remember what had to be dropped."""
    if STATE in st.session_state:
        return
    result = parse_query(_query_dict(), data.vocab())
    st.session_state[STATE] = result.state
    st.session_state[WARNINGS] = result.warnings
    st.session_state[GENERATION] = 0
    st.session_state[FRESH] = True


def state() -> dict[str, Any]:
    return st.session_state.get(STATE) or defaults(FIELDS, data.vocab())


def value(name: str) -> Any:
    return state()[name]


def lang() -> str:
    return state().get("lang", "en")


def version() -> str:
    """The version of the data package the link names ("": the current one)."""
    return state().get("version", "")


def filters() -> Filters:
    return filters_of(state())


def widget_key(name: str) -> str:
    """The key of a field's widget: its name and the generation (see the module's docstring)."""
    return f"filter_{name}_{st.session_state.get(GENERATION, 0)}"


def changed(name: str, new_value: Any, rebuild: bool = False) -> None:
    """A widget's callback: the reader set `name` to `new_value`."""
    st.session_state[STATE] = {**state(), name: new_value}
    clear_warnings()
    if rebuild:
        _next_generation()


def update(**values: Any) -> None:
    """Set fields from outside their widgets (a click on the map): every widget then shows the new state."""
    st.session_state[STATE] = {**state(), **values}
    clear_warnings()
    _next_generation()


def reset() -> None:
    """Every filter and every page's view option back to its default; only the language and the data's version stay
    (a reset clears what the reader chose to look at, not which data: an old citation's link stays on its version).
    (View options of other pages, a table tab, the map's level, the data page's table and search, kept riding in
    every copied link after a reset: issue #31.)"""
    base = defaults(FIELDS, data.vocab())
    update(**{f.name: base[f.name] for f in FIELDS if f.name not in ("lang", "version")})


def _next_generation() -> None:
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def query() -> dict[str, list[str]]:
    """The query parameters of the current view."""
    return to_query(state(), data.vocab())


def adopt(name: str, widget_value: Any) -> None:
    """On a session's first run, a widget that already holds another value than the state is the browser's own:
    a tab that reconnected to a restarted server keeps its widgets (and the reader's latest change), while its
    URL may be older. Take the widget's value, and say so once (`restored`)."""
    if not st.session_state.get(FRESH) or widget_value == state().get(name):
        return
    st.session_state[STATE] = {**state(), name: widget_value}
    st.session_state[RESTORED] = True


def restored() -> bool:
    """True once after the state was taken from a reconnected tab's widgets."""
    return bool(st.session_state.pop(RESTORED, False))


def write_url() -> None:
    """Write the current state into the address bar (repeated keys for several values)."""
    st.session_state[FRESH] = False
    q = query()
    if _query_dict() != q:
        st.query_params.from_dict(q)


def warnings() -> list[tuple[str, str, str]]:
    return st.session_state.get(WARNINGS, [])


def clear_warnings() -> None:
    st.session_state[WARNINGS] = []

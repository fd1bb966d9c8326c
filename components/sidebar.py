"""The widgets of the filter table: the shared sidebar, and the view options a page shows itself.

Every widget is made from its `atlas.filters.Field` alone (kind, options, default, names), starts
from the view state and writes back to it (`components.url_state`).
"""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlencode

import streamlit as st

from atlas.filters import BY_NAME, FIELDS, Field
from atlas.i18n import has, t

from . import data, url_state


def render(fields: tuple[Field, ...] = FIELDS) -> None:
    """The shared sidebar: language, filters, reset and the link that reopens this view."""
    lang = url_state.lang()
    with st.sidebar:
        for f in fields:
            if f.sidebar:
                widget(f)
                if f.name == "lang":
                    st.subheader(t("sidebar.filters", lang))
        st.button(t("sidebar.reset", lang), on_click=url_state.reset, icon=":material/restart_alt:", width="stretch")
        st.caption(t("sidebar.copy_link", lang))
        st.code(share_link(), language=None, wrap_lines=True)
    if url_state.restored():
        st.toast(t("notice.restored", lang), icon=":material/sync_problem:")


def option(name: str, format_func: Callable[[str], str] | None = None) -> Any:
    """A page's own view option (e.g. the flows map's level): its widget here, its value returned."""
    widget(BY_NAME[name], format_func)
    return url_state.value(name)


def widget(f: Field, format_func: Callable[[str], str] | None = None) -> None:
    lang = url_state.lang()
    vocab = data.vocab()
    value = url_state.value(f.name)
    key = url_state.widget_key(f.name)
    label = t(f"filter.{f.name}", lang)
    help_text = t(f"filter.{f.name}_help", lang) if has(f"filter.{f.name}_help") else None
    options = list(f.choices(vocab))
    show = format_func or (lambda code: f.display(code, lang, vocab))

    def changed(read: Callable[[Any], Any]):
        return lambda: url_state.changed(f.name, read(st.session_state.get(key)), f.rebuild)

    returned, read = None, None
    if f.widget == "multiselect":
        read = lambda v: tuple(v or ())
        returned = st.multiselect(label, options, default=[c for c in value if c in options], format_func=show, key=key,
                                  placeholder=t("filter.all", lang), help=help_text, on_change=changed(read))
    elif f.widget == "radio":
        read = lambda v: v if v in options else f.default
        returned = st.radio(label, options, index=options.index(value), format_func=show, key=key, help=help_text,
                            horizontal=f.name == "lang", on_change=changed(read))
    elif f.widget == "segmented":
        # A second click on the chosen segment unselects it (None): the field keeps its value then.
        read = lambda v: v if v in options else url_state.value(f.name)
        returned = st.segmented_control(label, options, default=value, format_func=show, key=key, help=help_text,
                                        on_change=changed(read))
    elif f.widget == "select":
        read = lambda v: v if v in options else f.default
        returned = st.selectbox(label, options, index=options.index(value) if value in options else 0, format_func=show,
                                key=key, help=help_text, on_change=changed(read))
    elif f.widget == "slider" and len(options) > 1:
        lo, hi = value
        first, last = options[0], options[-1]
        read = lambda v: (None if v[0] == first else v[0], None if v[1] == last else v[1])
        returned = st.select_slider(label, options=options,
                                    value=(lo if lo in options else first, hi if hi in options else last),
                                    key=key, help=help_text, on_change=changed(read))
    elif f.widget == "text":
        placeholder = t(f"filter.{f.name}_placeholder", lang) if has(f"filter.{f.name}_placeholder") else None
        read = lambda v: (v or "")[:100]
        returned = st.text_input(label, value=value, key=key, help=help_text, placeholder=placeholder,
                                 on_change=changed(read))
    elif f.widget == "toggle":
        read = bool
        returned = st.toggle(label, value=bool(value), key=key, help=help_text, on_change=changed(read))
    if read is not None and f.name != "lang":
        # a tab that reconnected to a restarted server keeps its widgets: on a session's first run, they win
        url_state.adopt(f.name, read(returned))


def share_link() -> str:
    """The address that reopens this view (page, filters, language and view options)."""
    qs = urlencode([(k, v) for k, vs in url_state.query().items() for v in vs])
    try:
        base = st.context.url.split("?")[0]
    except Exception:
        base = ""
    return f"{base}?{qs}" if qs else base or "/"

"""The widgets of the filter table: the shared sidebar, and the view options a page shows itself.

Every widget is made from its `atlas.filters.Field` alone (kind, options, default, names), starts
from the view state and writes back to it (`components.url_state`).
"""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlencode

import streamlit as st

from atlas.filters import BY_NAME, DATE_PRESETS, FIELDS, Field
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
        # A plain link to a stable address (components/brief.py): download=1 gives it the "Preparing the file…" of
        # every slow download (components/frame.py), since the PDF takes seconds.
        st.link_button(t("sidebar.brief", lang), brief_link(), key="atlas_brief", help=t("sidebar.brief_help", lang),
                       icon=":material/picture_as_pdf:", width="stretch")
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
        # Typing then Enter selects exactly one option (issue #31): without "Select all" the first row of the list is
        # the first match, not "Select 3 matches" (which made `Ohi` + Enter select Ohio and both Carolinas), and
        # "contains" matches the typed letters as one piece (fuzzy matching put North Carolina under `Ohi`).
        # Both are Streamlit 1.67 parameters: the widget keeps its keyboard and screen-reader support.
        returned = st.multiselect(label, options, default=[c for c in value if c in options], format_func=show, key=key,
                                  placeholder=t("filter.all", lang), help=help_text, on_change=changed(read),
                                  select_all=False, filter_mode="contains")
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
    elif f.widget == "months" and len(options) > 1:
        read = lambda v: v
        returned = months(f, options, value, key, label, help_text)
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


MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(month: str, lang: str) -> str:
    """A YYYY-MM month as a reader of `lang` reads it: "Mar 2020", "2020年3月"."""
    year, m = month.split("-")
    return f"{year}年{int(m)}月" if lang == "zh" else f"{MONTHS_EN[int(m) - 1]} {year}"


def preset_of(span: tuple, presets: dict) -> str:
    return next((code for code, ends in presets.items() if tuple(ends) == tuple(span)), "custom")


def months(f: Field, options: list[str], value: tuple, key: str, label: str, help_text: str | None) -> tuple:
    """The date range set by hand in seconds (issue #31): the periods readers ask about as one click each, and a
    From and a To month picker (To lists only the months from From on, so a range is never upside down).

    The field's value stays `(from, to)` with None for an open end, its URL keys `from`/`to`. The three widgets
    live in a container keyed like any field's widget; each one's callback writes the field and sets the
    other two to agree (Streamlit allows setting a widget's value from a callback, before the widget is drawn)."""
    lang = url_state.lang()
    first, last = options[0], options[-1]
    presets = {code: ends for code, ends in DATE_PRESETS.items() if all(e is None or e in options for e in ends)}
    k_preset, k_from, k_to = f"{key}_preset", f"{key}_from", f"{key}_to"
    lo, hi = value
    lo = lo if lo in options else first
    hi = hi if hi in options and hi >= lo else last

    def ends_of(span) -> tuple[str, str]:
        return span[0] or first, span[1] or last

    def store(start: str, end: str, preset: str | None = None) -> None:
        span = (None if start == first else start, None if end == last else end)
        url_state.changed(f.name, span)
        st.session_state[k_from], st.session_state[k_to] = start, end
        st.session_state[k_preset] = preset or preset_of(span, presets)

    def on_preset() -> None:
        code = st.session_state.get(k_preset)
        if code in presets:
            store(*ends_of(presets[code]), code)
        # "custom" keeps the range: the From and To pickers below set it

    def on_from() -> None:
        start = st.session_state.get(k_from) or first
        end = st.session_state.get(k_to) or last
        store(start, max(start, end))  # a From after To moves To with it

    def on_to() -> None:
        start = st.session_state.get(k_from) or first
        store(start, max(start, st.session_state.get(k_to) or last))

    # A widget's first value is the state's (later, its own session value, which the callbacks keep). The state's
    # value is also each widget's `index`: what a browser that has lost the widget's own value shows and sends
    # back, and what Streamlit falls back to when that value is not an option. Left at Streamlit's default (the
    # first option), such a fallback set To to Jan 2007, the first month, and emptied the page (CI of 8bb06d2:
    # /flows?province=Fujian&state=Maryland became ...&to=2007-01; tests/test_pages.py
    # ::test_a_date_picker_without_a_value_falls_back_to_the_view, not to its first month).
    codes = list(presets) + ["custom"]
    preset = preset_of((None if lo == first else lo, None if hi == last else hi), presets)
    show = lambda m: month_label(m, lang)
    with st.container(key=key):
        st.radio(label, codes, index=codes.index(preset), format_func=lambda c: t(f"dates.preset.{c}", lang),
                 key=k_preset, help=help_text, on_change=on_preset)
        left, right = st.columns(2)
        start = left.selectbox(t("dates.from", lang), options, index=options.index(lo), format_func=show, key=k_from,
                               on_change=on_from, filter_mode="contains")
        ends = [m for m in options if m >= (start or first)]
        end = right.selectbox(t("dates.to", lang), ends, index=ends.index(hi) if hi in ends else len(ends) - 1,
                              format_func=show, key=k_to, on_change=on_to, filter_mode="contains")
    start, end = start or first, end or last
    return (None if start == first else start, None if end == last else end)


def share_link() -> str:
    """The address that reopens this view (page, filters, language and view options)."""
    qs = urlencode([(k, v) for k, vs in url_state.query().items() for v in vs])
    try:
        base = st.context.url.split("?")[0]
    except Exception:
        base = ""
    return f"{base}?{qs}" if qs else base or "/"


def current_page() -> str:
    """The key of the page the reader is on (from the browser's address; the overview when it cannot be told)."""
    from urllib.parse import urlsplit
    from .site import PAGES
    try:
        path = urlsplit(st.context.url).path.strip("/").split("/")[-1]
    except Exception:
        path = ""
    return next((p.key for p in PAGES if p.url_path and p.url_path == path), "overview")


def brief_link() -> str:
    """The one-page PDF brief of this view: the view's parameters, the page it is of, as a download."""
    params = [(k, v) for k, vs in url_state.query().items() for v in vs]
    return "/api/v1/brief.pdf?" + urlencode(params + [("page", current_page()), ("download", "1")])

"""Page header and footer: title, one-line purpose, which filters apply, warnings, sources."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import streamlit as st

from atlas.i18n import label, md, t

from . import state

ALL_FILTERS = ("province", "state", "direction", "category", "actor", "dates")


_run = threading.local()


@contextmanager
def routed():
    """app.py runs the chosen page inside this, so that the page knows it has the shared frame."""
    _run.routed = True
    try:
        yield
    finally:
        _run.routed = False


def router_guard() -> None:
    """Make sure pages run inside app.py's navigation.

    Because a pages/ folder exists, Streamlit runs every session that starts before app.py has called
    st.navigation once (all first visits to a fresh server, several at once under load) in its legacy
    multipage mode: a visit to /flows then runs pages/flows.py alone, without the shared sidebar.
    Such a run is not inside `routed()`: it leaves that mode for the whole process and reruns, which
    goes through app.py. Each session caught that way reruns, not only the first.
    """
    if getattr(_run, "routed", False):
        return
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False
    st.rerun()


def header(page: str, applies: tuple[str, ...]) -> None:
    """Title, purpose, URL warnings and a plain statement of which shared filters this page uses.

    A page calls this first, before touching the data: a page run outside app.py (see router_guard)
    must go back through app.py, which shows a clear error page if the data package is broken."""
    router_guard()
    lang = state.lang()
    st.title(t(f"page.{page}", lang))
    st.markdown(t(f"purpose.{page}", lang))
    for key, value, reason in state.url_warnings():
        st.warning(t(f"warning.{reason}", lang, param=md(key), value=md(value)), icon=":material/link_off:")
    f = state.filters()
    active = _active(f)
    ignored = [k for k in active if k not in applies]
    used = [k for k in active if k in applies]
    if used:
        st.caption(t("filters.applied", lang, filters=describe(keys=used)))
    if ignored:
        st.info(t("filters.not_applicable", lang, filters=", ".join(t(f"filter.{k}", lang) for k in ignored),
                  page=t(f"page.{page}", lang), reason=t(f"reason.{page}", lang)), icon=":material/filter_alt_off:")


def _active(f) -> list[str]:
    out = []
    if f.provinces:
        out.append("province")
    if f.states:
        out.append("state")
    if f.direction != "both":
        out.append("direction")
    if f.categories:
        out.append("category")
    if f.actors:
        out.append("actor")
    if f.date_from or f.date_to:
        out.append("dates")
    return out


def describe(keys: tuple[str, ...] | list[str] = ALL_FILTERS) -> str:
    """The active filters in words, for subtitles and captions (or 'no filters')."""
    lang = state.lang()
    f = state.filters()
    regions = state.data().package.regions.set_index("admin1")
    col = "name_zh" if lang == "zh" else "name_en"
    parts = []
    if "province" in keys and f.provinces:
        parts.append(t("filter.province", lang) + ": " + ", ".join(regions.at[c, col] for c in f.provinces))
    if "state" in keys and f.states:
        parts.append(t("filter.state", lang) + ": " + ", ".join(regions.at[c, col] for c in f.states))
    if "direction" in keys and f.direction != "both":
        parts.append(label("direction", f.direction, lang))
    if "category" in keys and f.categories:
        parts.append(", ".join(label("category", c, lang) for c in f.categories))
    if "actor" in keys and f.actors:
        parts.append(", ".join(label("actor", c, lang) for c in f.actors))
    if "dates" in keys and (f.date_from or f.date_to):
        parts.append(f"{f.date_from or '…'} – {f.date_to or '…'}")
    return "; ".join(parts) if parts else t("filters.none", lang)


def sources(source_ids: list[str]) -> None:
    """The sources of what the page shows, at its foot."""
    lang = state.lang()
    pkg = state.data().package
    with st.expander(t("sources.heading", lang), icon=":material/menu_book:"):
        rows = pkg.sources.set_index("source_id")
        for sid in source_ids:
            if sid in rows.index:
                r = rows.loc[sid]
                line = f"**{md(r['publisher'])}**, *{md(r['title'])}*" + (f" ({md(r['published'])})" if r["published"] else "")
                st.markdown(line + (f" — {md(r['url'])}" if r["url"] else f" — {t('sources.no_url', lang)}"))
        st.caption(t("sources.row_level", lang))


def empty(message_key: str = "empty.no_records") -> None:
    lang = state.lang()
    st.info(t(message_key, lang) + " " + t("empty.hint", lang), icon=":material/search_off:")

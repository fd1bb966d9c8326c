"""What frames every page: title, purpose, link warnings, which filters apply, sources, empty states."""
from __future__ import annotations

import streamlit as st

from atlas.filters import active, describe as describe_filters
from atlas.i18n import md, md_link, t

from . import data, url_state
from .site import BY_KEY
from .streamlit_fixes import router_guard


def header(key: str) -> str:
    """A page's header; returns the reader's language.

    A page calls this first, before touching the data: a page run outside app.py (see
    streamlit_fixes) must go back through app.py, which shows a clear error page if the package is broken."""
    router_guard()
    page = BY_KEY[key]
    lang = url_state.lang()
    st.title(t(f"page.{key}", lang))
    st.markdown(t(f"purpose.{key}", lang))
    for param, value, reason in url_state.warnings():
        st.warning(t(f"warning.{reason}", lang, param=md(param), value=md(value)), icon=":material/link_off:")
    set_filters = active(url_state.state())
    used = [n for n in set_filters if n in page.applies]
    ignored = [n for n in set_filters if n not in page.applies]
    if used:
        st.caption(t("filters.applied", lang, filters=md(describe(used))))
    if ignored:
        st.info(t("filters.not_applicable", lang, filters=", ".join(t(f"filter.{n}", lang) for n in ignored),
                  page=t(f"page.{key}", lang), reason=t(f"reason.{key}", lang)), icon=":material/filter_alt_off:")
    return lang


def describe(names: tuple[str, ...] | list[str] | None = None) -> str:
    """The set filters among `names` (all if None) in words: plain text, for chart subtitles (escape it for markdown)."""
    return describe_filters(url_state.filters(), url_state.lang(), data.vocab(), names)


def sources(key: str) -> None:
    """The sources of what the page shows, at its foot."""
    lang = url_state.lang()
    pkg = data.get().package
    ids = BY_KEY[key].sources
    rows = pkg.sources.set_index("source_id")
    with st.expander(t("sources.heading", lang), icon=":material/menu_book:"):
        for sid in (list(rows.index) if "*" in ids else ids):
            if sid in rows.index:
                r = rows.loc[sid]
                line = f"**{md(r['publisher'])}**, *{md(r['title'])}*" + (f" ({md(r['published'])})" if r["published"] else "")
                st.markdown(line + (f" — {md_link(r['url'])}" if r["url"] else f" — {t('sources.no_url', lang)}"))
        st.caption(t("sources.row_level", lang))


def empty(message_key: str = "empty.no_records") -> None:
    lang = url_state.lang()
    st.info(t(message_key, lang) + " " + t("empty.hint", lang), icon=":material/search_off:")


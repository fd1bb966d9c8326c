"""Downloads, one way everywhere: plain links to the app's stable addresses (`components/http.py`).

A download is a link to `/charts/<name>.png?<filters>&download=1` or `/api/v1/<name>.csv?...`: the file
is made by whichever process answers, from the URL alone, so it works in any process, survives reruns
and server restarts, and the same address can be pasted into a script or an article. Beside each
chart's files: the page link, the image link, an <iframe> snippet and a citation.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import streamlit as st

from atlas import cite
from atlas.i18n import t

from . import citations, data, exhibits, url_state


def origin() -> str:
    """Scheme and host the reader's browser uses for this app (empty if unknown, e.g. in tests)."""
    try:
        parts = urlsplit(st.context.url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    except Exception:
        return ""


def link(label: str, url: str, key: str, help: str | None = None, primary: bool = False, zip_file: bool = False) -> None:
    st.link_button(label, url, key=key, help=help, icon=":material/folder_zip:" if zip_file else ":material/download:",
                   width="content" if primary else "stretch", type="primary" if primary else "secondary")


def show_row(name: str, key: str | None = None, help_prefix: str = "chart.download_",
             share: tuple | None = None) -> None:
    """One link per format of exhibit `name` in a row that wraps on narrow screens (widget keys dl_<key>_<fmt>),
    and the "link, embed, cite" panel below it: a chart's with `share` (title, height), a map's and a table's always
    (titled as they are cited: every table view can be cited, issue #33). Pages call it before their long
    tables, so that the keyboard reaches it without passing through a table's cells (issue #31)."""
    ex = exhibits.BY_NAME[name]
    key = key or ex.key or ex.page
    lang, state, vocab = url_state.lang(), url_state.state(), data.vocab()
    if ex.kind == "map" and (base := origin()):
        # drawn ahead, in the background: the link then answers at once (components/http.py, make_ahead)
        from .http import make_ahead
        make_ahead(base + exhibits.address(ex, "png", state, vocab))
    with st.container(horizontal=True, wrap=True, gap="small", key=f"downloads_{key}_{ex.name}"):
        for fmt in ex.formats:
            label = t("download.label_zip", lang) if fmt == "zip" else fmt.upper()
            st.link_button(label, exhibits.address(ex, fmt, state, vocab, download=True), key=f"dl_{key}_{fmt}",
                           help=t(f"{help_prefix}{fmt}", lang), width="content",
                           icon=":material/folder_zip:" if fmt == "zip" else ":material/download:")
    if share is None and ex.kind in ("map", "table"):
        share = (citations.title_of(name, state),)
    if share:
        show_share(name, *share)


def citation(name: str, state, base: str = "", today: dt.date | None = None) -> str:
    """The citation in the reader's style: APA in English, GB/T 7714-2015 in Chinese."""
    return cite.text(citations.work(name, state, base, today))


def cite_address(name: str, fmt: str, state, vocab) -> str:
    """Where the citation of `name` in this view is served as a file (.bib, .ris, CSL-JSON .json)."""
    from urllib.parse import urlencode
    q = exhibits.query_of(exhibits.BY_NAME[name], state, vocab) + [("download", "1")]
    return f"/api/v1/cite/{name}.{fmt}?{urlencode(q)}"


def show_share(name: str, title: str, height: int | None = None) -> None:
    """"Link, embed, cite" for one exhibit: the page link, its image address, an <iframe> snippet, its citation in the
    reader's style (naming the atlas, the version, the access date and the sources it draws) and as files for a
    reference manager (BibTeX, RIS, CSL-JSON) of this view."""
    from .sidebar import share_link
    ex = exhibits.BY_NAME[name]
    lang, state, vocab = url_state.lang(), url_state.state(), data.vocab()
    base = origin()
    page_url = share_link()
    # An expander, not a popover (issue #31): the popover's panel closed as soon as the focus left its button, so the
    # keyboard could not reach the addresses and their copy buttons; an expander's panel follows it in the page and
    # stays open until it is closed.
    with st.expander(t("share.button", lang), icon=":material/share:", key=f"share_{ex.key or ex.name}"):
        st.caption(t("share.page", lang))
        st.code(page_url, language=None, wrap_lines=True)
        if "png" in ex.chart_formats:
            st.caption(t("share.image", lang))
            st.code(base + exhibits.address(ex, "png", state, vocab), language=None, wrap_lines=True)
        st.caption(t("share.data", lang))
        st.code(base + exhibits.address(ex, "csv" if "csv" in ex.api_formats else "html", state, vocab),
                language=None, wrap_lines=True)
        if ex.kind != "table":
            from .embeds import snippet
            src = base + exhibits.address(ex, "embed", state, vocab)
            st.caption(t("share.embed", lang))
            # the iframe and the listener that sizes it to its chart (components/embeds.py, issue #33)
            st.code(snippet(src, ex.name, title, (height or 520) + 20, base), language="html", wrap_lines=True)
            st.caption(t("share.embed_note", lang))
        st.caption(t("cite.styled", lang))
        st.code(citation(name, state, base), language=None, wrap_lines=True)
        st.caption(t("cite.files", lang))
        with st.container(horizontal=True, wrap=True, gap="small", key=f"cite_{ex.key or ex.name}"):
            for fmt, label in (("bib", "cite.bib"), ("ris", "cite.ris"), ("json", "cite.csl")):
                st.link_button(t(label, lang), base + cite_address(name, fmt, state, vocab), width="content",
                               key=f"cite_{ex.key or ex.name}_{fmt}", icon=":material/format_quote:")


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")

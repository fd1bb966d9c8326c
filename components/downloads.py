"""Downloads, one way everywhere: plain links to the app's stable addresses (`components/http.py`).

A download is a link to `/charts/<name>.png?<filters>&download=1` or `/api/v1/<name>.csv?...`: the file
is made by whichever process answers, from the URL alone, so it works in any process, survives reruns
and server restarts, and the same address can be pasted into a script or an article. Beside each
chart's files: the page link, the image link, an <iframe> snippet and a citation.
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import streamlit as st

from atlas.i18n import t

from . import data, exhibits, url_state


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
    and with `share` (title, height) the "link, embed, cite" panel below it. Pages call it before their long
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
    if share:
        show_share(name, *share)


def citation(title: str, page_url: str, lang: str, today: dt.date | None = None) -> str:
    """An APA-style reference to a chart as shown: title, the app, version, the link and the access date."""
    today = today or dt.date.today()
    version = data.get().package.descriptor.get("version", "")
    app = "Cooperation Atlas（合作图谱）" if lang == "zh" else "Cooperation Atlas"
    return t("cite.chart", lang, app=app, title=title, version=version, url=page_url,
             date=today.isoformat() if lang == "zh" else f"{today.day} {today:%B %Y}", year=today.year)


#: The atlas's citation of a chart names the source the chart draws as well (issue #31; the data page asks readers to
#: cite both): the chart's source line, after the full reference of the report it names.
_SOURCE_PREFIX = re.compile(r"^\s*(Sources?:|来源：|资料来源：)\s*")


def source_citation(source_line: str, lang: str) -> str:
    """The reference of the source a chart draws: the package's own reference of the CCG report when the chart's
    source line names it (title, publisher, year), then where in it (the chart's source line, e.g. its Table 4)."""
    if not source_line:
        return ""
    where = _SOURCE_PREFIX.sub("", source_line).strip()
    if "CCG" not in where and "全球化智库" not in where and "Center for China and Globalization" not in where:
        return t("cite.source", lang, reference=where.rstrip("。. "), where="")
    sources = data.get().package.tables.get("sources")
    row = sources[sources["source_id"] == "ccg2020"].iloc[0] if sources is not None and (sources["source_id"] == "ccg2020").any() else None
    if row is None:
        return t("cite.source", lang, reference=where.rstrip("。. "), where="")
    title = row["title_zh"] if lang == "zh" and isinstance(row.get("title_zh"), str) and row["title_zh"] else row["title"]
    reference = t("cite.ccg", lang, title=title, year=str(row["published"]).split(".")[0])
    return t("cite.source", lang, reference=reference, where=t("cite.where", lang, where=where.rstrip("。. ")))


def show_share(name: str, title: str, height: int | None = None, source: str = "") -> None:
    """"Link, embed, cite" for one exhibit: the page link, its image address, an <iframe> snippet, a citation."""
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
        st.caption(t("share.cite", lang))
        cited = citation(title, page_url, lang)
        original = source_citation(source, lang)
        st.code(cited + ("\n\n" + original if original else ""), language=None, wrap_lines=True)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")

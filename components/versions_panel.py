"""The data's versions on screen: the notice every page shows while it shows an earlier version, and the data page's
versions with what changed between two of them (`atlas.versions`, counted in `components/data`)."""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from atlas import versions
from atlas.i18n import md, t

from . import data, downloads, sidebar, url_state
from .tables import show_table


def notice(lang: str) -> None:
    """Above an earlier version's page: which version this is, that a newer one exists, a way to it and to what
    changed. Nothing for the current version."""
    shown, latest = data.version(), data.listed()[-1]
    if shown.current:
        return
    with st.container(key="atlas_version_notice"):
        st.warning(t("version.older", lang, shown=md(shown.number), released=md(shown.released),
                     latest=md(latest.number)), icon=":material/history:")
        with st.container(horizontal=True, wrap=True, gap="small"):
            st.button(t("version.show_latest", lang, latest=latest.number), key="atlas_version_latest",
                      on_click=url_state.update, kwargs={"version": ""}, icon=":material/update:")
            st.page_link("pages/data_sources.py", label=t("version.what_changed", lang, shown=shown.number,
                                                          latest=latest.number), icon=":material/difference:")


def changes_address(older: versions.Version, newer: versions.Version, fmt: str = "csv", download: bool = False) -> str:
    q = [("from", older.number), ("to", newer.number)] + ([("download", "1")] if download else [])
    return f"/api/v1/changes.{fmt}?{urlencode(q)}"


def show(lang: str) -> None:
    """The data page's section: every version (the one shown chosen here for the whole atlas), and what changed
    between the shown version and another, table by table and row by row, with reasons and sources."""
    listed, shown = data.listed(), data.version()
    st.header(t("versions.heading", lang))
    st.markdown(t("versions.text", lang))
    sidebar.option("version", format_func=lambda v: t("version.latest", lang, version=listed[-1].number) if not v else v)
    with st.container(key="versions_list"):   # newest first, each in full (a table's cell cut the summaries)
        for v in reversed(listed):
            when = t("versions.published", lang, date=md(v.released)) if v.released else ""
            commit = t("versions.commit", lang, commit=md(v.commit[:12])) if v.commit else ""
            shown_mark = t("versions.shown", lang) if v.number == shown.number else ""
            head = " · ".join(x for x in (f"**{md(v.number)}**", when, commit, shown_mark) if x)
            st.markdown(f"{head} — {md(v.describe(lang))}")
    if len(listed) < 2:
        return
    other = url_state.value("compare")
    older, newer = versions.compared(shown, other, listed)
    auto = versions.compared(shown, "", listed)
    automatic = auto[0] if auto[1].number == shown.number else auto[1]
    sidebar.option("compare", format_func=lambda v: t("versions.compare_auto", lang, version=automatic.number) if not v else v)
    if older.number == newer.number:
        st.info(t("versions.same", lang, version=shown.number), icon=":material/info:")
        return
    changes = data.changes(older.number, newer.number)
    st.subheader(t("versions.changes_heading", lang, older=older.number, newer=newer.number))
    counts = versions.summary(changes)
    st.caption(t("versions.changes_counts", lang, rows=f"{len(changes.drop_duplicates(['table', 'key'])):,}",
                 tables=len(counts)))
    show_table(counts, lang, key="versions_counts")
    with st.container(horizontal=True, wrap=True, gap="small", key="versions_downloads"):
        downloads.link(t("versions.download_csv", lang), changes_address(older, newer, "csv", True), "dl_changes_csv")
        downloads.link(t("versions.download_json", lang), changes_address(older, newer, "json", True), "dl_changes_json")
        downloads.link(t("versions.changelog", lang), "/api/v1/CHANGELOG.md", "dl_changelog")
    show_table(versions.readable(changes, lang), lang, height=420, key="versions_changes")

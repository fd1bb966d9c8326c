"""Data & sources: every table of the package, browsable and downloadable, and how to cite it."""
import streamlit as st

from atlas import catalogue
from atlas.i18n import has, md, t
from components import data, downloads, exhibits, frame, sidebar, url_state, versions_panel
from components.frame import show_passage
from components.tables import show_table

lang = frame.header("data")
pkg = data.get().package

downloads.link(t("data.zip", lang), "/api/v1/cooperation-atlas-data.zip?download=1", "dl_zip", primary=True, zip_file=True)
choice = sidebar.option("table", format_func=lambda n: f"{n} ({len(pkg.tables[n]):,} {t('data.rows', lang)})")
# The package's own description, in Chinese from the catalogue where the resource is one of ours.
description = t(f"resource.{choice}", lang) if has(f"resource.{choice}") else pkg.resource(choice).get("description", "")
st.markdown(f"**{md(choice)}** — {md(description)}")
sidebar.option("q")
if choice not in exhibits.RECORD_TABLES and url_state.filters() != url_state.filters().__class__():
    st.info(t("data.filters_records_only", lang, tables=", ".join(exhibits.RECORD_TABLES)), icon=":material/filter_alt_off:")
table = exhibits.BY_NAME[choice].build(exhibits.Ask(data.get(), url_state.state()))  # what its CSV link serves
st.caption(t("data.showing", lang, n=len(table), total=len(pkg.tables[choice])))
downloads.show_row(choice, key=f"table_{choice}", help_prefix="data.download_")  # before the long table
if table.empty:
    frame.empty("empty.no_rows")
else:
    # The package as it is (field names and codes); choosing a row shows the passage it came from.
    event = show_table(table, lang, localise=False, height=460, key=f"rows_{choice}", on_select="rerun",
                       selection_mode="single-row")
    chosen = event.selection.rows if event is not None and hasattr(event, "selection") else []
    show_passage(catalogue.passage(pkg, choice, table.iloc[chosen[0]]) if chosen else None, lang, bool(chosen))
with st.expander(t("data.schema", lang)):
    show_table(catalogue.schema_table(pkg, choice), lang)

versions_panel.show(lang)

st.header(t("data.cite_heading", lang))
st.markdown(t("data.cite_text", lang))
# The package's citation as "Link, embed, cite" makes it (its version, address and the sources its rows cite), not a
# fixed sentence: that one still said "four press sources" beside 166 sources.
st.code(downloads.citation("package", url_state.state(), downloads.origin()), language=None, wrap_lines=True)
frame.sources("data")

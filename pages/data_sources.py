"""Data & sources: every table of the package, browsable and downloadable, and how to cite it."""
import pandas as pd
import streamlit as st

from atlas import export, query
from atlas.datapackage_zip import package_zip
from atlas.i18n import has, md, t
from components import page, state
from components.table import show_table

page.header("data", applies=())
lang = state.lang()
d = state.data()
pkg = d.package

st.download_button(t("data.zip", lang), data=lambda: package_zip(pkg.path), file_name="cooperation-atlas-data.zip",
                   mime="application/zip", key="dl_zip", on_click="ignore", icon=":material/folder_zip:", type="primary")
names = [r["name"] for r in pkg.descriptor["resources"]]
choice = st.selectbox(t("data.table", lang), names, key="data_table",
                      format_func=lambda n: f"{n} ({len(pkg.tables[n]):,} {t('data.rows', lang)})")
resource = pkg.resource(choice)
# The package's own description, in Chinese from the catalogue where the resource is one of ours.
description = t(f"resource.{choice}", lang) if has(f"resource.{choice}") else resource.get("description", "")
st.markdown(f"**{md(choice)}** — {md(description)}")
query_text = st.text_input(t("data.search", lang), key="data_search", placeholder=t("data.search_placeholder", lang))
table = query.search_table(pkg.tables[choice], query_text)
st.caption(t("data.showing", lang, n=len(table), total=len(pkg.tables[choice])))
if table.empty:
    page.empty("empty.no_rows")
else:
    show_table(table, lang, localise=False, height=460)  # the package as it is: field names and codes
st.download_button("CSV", data=lambda: export.csv_bytes(table), file_name=f"{choice}.csv", mime="text/csv",
                   key=f"dl_table_{choice}", on_click="ignore", icon=":material/download:")
with st.expander(t("data.schema", lang)):
    show_table(pd.DataFrame([{"field": f["name"], "type": f.get("type", "string"), "description": f.get("description", "")}
                             for f in resource["schema"]["fields"]]), lang)

st.header(t("data.cite_heading", lang))
st.markdown(t("data.cite_text", lang))
st.code(t("data.citation", lang, version=pkg.descriptor.get("version", "")), language=None, wrap_lines=True)
page.sources(list(pkg.sources["source_id"]))

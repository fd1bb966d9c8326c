"""Cooperation Atlas: the router. Declares the pages, renders the shared filters, keeps the URL."""
import streamlit as st

from atlas.i18n import md, t
from atlas.package import PackageError
from components import sidebar, streamlit_fixes, url_state
from components.site import PAGES

st.set_page_config(page_title="Cooperation Atlas · 合作图谱", page_icon=":material/handshake:", layout="wide")
streamlit_fixes.keep_generated_downloads()  # exports made on click survive other readers' reruns

try:
    url_state.init()
except PackageError as error:
    # A broken package gets a page that says what and where, never a traceback.
    st.title("Cooperation Atlas")
    st.error(t("error.package", "en", detail=md(error)) + "\n\n" + t("error.package", "zh", detail=md(error)),
             icon=":material/error:")
    st.caption(t("error.package_hint", "en"))
    st.stop()

lang = url_state.lang()
page = st.navigation([st.Page(p.file, title=t(f"page.{p.key}", lang), icon=p.icon, url_path=p.url_path or None,
                              default=not p.url_path) for p in PAGES])
sidebar.render()
with streamlit_fixes.routed():
    page.run()
url_state.write_url()

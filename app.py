"""Cooperation Atlas: the router. Declares the pages, renders the shared filters, keeps the URL."""
import streamlit as st

from atlas.i18n import md, t
from atlas.package import PackageError
from components import media, sidebar, state
from components import page as frame

st.set_page_config(page_title="Cooperation Atlas · 合作图谱", page_icon=":material/handshake:", layout="wide")
media.keep_generated_downloads()  # exports made on click survive other readers' reruns

try:
    state.init_from_url()
except PackageError as error:
    # A broken package gets a page that says what and where, never a traceback.
    st.title("Cooperation Atlas")
    st.error(t("error.package", "en", detail=md(error)) + "\n\n" + t("error.package", "zh", detail=md(error)),
             icon=":material/error:")
    st.caption(t("error.package_hint", "en"))
    st.stop()

lang = state.lang()
pages = [
    st.Page("pages/overview.py", title=t("page.overview", lang), icon=":material/dashboard:", default=True),
    st.Page("pages/flows.py", title=t("page.flows", lang), icon=":material/conversion_path:", url_path="flows"),
    st.Page("pages/corporate.py", title=t("page.corporate", lang), icon=":material/business:", url_path="corporate"),
    st.Page("pages/survey.py", title=t("page.survey", lang), icon=":material/ballot:", url_path="survey"),
    st.Page("pages/pairings.py", title=t("page.pairings", lang), icon=":material/link:", url_path="pairings"),
    st.Page("pages/data_sources.py", title=t("page.data", lang), icon=":material/table_view:", url_path="data"),
]
page = st.navigation(pages)
sidebar.render()
with frame.routed():
    page.run()
state.write_url()

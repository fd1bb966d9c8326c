"""Cooperation Atlas: the router. Declares the pages, renders the shared filters, keeps the URL.

`streamlit run app.py` finds the `st.App` below and serves this file as the script of every session,
with the HTTP addresses of `components/http.py` beside the pages (one process, one port). Run as a
session's script, `__name__` is "__main__" and `main()` routes the page.
"""
import streamlit as st


def main() -> None:
    from atlas.i18n import md, t
    from atlas.package import PackageError
    from components import sidebar, streamlit_fixes, url_state
    from components.site import PAGES

    st.set_page_config(page_title="Cooperation Atlas · 合作图谱", page_icon=":material/handshake:", layout="wide")
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


if __name__ == "__main__":
    main()
else:  # imported by the ASGI server
    from components.http import ROUTES
    app = st.App(__file__, routes=ROUTES)

"""Cooperation Atlas: the router. Declares the pages, renders the shared filters, keeps the URL.

`streamlit run app.py` finds the `st.App` below and serves this file as the script of every session,
with the HTTP addresses of `components/http.py` beside the pages (one process, one port). Run as a
session's script, `__name__` is "__main__" and `main()` routes the page.
"""
import base64

import streamlit as st

# The page icon: two rings, Okabe-Ito vermillion and blue, as a data URL of 300 bytes. A Material icon name would
# have the browser fetch it from a font CDN, which fails offline; a file path made Streamlit read the file and
# register a media file on every rerun (9 ms), at an address only the process that made it can answer, which
# behind the proxy relied on sticky sessions.
ICON_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" fill="none" stroke-width="8">'
            '<circle cx="22" cy="32" r="15" stroke="#D55E00"/><circle cx="42" cy="32" r="15" stroke="#0072B2"/></svg>')
ICON = "data:image/svg+xml;base64," + base64.b64encode(ICON_SVG.encode("ascii")).decode("ascii")


def main() -> None:
    from atlas.i18n import md, t
    from atlas.package import PackageError
    from components import data, sidebar, streamlit_fixes, theme_probe, url_state
    from components.site import PAGES

    st.set_page_config(page_title="Cooperation Atlas · 合作图谱", page_icon=ICON, layout="wide")
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
    # Everything below reads the package of the version the URL names (components/data.using): its numbers, tables,
    # exports, citations; the version was checked when the URL was parsed (an unknown one is dropped with a warning).
    with data.using(url_state.version()):
        sidebar.render()
        streamlit_fixes.narrow_screen_sidebar()
        with st.sidebar.container(key="atlas_width_probes"):  # hidden (components/frame.py's style)
            theme_probe.probe()
        with streamlit_fixes.routed():
            try:
                page.run()
            except PackageError as error:  # a file the page reads beyond the tables (geo/): named, as above
                st.error(t("error.package", lang, detail=md(error)), icon=":material/error:")
                st.caption(t("error.package_hint", lang))
    url_state.write_url()


if __name__ == "__main__":
    main()
else:  # imported by the ASGI server, once, before any session
    from atlas import memory
    memory.configure()  # before the package is loaded: freed large arrays go back to the system
    from starlette.middleware import Middleware

    from components import warm
    warm.in_background()  # the package and the first views load while the server finishes starting
    from components.compression import StaticGzip
    from components.http import ROUTES
    from components.security import SecurityMiddleware
    from components.streamlit_fixes import answer_long_requests, leave_legacy_pages
    leave_legacy_pages()
    answer_long_requests()  # before uvicorn makes its first connection: long links answered, never reset
    app = st.App(__file__, routes=ROUTES, middleware=[Middleware(SecurityMiddleware), Middleware(StaticGzip)])

"""The one place where the app works around Streamlit 1.67's internals, with its reason.

1. `routed()` / `router_guard()`: because a pages/ folder exists, Streamlit runs every session that
   starts before app.py has called `st.navigation` once (all first visits to a fresh server, several
   at once under load) in its legacy multipage mode: a visit to /flows then runs pages/flows.py
   alone, without the shared sidebar. app.py runs the page inside `routed()`; a page run outside it
   leaves that mode for the whole process and reruns, which goes through app.py. Each session caught
   that way reruns, not only the first. (tests/e2e/test_concurrent.py fails without it.)
   Served through `st.App` (app.py's ASGI branch), `leave_legacy_pages()` switches that mode off
   once, when the server imports app.py, before any session exists: no session then ever starts in
   it (a first visit to /data no longer shows "Page not found" while its page was being run alone).

(Downloads needed a second patch, of MediaFileManager, while files were made inside one session; they
are now plain links to the app's stable addresses, components/http.py, and need none.)
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

import streamlit as st

_LOG = logging.getLogger(__name__)
_run = threading.local()


@contextmanager
def routed():
    """app.py runs the chosen page inside this, so that the page knows it has the shared frame."""
    _run.routed = True
    try:
        yield
    finally:
        _run.routed = False


def leave_legacy_pages() -> None:
    """Before any session: app.py routes every page with st.navigation, never pages/ alone (see 1. above)."""
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False


def router_guard() -> None:
    """A page run outside app.py's navigation leaves legacy pages mode and reruns (see 1. above)."""
    if getattr(_run, "routed", False):
        return
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False
    st.rerun()

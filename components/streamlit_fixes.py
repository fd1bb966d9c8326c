"""The two places where the app works around Streamlit 1.67's internals, each with its reason.

1. `routed()` / `router_guard()`: because a pages/ folder exists, Streamlit runs every session that
   starts before app.py has called `st.navigation` once (all first visits to a fresh server, several
   at once under load) in its legacy multipage mode: a visit to /flows then runs pages/flows.py
   alone, without the shared sidebar. app.py runs the page inside `routed()`; a page run outside it
   leaves that mode for the whole process and reruns, which goes through app.py. Each session caught
   that way reruns, not only the first. (tests/e2e/test_concurrent.py fails without it.)

2. `keep_generated_downloads()`: exports are produced on click (st.download_button with a callable).
   Streamlit stores the generated file unreferenced by any session and, at the end of *every*
   session's script run, marks such files and deletes them at the next end. With many readers at
   once, two other sessions' reruns can end between the file being made and the browser asking for
   it: the browser gets a 404 and the download is cancelled (20 concurrent sessions lost 3 of 39).
   The patch makes the session that asked for the file reference it, like any other media file of
   that session: it then lives until that session's next full run and two cleanups after. It
   changes nothing when Streamlit's internals are not the ones it was written for
   (tests/test_streamlit_fixes.py fails then, to say so).
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

import streamlit as st

_LOG = logging.getLogger(__name__)
_run = threading.local()
_MARK = "_atlas_keeps_downloads"
COORDINATES = "atlas-download:{file_id}"


@contextmanager
def routed():
    """app.py runs the chosen page inside this, so that the page knows it has the shared frame."""
    _run.routed = True
    try:
        yield
    finally:
        _run.routed = False


def router_guard() -> None:
    """A page run outside app.py's navigation leaves legacy pages mode and reruns (see 1. above)."""
    if getattr(_run, "routed", False):
        return
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False
    st.rerun()


def keep_generated_downloads() -> bool:
    """Patch MediaFileManager.execute_deferred once per process (see 2. above); True if it is (now) patched."""
    try:
        from streamlit.runtime.media_file_manager import MediaFileManager
    except ImportError:
        return False
    original = MediaFileManager.execute_deferred
    if getattr(original, _MARK, False):
        return True

    def execute_deferred(self, file_id: str) -> str:
        entry = getattr(self, "_deferred_callables", {}).get(file_id)
        url = original(self, file_id)
        try:
            generated = url.rsplit("/", 1)[-1].split(".", 1)[0]
            with self._lock:
                if entry and generated in self._file_metadata:
                    self._files_by_session_and_coord[entry["session_id"]][COORDINATES.format(file_id=file_id)] = generated
        except Exception:  # never break a download for want of keeping it
            _LOG.warning("could not keep the generated download %s", file_id, exc_info=True)
        return url

    setattr(execute_deferred, _MARK, True)
    execute_deferred.__wrapped__ = original
    MediaFileManager.execute_deferred = execute_deferred
    return True

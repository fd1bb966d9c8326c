"""Keep a generated download alive until the browser has fetched it, however busy the server is.

Exports are produced on click (st.download_button with a callable). Streamlit 1.67 stores the
generated file unreferenced by any session and, at the end of *every* session's script run, marks
such files and deletes them at the next end. With many readers at once, two other sessions'
reruns can end between the file being made and the browser asking for it: the browser gets a 404
and the download is cancelled (the benchmark's 20 concurrent sessions lost 3 of 39 downloads so).

`keep_generated_downloads()` makes the session that asked for the file reference it, like any
other media file of that session: it then lives until that session's next full run (which
clears its references) and two cleanups after. It changes nothing when Streamlit's internals are
not the ones it was written for (tests/test_media.py fails then, to say so).
"""
from __future__ import annotations

import logging

_LOG = logging.getLogger(__name__)
_MARK = "_atlas_keeps_downloads"
COORDINATES = "atlas-download:{file_id}"


def keep_generated_downloads() -> bool:
    """Patch MediaFileManager.execute_deferred once per process; True if it is (now) patched."""
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

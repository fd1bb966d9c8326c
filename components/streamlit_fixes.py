"""The one place where the app works around Streamlit 1.67's internals, each with its reason.

1. `routed()` / `router_guard()`: because a pages/ folder exists, Streamlit runs every session that
   starts before app.py has called `st.navigation` once (all first visits to a fresh server, several
   at once under load) in its legacy multipage mode: a visit to /flows then runs pages/flows.py
   alone, without the shared sidebar. app.py runs the page inside `routed()`; a page run outside it
   leaves that mode for the whole process and reruns, which goes through app.py. Each session caught
   that way reruns, not only the first. (tests/e2e/test_concurrent.py fails without it.)
   Served through `st.App` (app.py's ASGI branch), `leave_legacy_pages()` switches that mode off
   once, when the server imports app.py, before any session exists: no session then ever starts in
   it (a first visit to /data no longer shows "Page not found" while its page was being run alone).

2. `narrow_screen_sidebar()` (issue #31): on a screen narrower than Streamlit's `md` breakpoint (768 px) the
   sidebar is drawn over the page (300 of 390 px on a phone). Streamlit 1.67 closes it after a page pick only
   when `navigator.userAgent` names a mobile device (its `deviceType === "mobile"`), so a narrow window, a
   tablet or a phone asking for the desktop site kept it open over the page just picked. A collapsed sidebar is
   only moved off screen (`transform: translateX(-300px)`), so its links and filters stayed in the Tab order:
   at 390 px the first 17 Tab presses landed on controls no one could see. A style rule hides a collapsed
   sidebar and everything in it (`visibility: hidden` after Streamlit's 0.3 s slide; the help buttons set their own, which takes it out of the Tab order and the
   accessibility tree); a script closes the sidebar after a page link is picked on a narrow screen, through
   Streamlit's own collapse button, and moves the focus into the sidebar when it is opened (else Tab went on
   to the page under it). Both rely on Streamlit's test ids `stSidebar` (with `data-collapsed`),
   `stSidebarNav` and `stSidebarCollapseButton`. (tests/e2e/test_controls.py fails without them.)

3. `answer_long_requests()` (issue #30 item 13): `streamlit run` serves an `st.App` with uvicorn, whose HTTP parser
   (h11, uvicorn's choice when httptools is absent) gives up on a request head still incomplete past 16 kB. Links
   up to about 128 kB (one or two reads of the socket) got through; a longer one got a bare 400 with no security
   headers, and the socket closed with the rest of the request unread, so the reader saw a connection reset, never
   the page's "parameters were dropped" notice. The limit is raised to MAX_REQUEST_HEAD (1 MB, beyond the app's own
   512 Ki characters: the page's redirect with `dropped=`, the API's JSON 414); past it the answer is a 414 (431
   when the request line was complete and the headers are what is long) with the app's security headers, and the
   connection is half-closed and the rest of the request read and dropped (for at most LINGER_SECONDS), as nginx
   does, so the answer arrives. It patches uvicorn's H11Protocol (and its module default); with httptools
   installed uvicorn would use another parser, and the patch says so in the log and leaves it.
   (tests/test_long_requests.py and tests/e2e/test_hardening.py fail without it.)

4. `deck_key()` (issues #28, #31): Streamlit's deck component (`st.pydeck_chart`) keeps the view it shows in its own
   state and, when a rerun sends a deck with another `initialViewState`, merges in only the keys that differ from
   the previous deck's. A map is first drawn fitted to the narrowest width (the browser has not yet said how wide
   it is, components/map_width.py) and, a moment later, fitted to the reader's width: in browser tests the component
   kept the first view in 7 of 12 fresh loads of /flows on a laptop and most loads on a phone, so the circles were
   not where the fitted view puts them (a hover or click met another object, and the map was not fitted). The map
   fitted to a measured width gets a widget key of its own, so its component starts at its view; later changes
   (filters, a resized window) update it in place, which holds once the view is one deck.gl does not move
   (components/decks.world_latitude). (tests/e2e/test_map_fit.py, which compares the view shown with the view
   sent, fails without it.)

5. `in_script_run()`: whether the calling thread runs a page's script (the one cache shows a spinner there, and the
   HTTP routes, which run outside any script, get none). Streamlit offers no public way to ask: this reads
   `streamlit.runtime.scriptrunner.get_script_run_ctx`. (tests/test_streamlit_fixes.py.)

6. `FrozenFigure`: `st.plotly_chart` calls `to_dict()` on every rerun, a deep copy that converts each array (milliseconds
   a chart); a cached figure is never changed after it is built, so one dict serves every rerun and
   every session. It relies on `st.plotly_chart` reading a figure through `to_dict()` alone (plotly's
   `return_figure_from_figure_or_data`). (tests/test_streamlit_fixes.py draws one through st.plotly_chart.)

7. `CompactDeck`: `st.pydeck_chart` calls `to_json()` on every rerun, and pydeck's own (indent=2, sort_keys) forces
   Python's pure-Python encoder. It relies on `st.pydeck_chart` reading a deck through `to_json()` alone.
   (tests/test_streamlit_fixes.py draws one through st.pydeck_chart.)

8. `BOOT_JS` and `index_html()` (issue #28): Streamlit's front end finds its server by probing the page's own path
   first, so a first visit to /flows asked /flows/_stcore/health and /flows/_stcore/host-config (two 404s) before
   the root. The app serves Streamlit's `index.html` (components/http.py `page_html`) with a script that sets
   `window.__streamlit.BACKEND_BASE_URL`, a setting of Streamlit's front end read at its start, and reads that file
   from Streamlit's static folder (`static_dir()`: `file_util.get_static_dir`, which components/compression.py's
   gzipped files are read from too). (tests/e2e/test_api.py's first visits fail without it.)

Every one of them was checked against Streamlit CHECKED_AGAINST; tests/test_streamlit_fixes.py fails on another
version, so an upgrade re-checks each.

(Downloads needed a second patch, of MediaFileManager, while files were made inside one session; they
are now plain links to the app's stable addresses, components/http.py, and need none.)
"""
from __future__ import annotations

import json
import logging
import threading
import weakref
from contextlib import contextmanager
from pathlib import Path

import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

_LOG = logging.getLogger(__name__)
_run = threading.local()
MAX_REQUEST_HEAD = 1 << 20   # bytes of request line and headers the server reads (see 3. above)
LINGER_SECONDS = 5.0          # how long an over-long request's remainder is read and dropped after the answer
MAX_LINGER_BYTES = 64 << 20   # and at most this much of it


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


def narrow_screen_sidebar() -> None:
    """The sidebar closes after a page pick on a narrow screen, and a closed one is out of the Tab order (see 2.).

    768 is Streamlit's `breakpoints.md` (below it the sidebar covers the page). The page-link check runs on the
    next frame, after Streamlit's own handler, which already closed it on a mobile user agent. Opening the
    sidebar moves the focus to its first control once Streamlit has marked it open. (No comments in the script:
    every string sent to the browser counts as page text for the language tests.)"""
    with st.sidebar.container(key="atlas_fixes"):
        st.html("""<style>
[data-testid="stSidebar"][data-collapsed="true"] { visibility: hidden; transition: transform 0.3s, min-width 0.3s,
  max-width 0.3s, visibility 0s linear 0.3s; }
[data-testid="stSidebar"][data-collapsed="true"] * { visibility: hidden !important; transition: visibility 0s linear 0.3s !important; }
.st-key-atlas_fixes { display: none !important; }
</style>
<script>
(() => {
  if (window.atlasNarrowSidebar) return;
  window.atlasNarrowSidebar = true;
  const NARROW = 768;
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest('[data-testid="stExpandSidebarButton"]')) {
      let tries = 0;
      const enter = () => {
        const sidebar = document.querySelector('[data-testid="stSidebar"]');
        if (sidebar && sidebar.getAttribute("data-collapsed") === "false") {
          const first = sidebar.querySelector('[data-testid="stSidebarNav"] a, input, button');
          if (first) first.focus({preventScroll: true});
        } else if (tries++ < 60) requestAnimationFrame(enter);
      };
      requestAnimationFrame(enter);
      return;
    }
    const link = event.target.closest && event.target.closest('[data-testid="stSidebarNav"] a');
    if (!link || window.innerWidth >= NARROW) return;
    requestAnimationFrame(() => {
      const sidebar = document.querySelector('[data-testid="stSidebar"]');
      const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (sidebar && sidebar.getAttribute("data-collapsed") === "false" && close) close.click();
    });
  }, true);
})();
</script>""", unsafe_allow_javascript=True)


def answer_long_requests() -> bool:
    """Requests of up to MAX_REQUEST_HEAD reach the app; longer ones get a 414/431 with security headers (see 3.).
    True when uvicorn's h11 protocol is the one in use and was patched (idempotent)."""
    try:
        from uvicorn.protocols.http import h11_impl
        from uvicorn.protocols.http.auto import AutoHTTPProtocol
    except ImportError:
        return False
    cls = h11_impl.H11Protocol
    if AutoHTTPProtocol is not cls:
        _LOG.warning("uvicorn uses %s, not h11: over-long requests keep its own answer", AutoHTTPProtocol.__name__)
        return False
    h11_impl.DEFAULT_MAX_INCOMPLETE_EVENT_SIZE = MAX_REQUEST_HEAD  # read per connection, when it is made
    if getattr(cls, "_atlas_long_requests", False):
        return True
    import h11

    from .security import headers_for
    plain_data_received = cls.data_received

    def send_400_response(self, msg: str) -> None:
        pending, _ = self.conn.trailing_data  # h11's public view of what it could not parse
        if len(pending) > MAX_REQUEST_HEAD:
            status, reason = (431, b"Request Header Fields Too Large") if b"\n" in pending else (414, b"URI Too Long")
            body = (f"Cooperation Atlas did not read this request: its {'headers are' if status == 431 else 'link is'} "
                    f"longer than {MAX_REQUEST_HEAD:,} bytes. Shorten it or pick fewer filters.\n").encode()
        else:
            status, reason, body = 400, b"Bad Request", b"Cooperation Atlas could not read this request.\n"
        self.logger.warning("Answered %d to a request it could not read (%s)", status, msg)
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"), *headers_for("/")]
        for event in (h11.Response(status_code=status, headers=headers, reason=reason), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        # Half-close and drop what the client is still sending: closing with unread data resets the connection,
        # and the client would see the reset, not this answer.
        self._atlas_dropping = 0
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def data_received(self, data: bytes) -> None:
        dropped = getattr(self, "_atlas_dropping", None)
        if dropped is None:
            return plain_data_received(self, data)
        self._atlas_dropping = dropped + len(data)
        if self._atlas_dropping > MAX_LINGER_BYTES:
            self.transport.close()

    def eof_received(self) -> None:
        if getattr(self, "_atlas_dropping", None) is not None:
            self.transport.close()

    cls.send_400_response, cls.data_received, cls.eof_received = send_400_response, data_received, eof_received
    cls._atlas_long_requests = True
    return True


def deck_key(key: str, width: int | None) -> str:
    """The widget key of a map drawn at `width` (what `map_width.map_width(key)` returned): another key until the
    browser has measured it (4. in the module's docstring)."""
    return key if width else f"{key}_unfitted"


CHECKED_AGAINST = "1.67.0"  # the Streamlit every work-around above was checked against


# --- 5. whether a page's script is running ----------------------------------------------------------------------

def in_script_run() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    return get_script_run_ctx(suppress_warning=True) is not None


# --- 6. and 7. figures and decks as Streamlit reads them ---------------------------------------------------------

class FrozenFigure(go.Figure):
    """A finished figure as `st.plotly_chart` reads it: its dict, made once, and no plotly objects.

    `st.plotly_chart` calls `to_dict()` on every rerun, a deep copy that converts each array (milliseconds a chart);
    a cached figure is never changed after it is built, so one dict serves every rerun and every session. Built
    from a dict with no validation (the app's code made it; plotly's objects are slow to rebuild), it
    keeps a cached chart small and is restored from the start-up snapshot (`components/warm.py`) as plain data.
    Only `to_dict()` and `height` are offered: a figure to change or export is built again (`components/http.py`)."""

    def __init__(self, spec: dict):
        self.__dict__["_frozen"] = spec

    def to_dict(self) -> dict:
        return self.__dict__["_frozen"]

    @property
    def height(self) -> int:
        return int(self.__dict__["_frozen"].get("layout", {}).get("height") or 500)

    def __reduce__(self):
        return FrozenFigure, (self.__dict__["_frozen"],)


_JSON: "weakref.WeakKeyDictionary[pdk.Deck, str]" = weakref.WeakKeyDictionary()


class CompactDeck(pdk.Deck):
    """A Deck whose JSON is made once, in one pass, with no indentation.

    Streamlit calls `to_json()` on every rerun. pydeck's own (indent=2, sort_keys) forces Python's pure-Python
    encoder; the same dump with no indent uses the C encoder and gives the same document (keys still sorted) in a
    tenth of the time. A deck is not changed after it is built (they are cached per view), so its JSON is kept.
    """

    def to_json(self):
        text = _JSON.get(self)
        if text is None:
            text = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False)
            # Escaped so that a name containing "</script>" cannot end the <script> block of an exported HTML map;
            # JSON parsers read \u003c as "<", so the data is unchanged.
            text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            _JSON[self] = text
        return text


# --- 8. Streamlit's page, told where its server is ---------------------------------------------------------------

BOOT_JS = (b"// Cooperation Atlas: tell Streamlit's front end where its server is, so that a first visit to /flows does not\n"
           b"// probe /flows/_stcore/health and /flows/_stcore/host-config (two 404s) before finding the root.\n"
           b"window.__streamlit = Object.assign({}, window.__streamlit || {}, {BACKEND_BASE_URL: window.location.origin + '/'});\n")


def static_dir() -> Path:
    """Streamlit's static folder (its front end's files; components/compression.py gzips them)."""
    from streamlit import file_util
    return Path(file_util.get_static_dir())


def index_html() -> str:
    """Streamlit's own page, as its static folder holds it."""
    return (static_dir() / "index.html").read_text(encoding="utf-8")

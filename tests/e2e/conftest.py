"""Browser tests: a real `streamlit run app.py` driven by Playwright in Debian's headless shell of Chromium
(`make browser-deps`; CHROMIUM=/usr/bin/chromium runs them in the full browser, headless)."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from components.probes import CURRENT_JS
from tests.conftest import BROWSER_RETRIES

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium-headless-shell")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SKELETON = '[data-testid="stSkeleton"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def pytest_generate_tests(metafunc):
    """`walk_lang`: each language of --walk-languages (tests/conftest.py; the walk takes about a minute a language)."""
    if "walk_lang" in metafunc.fixturenames:
        langs = [lang.strip() for lang in metafunc.config.getoption("--walk-languages").split(",") if lang.strip()]
        unknown = set(langs) - {"en", "zh"}
        if unknown or not langs:
            raise pytest.UsageError(f"--walk-languages takes en and zh, not {sorted(unknown) or 'nothing'}")
        metafunc.parametrize("walk_lang", langs)


@pytest.fixture(scope="session")
def app_url():
    proc, url = start_server()
    yield url
    os.killpg(proc.pid, 15)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run"] + ([] if CHROMIUM.endswith("-headless-shell") else ["--headless=new"])}


@pytest.fixture
def context(context):
    """pytest-playwright's context, with what its pages printed to the console kept (`console_of`), so a failing
    map test can say whether the browser lost its WebGL context or threw."""
    kept: list[str] = []
    context.on("console", lambda m: kept.append(f"{m.type}: {m.text}"[:300]))
    context.on("weberror", lambda e: kept.append(f"pageerror: {e.error}"[:300]))
    context._atlas_console = kept
    yield context


def console_of(page) -> list[str]:
    """The console lines of `page`'s context kept by the `context` fixture (other contexts: none kept)."""
    return [line for line in getattr(page.context, "_atlas_console", []) if "GPU stall" not in line]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}, "accept_downloads": True}


# Watches the app's script state in the page: when it last changed, and whether a rerun has begun since.
_WATCH = """() => {
  if (window.__atlasWatch) { window.__atlasWatch.changed = performance.now(); return; }
  window.__atlasWatch = {changed: performance.now()};
  const note = () => { window.__atlasWatch.changed = performance.now(); };
  new MutationObserver(note).observe(document.documentElement,
    {subtree: true, attributes: true, attributeFilter: ["data-test-script-state", "data-stale", "data-testid"], childList: true});
}"""
# Settled: the script is not running, no skeleton or stale element is left, and none of that has changed for QUIET_MS
# since settle was called (each call restarts the window: an action's rerun may not have begun when settle is called,
# and a window counted from the last change before the action let settle return before that rerun began).
# The quiet window is part of the condition, not a sleep: a rerun a click asked for starts within it (the server
# answers a widget change in a few milliseconds), and any change restarts it.
# The probes' condition (components/probes.py): every map is fitted to the width its browser reported, and the
# theme is the one the page shows (a page with a map reruns once more after its first run, when its width is known).
QUIET_MS = 400
_SETTLED = f"""() => !!document.querySelector('{IDLE}') && !document.querySelector('{SKELETON}')
  && !document.querySelector('[data-stale="true"]') && ({CURRENT_JS})
  && window.__atlasWatch && performance.now() - window.__atlasWatch.changed > {QUIET_MS}"""


def settle(page, timeout: int = 90_000) -> None:
    """Wait until the app has finished its rerun and drawn what it sent.

    The script state turns "notRunning" when the server is done, but the browser may still show skeletons for
    elements whose code it is loading (seconds for the first page of a fresh context), and a rerun that an action
    asked for may not have begun yet: so the page watches the state, and settled means idle and unchanged for
    QUIET_MS, with every browser probe's last report answered by the server (a condition polled in the page,
    never a fixed sleep)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.evaluate(_WATCH)
    page.wait_for_function(_SETTLED, timeout=timeout, polling=50)


# --- retries: a lost click or hover is tried again, as a reader would, but never more than once per action ------

MAX_RETRIES_PER_ACTION = 1


def note_retry(request_or_name, action: str, retries: int) -> None:
    """Record that `action` needed `retries` more tries (tests/conftest.py counts them over the run, across the
    browser tier's processes); fail when one action needs more than one retry (a regression to "one click in three
    is lost" must not pass unseen)."""
    name = getattr(getattr(request_or_name, "node", None), "nodeid", str(request_or_name))
    if retries:
        BROWSER_RETRIES.append((name, action, retries))
    assert retries <= MAX_RETRIES_PER_ACTION, f"{action} needed {retries} retries (at most {MAX_RETRIES_PER_ACTION})"


# --- helpers for export, map and language tests -------------------------------------------------

def download(page, label: str, dest: Path, name_prefix: str = "", key: str | None = None) -> Path:
    """Click a download link labelled `label` (PNG, SVG, HTML, CSV) and save the file in `dest`.

    With `key`, the button is the one the app created with that widget key (e.g. "dl_corporate_png", components.downloads.show_row),
    so another chart's button on the same page can never be taken for it; without, the first button
    with that label. The file keeps the name the app suggests; `name_prefix` checks it is the right chart.
    """
    if key:
        # by role: a link button with help text also holds an inert copy of its link, which is not a link to a reader
        button = page.locator(f".st-key-{key}").get_by_role("link").first
    else:
        button = page.locator('[data-testid="stLinkButton"]').get_by_role("link", name=label).first
    button.wait_for(timeout=60_000)
    with page.expect_download(timeout=90_000) as info:
        button.click()
    dl = info.value
    assert dl.failure() is None, dl.failure()
    assert dl.suggested_filename.startswith(name_prefix), dl.suggested_filename
    path = dest / dl.suggested_filename
    dl.save_as(path)
    return path


class OfflinePage:
    """A page in its own browser context where every request not starting with an allowed prefix is aborted."""

    def __init__(self, browser, allow: tuple[str, ...] = ("file:",), **context_args):
        self.allow = allow
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, **context_args})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.allow) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def offline(browser):
    """`offline()` opens an OfflinePage (file: URLs only by default); all are closed after the test."""
    opened: list[OfflinePage] = []

    def make(allow: tuple[str, ...] = ("file:",), **context_args) -> OfflinePage:
        opened.append(OfflinePage(browser, allow, **context_args))
        return opened[-1]

    yield make
    for o in opened:
        o.close()


def colour_count(image, rgb: tuple[int, int, int], tolerance: int = 0) -> int:
    """Pixels of a PIL RGB image within `tolerance` (per channel) of `rgb`."""
    from PIL import Image, ImageChops
    ref = Image.new("RGB", image.size, rgb)
    diff = ImageChops.difference(image.convert("RGB"), ref)
    r, g, b = diff.split()
    lut = [255 if v <= tolerance else 0 for v in range(256)]
    mask = ImageChops.multiply(ImageChops.multiply(r.point(lut), g.point(lut)), b.point(lut))
    return mask.histogram()[255]


def hex_rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


# --- the deck.gl maps ----------------------------------------------------------------------------

CANVAS = '[data-testid="stDeckGlJsonChart"] canvas'

_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))"


def wait_drawn(page, target=None, timeout: float = 30.0) -> None:
    """Wait until the canvas (`target`: a locator, else the page's first map) has stopped changing: two pictures
    taken a couple of animation frames apart are the same. deck.gl draws on its own frames (in this machine's
    software WebGL a frame can take hundreds of milliseconds), after the page has settled and after each hover:
    a condition on what is drawn, never a fixed pause."""
    canvas = target if target is not None else page.locator(CANVAS).first
    canvas.wait_for(timeout=60_000)
    deadline = time.monotonic() + timeout
    last = None
    while True:
        page.evaluate(_FRAMES)
        shot = canvas.screenshot()
        if shot == last:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the canvas was still changing after {timeout} s")
        last = shot


def wait_until(predicate, timeout: float = 30.0, what: str = "a condition"):
    """Poll `predicate()` (Python side: screenshots, files) until it returns a true value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s")
TOOLTIP = '[data-testid="stDeckGlJsonChart"] .deck-tooltip'


def tooltip_text(page, timeout: float = 30.0) -> str:
    """The deck.gl tooltip's text once shown, or '' if none appears within `timeout` seconds.

    A hover is answered after deck.gl has drawn a picking frame and then the highlighted map: in this machine's
    software WebGL under a loaded CPU one frame of the flow map can take seconds, so a tooltip can take several;
    the wait ends as soon as any tooltip shows, right or wrong."""
    try:
        page.wait_for_function(
            "sel => { const t = document.querySelector(sel);"
            " return t && getComputedStyle(t).display !== 'none' && t.innerText.trim().length > 0 }",
            arg=TOOLTIP, timeout=timeout * 1000)
    except Exception:
        return ""
    return page.locator(TOOLTIP).inner_text()


# --- websockets under a chosen host name (issue #30: the proxy passes the client's Host; DNS rebinding) ----

def websocket_status(url: str, host: str) -> int:
    """The HTTP status of a websocket handshake to `url`'s server (101 accepted, 403 refused), sent as a browser on
    `http://<host>:<port>` would send it (Host and Origin that name, the connection to `url`'s address)."""
    import socket as _socket
    from urllib.parse import urlsplit

    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    u = urlsplit(url)
    name = f"{host}:{u.port}"
    sock = _socket.create_connection((u.hostname, u.port), timeout=30)
    try:
        with connect(f"ws://{name}/_stcore/stream", sock=sock, origin=f"http://{name}", subprotocols=["streamlit"],
                     open_timeout=30):
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


#: The deck a `stDeckGlJsonChart` element draws (the JSON the server sent) and the view deck.gl shows now: what the map
#: really is in this page. The view is deck.gl's own (its first viewport, from the Deck the DeckGL component keeps in
#: a ref), not React props: a DOM node keeps the fiber it was created with, and after an update that fiber may be
#: the alternate, whose props are a render old (reading them, a map updated in place seemed to keep its old view,
#: issue 31). The JSON is the one of the element's two fibers whose layers are the layers deck.gl draws.
DECK_STATE_JS = """([index]) => {
  const charts = document.querySelectorAll('[data-testid="stDeckGlJsonChart"]');
  const chart = charts[index];
  if (!chart) return null;
  const fiberOf = (el) => { const k = Object.keys(el).find((k) => k.startsWith("__reactFiber")); return k ? el[k] : null; };
  const canvas = chart.querySelector("canvas");
  let deck = null;
  for (let f = canvas ? fiberOf(canvas) : null; f && !deck; f = f.return) {
    for (let h = f.memoizedState, i = 0; h && typeof h === "object" && "next" in h && i < 100; h = h.next, i++) {
      const v = h.memoizedState;
      if (v && typeof v === "object" && v.current && typeof v.current === "object" && v.current.deck) deck = v.current.deck;
    }
  }
  const signature = (layers) => layers.map((l) => `${l.id}:${Array.isArray(l.data) ? l.data.length : "-"}:` +
    (Array.isArray(l.data) && l.data.length ? JSON.stringify(l.data[0]) : "")).join("|");
  const drawn = deck && deck.props && Array.isArray(deck.props.layers)
    ? signature(deck.props.layers.filter(Boolean).map((l) => ({id: l.id, data: l.props && l.props.data}))) : null;
  const jsons = [];
  for (let f = fiberOf(chart); f && !jsons.length; f = f.return) {
    for (const g of [f, f.alternate]) {
      const p = g && g.memoizedProps;
      if (p && p.element && typeof p.element.json === "string" && !jsons.includes(p.element.json)) jsons.push(p.element.json);
    }
  }
  const specs = jsons.map((j) => JSON.parse(j));
  const matching = specs.find((s) => drawn !== null && signature(s.layers || []) === drawn);
  const spec = matching || specs[0] || null;
  let view = null;
  const vp = deck && deck.getViewports ? deck.getViewports()[0] : null;
  if (vp) view = {longitude: vp.longitude, latitude: vp.latitude, zoom: vp.zoom};
  const box = canvas ? canvas.getBoundingClientRect() : null;
  return {spec, view, box: box && {x: box.x, y: box.y, width: box.width, height: box.height},
          drawn: matching !== undefined};  // whether the JSON is known to be the one deck.gl draws
}"""


_MAP_DIAGNOSIS_JS = """(points) => {
  const canvas = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
  const gl = canvas && (canvas.getContext("webgl2") || canvas.getContext("webgl"));
  const tip = document.querySelector('[data-testid="stDeckGlJsonChart"] .deck-tooltip');
  const box = canvas && canvas.getBoundingClientRect();
  const name = (el) => el ? [el.tagName.toLowerCase(), el.getAttribute("data-testid"), (el.className || "").toString().slice(0, 60)]
    .filter(Boolean).join(" ") : "nothing";
  return {canvases: document.querySelectorAll('[data-testid="stDeckGlJsonChart"] canvas').length,
          box: box && [box.x, box.y, box.width, box.height].map(Math.round),
          buffer: canvas && [canvas.width, canvas.height], lost: gl ? gl.isContextLost() : "no context",
          tooltip: tip ? [getComputedStyle(tip).display, tip.innerText.slice(0, 80)] : "no tooltip element",
          scroll: [window.scrollX, window.scrollY], dpr: window.devicePixelRatio,
          under: points.map(([x, y]) => name(document.elementFromPoint(x, y)))};
}"""


def map_diagnosis(page, points: list[tuple[float, float]]) -> str:
    """What a failed map hover met, for its assertion message: the canvas (box, drawing buffer, WebGL context
    lost or not), the tooltip element, the element on top at each hovered point, and the console's WebGL and
    error lines."""
    try:
        state = page.evaluate(_MAP_DIAGNOSIS_JS, [[round(x), round(y)] for x, y in points])
    except Exception as exc:  # the diagnosis must never hide the failure it describes
        state = f"(no diagnosis: {exc})"
    try:  # the view deck.gl shows against the one its JSON asks for (the test computes positions from the JSON)
        deck = deck_state(page)
        views = {"shown": {k: deck["view"].get(k) for k in ("longitude", "latitude", "zoom")} if deck["view"] else None,
                 "asked": {k: deck["spec"]["initialViewState"].get(k) for k in ("longitude", "latitude", "zoom")}}
    except Exception as exc:
        views = f"(no view: {exc})"
    lines = [line for line in console_of(page) if any(w in line.lower() for w in ("webgl", "context", "error"))]
    return f"{state}; views: {views}; console: {lines[-12:]}"


def deck_state(page, index: int = 0) -> dict:
    """{"spec": the deck's JSON, "view": its current view state, "box": the canvas's box} of the `index`th map."""
    return page.evaluate(DECK_STATE_JS, [index])


def view_shown(page, index: int = 0, timeout: int = 20_000) -> dict:
    """`deck_state` once the map shows the view its JSON asks for (longitude, latitude, zoom to 4 decimals): a deck
    updated in place takes the new view in an effect after React commits the new JSON, which under load can come after
    the page looks settled. Fails, saying both views, if it does not within `timeout` ms."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    same = """([index]) => { const s = (""" + DECK_STATE_JS + """)([index]);
      if (!s || !s.spec || !s.view || !s.spec.initialViewState) return false;
      const r = (v) => Math.round(v * 1e4) / 1e4;
      return ["longitude", "latitude", "zoom"].every((k) => r(s.view[k]) === r(s.spec.initialViewState[k])); }"""
    try:
        page.wait_for_function(same, arg=[index], timeout=timeout, polling=100)
    except PlaywrightTimeout:
        state = deck_state(page, index)
        shown = {k: round((state.get("view") or {}).get(k, float("nan")), 4) for k in ("longitude", "latitude", "zoom")}
        raise AssertionError(f"the map shows {shown} after {timeout} ms, its JSON asks for "
                             f"{(state.get('spec') or {}).get('initialViewState')}") from None
    return deck_state(page, index)

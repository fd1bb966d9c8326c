"""Drive a Streamlit app in headless Chromium (Playwright, async API) and time what the user waits for.

A rerun counts as done when the server has sent its `script_finished` message, the page has
received every WebSocket frame sent up to then and drawn two animation frames since the last one,
the app's script state is "notRunning", no element is stale or a loading skeleton, every plotly
chart has its SVG and every deck map its canvas, and then the page's main thread has been idle once
(deck.gl tessellates and draws after its canvas exists; in software WebGL that takes seconds). (The page's script-state attribute alone is not
enough: a fast rerun can go from "notRunning" to "notRunning" within one React update.)
Bytes are the WebSocket frames the server sent during the interaction (payload sizes, after any
per-message compression is undone), also classified by ForwardMsg type.
"""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from playwright.async_api import Browser, Page, Playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--headless=new", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 300_000
SIDEBAR = '[data-testid="stSidebar"]'
# The province field's widget, in the app and in the floor alike: its key is filter_<field>_<generation>
# (components.url_state.widget_key), and Streamlit gives its element the class st-key-<key>.
PROVINCE_FILTER = f'{SIDEBAR} [class*="st-key-filter_province_"]'
COUNTED = ("stElementContainer", "stPlotlyChart", "stDeckGlJsonChart", "stDataFrame", "stMetric", "stLinkButton")

WATCH = """
(() => {
  const b = window.__bench = {received: 0, handled: 0};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => {
        const n = ++b.received;
        requestAnimationFrame(() => requestAnimationFrame(() => { b.handled = Math.max(b.handled, n); }));
      });
    }
  };
  b.rendered = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
    for (const el of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
      if (!el.querySelector('.main-svg')) return false;
    for (const el of document.querySelectorAll('[data-testid="stDeckGlJsonChart"]'))
      if (!el.querySelector('canvas')) return false;
    return true;
  };
  b.done = frames => b.handled >= frames && b.rendered();
  b.idle = () => new Promise(resolve => requestIdleCallback(() => resolve(true), {timeout: 120000}));
})();
"""


async def launch(playwright: Playwright) -> Browser:
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


@dataclass
class Sample:
    seconds: float           # action to rerun drawn
    server_seconds: float    # the page's first message after the action to the server's script_finished
    bytes: int
    kinds: Counter = field(default_factory=Counter)   # bytes by ForwardMsg type


def message_kind(payload: bytes | str) -> str:
    """'element:plotly_chart', 'ref_hash', 'script_finished', ... for one WebSocket frame from the server."""
    if isinstance(payload, str):
        return "text"
    msg = ForwardMsg()
    msg.ParseFromString(payload)
    kind = msg.WhichOneof("type") or "other"
    if kind == "delta":
        delta = msg.delta.WhichOneof("type")
        return f"element:{msg.delta.new_element.WhichOneof('type')}" if delta == "new_element" else f"delta:{delta}"
    return kind


class Session:
    """One browser context and page: a user of the app."""

    def __init__(self, page: Page):
        self.page = page
        self.ws = None           # the app's WebSocket (a new one after each navigation)
        self.frames = 0          # frames received on it from the server
        self.started = 0         # new_session messages among them (one as each run starts)
        self.runs = 0            # script_finished messages (one as each run ends)
        self.bytes = 0
        self.kinds: Counter = Counter()
        self.first_sent = self.last_finished = 0.0
        page.on("websocket", self._watch)

    @classmethod
    async def open(cls, browser: Browser) -> "Session":
        context = await browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        await context.add_init_script(WATCH)
        return cls(await context.new_page())

    async def close(self) -> None:
        await self.page.context.close()

    def _watch(self, ws) -> None:
        self.ws, self.frames = ws, 0  # the new document counts its frames from 0 too
        ws.on("framereceived", lambda payload: ws is self.ws and self._received(payload))
        ws.on("framesent", lambda payload: ws is self.ws and self._sent(payload))

    def _sent(self, payload: bytes | str) -> None:
        self.first_sent = self.first_sent or time.perf_counter()

    def _received(self, payload: bytes | str) -> None:
        kind = message_kind(payload)
        self.frames += 1
        self.started += kind == "new_session"
        if kind == "script_finished":
            self.runs += 1
            self.last_finished = time.perf_counter()
        self.bytes += len(payload)
        self.kinds[kind] += len(payload)

    async def _served(self, runs_before: int) -> None:
        """Wait for the server to finish a run that ends after `runs_before` runs."""
        deadline = time.perf_counter() + TIMEOUT_MS / 1000
        while self.runs <= runs_before:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no script_finished within {TIMEOUT_MS / 1000:.0f} s")
            await asyncio.sleep(0.01)

    async def _finished(self, runs_before: int) -> None:
        """Wait for a run that ends after `runs_before` runs, and for the page to have drawn it."""
        await self._served(runs_before)
        await self.page.wait_for_function("frames => window.__bench.done(frames)", arg=self.frames, polling=25)
        await self.page.evaluate("window.__bench.idle()")  # deck.gl draws after its canvas exists

    async def _measure(self, action) -> Sample:
        runs, bytes_before, kinds_before = self.runs, self.bytes, Counter(self.kinds)
        self.first_sent = 0.0
        start = time.perf_counter()
        await action()
        await self._finished(runs)
        seconds = time.perf_counter() - start
        return Sample(seconds, self.last_finished - (self.first_sent or start), self.bytes - bytes_before,
                      self.kinds - kinds_before)

    async def load(self, url: str) -> float:
        """Open url and wait until its first run is drawn and no other run follows; returns perf_counter then."""
        runs = self.runs
        await self.page.goto(url)
        await self._finished(runs)
        done = time.perf_counter()
        while True:  # a run may follow the first one (e.g. a rerun requested by the script)
            runs, started = self.runs, self.started
            await asyncio.sleep(0.3)
            if self.started == started:
                return done
            await self._finished(runs)
            done = time.perf_counter()

    async def visit(self, url: str) -> None:
        """Open url and wait for the server's first run only (not for the page to draw it)."""
        runs = self.runs
        await self.page.goto(url)
        await self._served(runs)

    async def select_province(self, name: str) -> Sample:
        """Pick `name` in the sidebar's Chinese province filter."""
        box = self.page.locator(PROVINCE_FILTER).locator("input")
        await box.click()
        await box.fill(name)
        option = self.page.get_by_role("option", name=name, exact=True)
        sample = await self._measure(option.click)
        await self.page.keyboard.press("Escape")
        return sample

    async def clear_province(self, name: str) -> Sample:
        return await self._measure(self.page.locator(PROVINCE_FILTER).locator(f'button[aria-label="Remove {name}"]').click)

    async def switch_page(self, title: str) -> Sample:
        link = self.page.locator('[data-testid="stSidebarNav"] a', has_text=title).first
        return await self._measure(link.click)

    async def download(self, label: str) -> tuple[str, bytes, float]:
        """Click the first download link labelled `label`; returns the file's name, its bytes and the seconds taken."""
        button = self.page.locator('[data-testid="stLinkButton"]').get_by_role("link", name=label).first
        start = time.perf_counter()
        async with self.page.expect_download(timeout=TIMEOUT_MS) as info:
            await button.click()
        download = await info.value
        path = await download.path()
        with open(path, "rb") as fh:
            content = fh.read()
        return download.suggested_filename, content, time.perf_counter() - start

    async def has_filters(self) -> bool:
        """Whether the app's shared sidebar (with the province filter) is on the page."""
        return await self.page.locator(PROVINCE_FILTER).count() > 0

    async def exceptions(self) -> int:
        return await self.page.locator('[data-testid="stException"]').count()

    async def element_counts(self) -> dict[str, int]:
        return await self.page.evaluate(
            "ids => Object.fromEntries(ids.map(id => [id, document.querySelectorAll(`[data-testid=\"${id}\"]`).length]))",
            list(COUNTED))

"""First-load bytes on the wire: what a fresh browser downloads to show each page (HTTP, as transferred).

    python -m benchmarks.first_load            # prints a table and writes benchmarks/results/first_load.json

Bytes are Chromium's `encodedDataLength` per finished request (compressed size when compressed); the
websocket's frames are counted apart (decoded payload). A benchmark, not a test: the figures go to the README.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from . import server

PAGES = ("/", "/flows", "/corporate", "/survey", "/pairings", "/data")
RESULTS = Path(__file__).parent / "results" / "first_load.json"
TARGET_MB = 4.0


def measure(url: str, paths=PAGES) -> dict:
    from playwright.sync_api import sync_playwright
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless=new"])
        for path in paths:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            seen = {"http": 0, "requests": 0, "ws": 0}
            cdp.on("Network.loadingFinished", lambda e: seen.update(http=seen["http"] + e.get("encodedDataLength", 0),
                                                                   requests=seen["requests"] + 1))
            cdp.on("Network.webSocketFrameReceived", lambda e: seen.update(ws=seen["ws"] + len(e["response"]["payloadData"])))
            page.goto(url + path)
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
            time.sleep(2)
            out[path] = {"requests": seen["requests"], "http_mb": round(seen["http"] / 1e6, 2),
                         "websocket_mb": round(seen["ws"] / 1e6, 2)}
            context.close()
        browser.close()
    return out


def run() -> dict:
    """A fresh server, each page opened once in a fresh browser context; the figures also go to RESULTS."""
    srv = server.start(server.APP, {}, Path("/tmp/first_load.log"))
    try:
        figures = measure(srv.url)
    finally:
        srv.stop()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))
    return figures


def targets(figures: dict) -> list[dict]:
    return [{"target": f"first load of {path} under {TARGET_MB:g} MB on the wire", "measured": f["http_mb"],
             "pass": f["http_mb"] < TARGET_MB} for path, f in figures.items() if path == "/"]


def table(figures: dict) -> str:
    lines = [f"{'page':<12}{'requests':>10}{'HTTP MB':>10}{'ws MB':>8}   target: HTTP under {TARGET_MB} MB for /"]
    for path, f in figures.items():
        ok = ("pass" if f["http_mb"] < TARGET_MB else "FAIL") if path == "/" else "(not judged: the target is for /)"
        lines.append(f"{path:<12}{f['requests']:>10}{f['http_mb']:>10.2f}{f['websocket_mb']:>8.2f}   {ok}")
    return "\n".join(lines)


def main() -> int:
    print(table(run()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

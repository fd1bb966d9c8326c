"""Embeds on another site (issue #33), in a real browser: a host page served from another origin (a small HTTP server
on another port, under another host name) carries the embed code of "Link, embed, cite"; the iframe takes the height of
its chart, follows it when the content grows and shrinks, and shows no scrollbar. The same host page reads
/api/v1/flows.csv with fetch (CORS), and cannot read a page of the app. The sidebar offers the brief of the view."""
import http.server
import threading
from functools import partial
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from components import embeds

from .conftest import settle


@pytest.fixture(scope="module")
def host_site(tmp_path_factory):
    """Another origin: `localhost:<another port>` (the app is at 127.0.0.1:<its port>)."""
    root = tmp_path_factory.mktemp("host")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://localhost:{server.server_address[1]}"
    server.shutdown()


def host_page(root, name: str, body: str) -> str:
    (root / name).write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>A newsroom</title></head>"
                             f"<body><h1>A story</h1><p>Some words before the chart.</p>{body}<p>After.</p></body></html>",
                             encoding="utf-8")
    return name


FRAME = "iframe[data-atlas-embed]"
# Seen from inside the (cross-origin) iframe: the content's height (the bottom of its lowest element, as the resizer
# measures it), the window's, and whether anything is left to scroll.
INSIDE = """() => { let bottom = 0;
  for (const el of document.body.children) { if (el.tagName !== "SCRIPT") bottom = Math.max(bottom, el.getBoundingClientRect().bottom); }
  return {content: Math.ceil(bottom), window: window.innerHeight,
          scrolls: document.documentElement.scrollHeight > window.innerHeight + 1 || window.scrollY > 0}; }"""


def sizes(page, frame) -> dict:
    inner = next(f for f in page.frames if "/embed/" in f.url)
    return {**inner.evaluate(INSIDE), "frame": frame.evaluate("f => f.getBoundingClientRect().height")}


def test_the_embed_code_resizes_its_iframe_on_another_site(page, app_url, host_site):
    root, origin = host_site
    src = f"{app_url}/embed/provinces-and-states?province=Fujian&lang=zh"
    assert urlsplit(origin).netloc != urlsplit(app_url).netloc
    # the code as "Link, embed, cite" writes it, with a height far from the chart's own
    name = host_page(root, "story.html", embeds.snippet(src, "provinces-and-states", "各省和州", 200, app_url))
    page.goto(f"{origin}/{name}")
    frame = page.locator(FRAME)
    # the chart loads in the iframe (cross-origin for the host page; Playwright reaches into it)
    expect(page.frame_locator(FRAME).locator(".plotly-graph-div")).to_be_visible(timeout=60_000)
    page.wait_for_function(f"() => {{ const f = document.querySelector('{FRAME}'); "
                           f"return f && f.getBoundingClientRect().height > 300; }}", timeout=30_000)
    inner = page.frame_locator(FRAME).locator("body")
    seen = sizes(page, frame)
    assert abs(seen["frame"] - seen["content"]) <= 2 and not seen["scrolls"], seen
    first = seen["frame"]

    # the content grows: the iframe follows, still without a scrollbar
    inner.evaluate("b => { const d = document.createElement('div'); d.id = 'grown'; d.style.height = '400px'; b.appendChild(d); }")
    page.wait_for_function(f"() => document.querySelector('{FRAME}').getBoundingClientRect().height >= {first + 399}",
                           timeout=15_000)
    seen = sizes(page, frame)
    assert abs(seen["frame"] - seen["content"]) <= 2 and not seen["scrolls"], seen

    # and shrinks back
    inner.evaluate("b => document.getElementById('grown').remove()")
    page.wait_for_function(f"() => Math.abs(document.querySelector('{FRAME}').getBoundingClientRect().height - {first}) <= 2",
                           timeout=15_000)
    assert not sizes(page, frame)["scrolls"]


def test_another_site_reads_the_data_but_not_the_pages(page, app_url, host_site):
    root, origin = host_site
    page.goto(f"{origin}/{host_page(root, 'tool.html', '')}")
    got = page.evaluate("""async (base) => {
      const r = await fetch(base + "/api/v1/flows.csv?province=Fujian");
      return {status: r.status, text: await r.text(), version: r.headers.get("X-Atlas-Package-Version")}; }""", app_url)
    assert got["status"] == 200 and "Fujian" in got["text"] and got["text"].lstrip("\ufeff").startswith("record"), got["text"][:200]
    assert got["version"], "the package version is readable across origins"
    refused = page.evaluate("""async (base) => { try { await fetch(base + "/flows"); return "read"; }
      catch (e) { return "refused"; } }""", app_url)
    assert refused == "refused", "a page of the app sends no CORS header"


def test_the_sidebar_offers_the_brief_of_the_view(page, app_url, tmp_path):
    page.goto(f"{app_url}/flows?province=Fujian&lang=zh")
    settle(page)
    link = page.locator(".st-key-atlas_brief").get_by_role("link", name="下载简报（PDF）")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href.startswith("/api/v1/brief.pdf?") and "province=Fujian" in href and "lang=zh" in href, href
    assert "page=flows" in href and "download=1" in href
    # a download like every slow file (components/frame.py says it is being prepared): the PDF, under its own name
    with page.expect_download(timeout=180_000) as info:
        link.click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename == "cooperation-atlas-brief_province-Fujian_zh.pdf"
    assert path.read_bytes().startswith(b"%PDF")

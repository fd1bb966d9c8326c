"""Issue #17 in the browser: security headers that still let every page render, metrics not public, over-limit
links said, and a hostile package walked page by page with no live link, image or math from its data or from the
link's own values, and no request leaving the machine (in both languages in `make test`, in English in
`make test-e2e`: --walk-languages)."""
from __future__ import annotations

import http.client
import os
import shutil
import urllib.parse
import urllib.request

import pandas as pd
import pytest

from components.site import PAGES
from tests.conftest import DATA
from tests.e2e.conftest import settle, start_server

PAYLOAD = ("Fujian [x](https://evil.example/l) ![b](http://evil.example/beacon.png) :red[RED] "
           "$\\href{https://evil.example/k}{k}$ www.evil.example phish@evil.example <img src=http://evil.example/i.png>")
HOSTILE_URL = "https://evil.example/x"


def _raw(url: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    return conn.getresponse()


def test_security_headers_on_pages_and_embed(app_url):
    page = _raw(app_url, "/flows")
    assert page.status == 200
    csp = page.getheader("content-security-policy")
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert page.getheader("x-content-type-options") == "nosniff"
    assert page.getheader("referrer-policy") == "strict-origin-when-cross-origin"
    assert page.getheader("x-frame-options") == "SAMEORIGIN"
    embed = _raw(app_url, "/embed/corporate-giving")
    assert "frame-ancestors" not in embed.getheader("content-security-policy") and embed.getheader("x-frame-options") is None
    api = _raw(app_url, "/api/v1/")
    assert api.getheader("x-content-type-options") == "nosniff"


def test_metrics_are_not_public(app_url):
    assert _raw(app_url, "/_stcore/metrics", {"X-Forwarded-For": "203.0.113.9"}).status == 404
    assert _raw(app_url, "/_stcore/health").status == 200
    # README: a client on this machine that does not come through a proxy is answered (an operator's own scrape)
    assert _raw(app_url, "/_stcore/metrics").status == 200


def test_over_limit_link_is_redirected_with_a_count(app_url, page):
    query = "province=Fujian&" + "&".join(f"junk{i}=1" for i in range(1_200))
    r = _raw(app_url, "/flows?" + query)
    assert r.status == 303
    target = urllib.parse.urlsplit(r.getheader("location"))
    kept = urllib.parse.parse_qs(target.query)
    assert target.path == "/flows" and kept["province"] == ["Fujian"] and kept["dropped"] == ["202"]
    page.goto(app_url + "/flows?" + query)
    settle(page)
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("more than 1,000 parameters" in a and "202" in a for a in alerts), alerts
    assert "Fujian" in page.locator('[data-testid="stCaptionContainer"]').all_inner_texts().__str__()


# --- the hostile package walk --------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    dest = tmp_path_factory.mktemp("hostile17") / "pkg"
    shutil.copytree(DATA, dest)

    def edit(name, key, value, column, text):
        df = pd.read_csv(dest / f"{name}.csv", dtype=str, keep_default_na=False)
        df.loc[df[key] == value, column] = text
        df.to_csv(dest / f"{name}.csv", index=False)
    edit("regions", "admin1", "CN-FJ", "name_en", PAYLOAD)
    edit("regions", "admin1", "CN-FJ", "name_zh", PAYLOAD)
    edit("sources", "source_id", "ccg2020", "title", "See https://evil.example/src or phish@evil.example :red[RED]")
    edit("sources", "source_id", "ccg2020", "url", "javascript:alert(1)")
    edit("key_figures", "figure_id", "kf-cpaffc-us-cash", "description", PAYLOAD)
    edit("corporate_donations", "rank", "1", "company", '<a href="https://evil.example/c">ACME</a>')
    proc, url = start_server({"ATLAS_DATA_DIR": str(dest)})
    yield url
    os.killpg(proc.pid, 15)


LIVE = """() => {
  const bad = [];
  for (const a of document.querySelectorAll('a[href]')) {
    const u = new URL(a.getAttribute('href'), location.href);
    // the app's own links (downloads carry the filters, hostile text included, percent-encoded) are fine;
    // a link to another host that the data or the URL made, or any non-http(s) link, is not
    if (!/^https?:$/.test(u.protocol) || /evil/i.test(u.hostname)) bad.push('a ' + u.href.slice(0, 80));
  }
  for (const i of document.querySelectorAll('img')) {
    const s = i.getAttribute('src') || '';
    if (/evil|^https?:/i.test(s) && !s.startsWith(location.origin)) bad.push('img ' + s);
  }
  for (const k of document.querySelectorAll('.katex, math')) bad.push('math ' + k.textContent.slice(0, 40));
  for (const s of document.querySelectorAll('[data-testid="stMarkdownContainer"] span[style*="color"]'))
    if (s.textContent.includes('RED')) bad.push('directive ' + s.outerHTML.slice(0, 80));
  for (const a of document.querySelectorAll('svg a, .js-plotly-plot a')) bad.push('plotly link ' + a.outerHTML.slice(0, 80));
  return bad;
}"""


def test_hostile_package_walk_has_nothing_live(hostile_server, browser, walk_lang):
    # in each language of --walk-languages (conftest.py): English in `make test-e2e`, both in `make test`
    lang = walk_lang
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    csp_errors: list[str] = []

    def route(r):
        if r.request.url.startswith((hostile_server, "data:", "blob:", "about:", "ws://127.0.0.1")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()
    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        for p in PAGES:
            query = urllib.parse.urlencode([("lang", lang), ("province", "CN-FJ"), ("state", HOSTILE_URL),
                                            ("category", "phish@evil.example"), ("table", "key_figures")])
            page.goto(f"{hostile_server}{p.path}?{query}")
            settle(page)
            for expander in page.locator('[data-testid="stExpander"] summary').all():
                expander.click()
            # every expander open and its content laid out (its details element open, the page not rerunning)
            page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stExpander"] details')]
                .every((d) => d.open)""", timeout=15_000)
            settle(page)
            assert page.evaluate(LIVE) == [], (p.key, lang)
            body = page.inner_text("body")
            assert "Traceback" not in body and "KeyError" not in body, p.key
        # the link's own hostile values are shown as text in the warning box
        warnings = " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
        assert "evil.example" in warnings
    finally:
        context.close()
    assert outside == [], f"requests left the machine: {outside[:5]}"
    assert csp_errors == [], csp_errors[:3]


def test_a_websocket_under_a_foreign_host_name_is_refused(app_url):
    # issue #30 item 15: a page of evil.example that rebinds its name to this machine opens the websocket with
    # Host and Origin evil.example: it must not get a session; the loopback names still do
    from tests.e2e.conftest import websocket_status
    assert websocket_status(app_url, "evil.example") == 403
    assert websocket_status(app_url, "localhost") == 101
    assert websocket_status(app_url, "127.0.0.1") == 101


@pytest.mark.parametrize("path", ["/api/v1/nope/deeper", "/api/v1/a/b.csv", "/charts/", "/charts", "/charts/x/y.png",
                                  "/embed/", "/embed", "/embed/a/b"])
def test_unknown_addresses_under_every_prefix_are_404_json(app_url, path):
    # issue #30 item 16: not the app's HTML page with 200
    r = _raw(app_url, path)
    body = r.read()
    assert r.status == 404, (path, r.status, body[:80])
    assert r.getheader("content-type", "").startswith("application/json"), r.getheader("content-type")
    assert b"<html" not in body.lower() and r.getheader("x-content-type-options") == "nosniff"


@pytest.mark.parametrize("path", ["/embed/flow-map", "/charts/flow-map.html", "/embed/corporate-giving",
                                  "/charts/corporate-giving.html", "/charts/corporate-giving.svg",
                                  "/api/v1/provinces-and-states.zip"])
def test_the_host_header_never_reaches_another_readers_file(app_url, path):
    # issue #30 items 12 and 7: the first request's Host became every later reader's "Interactive version" link
    # (cached map embeds), and chart files were cached per Host (each new Host a new render)
    import io
    import zipfile
    port = urllib.parse.urlsplit(app_url).port
    query = "?province=Hubei"  # a parameter set no other test asked for: this test's first request makes it

    def body(host):
        r = _raw(app_url, path + query, {"Host": f"{host}:{port}"})
        data = r.read()
        assert r.status == 200, (path, r.status, data[:200])
        if path.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        return data
    first, second = body("evil.example"), body("127.0.0.1")
    assert b"evil.example" not in second, path
    # one file for every Host (links relative, or on ATLAS_BASE_URL): made once, not once per Host
    assert b"evil.example" not in first and b"127.0.0.1" not in second, path
    assert first == second or path.endswith(".zip"), path  # a ZIP holds its time of making


def test_over_long_links_on_the_apps_own_server_are_answered_not_reset(app_url):
    # issue #30 item 13 (`make run`, no proxy): over about 128 kB the server reset the connection; now the page's
    # redirect with its "dropped" count, the API's JSON 414, and past 1 MB a 414 with the security headers
    r = _raw(app_url, "/flows?province=Fujian&q=" + "x" * 600_000)
    r.read()
    assert r.status == 303, r.status
    kept = urllib.parse.parse_qs(urllib.parse.urlsplit(r.getheader("location")).query)
    assert kept["province"] == ["Fujian"] and kept["dropped"] == ["1"]
    r = _raw(app_url, "/api/v1/donations.csv?q=" + "x" * 200_000)
    assert r.status == 414 and b"query_too_long" in r.read() and r.getheader("x-content-type-options") == "nosniff"
    r = _raw(app_url, "/flows?q=" + "x" * 1_600_000)
    body = r.read()
    assert r.status == 414, (r.status, body[:80])
    assert "default-src 'self'" in r.getheader("content-security-policy", "") and b"longer than" in body
    assert _raw(app_url, "/_stcore/health").status == 200

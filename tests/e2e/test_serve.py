"""Two app processes behind nginx on one port (`make serve WORKERS=2`, components/serve.py).

A reader's session stays on one worker (ip_hash); the stable addresses go to either. The reader's
downloads must be right whichever worker answers them, and both workers must answer them. Readers reach
the proxy by a host name (atlas.test here), which the workers must see and accept, and no other.
"""
import csv
import io
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from components.serve import Cluster, free_port

from .conftest import IDLE, download, settle, websocket_status

NAME = "atlas.test"  # resolved to 127.0.0.1 by Chromium's --host-resolver-rules; given as Host by the other tests


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(2, free_port(), allowed_hosts=(NAME,))
    yield c
    c.stop()


def test_downloads_work_behind_the_proxy_from_both_workers(cluster, page, tmp_path):
    page.goto(f"{cluster.url}/flows?province=Fujian")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    workers = set()
    for _ in range(3):
        path = download(page, "CSV", tmp_path, name_prefix="flows_province-Fujian", key="dl_flows_csv")
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert len({r["source_ref"] for r in rows}) == 8
    page.goto(f"{cluster.url}/survey")
    settle(page)
    png = download(page, "PNG", tmp_path, name_prefix="survey-findings", key="dl_survey_png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    bodies = set()
    for _ in range(6):
        with urllib.request.urlopen(f"{cluster.url}/api/v1/flows.csv?province=Fujian", timeout=60) as r:
            workers.add(r.headers["X-Atlas-Worker"])
            bodies.add(r.read())
    assert workers == {"1", "2"}, workers  # the stateless addresses are spread over both
    assert len(bodies) == 1                 # and both answer the same bytes


def test_workers_see_the_readers_host_name(cluster):
    # accepted under the name the proxy is reached by: the worker saw atlas.test (the proxy's upstream name,
    # atlas_sessions, is not an allowed host, so a lost Host would be refused), and refused under any other name
    assert websocket_status(cluster.url, NAME) == 101
    assert websocket_status(cluster.url, "127.0.0.1") == 101
    assert websocket_status(cluster.url, "evil.example") == 403


def test_metrics_are_not_served_through_the_proxy(cluster):
    for path in ("/_stcore/metrics", "/flows/_stcore/metrics", "/_stcore/metrics/"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(cluster.url + path, timeout=30)
        assert refused.value.code == 404, path
        assert "default-src 'self'" in refused.value.headers.get("content-security-policy", ""), path


def test_a_reader_under_a_host_name_filters_over_the_websocket(cluster, browser_type, browser_type_launch_args):
    """Chromium resolves atlas.test to this machine, as a reader's DNS would: the page loads through the proxy,
    its websocket is accepted (CSP connect-src 'self' included) and a filter picked in the sidebar reruns the page."""
    port = urllib.parse.urlsplit(cluster.url).port
    args = {**browser_type_launch_args,
            "args": [*browser_type_launch_args["args"], f"--host-resolver-rules=MAP {NAME} 127.0.0.1"]}
    browser = browser_type.launch(**args)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sockets, errors = [], []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"http://{NAME}:{port}/flows")
        page.wait_for_selector(IDLE, timeout=90_000)
        assert any(u.startswith(f"ws://{NAME}:{port}/_stcore/stream") for u in sockets), sockets
        box = page.locator('[data-testid="stSidebar"] [class*="st-key-filter_province_"]').first
        box.locator('[role="combobox"]').click()
        page.keyboard.type("Fuj")
        page.get_by_role("option", name="Fujian", exact=True).click()
        page.keyboard.press("Escape")
        # the server's rerun writes the filter into the address: only a live websocket brings it back
        page.wait_for_url(lambda u: "province=Fujian" in u, timeout=90_000)
        page.wait_for_selector(IDLE, timeout=90_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        expect(box).to_contain_text("Fujian")
        assert not [e for e in errors if "Content Security Policy" in e or "WebSocket" in e], errors
    finally:
        browser.close()


def _raw(cluster, path: str):
    import http.client
    u = urllib.parse.urlsplit(cluster.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    return r


def test_long_links_through_the_proxy_are_answered_with_security_headers(cluster):
    # issue #30 item 13: 1,200 parameters: the app's redirect with its "dropped" count, not nginx's 414 or a 502
    r = _raw(cluster, "/flows?province=Fujian&" + "&".join(f"junk{i}=1" for i in range(1_200)))
    assert r.status == 303, r.status
    kept = urllib.parse.parse_qs(urllib.parse.urlsplit(r.getheader("location")).query)
    assert kept["province"] == ["Fujian"] and kept["dropped"] == ["202"]
    assert "default-src 'self'" in r.getheader("content-security-policy", "")
    # longer than any proxy passes on: nginx's 414, with the app's security headers
    r = _raw(cluster, "/flows?q=" + "x" * 200_000)
    assert r.status == 414, r.status
    assert "default-src 'self'" in r.getheader("content-security-policy", "")
    assert r.getheader("x-content-type-options") == "nosniff"

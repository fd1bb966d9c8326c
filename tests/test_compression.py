"""components.compression: Streamlit's static files gzipped once, nothing outside the folder served."""
import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor

import pytest

from components.compression import StaticGzip


def call(app, path, accept=b"gzip, deflate", method="GET"):
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": path, "headers": [(b"accept-encoding", accept)] if accept else []}
    # in a thread of its own: the browser tests' Playwright keeps an event loop running in the main thread
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return sent


@pytest.fixture
def site(tmp_path):
    static = tmp_path / "static"
    (static / "static" / "js").mkdir(parents=True)
    (static / "static" / "js" / "index.abc.js").write_text("console.log('x');\n" * 500)
    (static / "static" / "js" / "tiny.js").write_text("1")
    (tmp_path / "secret.js").write_text("secret;" * 500)
    passed = []

    async def inner(scope, receive, send):
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 404, "headers": []})

    return StaticGzip(inner, static), passed, static


def test_a_bundle_is_sent_gzipped_and_compressed_once(site):
    app, passed, static = site
    first = call(app, "/static/js/index.abc.js")
    headers = dict(first[0]["headers"])
    assert headers[b"content-encoding"] == b"gzip" and headers[b"content-type"].startswith(b"text/javascript")
    assert gzip.decompress(first[1]["body"]) == (static / "static" / "js" / "index.abc.js").read_bytes()
    (static / "static" / "js" / "index.abc.js").write_text("changed")  # content-hashed files never change: kept
    assert call(app, "/static/js/index.abc.js")[1]["body"] == first[1]["body"]
    assert passed == []


def test_everything_else_passes_through(site):
    app, passed, _ = site
    call(app, "/static/js/index.abc.js", accept=b"identity")
    call(app, "/static/js/tiny.js")                       # too small to gain
    call(app, "/static/../../secret.js")                  # outside the folder
    call(app, "/static/js/missing.js")
    call(app, "/api/v1/flows.csv")
    assert passed == ["/static/js/index.abc.js", "/static/js/tiny.js", "/static/../../secret.js",
                      "/static/js/missing.js", "/api/v1/flows.csv"]

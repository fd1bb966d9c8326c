"""Over-long requests on the app's own server (issue #30 item 13, `make run`): uvicorn's h11 parser gave up on a request
head past 16 kB still incomplete, so links over about 128 kB got a bare 400 and a connection reset. With
`streamlit_fixes.answer_long_requests()`, requests up to 1 MB reach the app (which redirects a page link with its
`dropped=` notice, or answers the API's 414), and longer ones get a 414/431 with the security headers, read to the end.

A real uvicorn on a local port, serving a small ASGI app, with the same patch as app.py applies."""
from __future__ import annotations

import http.client
import socket
import threading

import pytest

uvicorn = pytest.importorskip("uvicorn")

from components.streamlit_fixes import MAX_REQUEST_HEAD, answer_long_requests  # noqa: E402


async def _app(scope, receive, send):
    body = f"{len(scope['query_string'])} {sum(len(v) for _, v in scope['headers'])}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def server():
    assert answer_long_requests() is True
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(_app, host="127.0.0.1", port=port, log_level="error", access_log=False,
                                        lifespan="off"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        th.join(0.05)
    assert srv.started
    yield port
    srv.should_exit = True
    th.join(10)


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()


@pytest.mark.parametrize("size", [100_000, 200_000, 600_000, MAX_REQUEST_HEAD - 10_000])
def test_links_up_to_the_limit_reach_the_app(server, size):
    # before the fix: 200_000 and longer were a connection reset
    status, _, body = _get(server, "/flows?q=" + "x" * (size - 2))
    assert status == 200 and body.split()[0] == str(size).encode()


def test_a_longer_link_is_a_414_with_the_security_headers_not_a_reset(server):
    status, headers, body = _get(server, "/flows?q=" + "x" * (MAX_REQUEST_HEAD + 500_000))
    assert status == 414, status
    assert "default-src 'self'" in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"
    assert b"longer than" in body


def test_longer_headers_are_a_431_with_the_security_headers(server):
    status, headers, _ = _get(server, "/flows", {"X-Long": "y" * (MAX_REQUEST_HEAD + 500_000)})
    assert status == 431 and headers["x-content-type-options"] == "nosniff"
    status, _, body = _get(server, "/flows", {"X-Long": "y" * 300_000})   # below the limit: the app's own answer
    assert status == 200 and int(body.split()[1]) >= 300_000


def test_the_server_still_answers_after_an_over_long_request(server):
    _get(server, "/?q=" + "z" * (2 * MAX_REQUEST_HEAD))
    assert _get(server, "/?a=1")[0] == 200

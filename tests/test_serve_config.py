"""The nginx config `make serve` writes (components/serve.py), read as text: issue #30 item 1.

nginx inherits `proxy_set_header` only into locations that set none of their own, so every location that sets
one must set the client's Host and X-Forwarded-* itself; `/_stcore/metrics` is never passed to a worker.
"""
from __future__ import annotations

import re
from pathlib import Path

from components.serve import nginx_conf, worker_args


def _locations(conf: str) -> dict[str, str]:
    """Each `location ... { ... }` block's selector -> its body (the config has no nested blocks in locations)."""
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"location\s+([^{]+)\{([^{}]*)\}", conf)}


def _conf() -> str:
    return nginx_conf(Path("/tmp/run"), "127.0.0.1", 8501, [8601, 8602])


def test_every_location_with_its_own_headers_passes_host_and_forwarded_headers():
    locations = _locations(_conf())
    assert "/" in locations
    setting = {sel: body for sel, body in locations.items() if "proxy_set_header" in body}
    assert "/" in setting  # the websocket location sets Upgrade/Connection, so it must repeat the rest
    for sel, body in setting.items():
        headers = dict(re.findall(r"proxy_set_header\s+(\S+)\s+([^;]+);", body))
        assert headers.get("Host", "").startswith("$"), (sel, headers)
        assert headers.get("Host") != "$proxy_host", sel
        assert "X-Forwarded-For" in headers and "X-Forwarded-Proto" in headers, (sel, headers)
        assert "X-Forwarded-Host" in headers, (sel, headers)
    # a location that passes to a worker without setting any header inherits the server-level ones: they must exist
    server_level = re.split(r"\n\s*location\s", _conf(), maxsplit=1)[0]
    for name in ("Host", "X-Forwarded-For", "X-Forwarded-Proto"):
        assert f"proxy_set_header {name} " in server_level


def test_the_host_passed_keeps_the_port_the_browser_used():
    # Streamlit accepts a websocket whose Origin (scheme://host:port) matches its Host: `$host` drops the port
    body = _locations(_conf())["/"]
    host = dict(re.findall(r"proxy_set_header\s+(\S+)\s+([^;]+);", body))["Host"]
    assert host != "$host", "the port would be lost and every websocket on a non-default port refused as cross-origin"


def test_metrics_are_never_passed_to_a_worker():
    locations = _locations(_conf())
    metrics = [(sel, body) for sel, body in locations.items() if "_stcore/metrics" in sel]
    assert metrics, "no location keeps /_stcore/metrics from the proxy's clients"
    for sel, body in metrics:
        assert "proxy_pass" not in body and re.search(r"return\s+404|deny\s+all", body), (sel, body)
        # README "Every response carries a Content-Security-Policy": nginx's own 404 too (it had nosniff only)
        assert "Content-Security-Policy" in body and "X-Content-Type-Options" in body and "always" in body, body


def test_workers_allow_loopback_and_the_configured_names_only():
    args = worker_args(9000, ["atlas.test", "atlas.example.org"])
    hosts = [args[i + 1] for i, a in enumerate(args) if a == "--server.allowedHosts"]
    assert set(hosts) == {"localhost", "127.0.0.1", "::1", "atlas.test", "atlas.example.org"}
    assert "*" not in hosts


def _size(value: str) -> int:
    n, unit = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(n) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def test_long_links_get_the_apps_answer_or_a_414_with_security_headers():
    # issue #30 item 13: a link of 1,001+ parameters got nginx's 414 (request line over 8k) or a 502 ("upstream sent
    # too big header": the app's 303 to the trimmed link did not fit nginx's 4k/8k buffer), without security headers
    conf = _conf()
    buffers = re.search(r"large_client_header_buffers\s+\d+\s+(\S+);", conf)
    assert buffers and _size(buffers.group(1)) >= 32 * 1024, "links of 1,000 parameters reach the app"
    proxy_buffer = re.search(r"proxy_buffer_size\s+(\S+);", conf)
    assert proxy_buffer and _size(proxy_buffer.group(1)) >= 32 * 1024, "the app's redirect to the trimmed link fits"
    pages = re.findall(r"error_page\s+([\d\s]+?)\s+(\S+)\s*;", conf)
    codes = {c for codes, _ in pages for c in codes.split()}
    assert {"400", "413", "414", "494", "502", "504"} <= codes, pages
    for _, name in pages:
        body = next(b for sel, b in _locations(conf).items() if sel.split()[-1] == name)
        assert "Content-Security-Policy" in body and "X-Content-Type-Options" in body and "always" in body, body

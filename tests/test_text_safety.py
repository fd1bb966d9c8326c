"""Issue #17: text is text everywhere. md() for markdown, plot_text for plotly, shown() for warnings, and the
serving middleware's pure parts (headers, over-limit links)."""
from __future__ import annotations

import re
import urllib.parse

import pytest

from atlas.filters import DROPPED_KEY, SHOWN, parse_query, shown
from atlas.i18n import md, md_link
from atlas.text import plot_text
from components.security import CSP, headers_for, trimmed_query
from tests.conftest import rendered, visible

# remark-gfm's autolink-literal patterns (mdast-util-gfm-autolink-literal), applied to the text of a rendered
# paragraph as Streamlit's front end does after parsing
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.I)
GFM_EMAIL = re.compile(r"(?<![-.\w+])([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")

HOSTILE = [
    "Fujian [x](https://evil.example) ![b](http://host/beacon.png) :red[RED] $\\href{https://evil.example}{k}$",
    "https://evil.example/x", "HTTP://EVIL.EXAMPLE", "www.evil.example", "phish@evil.example", "mailto:phish@evil.example",
    "<img src=x onerror=alert(1)>", "&#60;img src=x&#62;", "`code`", "# heading", "| a | b |", "~~strike~~",
    ":material/warning: :smile:", "$$x^2$$", "a\\$b$c$", "line\nbreak\r\nagain", "Fu\u202ejian\u2066x\x07",
]


def _text_nodes(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("value", HOSTILE)
def test_md_leaves_no_markup_and_no_autolink(value):
    html = rendered(md(value))
    assert "<a " not in html and "<img" not in html and "<code" not in html and "<h1" not in html \
        and "<table" not in html and "<del" not in html, html
    text = _text_nodes(html)
    assert not GFM_URL.search(text) and not GFM_EMAIL.search(text), text
    # math and directives: no unescaped `$` or `:name[` left for remark-math / Streamlit's directives
    source = md(value)
    assert not re.search(r"(?<!\\)\$", source) and not re.search(r"(?<!\\):[a-z]+\\?\[", source)
    assert "\n" not in source and not re.search(r"[\u202a-\u202e\u2066-\u2069\x00-\x08]", source)


def test_md_text_reads_as_typed():
    """Apart from the invisible word joiner and visible escapes of control characters, a reader sees the value."""
    for value in ("Fujian [x](https://evil.example) :red[RED] $x$", "phish@evil.example", "上海 São Paulo"):
        assert visible(md(value)).strip().replace("\u2060", "") == value


def test_control_characters_are_shown_as_escapes():
    assert visible(md("a\u202eb\x07")).strip() == "a\\u202eb\\u0007"


def test_source_urls_are_links_only_when_plain_http():
    assert rendered(md_link("https://example.org/report.pdf")).count('href="https://example.org/report.pdf"') == 1
    for bad in ("javascript:alert(1)", "data:text/html,x", "https://evil.example/a b", "//evil.example"):
        assert "<a " not in rendered(md_link(bad)), bad
    assert 'href="https://example.org/a%29%28b"' in rendered(md_link("https://example.org/a)(b"))


def test_plot_text_escapes_markup_for_plotly():
    assert plot_text('<a href="https://evil.example">ACME</a> & co') == \
        '&lt;a href="https://evil.example"&gt;ACME&lt;/a&gt; &amp; co'
    assert plot_text(None) == "" and plot_text(5) == "5"


def test_warning_values_end_with_an_ellipsis_and_show_controls(vocab):
    warnings = parse_query({"province": ["x" * 10_000], "state": ["Oh\u202eio"]}, vocab).warnings
    long, bidi = warnings
    assert long[2] == "too_long" and long[1] == "x" * SHOWN + "…"
    assert bidi[1] == "Oh\\u202eio" and "\u202e" not in bidi[1]
    assert shown("a\u200bb") == "a\\u200bb"


def test_dropped_parameters_become_a_warning(vocab):
    result = parse_query({"province": ["Fujian"], DROPPED_KEY: ["202"]}, vocab)
    assert ("dropped", "202", "over_limit") in result.warnings and result.state["province"] == ("CN-FJ",)
    assert not [w for w in result.warnings if w[2] == "unknown_key"]


def test_over_limit_query_is_trimmed_with_a_count():
    assert trimmed_query("province=Fujian&state=Ohio") is None
    query = "province=Fujian&" + "&".join(f"k{i}=v" for i in range(1_500))
    kept = urllib.parse.parse_qsl(trimmed_query(query))
    assert kept[0] == ("province", "Fujian") and len(kept) <= 1_000 and kept[-1] == (DROPPED_KEY, str(1_501 - len(kept) + 1))
    huge = "q=" + "x" * 600_000
    assert urllib.parse.parse_qs(trimmed_query(huge))[DROPPED_KEY] == ["1"]


def test_frame_ancestors_allow_only_the_embed_view():
    page, embed = dict(headers_for("/flows")), dict(headers_for("/embed/corporate-giving"))
    assert b"frame-ancestors 'self'" in page[b"content-security-policy"] and page[b"x-frame-options"] == b"SAMEORIGIN"
    assert b"frame-ancestors" not in embed[b"content-security-policy"] and b"x-frame-options" not in embed
    assert "default-src 'self'" in CSP and "https:" not in CSP, "no other origin is allowed"


def test_connect_src_allows_only_this_server():
    # issue #30 item 14: `ws: wss:` would let a page open a websocket to any host; CSP 'self' already matches
    # ws(s) of the page's own host (checked in the browser through the proxy, tests/e2e/test_serve.py)
    connect = next(d for d in CSP.split("; ") if d.startswith("connect-src")).split()[1:]
    assert "'self'" in connect
    assert not [s for s in connect if s in ("ws:", "wss:", "*", "http:", "https:") or "://" in s], connect


@pytest.mark.parametrize("value, expected", [("https://atlas.example.org/", "https://atlas.example.org"),
                                             ("http://10.0.0.7:8501/atlas", "http://10.0.0.7:8501/atlas"),
                                             ("", ""), ("javascript:alert(1)", ""), ('https://x.org/"><b>', ""),
                                             ("https://evil.example@x.org", "")])
def test_links_in_files_rest_on_atlas_base_url_or_are_relative(monkeypatch, value, expected):
    # issue #30 item 12: never the request's Host
    from components.http import link_base
    monkeypatch.setenv("ATLAS_BASE_URL", value)
    assert link_base() == expected


def test_the_redirect_of_an_over_limit_link_is_short():
    # issue #30 item 13: the trimmed link goes back in a Location header, which a proxy must be able to hold
    from components.security import MAX_REDIRECT_CHARS
    query = "&".join(f"k{i}=" + "v" * 300 for i in range(1_200))
    trimmed = trimmed_query(query)
    assert len(trimmed) <= MAX_REDIRECT_CHARS <= 16 * 1024
    kept = urllib.parse.parse_qsl(trimmed)
    assert kept[-1] == (DROPPED_KEY, str(1_200 - len(kept) + 1)) and len(kept) > 10

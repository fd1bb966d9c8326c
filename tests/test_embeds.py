"""components/embeds.py and its addresses (issue #33): the oEmbed answer for a chart address and for a page address,
the embed page's resizer and language, the listener script, the embed code, CORS on the data and images only.

Routes are called in-process, through `components.http.ROUTES` as Starlette would match them (no server, no browser;
tests/e2e/test_embed.py resizes a real iframe on another origin and fetches across origins)."""
import asyncio
import io
import json
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from components import embeds, http
from components.security import SecurityMiddleware

HOST = "http://testserver"


def get(url: str):
    """An absolute URL of this app answered by the route Starlette would pick for it."""
    from starlette.routing import Match
    request = http.request_for(url)
    for route in http.ROUTES:
        match, child = route.matches({"type": "http", "path": request.url.path, "method": "GET"})
        if match == Match.FULL:
            request.scope["path_params"] = child.get("path_params", {})
            return route.endpoint(request)
    raise AssertionError(f"no route for {url}")


def oembed(url: str, **params):
    query = "&".join([f"url={quote(url, safe='')}"] + [f"{k}={v}" for k, v in params.items()])
    answer = get(f"{HOST}/api/v1/oembed?{query}")
    return answer.status_code, json.loads(answer.body)


def iframe_src(html: str) -> str:
    start = html.index('src="') + 5
    return html[start:html.index('"', start)].replace("&amp;", "&")


def test_oembed_of_a_chart_address_carries_its_filters_and_language():
    status, body = oembed(f"{HOST}/charts/provinces-and-states.png?province=Fujian&lang=zh")
    assert status == 200, body
    assert body["version"] == "1.0" and body["type"] == "rich" and body["provider_name"] == "Cooperation Atlas"
    assert body["provider_url"] == f"{HOST}/"
    assert isinstance(body["width"], int) and isinstance(body["height"], int) and body["height"] > 200
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["title"]), body["title"]
    src = urlsplit(iframe_src(body["html"]))
    assert (src.scheme, src.netloc, src.path) == ("http", "testserver", "/embed/provinces-and-states")
    assert parse_qs(src.query) == {"province": ["Fujian"], "lang": ["zh"]}
    assert f'<script src="{HOST}/assets/embed.js" async></script>' in body["html"]
    assert 'data-atlas-embed="provinces-and-states"' in body["html"]
    thumb = urlsplit(body["thumbnail_url"])
    assert thumb.path == "/charts/provinces-and-states.png"
    assert parse_qs(thumb.query) == {"province": ["Fujian"], "lang": ["zh"], "size": ["card"]}
    assert (body["thumbnail_width"], body["thumbnail_height"]) == (1200, 630)


def test_oembed_of_a_page_address_embeds_its_main_chart_or_map():
    status, body = oembed(f"{HOST}/flows?province=Fujian&state=Ohio&level=place")
    assert status == 200, body
    src = urlsplit(iframe_src(body["html"]))
    assert src.path == "/embed/flow-map"
    assert parse_qs(src.query) == {"province": ["Fujian"], "state": ["Ohio"], "level": ["place"]}
    assert body["title"] == "Who sent what to whom: flows between China and the US"
    for page, exhibit in (("/", "items-each-way"), ("/corporate?currency=USD", "corporate-giving"),
                          ("/survey", "survey-findings"), ("/pairings", "sister-relationships-map")):
        status, body = oembed(HOST + page)
        assert status == 200 and urlsplit(iframe_src(body["html"])).path == f"/embed/{exhibit}", (page, body)
    status, body = oembed(f"{HOST}/embed/timeline?lang=zh")
    assert status == 200 and "lang=zh" in iframe_src(body["html"])


def test_oembed_sizes_keep_within_maxwidth_and_maxheight():
    status, body = oembed(f"{HOST}/charts/timeline.png", maxwidth=600, maxheight=300)
    assert status == 200 and body["width"] == 600 and body["height"] == 300
    assert "thumbnail_url" not in body, "a 1200x630 thumbnail would not respect maxwidth"


@pytest.mark.parametrize("url", [
    "http://elsewhere.example/flows",            # another server
    f"{HOST}/charts/no-such-chart.png",          # an unknown exhibit
    f"{HOST}/embed/flows",                       # a table has no embed
    f"{HOST}/api/v1/flows.csv",                  # data, not a chart
    f"{HOST}/data",                              # a page with tables only
    f"{HOST}/nowhere",
    "javascript:alert(1)",
])
def test_oembed_answers_404_for_addresses_that_are_not_a_chart_of_this_server(url):
    status, body = oembed(url)
    assert status == 404 and body["error"] == "not_found", (url, body)


def test_oembed_xml_is_501_and_bad_parameters_are_400():
    assert oembed(f"{HOST}/flows", format="xml")[0] == 501
    assert oembed(f"{HOST}/flows", format="yaml")[0] == 400
    assert oembed(f"{HOST}/flows", maxwidth="-5")[0] == 400
    assert oembed(f"{HOST}/flows?state=Narnia")[0] == 400  # the page's parser, as every address


def test_oembed_follows_the_base_url_when_one_is_set(monkeypatch):
    monkeypatch.setenv("ATLAS_BASE_URL", "https://atlas.example.org")
    status, body = oembed("https://atlas.example.org/flows?province=Fujian")
    assert status == 200 and iframe_src(body["html"]).startswith("https://atlas.example.org/embed/flow-map?")
    assert oembed(f"{HOST}/flows")[0] == 404


def test_the_embed_page_posts_its_height_and_speaks_the_links_language():
    answer = get(f"{HOST}/embed/provinces-and-states?province=Fujian&lang=zh")
    page = answer.body.decode()
    assert answer.status_code == 200
    assert '<script src="/assets/embed-resize.js" data-atlas-embed="provinces-and-states"></script></body>' in page
    assert '<html lang="zh-Hans">' in page
    assert "各省" in page or "福建" in page, "the chart in the link's language"
    script = get(f"{HOST}/assets/embed-resize.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert b'"atlas-height"' in script.body and b"ResizeObserver" in script.body and b"postMessage" in script.body


def test_the_listener_is_served_at_a_stable_address():
    answer = get(f"{HOST}/assets/embed.js")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/javascript")
    assert b'addEventListener("message"' in answer.body and b"atlas-height" in answer.body
    assert b"contentWindow === event.source" in answer.body


def test_the_embed_code_escapes_its_title_and_names_the_listener():
    code = embeds.snippet('https://a.example/embed/timeline?lang=zh&x="1"', "timeline", 'Say "<b>hi</b>" & bye', 540,
                          "https://a.example")
    assert 'title="Say &quot;&lt;b&gt;hi&lt;/b&gt;&quot; &amp; bye"' in code
    assert 'src="https://a.example/embed/timeline?lang=zh&amp;x=&quot;1&quot;"' in code
    assert code.endswith('<script src="https://a.example/assets/embed.js" async></script>')
    assert 'height="540"' in code and 'data-atlas-embed="timeline"' in code


def test_a_map_image_becomes_a_card_whole():
    from PIL import Image
    src = io.BytesIO()
    Image.new("RGB", (1400, 1050), "#336699").save(src, "PNG")
    card = Image.open(io.BytesIO(embeds.card_from_image(src.getvalue())))
    assert card.size == (1200, 630)
    assert card.getpixel((600, 315)) == (51, 102, 153) and card.getpixel((5, 315)) == (255, 255, 255)


def test_size_card_is_for_png_only():
    assert get(f"{HOST}/charts/timeline.svg?size=card").status_code == 400
    assert get(f"{HOST}/charts/timeline.png?size=huge").status_code == 400
    assert get(f"{HOST}/api/v1/flows.csv?size=card").status_code == 400


# --- CORS ------------------------------------------------------------------------------------------------------------

def asgi(method: str, path: str) -> tuple[int, dict]:
    """One request through the security middleware in front of an app that answers 200 to everything."""
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}
    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "headers": [], "root_path": "",
             "client": ("203.0.113.9", 5000)}
    asyncio.run(SecurityMiddleware(app)(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


@pytest.mark.parametrize("path", ["/api/v1/flows.csv", "/api/v1/", "/charts/timeline.png", "/api/v1/oembed"])
def test_data_and_images_answer_any_origin(path):
    for method in ("GET", "HEAD"):
        status, headers = asgi(method, path)
        assert headers["access-control-allow-origin"] == "*", (method, path)
        assert "ETag" in headers["access-control-expose-headers"]
        assert "content-security-policy" in headers and headers["x-content-type-options"] == "nosniff"
        assert "access-control-allow-credentials" not in headers
    status, headers = asgi("OPTIONS", path)
    assert status == 204 and headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/", "/flows", "/embed/timeline", "/assets/embed.js", "/_stcore/stream", "/healthz"])
def test_pages_the_websocket_and_assets_get_no_cors(path):
    for method in ("GET", "OPTIONS", "POST"):
        status, headers = asgi(method, path)
        assert not any(k.startswith("access-control-") for k in headers), (method, path, headers)
    status, headers = asgi("POST", "/api/v1/flows.csv")
    assert "access-control-allow-origin" not in headers, "GET and HEAD only"


def test_the_briefs_link_names_only_a_host_the_server_answers_under(monkeypatch):
    assert http.brief_base(http.request_for("http://127.0.0.1:8501/api/v1/brief.pdf")) == "http://127.0.0.1:8501"
    assert http.brief_base(http.request_for("http://localhost:8501/api/v1/brief.pdf")) == "http://localhost:8501"
    assert http.brief_base(http.request_for("http://evil.example/api/v1/brief.pdf")) == "", "a relative link"
    monkeypatch.setenv("ATLAS_BASE_URL", "https://atlas.example.org")
    assert http.brief_base(http.request_for("http://evil.example/api/v1/brief.pdf")) == "https://atlas.example.org"


def test_unknown_assets_answer_a_json_404():
    # README "Serving safely": unknown addresses under /assets/ answer a JSON 404 too (the browser test's list of
    # prefixes covers /api/v1/, /charts/ and /embed/)
    import json
    for path in ("/assets/nope.json", "/assets/outlines-world-0000000000000000.json"):
        answer = get(f"{HOST}{path}")
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("application/json"), path
        assert json.loads(answer.body)["error"] == "not_found"


def test_each_search_of_a_table_is_its_own_csv():
    # README "Bad input": every distinct link makes its own export, a CSV of the data page's search q= one per search
    wiki = get(f"{HOST}/api/v1/sources.csv?q=wikipedia")
    ccg = get(f"{HOST}/api/v1/sources.csv?q=CCG")
    assert wiki.status_code == ccg.status_code == 200
    assert wiki.body != ccg.body and b"wikipedia" in wiki.body.lower() and b"Center for China" in ccg.body
    assert get(f"{HOST}/api/v1/sources.csv?q=wikipedia").body == wiki.body  # the same search, the same file

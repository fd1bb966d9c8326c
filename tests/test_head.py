"""components.head through the routes that serve it (issue #33): every page's and embed's <head> carries citation,
Dublin Core, Open Graph and Twitter tags, oEmbed discovery and Dataset JSON-LD; og:image is the page's main chart
with the link's own filters; hostile queries never become markup and do not multiply the cache's entries;
/api/v1/dataset.jsonld has Google's required and recommended Dataset properties."""
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.requests import Request

from components import data, head, http
from components.site import PAGES


@pytest.fixture(autouse=True)
def package_loaded():
    data.get()   # the head's tags come once the package is loaded (before, the page is served without waiting)


def request(url: str, **path_params) -> Request:
    parts = urlsplit(url)
    return Request({"type": "http", "method": "GET", "path": parts.path, "raw_path": parts.path.encode(),
                    "query_string": parts.query.encode(), "headers": [(b"host", b"localhost:8501")], "scheme": "http",
                    "server": ("localhost", 8501), "root_path": "", "path_params": path_params})


class Head(HTMLParser):
    """The <head>'s meta tags, links and JSON-LD scripts, and every element seen in it, as a browser would parse them."""
    def __init__(self):
        super().__init__()
        self.meta, self.links, self.ld, self.elements, self._in_ld, self._in_head = {}, [], [], [], False, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "head":
            self._in_head = True
        if not self._in_head:
            return
        self.elements.append(tag)
        if tag == "meta" and ("name" in a or "property" in a):
            self.meta.setdefault(a.get("name") or a.get("property"), []).append(a.get("content"))
        elif tag == "link":
            self.links.append(a)
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False
        if tag == "head":
            self._in_head = False

    def handle_data(self, text):
        if self._in_ld:
            self.ld[-1] += text


def parsed(body: bytes) -> Head:
    h = Head()
    h.feed(body.decode("utf-8"))
    return h


def page(url: str) -> Head:
    response = http.page_html(request(url))
    assert response.status_code == 200
    return parsed(response.body)


CITATION_TAGS = ("citation_title", "citation_author", "citation_public_url", "citation_publisher", "DC.title",
                 "DC.creator", "DC.identifier", "DC.rights", "og:title", "og:description", "og:url", "og:image",
                 "twitter:card", "twitter:image", "description")


@pytest.mark.parametrize("p", PAGES, ids=lambda p: p.key)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_head_carries_citation_open_graph_oembed_and_dataset_tags(p, lang):
    h = page(p.path + ("?lang=zh" if lang == "zh" else ""))
    for name in CITATION_TAGS:
        assert h.meta.get(name) and all(h.meta[name]), (p.key, name)
    assert h.meta["citation_author"] == ["Cooperation Atlas"] and h.meta["twitter:card"] == ["summary_large_image"]
    assert h.meta["og:image"] == h.meta["twitter:image"]
    rels = {link["rel"]: link for link in h.links}
    # what a reference manager keeps names the version seen; the link shared (og:url) follows the latest (issue 33)
    assert rels["cite-as"]["href"] == h.meta["citation_public_url"][0] == h.meta["DC.identifier"][0]
    pinned = urlsplit(h.meta["citation_public_url"][0])
    assert pinned.path == urlsplit(h.meta["og:url"][0]).path == p.path
    assert parse_qs(pinned.query) == {**parse_qs(urlsplit(h.meta["og:url"][0]).query), "version": ["2.0.0"]}
    oembed = next(link for link in h.links if link.get("type") == "application/json+oembed")
    assert urlsplit(oembed["href"]).path == "/api/v1/oembed"
    assert parse_qs(urlsplit(oembed["href"]).query) == {"url": [h.meta["og:url"][0]], "format": ["json"]}
    alternates = {link["type"]: link["href"] for link in h.links if link["rel"] == "alternate"}
    assert {"application/x-bibtex", "application/x-research-info-systems",
            "application/vnd.citationstyles.csl+json"} <= set(alternates)
    assert urlsplit(alternates["application/x-bibtex"]).path.startswith("/api/v1/cite/")
    [ld] = h.ld
    dataset = json.loads(ld)
    assert dataset["@type"] == "Dataset" and dataset["version"] == data.get().package.descriptor["version"]
    assert "zh" in h.meta["citation_language"][0] if lang == "zh" else h.meta["citation_language"] == ["en"]


@pytest.mark.parametrize("url,image", [
    ("/flows?province=Fujian", "/charts/flow-map.png?province=Fujian&size=card"),
    ("/flows?province=Fujian&state=Ohio&lang=zh", "/charts/flow-map.png?province=Fujian&state=Ohio&lang=zh&size=card"),
    ("/?province=Fujian", "/charts/items-each-way.png?province=Fujian&size=card"),
    ("/corporate?currency=USD", "/charts/corporate-giving.png?currency=USD&size=card"),
    ("/pairings?province=Fujian", "/charts/sister-relationships-map.png?province=Fujian&size=card"),
    ("/survey", "/charts/survey-findings.png?size=card"),
])
def test_og_image_is_the_pages_main_chart_with_the_links_own_filters(url, image):
    h = page(url)
    assert h.meta["og:image"] == [image]
    assert h.meta["og:url"] == [url]


def test_absolute_addresses_under_the_configured_base(monkeypatch):
    monkeypatch.setenv("ATLAS_BASE_URL", "https://atlas.example.org")
    h = page("/flows?province=Fujian")
    assert h.meta["og:image"] == ["https://atlas.example.org/charts/flow-map.png?province=Fujian&size=card"]
    assert h.meta["og:url"] == ["https://atlas.example.org/flows?province=Fujian"]
    oembed = next(link for link in h.links if link.get("type") == "application/json+oembed")
    assert oembed["href"].startswith("https://atlas.example.org/api/v1/oembed?url=https%3A%2F%2Fatlas.example.org%2Fflows")


def test_the_citation_title_names_the_filters_and_the_head_is_in_the_links_language():
    h = page("/flows?province=Fujian&lang=zh")
    assert h.meta["citation_title"] == ["友城援助流向：中国省份：福建"]
    assert any("全球化智库" in s or "Center for China and Globalization" in s for s in h.meta["DC.source"])
    body = http.page_html(request("/flows?province=Fujian&lang=zh")).body.decode()
    assert '<html lang="zh-Hans">' in body and "<title>友城援助流向 · 合作图谱 Cooperation Atlas</title>" in body


HOSTILE = ['"><script>alert(1)</script>', "</script><script>alert(1)</script>", "<img src=x onerror=alert(1)>",
           "' onload='alert(1)", "&lt;b&gt;", "\u202e\n\r\x00</title>"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("url", ["/data?table=donations&q={}", "/pairings?place={}", "/flows?province={}",
                                 "/?province=Fujian&{}=1", "/flows?lang={}"])
def test_markup_in_a_query_never_becomes_markup_in_the_head(url, value):
    from urllib.parse import quote
    body = http.page_html(request(url.format(quote(value)))).body.decode("utf-8")
    h = parsed(body.encode())
    head_html = body[body.index("<head>"):body.index("</head>")]
    assert "<script>alert" not in head_html and "<img" not in head_html and "onerror=alert" not in head_html.replace(
        "&quot;", "").replace("&lt;", "")
    # every element of the head is one the page or the tags put there: none came from the query
    assert set(h.elements) <= {"head", "meta", "link", "script", "title", "style", "noscript"}
    assert len(h.ld) == 1 and json.loads(h.ld[0])["@type"] == "Dataset"
    for values in h.meta.values():
        for v in values:
            assert "<script" not in (v or "") or v.count("<script") == value.count("<script")  # text, shown as typed


def test_a_search_with_markup_is_text_in_the_json_ld_and_the_tags():
    body = http.page_html(request("/data?table=donations&q=%3C%2Fscript%3E%3Cb%3Ex")).body.decode("utf-8")
    ld = body[body.index('<script type="application/ld+json">'):]
    ld = ld[:ld.index("</script>") + 9]
    content = ld[len('<script type="application/ld+json">'):-len("</script>")]
    assert "<" not in content and ">" not in content and json.loads(content)["url"] == "/data"
    h = parsed(body.encode())
    assert h.meta["og:url"] == ["/data?table=donations&q=%3C%2Fscript%3E%3Cb%3Ex"]


def test_queries_that_mean_the_same_view_share_one_cache_entry(monkeypatch):
    keys = []
    real = data.rendered

    def spy(key, make):
        if key and key[0] == "page_html":
            keys.append(key)
        return real(key, make)
    monkeypatch.setattr(data, "rendered", spy)
    for url in ["/flows?province=Fujian", "/flows?province=fujian&bogus=1", "/flows?province=Fujian&province=Fujian",
                "/flows?province=Fujian&currency=USD", "/flows?province=Fujian&q=anything", "/flows?province=Narnia&province=Fujian",
                "/flows?utm_source=x&province=Fujian"]:
        http.page_html(request(url))
    assert len(set(keys)) == 1, set(keys)


def test_hostile_queries_do_not_bloat_the_cache(monkeypatch):
    keys = set()
    real = data.rendered

    def spy(key, make):
        if key and key[0] == "page_html":
            keys.add(key)
        return real(key, make)
    monkeypatch.setattr(data, "rendered", spy)
    for i in range(200):
        http.page_html(request(f"/flows?province=Fujian&x{i}=<b>{i}</b>&state=Narnia{i}"))
    assert len(keys) == 1


def test_a_broken_package_still_gets_its_page(monkeypatch):
    from atlas.package import PackageError

    def broken():
        raise PackageError("the package is broken")
    monkeypatch.setattr(data, "get", broken)
    monkeypatch.setattr(data, "vocab", broken)
    response = http.page_html(request("/flows?province=Fujian"))
    assert response.status_code == 200 and b"/assets/boot.js" in response.body and b"citation_title" not in response.body


def test_the_page_is_not_held_back_while_the_package_loads(monkeypatch):
    monkeypatch.setattr(data, "loaded", lambda: False)
    monkeypatch.setattr(data, "get", lambda: pytest.fail("page_html waited for the package"))
    response = http.page_html(request("/flows?province=Fujian&lang=zh"))
    assert response.status_code == 200 and b'<html lang="zh-Hans">' in response.body and b"citation_title" not in response.body


def test_the_embed_head_carries_the_tags_of_its_exhibit():
    response = http.embed(request("/embed/corporate-giving?currency=USD&lang=zh", name="corporate-giving"))
    h = parsed(response.body)
    image, = h.meta["og:image"]
    assert urlsplit(image).path == "/charts/corporate-giving.png"
    assert parse_qs(urlsplit(image).query) == {"currency": ["USD"], "lang": ["zh"], "size": ["card"]}
    url, = h.meta["citation_public_url"]
    # the page the embed links back to names the version of the data it shows (issue 33)
    assert urlsplit(url).path == "/corporate" and parse_qs(urlsplit(url).query) == {"currency": ["USD"], "lang": ["zh"],
                                                                                    "version": ["2.0.0"]}
    assert h.meta["citation_title"] == h.meta["DC.title"] and h.meta["citation_author"] == ["Cooperation Atlas"]
    assert len(h.ld) == 1 and json.loads(h.ld[0])["@type"] == "Dataset"
    assert response.body.decode().count("<head>") == 1


def test_a_map_embed_has_the_tags_too():
    response = http.embed(request("/embed/flow-map?province=Fujian", name="flow-map"))
    h = parsed(response.body)
    assert h.meta["og:image"] == ["/charts/flow-map.png?province=Fujian&size=card"]
    assert h.meta["twitter:card"] == ["summary_large_image"]


# --- /api/v1/dataset.jsonld --------------------------------------------------------------------------------------

def dataset() -> dict:
    response = http.dataset_jsonld(request("/api/v1/dataset.jsonld"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    assert response.headers["x-content-type-options"] == "nosniff"
    return json.loads(response.body)


def test_dataset_jsonld_has_googles_required_and_recommended_properties():
    d = dataset()
    descriptor = data.get().package.descriptor
    # required (https://developers.google.com/search/docs/appearance/structured-data/dataset)
    assert d["@context"] == "https://schema.org" and d["@type"] == "Dataset"
    assert d["name"] == descriptor["title"]
    descriptions = {x["@language"]: x["@value"] for x in d["description"]}
    assert descriptions["en"] == descriptor["description"] and re.search(r"[\u4e00-\u9fff]", descriptions["zh-Hans"])
    assert all(50 <= len(v) <= 5000 for v in descriptions.values()) or all(len(v) >= 50 for v in descriptions.values())
    # recommended
    assert d["license"] == descriptor["licenses"][0]["path"]
    assert d["creator"] == {"@type": "Organization", "name": "Cooperation Atlas", "alternateName": "合作图谱", "url": "/"}
    assert d["version"] == descriptor["version"] and d["isAccessibleForFree"] is True and d["url"]
    assert {p["name"] for p in d["spatialCoverage"]} == {"China", "United States"}
    start, end = d["temporalCoverage"].split("/")
    assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", start) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", end) and start < end
    downloads = {x["name"]: x for x in d["distribution"]}
    for resource in descriptor["resources"]:
        x = downloads[resource["name"]]
        assert x["@type"] == "DataDownload" and x["encodingFormat"] == "text/csv"
        assert x["contentUrl"] == f"/api/v1/{resource['name']}.csv"
    assert downloads["cooperation-atlas-data.zip"]["encodingFormat"] == "application/zip"
    sources = data.get().package.tables["sources"]
    assert len(d["isBasedOn"]) == len(sources) and len(d["citation"]) == len(sources)
    assert d["isBasedOn"][0]["name"].startswith("China-US non-governmental cooperation in response to COVID-19")
    assert "datePublished" not in d or re.fullmatch(r"\d{4}-\d{2}-\d{2}", d["datePublished"])  # never an invented date


def test_temporal_coverage_spans_the_packages_own_dates():
    pkg = data.get().package
    start, end = dataset()["temporalCoverage"].split("/")
    assert start == str(pkg.tables["pairing_years"]["year"].min())
    assert end == max(str(v) for v in pkg.key_figures["date"].astype(str))


def test_the_index_lists_the_citation_and_dataset_addresses():
    body = json.loads(http.index(request("/api/v1/")).body)
    assert body["dataset"] == "/api/v1/dataset.jsonld" and body["cite"]["atlas"]["bib"] == "/api/v1/cite/atlas.bib"
    entry = next(e for e in body["exhibits"] if e["name"] == "flow-map")
    assert entry["cite"]["ris"] == "/api/v1/cite/flow-map.ris"


def test_attr_escapes_quotes_and_markup():
    assert head.attr('"><script>') == "&quot;&gt;&lt;script&gt;"
    assert head.script_json({"a": "</script>&"}) == '{"a": "\\u003c/script\\u003e\\u0026"}'

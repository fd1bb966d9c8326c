"""The stable addresses over HTTP, against a running `streamlit run app.py` (components/http.py).

Every table and chart address must answer what the page shows for the same parameters: the page
builds each exhibit with `components.exhibits`, and so does the server; here the server's answers are
compared with the same exhibits built in this process from the same package, for five filter sets in
both languages. Then: the CSV a reader downloads on the page is byte for byte the address's; ETags;
hostile and unknown parameters; unknown names; pandas reading an address as the README prints it.
"""
import csv
import io
import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pandas as pd
import pytest
from playwright.sync_api import expect

from atlas.filters import parse_query
from components import data, exhibits

from .conftest import download, settle

FILTER_SETS = [
    {},
    {"province": ["Fujian"]},
    {"state": ["Ohio"], "direction": ["us_to_cn"]},
    {"province": ["Hubei", "Jiangsu"], "category": ["surgical_mask", "respirator_mask"]},
    {"from": ["2020-03"], "to": ["2020-04"], "actor": ["company"]},
]


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


@pytest.fixture(scope="module")
def local():
    return data.get()


def built(local, ex, params):
    state = parse_query(params, local.vocab).state
    return ex.build(exhibits.Ask(local, state))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("params", FILTER_SETS, ids=["none", "Fujian", "Ohio-us_to_cn", "Hubei+Jiangsu-masks", "spring-companies"])
def test_every_table_and_chart_address_answers_what_the_page_builds(app_url, local, params, lang):
    query = {**params, "lang": [lang]}
    qs = urlencode([(k, v) for k, vs in query.items() for v in vs])
    for ex in exhibits.EXHIBITS:
        made = built(local, ex, query)
        if ex.api_formats:
            status, headers, body = get(f"{app_url}/api/v1/{ex.name}.json?{qs}")
            if made is None:
                assert status == 404, ex.name
                continue
            assert status == 200, (ex.name, body[:300])
            table = made.data if ex.kind == "chart" else made
            answer = json.loads(body)
            assert answer["row_count"] == len(table), ex.name
            assert answer["rows"] == json.loads(table.to_json(orient="records", force_ascii=False)), ex.name
            assert answer["package"]["version"] == local.package.descriptor["version"]
            assert headers["x-content-type-options"] == "nosniff"
        if ex.kind == "chart" and made is not None:
            status, headers, body = get(f"{app_url}/charts/{ex.name}.json?{qs}")
            assert status == 200 and headers["content-type"].startswith("application/json")
            assert json.loads(body) == json.loads(made.figure.to_json()), ex.name
        if ex.kind == "map" and made is not None:
            status, headers, body = get(f"{app_url}/charts/{ex.name}.html?{qs}")
            assert status == 200 and body.startswith(b"<!DOCTYPE html>") and headers["content-type"].startswith("text/html")


def test_the_donations_csv_of_the_data_page_is_the_address(page, app_url, tmp_path):
    """The data page, donations table, Fujian: its CSV link downloads exactly /api/v1/donations.csv?province=Fujian."""
    page.goto(f"{app_url}/data?table=donations&province=Fujian")
    settle(page)
    expect(page.locator('[data-testid="stMain"]')).to_contain_text("8")
    path = download(page, "CSV", tmp_path, name_prefix="donations_province-Fujian", key="dl_table_donations_csv")
    status, headers, body = get(f"{app_url}/api/v1/donations.csv?province=Fujian")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert path.read_bytes() == body
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 8 and {r["donor_province_as_printed"] for r in rows} == {"Fujian"}


def test_the_flows_page_csv_is_the_flows_address(page, app_url, tmp_path):
    page.goto(f"{app_url}/flows?province=Fujian&lang=zh")
    settle(page)
    path = download(page, "CSV", tmp_path, name_prefix="flows_province-Fujian_zh", key="dl_flows_csv")
    assert path.read_bytes() == get(f"{app_url}/api/v1/flows.csv?province=Fujian&lang=zh")[2]


def test_etag_gives_304_and_a_changed_filter_a_new_tag(app_url):
    url = f"{app_url}/charts/provinces-and-states.svg?province=Fujian"
    status, headers, body = get(url)
    assert status == 200 and headers["content-type"] == "image/svg+xml" and b"<svg" in body[:400]
    etag = headers["etag"]
    assert get(url, {"If-None-Match": etag})[0] == 304
    other = get(f"{app_url}/charts/provinces-and-states.svg?province=Jiangsu")[1]["etag"]
    assert other != etag


def test_downloads_are_attachments_under_the_pages_file_names(app_url):
    status, headers, body = get(f"{app_url}/charts/survey-findings.png?lang=zh&download=1")
    assert status == 200 and body.startswith(b"\x89PNG\r\n\x1a\n")
    assert headers["content-disposition"].startswith('attachment; filename="survey-findings_zh.png"')
    status, headers, body = get(f"{app_url}/api/v1/cooperation-atlas-data.zip?download=1")
    assert status == 200 and body.startswith(b"PK") and "attachment" in headers["content-disposition"]


@pytest.mark.parametrize("query, param", [
    ("province=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "province"),
    ("state=Narnia", "state"),
    ("from=2020-13", "from"),
    ("evil=1", "evil"),
    ("theme=neon", "theme"),
    ("direction=cn_to_us&direction=us_to_cn", "direction"),
])
def test_hostile_or_unknown_parameters_get_a_400_naming_them(app_url, query, param):
    status, headers, body = get(f"{app_url}/api/v1/flows.csv?{query}")
    assert status == 400 and headers["content-type"] == "application/json"
    assert b"<" not in body and b"Traceback" not in body
    answer = json.loads(body)
    assert answer["error"] == "bad_parameters"
    assert param in [p["param"] for p in answer["problems"]]


def test_unknown_names_formats_and_oversized_queries_are_refused(app_url):
    for path in ("/api/v1/secrets.csv", "/api/v1/flows.xlsx", "/charts/flows.png", "/charts/nope.svg",
                 "/embed/sources", "/api/v1/.csv"):
        status, headers, body = get(app_url + path)
        assert status == 404 and json.loads(body)["error"] == "not_found", path
    # a path that climbs out is refused before any route sees it (Streamlit's path check answers 400)
    status, _, body = get(app_url + "/api/v1/..%2F..%2Fetc%2Fpasswd")
    assert status in (400, 404) and b"root:" not in body
    status, _, body = get(f"{app_url}/api/v1/flows.csv?q=" + "x" * 5000)
    assert status == 414 and json.loads(body)["error"] == "query_too_long"
    status, _, body = get(f"{app_url}/api/v1/flows.csv?" + "&".join(["lang=en"] * 101))
    assert status == 400 and json.loads(body)["error"] == "too_many_parameters"


def test_a_filter_the_table_does_not_read_is_named_not_applied(app_url, local):
    status, headers, body = get(f"{app_url}/api/v1/sources.csv?province=Fujian")
    assert status == 200 and headers["x-atlas-ignored"] == "province"
    assert len(list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))) == len(local.package.sources)


def test_pandas_reads_an_address_as_the_readme_prints_it(app_url):
    df = pd.read_csv(f"{app_url}/api/v1/donations.csv?province=Fujian")
    assert list(df.columns)[0] == "donation_id"  # the BOM (for Excel) is not read into the first header
    assert len(df) == 8 and set(df["direction"]) == {"cn_to_us"}


def test_catalogue_and_health(app_url, local):
    status, _, body = get(f"{app_url}/api/v1/")
    catalogue = json.loads(body)
    assert status == 200 and {e["name"] for e in catalogue["exhibits"]} == set(exhibits.BY_NAME)
    for entry in catalogue["exhibits"]:
        for url in list(entry["data"].values())[:1] + list(entry["files"].values())[:1]:
            assert get(app_url + url)[0] == 200, url
    status, _, body = get(f"{app_url}/healthz")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok" and health["records"] == len(local.records)
    assert health["package"]["version"] == local.package.descriptor["version"]
    status, _, body = get(f"{app_url}/api/v1/datapackage.json")
    assert status == 200 and json.loads(body)["name"] == local.package.descriptor["name"]


def test_the_embed_snippet_pasted_into_a_local_page_draws_the_chart_as_filtered(page, app_url, tmp_path):
    """A reader opens "Link, embed, cite" under the provinces chart, copies the iframe code into a page of their own."""
    page.goto(f"{app_url}/?province=Fujian&lang=zh")
    settle(page)
    panel = page.locator('[class*="st-key-share_"]').nth(1)  # the second chart: provinces and states
    panel.locator("summary").click()
    block = panel.locator("code", has_text="<iframe")
    expect(block).to_be_visible()
    snippet = block.inner_text()
    assert "/embed/provinces-and-states?" in snippet and "province=Fujian" in snippet and "lang=zh" in snippet
    html = tmp_path / "article.html"
    html.write_text(f"<!doctype html><html><body><h1>My article</h1>{snippet}</body></html>", encoding="utf-8")
    reader = page.context.new_page()
    reader.goto(html.as_uri())
    frame = reader.frame_locator("iframe")
    expect(frame.locator(".main-svg").first).to_be_visible(timeout=60_000)
    title = frame.locator(".gtitle").first.text_content()
    assert "省" in title or "州" in title, title  # the chart's Chinese title
    expect(frame.locator("svg").first).to_contain_text("福建")
    reader.close()


def test_a_download_is_served_by_another_process_than_the_readers_session(page, app_url, tmp_path):
    """Two app processes: the reader's session lives in the first, every file request goes to the second
    (as a load balancer without sticky downloads would send it). The files are still right."""
    from .conftest import start_server
    import os
    proc, other = start_server()
    try:
        sent = []

        def to_other(route):
            url = route.request.url.replace(app_url, other)
            sent.append(url)
            route.continue_(url=url)

        page.context.route("**/charts/**", to_other)  # the context's: a download link opens its own tab
        page.context.route("**/api/v1/**", to_other)
        page.goto(f"{app_url}/flows?province=Fujian")
        settle(page)
        csv_path = download(page, "CSV", tmp_path, name_prefix="flows_province-Fujian", key="dl_flows_csv")
        page.goto(f"{app_url}/survey")
        settle(page)
        png_path = download(page, "PNG", tmp_path, name_prefix="survey-findings", key="dl_survey_png")
        assert sent and all(u.startswith(other) for u in sent)
        rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
        assert len({r["source_ref"] for r in rows}) == 8
        assert png_path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    finally:
        os.killpg(proc.pid, 15)


@pytest.mark.parametrize("path", [p.path for p in __import__("components.site", fromlist=["PAGES"]).PAGES])
def test_a_first_visit_to_each_page_has_no_failed_request(browser, browser_context_args, app_url, path):
    """A fresh browser on each page: nothing answers 4xx/5xx or fails (Streamlit's front end used to probe
    /<page>/_stcore/health and host-config first), the icon is ours, and a Chinese link gives <html lang>."""
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    bad = []
    page.on("response", lambda r: bad.append((r.status, r.url)) if r.status >= 400 else None)
    page.on("requestfailed", lambda r: bad.append(("failed", r.url)))
    try:
        page.goto(f"{app_url}{path}?lang=zh")
        settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert bad == []
        assert page.evaluate("document.documentElement.lang").startswith("zh")
        # The icon is ours and needs no network: app.py's two rings inline as an SVG data URL (no CDN, no media
        # file only one process can answer), and the browser draws it (a broken image has no natural width).
        import app
        icon = page.evaluate("document.querySelector('link[rel*=icon]').href")
        assert icon == app.ICON, icon[:80]
        drawn = page.evaluate("""(src) => new Promise((ok) => { const img = new Image();
            img.onload = () => ok(img.naturalWidth); img.onerror = () => ok(0); img.src = src; })""", icon)
        assert drawn > 0
    finally:
        context.close()


def test_csv_with_metadata_says_what_it_is_and_chinese_csv_reads_chinese(app_url):
    import zipfile
    status, headers, body = get(f"{app_url}/api/v1/provinces-and-states.zip?province=Fujian&lang=zh&download=1")
    assert status == 200 and headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        names = set(z.namelist())
        assert names == {"provinces-and-states_province-Fujian_zh.csv", "datapackage.json"}
        meta = json.loads(z.read("datapackage.json"))
        table = z.read("provinces-and-states_province-Fujian_zh.csv").decode("utf-8-sig")
    extra = meta["x-cooperation-atlas"]
    assert "福建" in extra["filters"] and extra["query"] == {"province": "Fujian", "lang": "zh"}
    # relative without ATLAS_BASE_URL: never the request's Host (issue #30 item 12)
    assert extra["page"].startswith("/?") and "province=Fujian" in extra["page"]
    assert extra["address"].startswith("/api/v1/provinces-and-states.csv")
    assert meta["licenses"][0]["name"] == "CC-BY-SA-4.0" and meta["sources"][0]["title"]
    header = next(csv.reader(io.StringIO(table)))
    assert [f["name"] for f in meta["resources"][0]["schema"]["fields"]] == header
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header), header
    english = get(f"{app_url}/api/v1/provinces-and-states.csv?province=Fujian")[2].decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(english))) != header  # English keeps the field names

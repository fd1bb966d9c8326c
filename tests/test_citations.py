"""components.citations and /api/v1/cite/ (issue #33): each exhibit's citation names the sources its rows cite (the
CCG report first, with the part it draws), its own filters and language, at an address with the right MIME type."""
import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from starlette.requests import Request

from atlas import cite
from atlas.filters import parse_query
from components import citations, data, exhibits, http


def request(url: str, host: bytes = b"localhost:8501", **path_params) -> Request:
    parts = urlsplit(url)
    return Request({"type": "http", "method": "GET", "path": parts.path, "raw_path": parts.path.encode(),
                    "query_string": parts.query.encode(), "headers": [(b"host", host)], "scheme": "http",
                    "server": ("localhost", 8501), "root_path": "", "path_params": path_params})


def get(file: str, query: str = "", **kw):
    return http.cite_file(request(f"/api/v1/cite/{file}" + (f"?{query}" if query else ""), file=file, **kw))


def state(**query):
    return parse_query({k: [v] for k, v in query.items()}, data.vocab()).state


@pytest.mark.parametrize("name,where", [("corporate-giving", "Table 4"), ("items-each-way", "Tables 1 and 2"),
                                        ("survey-findings", "online survey"), ("flow-map", "Tables 1 and 2")])
def test_a_chart_of_the_report_cites_it_first_with_the_part_it_draws(name, where):
    sources, _ = citations.sources_of(name, "en")
    assert sources[0].id == "ccg2020" and where in sources[0].where
    assert sources[0].title == data.get().package.tables["sources"].set_index("source_id").loc["ccg2020", "title"]


def test_a_chart_of_other_documents_cites_those_documents():
    sources, more = citations.sources_of("china-tech-philanthropy-online", "en")
    kf = data.get().package.key_figures
    assert {s.id for s in sources} <= set(kf["source_id"].astype(str)) and "ccg2020" not in {s.id for s in sources}
    years, more_years = citations.sources_of("sister-relationships-by-year", "en")
    cited = set(data.get().package.tables["pairing_years"]["source_id"].astype(str))
    assert {s.id for s in years} <= cited and len(years) + more_years == len(cited)


def test_a_table_without_source_ids_cites_the_packages_sources():
    sources, more = citations.sources_of("regions", "en")
    titles = [s["title"] for s in data.get().package.descriptor["sources"]]
    assert [s.title for s in sources] == titles[:len(sources)] and len(sources) + more == len(titles)


def test_the_view_cited_is_the_exhibits_own_filters_and_language():
    w = citations.work("flows-sankey", state(province="Fujian", currency="USD", lang="zh"), "http://h", dt.date(2026, 12, 6))
    # currency is no view option of the Sankey; the version seen is always named (issue 33: the citation keeps
    # pointing at what was seen when a newer version comes)
    assert w.url == "http://h/flows?province=Fujian&lang=zh&version=2.0.0"
    assert w.lang == "zh" and "福建" in w.filters and w.version == data.get().package.descriptor["version"] == "2.0.0"
    table = citations.work("donations", state(province="Fujian"), "")
    assert table.url == "/data?province=Fujian&version=2.0.0&table=donations"


@pytest.mark.parametrize("fmt,mime", [("bib", "application/x-bibtex"), ("ris", "application/x-research-info-systems"),
                                      ("json", "application/vnd.citationstyles.csl+json"), ("txt", "text/plain")])
@pytest.mark.parametrize("name", ["atlas", "package", "corporate-giving", "flow-map", "donations"])
def test_the_cite_address_answers_each_format_with_its_type_and_the_security_headers(name, fmt, mime):
    response = get(f"{name}.{fmt}", "lang=zh")
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == mime
    assert response.headers["x-content-type-options"] == "nosniff" and response.headers["etag"]
    assert response.headers["referrer-policy"] and "no-cache" in response.headers["cache-control"]
    body = response.body.decode("utf-8")
    assert data.get().package.descriptor["version"] in body and "http://localhost:8501/" in body
    if fmt == "json":
        assert json.loads(body)[0]["type"] == "dataset"


def test_download_makes_the_citation_an_attachment_named_after_the_view():
    response = get("items-each-way.bib", "province=Fujian&download=1")
    assert response.headers["content-disposition"].startswith('attachment; filename="items-each-way_province-Fujian.bib"')


@pytest.mark.parametrize("file", ["nothing.bib", "atlas.pdf", "atlas", "..%2Fdatapackage.json", "flow-map.csv"])
def test_an_unknown_name_or_format_is_a_json_404(file):
    response = get(file)
    assert response.status_code == 404 and json.loads(response.body)["error"] == "not_found"


def test_a_parameter_the_page_would_warn_about_is_a_400_naming_it():
    response = get("flow-map.bib", "province=Narnia")
    assert response.status_code == 400 and json.loads(response.body)["problems"][0]["param"] == "province"


def test_a_hostile_host_never_becomes_the_citations_address():
    response = http.cite_file(request("/api/v1/cite/atlas.txt", host=b'evil"><script>', file="atlas.txt"))
    assert response.status_code == 200 and b"<script>" not in response.body and b"evil" not in response.body


def test_the_configured_base_wins_over_the_host(monkeypatch):
    monkeypatch.setenv("ATLAS_BASE_URL", "https://atlas.example.org")
    body = get("atlas.ris").body.decode()
    assert "UR  - https://atlas.example.org/?version=2.0.0\n" in body and "localhost" not in body


def test_every_exhibit_is_citable_at_its_address():
    for ex in exhibits.EXHIBITS:
        response = get(f"{ex.name}.txt")
        assert response.status_code == 200, ex.name
        assert response.body.decode().startswith("Cooperation Atlas. (n.d.)"), ex.name
    assert cite.FORMATS.keys() == set(http.CITE_FORMATS)


@pytest.mark.parametrize("province", ["Fujian", "Shaanxi"])
def test_a_filtered_view_cites_the_documents_of_the_rows_it_keeps(province):
    s = state(province=province)
    kept = set()
    for table in ("donations", "support_messages"):
        rows = exhibits.package_table(exhibits.Ask(data.get(), s), table)
        for column in ("source_id", "event_source_id"):
            if column in rows.columns:
                kept |= {str(v) for v in rows[column].astype("string").dropna() if v}
    sources, more = citations.sources_of("flow-map", "en", s)
    assert sources[0].id == "ccg2020" and {x.id for x in sources} <= kept and len(sources) + more == len(kept)
    everything, more_all = citations.sources_of("flow-map", "en")
    assert len(sources) + more < len(everything) + more_all  # the filter left some documents out


def test_the_package_is_cited_with_every_source_it_lists():
    """The data page's "How to cite" said "... and four press sources" beside 166 rows of sources.csv. The package's
    citation (the one the page now shows) draws on every listed source, also those only a place's note cites, and a
    source named in a cell with others ("chinadaily2018-guangdong;ecns2018-guangdong") counts for each."""
    listed = data.get().package.tables["sources"]["source_id"].astype(str)
    sources, more = citations.sources_of("package", "en")
    assert len(sources) + more == len(listed) == 166 and sources[0].id == "ccg2020"
    text = cite.text(citations.work("package", state(), "https://atlas.example.org", dt.date(2026, 12, 6)))
    assert "version 2.0.0" in text and "and 163 further sources listed in sources.csv" in text
    years = {s.id for s in citations.sources_of("sister-relationships-by-year", "en")[0]}
    assert ";" not in "".join(years)

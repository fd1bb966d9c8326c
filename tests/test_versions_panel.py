"""Versions served (issue 33): components/data.using, the addresses by version, what changed at its address, citations
and file links naming the version seen, and the pages' notice (components/versions_panel.py). Routes are called
in-process as Starlette would match them; the pages through AppTest (marked app)."""
import csv
import io
import json
import re
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest

from atlas import flows, versions
from atlas.filters import Filters
from components import data, exhibits, http

HOST = "http://testserver"
MAY = {"province": "Fujian", "from": "2020-05", "to": "2020-05"}


def get(path: str):
    """`path` of this app answered in-process (tests/test_embeds.get, the one route picker of the tests)."""
    from tests.test_embeds import get as get_url
    return get_url(HOST + path)


def rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


# --- the cache keeps versions apart ------------------------------------------------------------------------------------

def test_each_version_has_its_own_package_views_and_files():
    may = Filters(provinces=("CN-FJ",), date_from="2020-05", date_to="2020-05")
    with data.using("1.0.0") as shown:
        assert shown.number == "1.0.0" and data.version().number == "1.0.0" and not data.version().current
        old = data.view(flows.view, may, level="region")
        assert data.view(flows.view, may, level="region") is old   # kept, once per version
        assert data.get().package.descriptor["version"] == "1.0.0"
        assert data.rendered(("probe",), lambda: "old") == "old" and data.api_prefix() == "/api/v1/v/1.0.0"
    assert data.view(flows.view, may, level="region") is None       # the latest counts none in May 2020
    assert data.rendered(("probe",), lambda: "new") == "new" and data.api_prefix() == "/api/v1"
    assert old.summary["masks_cn_to_us"] == 1_340_000 and data.version().current


def test_using_an_unknown_version_is_refused_before_any_file_is_read():
    with pytest.raises(versions.UnknownVersion):
        with data.using("../releases/1.0.0"):
            pass
    assert data.version().current


def test_a_citation_and_the_links_in_files_name_the_version_seen():
    state = {**exhibits.pinned({}), "province": ("CN-FJ",)}
    assert state["version"] == "2.0.0"
    with data.using("1.0.0"):
        assert exhibits.pinned({"version": "1.0.0"})["version"] == "1.0.0"
        body = get("/api/v1/cite/flow-map.txt?province=Fujian&version=1.0.0").body.decode()
    assert "[Map, version 1.0.0]" in body and f"{HOST}/flows?province=Fujian&version=1.0.0" in body
    latest = get("/api/v1/cite/flow-map.ris?province=Fujian").body.decode()
    assert "ET  - 2.0.0" in latest and f"UR  - {HOST}/flows?province=Fujian&version=2.0.0" in latest


def test_the_export_footer_names_the_version():
    ex = exhibits.BY_NAME["flows-sankey"]
    with data.using("1.0.0"):
        footer = http._footer(http.request_for(HOST + "/charts/flows-sankey.png"), ex, {"lang": "en", "version": "1.0.0"})
    assert footer.startswith("Cooperation Atlas · version 1.0.0 · /flows?version=1.0.0 · Licence:")
    zh = http._footer(http.request_for(HOST + "/charts/flows-sankey.png"), ex, {"lang": "zh", "version": ""})
    assert "2.0.0 版" in zh and "version=2.0.0" in zh


# --- the addresses ---------------------------------------------------------------------------------------------------

def test_the_versions_list():
    answer = get("/api/v1/versions.json")
    body = json.loads(answer.body)
    assert answer.status_code == 200 and body["latest"] == "2.0.0"
    old, new = body["versions"]
    assert (old["version"], old["commit"][:7], old["current"]) == ("1.0.0", "dbaed23", False)
    assert old["datapackage"] == "/api/v1/v/1.0.0/datapackage.json" and new["datapackage"] == "/api/v1/datapackage.json"
    assert new["changes"] == "/api/v1/changes.csv?from=1.0.0&to=2.0.0" and "changes" not in old


def test_an_old_version_is_served_beside_the_new_one():
    old = get("/api/v1/v/1.0.0/donations.csv?province=Fujian")
    new = get("/api/v1/donations.csv?province=Fujian")
    assert old.headers["X-Atlas-Package-Version"] == "1.0.0" and new.headers["X-Atlas-Package-Version"] == "2.0.0"
    honolulu = {r["donation_id"]: r for r in rows(old.body)}["t1-13"], {r["donation_id"]: r for r in rows(new.body)}["t1-13"]
    assert [(r["status"], r["date_kind"], r["event_date"]) for r in honolulu] == [("donated", "event", ""),
                                                                                  ("delivered", "listed", "2020-06-23")]
    assert get("/api/v1/donations.csv?province=Fujian&version=1.0.0").body == old.body   # the same by its parameter
    assert '</api/v1/v/1.0.0/datapackage.json>; rel="describedby"' in old.headers["Link"]
    meta = json.loads(get("/api/v1/v/1.0.0/flows.json?from=2020-05&to=2020-05&province=Fujian").body)
    assert meta["package"]["version"] == "1.0.0" and meta["package"]["latest_version"] == "2.0.0"
    assert meta["row_count"] == 12 and meta["query"]["version"] == "1.0.0"
    assert json.loads(get("/api/v1/flows.json?from=2020-05&to=2020-05&province=Fujian").body)["row_count"] == 0


def test_the_old_descriptor_and_zip_are_the_release():
    descriptor = json.loads(get("/api/v1/v/1.0.0/datapackage.json").body)
    assert descriptor["version"] == "1.0.0" and descriptor["x-release"]["commit"].startswith("dbaed23")
    z = zipfile.ZipFile(io.BytesIO(get("/api/v1/v/1.0.0/cooperation-atlas-data.zip").body))
    assert "release.json" in z.namelist() and "pairing_years.csv" not in z.namelist()
    assert json.loads(z.read("datapackage.json"))["version"] == "1.0.0"
    assert z.read("donations.csv").split(b"\n")[0].decode() == (
        "donation_id,direction,donor_province_as_printed,donor_as_printed,donor_place_id,recipient_as_printed,"
        "recipient_place_id,as_of,status,items_as_printed,correction_note,doubtful,source_id,source_ref")
    latest = zipfile.ZipFile(io.BytesIO(get("/api/v1/cooperation-atlas-data.zip").body))
    assert "CHANGELOG.md" in latest.namelist() and json.loads(latest.read("datapackage.json"))["version"] == "2.0.0"


@pytest.mark.parametrize("path", ["/api/v1/v/9.9.9/donations.csv", "/api/v1/v/..%2F..%2Fdata/donations.csv",
                                  "/api/v1/v/1.0.0%00/datapackage.json", "/api/v1/v/releases/"])
def test_a_version_not_kept_is_a_404_naming_those_that_are(path):
    answer = get(path)
    body = json.loads(answer.body)
    assert answer.status_code == 404 and body["error"] == "unknown_version" and body["versions"] == ["1.0.0", "2.0.0"]


@pytest.mark.parametrize("query", ["version=..%2F..%2Fetc", "version=9.9.9", "version=1.0.0&version=2.0.0"])
def test_a_bad_version_parameter_is_a_400_naming_it(query):
    answer = get(f"/api/v1/flows.csv?{query}")
    body = json.loads(answer.body)
    assert answer.status_code == 400 and body["problems"][0]["param"] == "version"


def test_the_path_and_the_query_cannot_name_two_versions():
    answer = get("/api/v1/v/1.0.0/donations.csv?version=2.0.0")
    assert answer.status_code == 400 and json.loads(answer.body)["problems"][0]["param"] == "version"
    assert get("/api/v1/v/1.0.0/donations.csv?version=1.0.0").status_code == 200


def test_what_changed_at_its_address_lists_the_corrected_rows_with_their_reasons():
    answer = get("/api/v1/changes.csv?from=1.0.0&to=2.0.0")
    table = rows(answer.body)
    assert answer.status_code == 200 and len(table) == 1030
    status = [r for r in table if r["table"] == "donations" and r["field"] == "status"]
    assert [(r["key"], r["before"], r["after"], r["source_id"]) for r in status] == [
        ("t1-04", "donated", "delivered", "wlns2020-04-13"), ("t1-13", "donated", "delivered", "staradvertiser2020-06-23"),
        ("t1-17", "donated", "delivered", "nbc15-2020-heilongjiang"), ("t1-67", "donated", "delivered", "goerie2020-04-30")]
    assert all(r["reason"] and r["reason_zh"] and (r["from"], r["to"]) == ("1.0.0", "2.0.0") for r in table)
    assert get("/api/v1/changes.csv?from=2.0.0&to=1.0.0").body == answer.body   # from the older to the newer
    assert get("/api/v1/changes.csv").body == answer.body                        # the latest and the one before
    summary = json.loads(get("/api/v1/changes.json?from=1.0.0").body)["summary"]
    assert {s["table"]: s["changed"] for s in summary}["donations"] == 71
    assert rows(get("/api/v1/changes.csv?from=1.0.0&to=1.0.0").body) == []


@pytest.mark.parametrize("query", ["from=7.0.0", "to=../x", "since=1.0.0", "from=1.0.0&from=2.0.0", "download=yes"])
def test_what_changed_refuses_what_it_does_not_take(query):
    answer = get(f"/api/v1/changes.csv?{query}")
    assert answer.status_code == 400 and json.loads(answer.body)["error"] == "bad_parameters"


def test_the_changelog_is_served():
    answer = get("/api/v1/CHANGELOG.md")
    text = answer.body.decode()
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/markdown")
    assert "## 2.0.0 (2026-12-06)" in text and "## 1.0.0 (2026-12-01)" in text
    assert "| `donations` | 0 | 0 | 71 |" in text and "`t1-13`; source: staradvertiser2020-06-23" in text


def test_an_old_pages_head_names_its_version():
    data.get()
    body = http.page_html(http.request_for(HOST + "/flows?province=Fujian&version=1.0.0")).body.decode()
    assert 'name="citation_public_url" content="/flows?province=Fujian&amp;version=1.0.0"' in body
    assert '"version": "1.0.0"' in body and "/api/v1/v/1.0.0/donations.csv" in body


def test_the_index_of_an_old_version_gives_its_addresses():
    body = json.loads(get("/api/v1/v/1.0.0/").body)
    donations = next(e for e in body["exhibits"] if e["name"] == "donations")
    assert body["package"]["version"] == "1.0.0" and body["zip"] == "/api/v1/v/1.0.0/cooperation-atlas-data.zip"
    assert parse_qs(urlsplit(donations["data"]["csv"]).query) == {"version": ["1.0.0"]}


# --- the pages ---------------------------------------------------------------------------------------------------------

@pytest.mark.app
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_old_citations_link_shows_the_old_numbers_and_the_notice(lang):
    from tests.conftest import run_app
    at = run_app({**MAY, "version": "1.0.0", "lang": lang}, "pages/flows.py")
    assert not at.exception
    notice = " ".join(w.value for w in at.warning)
    assert ("version 1\\.0\\.0 of the data" in notice and "2\\.0\\.0" in notice) if lang == "en" else "第 1\\.0\\.0 版" in notice
    summary = next(m.value for m in at.markdown if "**8**" in m.value)   # 8 donations in May 2020, as 1.0.0 dated them
    assert ("**1,000,000**" in summary and "**340,000**" in summary) if lang == "en" else \
        ("**100万**" in summary and "**34万**" in summary)
    latest = next(b for b in at.button if b.key == "atlas_version_latest")
    latest.click().run()
    assert not at.exception and "version" not in at.query_params and not [w for w in at.warning if "1\\.0\\.0" in w.value]
    assert any("No records match" in i.value or "没有" in i.value for i in at.info)


@pytest.mark.app
def test_every_page_of_the_old_version_says_so_and_the_latest_does_not():
    from tests.conftest import PAGES, run_app
    for page in PAGES:
        old = run_app({"version": "1.0.0"}, page)
        assert not old.exception and any("version 1\\.0\\.0 of the data" in w.value for w in old.warning), page
        new = run_app({}, page)
        assert not new.exception and not any("of the data, published" in w.value for w in new.warning), page


@pytest.mark.app
def test_the_data_page_lists_the_versions_and_what_changed():
    from tests.conftest import run_app
    at = run_app({}, "pages/data_sources.py")
    assert not at.exception
    assert "What changed from 1.0.0 to 2.0.0" in [s.value for s in at.subheader]
    tables = [df.value for df in at.dataframe]
    listing = [m.value for m in at.markdown if re.match(r"\*\*\d\\\.\d\\\.\d\*\*", m.value)]
    assert [m.split("**")[1] for m in listing] == ["2\\.0\\.0", "1\\.0\\.0"]
    assert "*shown now*" in listing[0] and "data/ at commit dbaed23d6917" in listing[1]
    changed = next(t for t in tables if "Before" in t.columns or "before" in t.columns)
    honolulu = changed[(changed.iloc[:, 2] == "t1-13") & (changed.iloc[:, 3] == "status")]
    assert len(honolulu) == 1 and "Star-Advertiser" in honolulu.iloc[0, 6]
    assert any("860 rows added, removed or changed in 7 tables" in c.value for c in at.caption)
    zh = run_app({"lang": "zh", "version": "1.0.0"}, "pages/data_sources.py")
    assert not zh.exception and "从 1.0.0 版到 2.0.0 版的变化" in [s.value for s in zh.subheader]


def test_an_old_versions_brief_names_it_counts_its_numbers_and_links_back_to_it():
    from atlas.filters import defaults
    from components import brief
    state = {**defaults(), "provinces": (), "province": ("CN-FJ",), "dates": ("2020-05", "2020-05"), "version": "1.0.0"}
    with data.using("1.0.0"):
        made = brief.content(state, "flows", "http://h", None)
    assert made["version"].startswith("Data package version 1.0.0;")
    assert made["link"] == "http://h/flows?province=Fujian&from=2020-05&to=2020-05&version=1.0.0"
    assert "**8** donation records" in made["summary"] and "version 1.0.0" in made["cite"]
    latest = brief.content({**state, "version": ""}, "flows", "http://h", None)
    assert latest["link"].endswith("&version=2.0.0") and latest["summary"] == "" and "7 records" in latest["notes"][1]

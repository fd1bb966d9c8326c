"""atlas/versions.py (issue 33): the versions there are, an earlier release loaded and upgraded into the current
schema, what changed between two versions with its reasons, and the one engine counting both.

The two real versions: 1.0.0 (data/ at dbaed23, before the counting corrections) and 2.0.0 (the package)."""
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from atlas import flows, records, versions
from atlas.build.releases import blob_id
from atlas.filters import Filters
from atlas.package import load_package

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
OLD_COMMIT = "dbaed23d6917f36c356c33dc46e89b9915a88f6a"


@pytest.fixture(scope="module")
def old():
    return versions.load_release(DATA / "releases" / "1.0.0")


@pytest.fixture(scope="module")
def new():
    return load_package(DATA)


@pytest.fixture(scope="module")
def changes(old, new):
    return versions.explain(versions.diff(old, new), versions.reasons(DATA), ["2.0.0"])


def row(changes, table, key, field=""):
    out = changes[(changes["table"] == table) & (changes["key"] == key) & (changes["field"] == field)]
    assert len(out) == 1, (table, key, field, len(out))
    return out.iloc[0]


# --- which versions there are ----------------------------------------------------------------------------------------

def test_the_two_versions_oldest_first_the_package_last():
    listed = versions.versions(DATA)
    assert [v.number for v in listed] == ["1.0.0", "2.0.0"]
    assert [v.current for v in listed] == [False, True]
    assert listed[0].commit == OLD_COMMIT and listed[0].released == "2026-12-01"
    assert listed[0].path == DATA / "releases" / "1.0.0" and listed[1].path == DATA
    assert listed[1].released == "2026-12-06" and listed[1].summary_zh.startswith("计数更正")
    assert versions.latest(DATA).number == "2.0.0" and versions.previous(listed[1], DATA) is listed[0]


@pytest.mark.parametrize("text", ["9.9.9", "1.0", "1.0.0 ", "../1.0.0", "../../etc/passwd", "releases/1.0.0", "1.0.0/..",
                                  "%2e%2e", "1.0.0\x00", "x" * 500, "v1.0.0", "01.0.0"])
def test_a_version_not_kept_is_refused_naming_those_that_are(text):
    with pytest.raises(versions.UnknownVersion) as error:
        versions.find(text, DATA)
    message = str(error.value)
    assert "1.0.0, 2.0.0" in message and len(message) < 200  # a 500-character name is cut, never echoed whole


def test_the_latest_by_empty_or_by_name(new):
    assert versions.find("", DATA).current and versions.find("latest", DATA).number == "2.0.0"
    assert versions.find("2.0.0", DATA).path == DATA and new.descriptor["version"] == "2.0.0"


def test_a_package_without_releases_has_its_own_version_only(tmp_path):
    (tmp_path / "datapackage.json").write_text('{"version": "3.1.4", "resources": []}', encoding="utf-8")
    listed = versions.versions(tmp_path)
    assert [(v.number, v.current) for v in listed] == [("3.1.4", True)]
    with pytest.raises(versions.UnknownVersion):
        versions.find("1.0.0", tmp_path)


def test_a_listed_release_whose_folder_is_a_symlink_is_not_served(tmp_path):
    (tmp_path / "datapackage.json").write_text('{"version": "2.0.0", "resources": []}', encoding="utf-8")
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "versions.csv").write_text(
        "version,released,commit,summary,summary_zh\n1.0.0,2026-12-01,abc,old,旧\n2.0.0,2026-12-06,,new,新\n", encoding="utf-8")
    (tmp_path / "releases" / "1.0.0").symlink_to(DATA / "releases" / "1.0.0")
    assert versions.numbers(tmp_path) == ("2.0.0",)


# --- the release kept as it was published ----------------------------------------------------------------------------

def test_the_release_holds_the_files_of_its_commit_byte_for_byte():
    folder = DATA / "releases" / "1.0.0"
    kept = versions.manifest(folder)
    assert kept["commit"] == OLD_COMMIT and kept["version"] == "1.0.0"
    names = [f["path"] for f in kept["files"]]
    assert "datapackage.json" in names and "donations.csv" in names and not any(n.startswith("geo") for n in names)
    for f in kept["files"]:
        body = (folder / f["path"]).read_bytes()
        assert blob_id(body) == f["git_blob"] and len(body) == f["bytes"], f["path"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(names + ["release.json"])


def test_the_manifest_names_the_blobs_git_holds_for_that_commit():
    listing = subprocess.run(["git", "-C", str(ROOT), "ls-tree", OLD_COMMIT, "data/"], capture_output=True, text=True)
    if listing.returncode != 0:  # a clone without that history: the blob ids above are the check
        pytest.skip("this clone lacks commit dbaed23 (the release's files were checked against their blob ids)")
    in_git = {line.split("\t")[1].removeprefix("data/"): line.split()[2] for line in listing.stdout.splitlines()
              if line.split()[1] == "blob"}
    kept = {f["path"]: f["git_blob"] for f in versions.manifest(DATA / "releases" / "1.0.0")["files"]}
    assert kept == in_git


def test_the_release_said_version_1_0_0_and_had_no_date_kind():
    import json
    published = json.loads((DATA / "releases" / "1.0.0" / "datapackage.json").read_text(encoding="utf-8"))
    assert published["version"] == "1.0.0"
    donations = next(r for r in published["resources"] if r["name"] == "donations")
    assert "date_kind" not in [f["name"] for f in donations["schema"]["fields"]]
    assert {r["name"] for r in published["resources"]} & {"pairing_evidence", "pairing_years"} == set()


# --- upgraded on load ------------------------------------------------------------------------------------------------

def test_every_1_0_0_date_is_an_event_date_and_the_status_as_it_was(old):
    d = old.donations
    assert len(d) == 76 and set(d["date_kind"].astype(str)) == {"event"}
    assert d["status"].astype(str).value_counts().to_dict() == {"donated": 74, "pledged": 2}
    assert (d["event_date"].astype(str) == "").all() and (d["event_source_id"].astype(str) == "").all()
    assert d.set_index("donation_id").loc["t1-13", "as_of"] == "2020-05-26"


def test_tables_1_0_0_lacked_are_empty_and_the_descriptor_says_what_was_upgraded(old, new):
    assert len(old.pairing_evidence) == 0 and len(old.pairing_years) == 0
    assert list(old.pairing_evidence.columns) == list(new.pairing_evidence.columns)
    assert old.descriptor["version"] == "1.0.0" and old.descriptor["x-release"]["commit"] == OLD_COMMIT
    upgraded = old.descriptor["x-release"]["upgraded"]
    assert upgraded["donations"] == ["beneficiary_as_printed", "beneficiary_place_id", "beneficiary_ref", "date_kind",
                                     "event_date", "event_source_id", "event_ref"]
    assert upgraded["pairing_years"] == "table added later: no rows"
    assert [r["name"] for r in old.descriptor["resources"]] == [r["name"] for r in new.descriptor["resources"]]


def test_upgrade_keeps_what_a_release_has_and_drops_what_the_schema_no_longer_has():
    text = pd.DataFrame({"as_of": ["2020-05-26", ""], "gone": ["a", "b"], "status": ["donated", "pledged"]}, dtype="str")
    out, added = versions.upgrade("donations", text, ["status", "as_of", "date_kind", "event_date"])
    assert list(out.columns) == ["status", "as_of", "date_kind", "event_date"] and added == ["date_kind", "event_date"]
    assert out["date_kind"].tolist() == ["event", ""] and out["event_date"].tolist() == ["", ""]
    empty, added = versions.upgrade("pairing_years", None, ["pairing_id", "year"])
    assert empty.empty and list(empty.columns) == ["pairing_id", "year"] and added == ["pairing_id", "year"]


# --- what changed --------------------------------------------------------------------------------------------------

def test_rows_added_removed_and_changed_per_table():
    a = pd.DataFrame({"id": ["x", "y", "z"], "n": pd.array([1, 2, 3], dtype="Int64"), "s": ["p", "q", "r"]})
    b = pd.DataFrame({"id": ["y", "z", "w"], "n": pd.array([2, 30, 4], dtype="Int64"), "s": ["q", "R", "t"]})
    out = versions.table_changes(a, b, ["id"], "t")
    assert out.values.tolist() == [["t", "added", "w", "", "", ""], ["t", "removed", "x", "", "", ""],
                                   ["t", "changed", "z", "n", "3", "30"], ["t", "changed", "z", "s", "r", "R"]]
    assert versions.table_changes(a, a, ["id"], "t").empty


def test_the_counts_of_the_corrections_by_table(changes):
    counts = {r.table: (r.added, r.removed, r.changed) for r in versions.summary(changes).itertuples()}
    assert counts == {"sources": (156, 0, 1), "places": (23, 0, 32), "donations": (0, 0, 71), "pairings": (27, 0, 96),
                      "pairing_evidence": (288, 0, 0), "pairing_years": (155, 0, 0), "key_figures": (5, 0, 6)}
    # every row of the two tables 1.0.0 did not have is new, and 1.0.0's 10 sources are all kept
    assert counts["pairing_years"][0] == 155 and counts["sources"][0] + 10 == 166


def test_the_rows_whose_status_became_delivered_each_with_its_report(changes):
    delivered = changes[(changes["table"] == "donations") & (changes["field"] == "status")]
    assert sorted(delivered["key"]) == ["t1-04", "t1-13", "t1-17", "t1-67"]
    assert set(delivered["before"]) == {"donated"} and set(delivered["after"]) == {"delivered"}
    honolulu = row(changes, "donations", "t1-13", "status")
    assert "Honolulu accepted 20,000 masks from Fuzhou on 23 June 2020" in honolulu["reason"]
    assert honolulu["source_id"] == "staradvertiser2020-06-23" and "檀香山" in honolulu["reason_zh"]
    dated = row(changes, "donations", "t1-13", "event_date")
    assert (dated["before"], dated["after"]) == ("", "2020-06-23")
    # Shaanxi's gift to Wyoming is dated by its report but was never said to arrive: its status did not change
    assert row(changes, "donations", "t1-20", "event_date")["after"] == "2020-05-06"
    assert changes[(changes["key"] == "t1-20") & (changes["field"] == "status")].empty


def test_the_70_rows_whose_date_became_the_lists(changes):
    kinds = changes[(changes["table"] == "donations") & (changes["field"] == "date_kind")]
    assert len(kinds) == 70 and set(kinds["key"].str[:3]) == {"t1-"}
    assert set(zip(kinds["before"], kinds["after"])) == {("event", "listed")}
    assert set(kinds["source_id"]) == {"ccg2020"} and set(kinds["reason"].str[:32]) == {"Table 1 is a list 'as of May 26'"}


def test_every_change_has_its_reason_in_both_languages(changes):
    assert (changes["reason"] != "").all() and (changes["reason_zh"] != "").all()
    # a row's own reason first, then its table's: t1-04's status and its date_kind have different reasons
    assert row(changes, "donations", "t1-04", "status")["reason"].startswith("Delivered: WLNS")
    assert row(changes, "donations", "t1-04", "date_kind")["reason"].startswith("Table 1 is a list")
    assert row(changes, "pairings", "pr-fujian--oregon", "evidence_level")[["before", "after"]].tolist() == ["inferred", "stated"]
    assert row(changes, "pairings", "pr-fujian--oregon", "evidence_level")["source_id"] == "fjfao2017-oregon;occ-about"


def test_a_reason_for_some_fields_does_not_explain_others():
    changes = pd.DataFrame([["t", "changed", "a", "f", "1", "2"], ["t", "changed", "a", "g", "1", "2"],
                            ["t", "changed", "b", "f", "1", "2"]], columns=versions.CHANGE_COLUMNS)
    why = pd.DataFrame([["2.0.0", "t", "changed", "*", "f", "all f", "f 全部", "s1"],
                        ["2.0.0", "t", "changed", "a", "", "a's own", "a 自己", "s2;s1"],
                        ["3.0.0", "t", "changed", "*", "", "later", "后来", "s3"]], columns=list(versions.CHANGES_FIELDS))
    out = versions.explain(changes, why, ["2.0.0"])
    assert out["reason"].tolist() == ["a's own / all f", "a's own", "all f"]
    assert out["source_id"].tolist() == ["s2;s1", "s2;s1", "s1"]


def test_what_a_reader_compares():
    listed = versions.versions(DATA)
    old, new = listed
    assert versions.compared(new, "", listed) == (old, new)       # the latest: with the one before it
    assert versions.compared(old, "", listed) == (old, new)       # an old citation: with the latest
    assert versions.compared(old, "1.0.0", listed) == (old, old)  # itself: nothing to compare
    assert versions.between(old, new, DATA) == ["2.0.0"] and versions.between(new, new, DATA) == []


# --- the one engine counts both --------------------------------------------------------------------------------------

def test_the_old_package_counts_its_may_2020_gifts_the_new_one_says_they_may_be_in_it():
    from atlas import engine
    may = Filters(provinces=("CN-FJ",), date_from="2020-05", date_to="2020-05")
    old = records.load(DATA / "releases" / "1.0.0")
    assert old.source == "release" and old.package.descriptor["version"] == "1.0.0"
    view = flows.view(old, may, level="region")
    assert view.summary["donations"] == 8 and view.summary["masks_cn_to_us"] == 1_340_000
    new = records.load(DATA)
    assert flows.view(new, may, level="region") is None
    aside = engine.aside(new, may)
    words = engine.aside_words(aside, "en")
    assert "7 records" in words and "1,320,000" in words
    # without a date range both count the same gifts: only what a date means changed for Fujian
    everything = Filters(provinces=("CN-FJ",))
    assert flows.view(old, everything, level="region").summary == flows.view(new, everything, level="region").summary

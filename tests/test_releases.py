"""atlas/build/releases.py (issue 33): an earlier release copied from git history or, in a clone without it, from the
committed copy checked against its blob ids; the build refuses a change without a reason and a reason without a
change. (tests/test_build.py checks that the step reproduces data/releases/ and data/CHANGELOG.md byte for byte.)"""
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from atlas import versions
from atlas.build import releases

DATA = Path(__file__).resolve().parents[1] / "data"


def test_blob_ids_are_gits():
    assert releases.blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"   # git hash-object
    assert releases.blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def test_without_history_the_committed_copy_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(releases, "from_history", lambda commit: None)   # a shallow clone
    row = releases._listed()[0]
    assert releases.keep(tmp_path, row) == 12
    for name in [f["path"] for f in versions.manifest(DATA / "releases" / "1.0.0")["files"]] + ["release.json"]:
        assert (tmp_path / "releases" / "1.0.0" / name).read_bytes() == (DATA / "releases" / "1.0.0" / name).read_bytes()


def test_a_damaged_copy_is_not_taken_for_the_release(tmp_path, monkeypatch):
    copy = tmp_path / "committed"
    shutil.copytree(DATA / "releases", copy / "releases")
    donations = copy / "releases" / "1.0.0" / "donations.csv"
    donations.write_bytes(donations.read_bytes().replace(b"t1-13,", b"t1-31,", 1))
    monkeypatch.setattr(releases, "from_history", lambda commit: None)
    monkeypatch.setattr(releases, "COMMITTED", copy)
    with pytest.raises(releases.ReleasesOutOfDate, match="not in this clone's history"):
        releases.keep(tmp_path / "out", releases._listed()[0])


def test_a_copy_of_another_commit_is_not_taken_either(tmp_path):
    copy = tmp_path / "1.0.0"
    shutil.copytree(DATA / "releases" / "1.0.0", copy)
    manifest = json.loads((copy / "release.json").read_text(encoding="utf-8"))
    assert releases.from_copy(copy, manifest["commit"]) is not None
    assert releases.from_copy(copy, "0" * 40) is None


@pytest.fixture(scope="module")
def listed():
    return releases._listed()


def test_a_change_without_its_reason_stops_the_build(listed):
    why = versions.reasons(DATA)
    without = why[~((why["key"] == "t1-13") & (why["fields"].str.contains("status")))]
    assert len(without) == len(why) - 1
    with pytest.raises(releases.ReleasesOutOfDate, match=r"4 change\(s\) from 1.0.0 to 2.0.0 have no reason.*t1-13"):
        releases._check_reasons(DATA, listed, without)


def test_a_reason_for_no_change_stops_the_build(listed):
    why = versions.reasons(DATA)
    stale = pd.concat([why, pd.DataFrame([["2.0.0", "donations", "changed", "t1-01", "status", "never", "从未", "ccg2020"]],
                                         columns=why.columns)], ignore_index=True)
    with pytest.raises(releases.ReleasesOutOfDate, match="donations changed t1-01 status: no such change"):
        releases._check_reasons(DATA, listed, stale)
    unknown_source = why.copy()
    unknown_source.loc[unknown_source["key"] == "t1-13", "source_id"] = "nowhere2020"
    with pytest.raises(releases.ReleasesOutOfDate, match="source 'nowhere2020' is not in version 2.0.0"):
        releases._check_reasons(DATA, listed, unknown_source)


def test_the_curated_versions_agree_with_the_schema(listed):
    from atlas.build.schema import VERSION
    assert [r["version"] for r in listed] == ["1.0.0", "2.0.0"] and listed[-1]["version"] == VERSION
    assert listed[-1]["commit"] == "" and len(listed[0]["commit"]) == 40

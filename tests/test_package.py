"""atlas.package: broken data packages (issues #2 and #7). Every breakage is a PackageError that names
where it is, and the app shows it as an error page, never a traceback.

Each test copies the bundled data/ to a temporary directory, breaks one thing in the copy and loads it.
Row convention (atlas/package.py `_bad`, `_check_keys`, `_row_of_byte`): `row` is the 1-based *data*
row, the header not counted, i.e. `csv.reader(file)` row index (header = index 0) or the file's line
number minus one. The tests break a known row and assert exactly that row, and read the broken file
back at the reported row to check that the convention and the file agree.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import atlas.package as package_module
from atlas.package import RESOURCE_NAMES, PackageError, data_dir, load_package
from tests.conftest import DATA, ROOT, run_app, visible


# --- helpers -------------------------------------------------------------------------------------

@pytest.fixture
def pkg(tmp_path) -> Path:
    """A fresh, writable copy of the bundled package."""
    dest = tmp_path / "pkg"
    shutil.copytree(DATA, dest)
    return dest


def resource_file(pkg_dir: Path, resource: str) -> Path:
    descriptor = json.loads((pkg_dir / "datapackage.json").read_text(encoding="utf-8"))
    return pkg_dir / next(r["path"] for r in descriptor["resources"] if r["name"] == resource)


def read_rows(pkg_dir: Path, resource: str) -> list[list[str]]:
    with open(resource_file(pkg_dir, resource), encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(pkg_dir: Path, resource: str, rows: list[list[str]]) -> None:
    with open(resource_file(pkg_dir, resource), "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(pkg_dir: Path, resource: str, row: int, field: str, value: str) -> str:
    """Set data row `row` (1-based, header not counted) of `field`; returns the value it replaced."""
    rows = read_rows(pkg_dir, resource)
    assert 1 <= row < len(rows), f"{resource} has only {len(rows) - 1} data rows"
    col = rows[0].index(field)
    old, rows[row][col] = rows[row][col], value
    assert old != value, "the breakage must change the file"
    write_rows(pkg_dir, resource, rows)
    return old


def row_of(pkg_dir: Path, resource: str, field: str, value: str) -> int:
    """The 1-based data row whose `field` is `value` (first match)."""
    rows = read_rows(pkg_dir, resource)
    col = rows[0].index(field)
    return next(i for i, r in enumerate(rows) if i and r[col] == value)


def load_error(pkg_dir: Path) -> PackageError:
    with pytest.raises(PackageError) as info:
        load_package(pkg_dir)
    return info.value


# --- baseline ------------------------------------------------------------------------------------

def test_unbroken_copy_loads(pkg):
    """The copy itself is valid, so every error below comes from the one thing each test breaks."""
    p = load_package(pkg)
    assert set(p.tables) == set(RESOURCE_NAMES)
    assert all(len(p.tables[name]) > 0 for name in RESOURCE_NAMES)
    assert len(p.corporate_donations) == len(read_rows(pkg, "corporate_donations")) - 1


def test_data_dir_is_atlas_data_dir_or_the_bundled_data(monkeypatch, tmp_path):
    monkeypatch.delenv("ATLAS_DATA_DIR", raising=False)
    assert data_dir() == DATA
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.setenv("ATLAS_DATA_DIR", "")
    assert data_dir() == DATA


def test_tables_resources_and_source_titles(bundled):
    assert list(bundled.tables) == list(RESOURCE_NAMES)
    assert bundled.donations is bundled.tables["donations"]
    with pytest.raises(AttributeError):
        bundled.no_such_table
    assert bundled.resource("places")["path"] == "places.csv"
    row = bundled.sources.set_index("source_id").loc["ccg2020"]
    assert bundled.source_title("ccg2020") == f"{row['publisher']}, {row['title']}" + (
        f" ({row['published']})" if row["published"] else "")


# --- (a) a resource's file is missing ------------------------------------------------------------

def test_missing_resource_file_names_the_resource(pkg):
    resource_file(pkg, "donations").unlink()
    e = load_error(pkg)
    assert e.resource == "donations"
    assert e.row is None and e.field is None
    assert "donations.csv" in str(e) and "missing" in str(e)


# --- (b) bad cells: types, required, enum, pattern, minimum --------------------------------------

# (resource, data row, field, bad value, words the message must contain)
CELL_CASES = [
    ("corporate_donations", 3, "amount_cny", "12a", "not a valid integer"),
    ("places", "us-chicago", "lat", "north", "not a valid number"),
    ("survey_findings", 9, "percent", "98,4", "not a valid number"),        # the last data row
    ("donation_items", 10, "quantity", "2.5", "not a whole number"),
    ("donation_items", 4, "quantity", "-3", "below the minimum"),
    ("donations", 6, "direction", "sideways", "not one of"),
    ("donations", 8, "doubtful", "yes", "not true or false"),
    ("key_figures", 5, "date", "May 2020", "does not match the pattern"),
    ("sources", 2, "title", "", "a value is required"),
]


@pytest.mark.parametrize("resource,row,field,value,words", CELL_CASES,
                         ids=[f"{c[0]}.{c[2]}={c[3]!r}" for c in CELL_CASES])
def test_bad_cell_names_resource_row_and_field(pkg, resource, row, field, value, words):
    if isinstance(row, str):  # a row given by its id: find where it is
        row = row_of(pkg, resource, "place_id", row)
        assert row > 1
    set_cell(pkg, resource, row, field, value)
    e = load_error(pkg)
    assert (e.resource, e.row, e.field) == (resource, row, field), str(e)
    assert words in e.detail
    if value:
        assert repr(value) in str(e), "the message quotes the bad value"
    assert f"resource '{resource}'" in str(e) and f"row {row}" in str(e) and f"field '{field}'" in str(e)
    # The convention: the reported row is the csv row index with the header at 0 (line number - 1).
    rows = read_rows(pkg, resource)
    assert rows[e.row][rows[0].index(e.field)] == value


def test_first_bad_row_is_reported(pkg):
    set_cell(pkg, "corporate_donations", 7, "amount_cny", "lots")
    set_cell(pkg, "corporate_donations", 5, "amount_cny", "many")
    e = load_error(pkg)
    assert (e.resource, e.row, e.field) == ("corporate_donations", 5, "amount_cny")
    assert "'many'" in str(e)


def test_duplicate_primary_key_names_the_second_occurrence(pkg):
    rows = read_rows(pkg, "donations")
    set_cell(pkg, "donations", 9, "donation_id", rows[2][0])
    e = load_error(pkg)
    assert (e.resource, e.row, e.field) == ("donations", 9, "donation_id")
    assert "duplicate primary key" in e.detail and rows[2][0] in e.detail


def test_duplicate_composite_key(pkg):
    rows = read_rows(pkg, "donation_items")
    header = rows[0]
    i_id, i_line = header.index("donation_id"), header.index("line")
    # a later row that repeats an earlier row's (donation_id, line)
    rows[6][i_id], rows[6][i_line] = rows[5][i_id], rows[5][i_line]
    write_rows(pkg, "donation_items", rows)
    e = load_error(pkg)
    assert (e.resource, e.row, e.field) == ("donation_items", 6, "donation_id,line")


def test_renamed_column_names_the_missing_field(pkg):
    rows = read_rows(pkg, "donations")
    rows[0][rows[0].index("donor_place_id")] = "donor_place"
    write_rows(pkg, "donations", rows)
    e = load_error(pkg)
    assert (e.resource, e.field) == ("donations", "donor_place_id")
    assert "missing: donor_place_id" in e.detail


# --- (c) dangling foreign keys -------------------------------------------------------------------

FK_CASES = [
    ("donations", 7, "donor_place_id", "cn-atlantis", "places"),
    ("donations", 12, "recipient_place_id", "us-narnia", "places"),
    ("pairings", 20, "us_place_id", "us-nowhere", "places"),
    ("donation_items", 5, "donation_id", "t9-99", "donations"),
    ("places", "us-chicago", "admin1", "US-ZZ", "regions"),
]


@pytest.mark.parametrize("resource,row,field,value,target", FK_CASES, ids=[f"{c[0]}.{c[2]}" for c in FK_CASES])
def test_dangling_foreign_key_names_resource_row_and_field(pkg, resource, row, field, value, target):
    if isinstance(row, str):
        row = row_of(pkg, resource, "place_id", row)
    set_cell(pkg, resource, row, field, value)
    e = load_error(pkg)
    assert (e.resource, e.row, e.field) == (resource, row, field), str(e)
    assert "dangling" in e.detail and repr(value) in e.detail and f"'{target}'" in e.detail
    rows = read_rows(pkg, resource)
    assert rows[e.row][rows[0].index(field)] == value


# --- (d) text that is not UTF-8 ------------------------------------------------------------------

def write_row_in_latin1(pkg_dir: Path, resource: str, row: int, field: str, value: str) -> None:
    """Put `value` (non-ASCII, Latin-1 encodable) in one cell, encoding only that line as Latin-1."""
    set_cell(pkg_dir, resource, row, field, value)
    path = resource_file(pkg_dir, resource)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    raw = b"".join(line.encode("latin-1", "replace") if i == row else line.encode("utf-8") for i, line in enumerate(lines))
    path.write_bytes(raw)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


LATIN1_CASES = [("places", 3, "name_en", "Z\u00fcrich"), ("places", 300, "note", "caf\u00e9 \u00e0 la carte"),
                ("sources", 1, "note", "publi\u00e9")]


@pytest.mark.parametrize("resource,row,field,value", LATIN1_CASES, ids=[f"{c[0]}-row{c[1]}" for c in LATIN1_CASES])
def test_latin1_row_names_the_resource(pkg, resource, row, field, value):
    write_row_in_latin1(pkg, resource, row, field, value)
    e = load_error(pkg)
    assert e.resource == resource
    assert "UTF-8" in e.detail and resource_file(pkg, resource).name in e.detail


@pytest.mark.parametrize("resource,row,field,value", LATIN1_CASES, ids=[f"{c[0]}-row{c[1]}" for c in LATIN1_CASES])
def test_latin1_row_is_the_row_that_was_broken(pkg, resource, row, field, value):
    write_row_in_latin1(pkg, resource, row, field, value)
    e = load_error(pkg)
    assert (e.resource, e.row) == (resource, row), str(e)


def test_utf16_file_names_the_resource(pkg):
    path = resource_file(pkg, "survey_findings")
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))  # with a BOM, as Excel's "Unicode text"
    e = load_error(pkg)
    assert e.resource == "survey_findings"
    assert "not UTF-8" in e.detail and "survey_findings.csv" in e.detail


def test_utf8_with_bom_is_accepted(pkg):
    """Excel's "CSV UTF-8" starts the file with a byte-order mark: that is still UTF-8."""
    path = resource_file(pkg, "corporate_donations")
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-8-sig"))
    assert len(load_package(pkg).corporate_donations) == 16


def test_unparseable_csv_names_the_resource(pkg):
    resource_file(pkg, "survey_findings").write_text('finding_id,theme\n"s1,support\n', encoding="utf-8")
    e = load_error(pkg)
    assert e.resource == "survey_findings" and "not a readable CSV" in e.detail


# --- (e) a package above the size limit ----------------------------------------------------------

def package_bytes(pkg_dir: Path) -> int:
    return sum(resource_file(pkg_dir, name).stat().st_size for name in RESOURCE_NAMES)


def test_package_above_the_limit_is_refused_before_reading(pkg, monkeypatch):
    # A broken cell would be reported if the CSVs were read: the size check must come first.
    set_cell(pkg, "corporate_donations", 3, "amount_cny", "12a")
    monkeypatch.setattr(package_module, "MAX_BYTES", package_bytes(pkg) - 1)
    e = load_error(pkg)
    assert e.resource is None and e.row is None and e.field is None
    assert "limit" in e.detail and "ATLAS_MAX_BYTES" in e.detail


def test_package_exactly_at_the_limit_loads(pkg, monkeypatch):
    monkeypatch.setattr(package_module, "MAX_BYTES", package_bytes(pkg))
    assert len(load_package(pkg).places) > 0


_UNITS = {"b": 1, "bytes": 1, "kb": 1e3, "kib": 1024, "mb": 1e6, "mib": 1024 ** 2, "gb": 1e9, "gib": 1024 ** 3}


def _stated(message: str, before: str) -> float:
    """A size stated in the message after `before`, e.g. 'limit of 20 MB' -> 20e6 (bytes)."""
    m = re.search(re.escape(before) + r"\s*([\d.,]+)\s*([KMG]i?B|bytes|B)\b", message, re.I)
    assert m, f"no size after {before!r} in {message!r}"
    return float(m.group(1).replace(",", "")) * _UNITS[m.group(2).lower()]


def sparse_package(pkg_dir: Path, size: int) -> int:
    """Grow donations.csv to `size` bytes without writing them (the size check happens before reading)."""
    with open(resource_file(pkg_dir, "donations"), "r+b") as fh:
        fh.truncate(size)
    return package_bytes(pkg_dir)


def test_limit_message_states_size_and_limit(pkg, monkeypatch):
    total = sparse_package(pkg, 30_000_000)
    monkeypatch.setattr(package_module, "MAX_BYTES", 20_000_000)
    e = load_error(pkg)
    size, limit = _stated(e.detail, "package is"), _stated(e.detail, "limit of")
    assert abs(limit - 20_000_000) <= 0.05 * 20_000_000
    assert abs(size - total) <= 0.05 * total


@pytest.mark.parametrize("grow_to,limit", [(None, 100_000), (30_200_000, 29_900_000)], ids=["small-limit", "just-over"])
def test_limit_message_is_unambiguous(pkg, monkeypatch, grow_to, limit):
    total = sparse_package(pkg, grow_to) if grow_to else package_bytes(pkg)
    monkeypatch.setattr(package_module, "MAX_BYTES", limit)
    e = load_error(pkg)
    size, stated_limit = _stated(e.detail, "package is"), _stated(e.detail, "limit of")
    assert stated_limit > 0 and abs(stated_limit - limit) <= 0.05 * limit, e.detail
    assert size > stated_limit, f"the stated size must exceed the stated limit: {e.detail}"


def test_limit_is_read_from_the_environment_at_import(pkg):
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from atlas.package import MAX_BYTES, PackageError, load_package\n"
            "print(MAX_BYTES)\n"
            "try:\n    load_package(sys.argv[2])\nexcept PackageError as e:\n    print('ERROR', e)\n")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT), str(pkg)], capture_output=True, text=True, timeout=120,
                         env={"ATLAS_MAX_BYTES": "1000", "PATH": "/usr/bin:/bin"}, check=True).stdout.splitlines()
    assert out[0] == "1000"
    assert out[1].startswith("ERROR") and "limit" in out[1]


# --- (f) the descriptor --------------------------------------------------------------------------

def test_missing_descriptor(pkg):
    (pkg / "datapackage.json").unlink()
    e = load_error(pkg)
    assert "no datapackage.json" in str(e) and e.resource is None


@pytest.mark.parametrize("content", [
    lambda text: text[:500],                                # truncated
    lambda text: text.replace('"resources": [', '"resources": [,', 1),  # a stray comma
    lambda text: "",
    lambda text: text.replace("{", "{\n  // comment\n", 1),
], ids=["truncated", "stray-comma", "empty", "comment"])
def test_malformed_descriptor(pkg, content):
    path = pkg / "datapackage.json"
    path.write_text(content(path.read_text(encoding="utf-8")), encoding="utf-8")
    e = load_error(pkg)
    assert "datapackage.json is not valid UTF-8 JSON" in str(e)


def test_descriptor_not_utf8(pkg):
    path = pkg / "datapackage.json"
    path.write_bytes(path.read_text(encoding="utf-8").replace("Cooperation Atlas", "Coop\u00e9ration Atlas", 1)
                     .encode("latin-1", "replace"))
    e = load_error(pkg)
    assert "not valid UTF-8 JSON" in str(e)


def test_descriptor_without_a_resource_names_it(pkg):
    path = pkg / "datapackage.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    d["resources"] = [r for r in d["resources"] if r["name"] != "pairings"]
    path.write_text(json.dumps(d), encoding="utf-8")
    e = load_error(pkg)
    assert "lacks the resources pairings" in str(e)


def _reshape(mutate):
    """A descriptor edit: `mutate(descriptor)` returns the descriptor to write."""
    def apply(text: str) -> str:
        return json.dumps(mutate(json.loads(text)))
    return apply


def _without(key: str):
    def mutate(d: dict) -> dict:
        next(r for r in d["resources"] if r["name"] == "donations").pop(key)
        return d
    return mutate


@pytest.mark.parametrize("reshape", [
    _reshape(lambda d: [d]),
    _reshape(lambda d: {**d, "resources": "all of them"}),
    _reshape(_without("schema")),
    _reshape(_without("path")),
], ids=["array", "resources-not-a-list", "no-schema", "no-path"])
def test_wrongly_shaped_descriptor_is_a_package_error(pkg, reshape):
    path = pkg / "datapackage.json"
    path.write_text(reshape(path.read_text(encoding="utf-8")), encoding="utf-8")
    load_error(pkg)


# --- the app: an error page, not a traceback -----------------------------------------------------

def all_text(at) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success",
                 "code", "text", "json", "exception"):
        for el in getattr(at, kind):
            out.append(str(getattr(el, "value", "")))
            if kind == "exception":
                out.append(el.message + "\n".join(el.stack_trace))
    return out


def run_on(pkg_dir: Path, monkeypatch):
    """app.py in AppTest on the package at `pkg_dir`."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(pkg_dir))
    return run_app()


def _break_missing_file(p):
    resource_file(p, "donations").unlink()
    return ["resource 'donations'", "donations.csv", "missing"]


def _break_number(p):
    set_cell(p, "corporate_donations", 3, "amount_cny", "12a")
    return ["resource 'corporate_donations'", "row 3", "field 'amount_cny'", "'12a'"]


def _break_lat(p):
    row = row_of(p, "places", "place_id", "us-chicago")
    set_cell(p, "places", row, "lat", "north")
    return ["resource 'places'", f"row {row}", "field 'lat'", "'north'"]


def _break_fk(p):
    set_cell(p, "donations", 7, "donor_place_id", "cn-atlantis")
    return ["resource 'donations'", "row 7", "field 'donor_place_id'", "'cn-atlantis'", "dangling"]


def _break_encoding(p):
    write_row_in_latin1(p, "places", 3, "name_en", "Z\u00fcrich")
    return ["resource 'places'", "places.csv", "UTF-8"]


def _break_descriptor(p):
    (p / "datapackage.json").write_text('{"name": "x", "resources": [', encoding="utf-8")
    return ["datapackage.json", "not valid"]


def _remove_descriptor(p):
    (p / "datapackage.json").unlink()
    return ["no datapackage.json"]


BREAKAGES = {"missing-file": _break_missing_file, "bad-number": _break_number, "bad-lat": _break_lat,
             "dangling-fk": _break_fk, "latin1": _break_encoding, "malformed-json": _break_descriptor,
             "no-descriptor": _remove_descriptor}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_app_shows_an_error_page_naming_where(pkg, monkeypatch, breakage):
    expected = BREAKAGES[breakage](pkg)
    at = run_on(pkg, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.error) == 1
    shown = visible(at.error[0].value)
    for fragment in expected:
        assert fragment in shown, f"{fragment!r} not in the error {shown!r}"
    assert "数据包无法使用" in shown, "the error is given in Chinese too"
    assert any("ATLAS_DATA_DIR" in c.value for c in at.caption), "the hint says how to recover"
    texts = all_text(at)
    assert not any("Traceback" in s or 'File "' in s for s in texts), texts
    # The app stopped at the error: no pages, no filters.
    assert not at.multiselect and not at.sidebar.children


def test_app_shows_the_size_limit(pkg, monkeypatch):
    monkeypatch.setattr(package_module, "MAX_BYTES", package_bytes(pkg) // 2)
    at = run_on(pkg, monkeypatch)
    assert not at.exception
    assert len(at.error) == 1 and "limit" in visible(at.error[0].value)
    assert "ATLAS_MAX_BYTES" in visible(at.error[0].value)


def test_app_error_page_for_wrongly_shaped_descriptor(pkg, monkeypatch):
    (pkg / "datapackage.json").write_text("[1, 2]", encoding="utf-8")
    at = run_on(pkg, monkeypatch)
    assert not at.exception
    assert len(at.error) == 1 and "datapackage.json" in visible(at.error[0].value)


def test_app_recovers_once_the_package_is_fixed(pkg, monkeypatch):
    """The error is not cached: fixing the named row and reloading shows the dashboard (the hint's promise)."""
    original = set_cell(pkg, "corporate_donations", 3, "amount_cny", "12a")
    at = run_on(pkg, monkeypatch)
    assert len(at.error) == 1 and "row 3" in visible(at.error[0].value)
    set_cell(pkg, "corporate_donations", 3, "amount_cny", original)
    at = run_on(pkg, monkeypatch)
    assert not at.exception and not at.error
    assert at.multiselect(key="filter_province_0") is not None


def test_bundled_package_still_loads_afterwards(monkeypatch):
    """After all the broken packages, the bundled one loads and the app shows the dashboard."""
    monkeypatch.delenv("ATLAS_DATA_DIR", raising=False)
    p = load_package()
    assert p.path == DATA and all(len(p.tables[n]) for n in RESOURCE_NAMES)
    at = run_app()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error
    assert at.title and at.multiselect(key="filter_province_0").options

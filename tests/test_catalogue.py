"""atlas.catalogue: the data page's tables searched literally, their schemas, and the package as one ZIP."""
import csv
import io
import os
import json
import zipfile

import pytest

from atlas import catalogue
from tests.conftest import DATA


def test_search_table_finds_text_in_any_cell_literally(bundled):
    found = catalogue.search_table(bundled.places, "fujian")
    assert len(found) >= 1 and found["name_en"].str.contains("Fujian", case=False).any()
    literal = bundled.places.apply(lambda row: any("(" in str(v) for v in row), axis=1).sum()
    assert len(catalogue.search_table(bundled.places, "(")) == literal  # read literally, not as a (broken) regex
    assert len(catalogue.search_table(bundled.places, "  ")) == len(bundled.places)
    assert catalogue.search_table(bundled.places, "no such place anywhere").empty


def test_search_reads_at_most_a_hundred_characters(bundled):
    assert catalogue.search_table(bundled.places, None) is bundled.places
    # Only the first 100 characters are searched: what a long text adds after them does not count.
    note = next(n for n in bundled.places["note"] if len(n) > 120)
    hits = catalogue.search_table(bundled.places, note[:100] + " and text no cell holds")
    assert note in set(hits["note"])
    assert catalogue.search_table(bundled.places, note[:99] + "~").empty


def test_schema_table_lists_the_resources_fields(bundled):
    for name in ("donations", "places", "key_figures"):
        schema = catalogue.schema_table(bundled, name)
        fields = bundled.resource(name)["schema"]["fields"]
        assert list(schema.columns) == ["field", "type", "description"]
        assert schema["field"].tolist() == [f["name"] for f in fields] == list(bundled.tables[name].columns)
        assert schema["type"].tolist() == [f.get("type", "string") for f in fields]


def test_package_zip_holds_the_descriptor_and_every_resource():
    z = zipfile.ZipFile(io.BytesIO(catalogue.package_zip(DATA)))
    names = set(z.namelist())
    descriptor = json.loads(z.read("datapackage.json"))
    assert {r["path"] for r in descriptor["resources"]} <= names
    # The same cells as the package's file (neutralised for spreadsheets where needed, see below).
    read = lambda b: list(csv.reader(io.StringIO(b.decode("utf-8"), newline="")))
    assert read(z.read("donations.csv")) == read((DATA / "donations.csv").read_bytes())
    assert all(n.rsplit(".", 1)[-1] in ("csv", "json", "md", "geojson") for n in names)
    assert any(n.endswith(".geojson") for n in names), "the boundaries travel with the data"


# --- the passage a row came from (issue #15) -----------------------------------------------------

def row(bundled, table, key, value):
    t = bundled.tables[table]
    return t[t[key] == value].iloc[0]


def test_a_table_row_shows_the_cells_as_printed(bundled):
    p = catalogue.passage(bundled, "donations", row(bundled, "donations", "donation_id", "t1-08"))
    assert p.where == "Table 1, row 8" and p.source_id == "ccg2020"
    assert dict(p.printed) == {"donor_province_as_printed": "Fujian", "donor_as_printed": "Fujian Province",
                               "recipient_as_printed": "Oregon State", "items_as_printed": "50,000 surgical masks"}
    item = catalogue.passage(bundled, "donation_items", row(bundled, "donation_items", "donation_id", "t1-08"))
    assert item.where == "Table 1, row 8, line 1" and dict(item.printed) == {"as_printed": "50,000 surgical masks"}
    company = catalogue.passage(bundled, "corporate_donations", row(bundled, "corporate_donations", "rank", 1))
    assert dict(company.printed)["amount_as_printed"] == "5,200"  # Table 4's unit: CNY 10,000


def test_a_stated_figure_shows_the_quoted_words(bundled):
    p = catalogue.passage(bundled, "key_figures", row(bundled, "key_figures", "figure_id", "kf-cpaffc-us-cash"))
    assert p.where == "II.i.1 Sister province-state and sister city pairings"
    assert p.quotes == ("total cash of donations received (excluding Hubei) from sister states and related "
                        "organizations in the US reached around CNY 666,000",)
    pair = catalogue.passage(bundled, "pairings", row(bundled, "pairings", "pairing_id", "pr-hubei--ohio"))
    assert "first sister province-state pair" in pair.quotes[0]
    assert catalogue.passage(bundled, "places", row(bundled, "places", "place_id", "cn-anhui")) is None


def test_every_cited_row_of_the_package_has_a_passage(bundled):
    for table in ("donations", "support_messages", "corporate_donations", "survey_findings", "key_figures", "pairings"):
        for _, r in bundled.tables[table].iterrows():
            p = catalogue.passage(bundled, table, r)
            assert p is not None and p.where and (p.quotes or p.printed or "Wikipedia list" in p.where), (table, dict(r))
    pair = catalogue.passage(bundled, "pairings", row(bundled, "pairings", "pairing_id", "pr-shanghai--san-francisco"))
    assert ("Table 1, row 1 · recipient_as_printed", "San Francisco, CA") in pair.printed


# --- issue #17: only regular files of the package, CSVs for spreadsheets --------------------------

def _hostile_copy(tmp_path):
    import shutil
    pkg = tmp_path / "pkg"
    shutil.copytree(DATA, pkg)
    (tmp_path / "secret.csv").write_text("s\nTOP-SECRET\n", encoding="utf-8")
    os.symlink("/etc/passwd", pkg / "passwd.csv")
    os.symlink(tmp_path / "secret.csv", pkg / "secret.csv")
    os.symlink(tmp_path, pkg / "geo" / "up")  # a directory link out of the package
    return pkg


def test_package_zip_leaves_out_symlinks_and_outside_files(tmp_path):
    z = zipfile.ZipFile(io.BytesIO(catalogue.package_zip(_hostile_copy(tmp_path))))
    names = z.namelist()
    assert "passwd.csv" not in names and "secret.csv" not in names and not any("up/" in n for n in names), names
    assert not any(b"root:" in z.read(n) or b"TOP-SECRET" in z.read(n) for n in names)


def test_package_zip_csvs_are_neutralised_with_a_note(tmp_path):
    import shutil
    pkg = tmp_path / "pkg"
    shutil.copytree(DATA, pkg)
    file = pkg / "survey_findings.csv"
    rows = read_rows(file)
    col = rows[0].index("statement")
    rows[1][col], rows[2][col] = "=HYPERLINK(\"http://evil.example\")", "x;=1+1"
    with open(file, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    z = zipfile.ZipFile(io.BytesIO(catalogue.package_zip(pkg)))
    for delimiter in (",", ";", "\t"):
        cells = [c for r in csv.reader(io.StringIO(z.read("survey_findings.csv").decode("utf-8"), newline=""),
                                       delimiter=delimiter) for c in r]
        assert not [c for c in cells if c.startswith(("=", "@"))], delimiter
    back = list(csv.reader(io.StringIO(z.read("survey_findings.csv").decode("utf-8"), newline="")))
    assert back[1][col] == "'=HYPERLINK(\"http://evil.example\")" and back[2][col] == "x;'=1+1"
    assert back[1][rows[0].index("percent")] == rows[1][rows[0].index("percent")], "numbers stay numbers"
    readme = z.read("README.md").decode("utf-8")
    assert "prepared for spreadsheets" in readme and "`survey_findings.csv`: 2 cell(s)" in readme


def read_rows(file):
    with open(file, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


# --- issue #30 item 9: every text cell of every field type, every way of writing a path, declared files only ----

def _pkg_with_formula(tmp_path, *, field_type=None, bom=False, path=None, column="statement"):
    import shutil
    pkg = tmp_path / "pkg"
    shutil.copytree(DATA, pkg)
    file = pkg / "survey_findings.csv"
    rows = read_rows(file)
    col = rows[0].index(column)
    rows[1][col] = "=HYPERLINK(\"http://evil.example\")"
    with open(file, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    r = next(r for r in d["resources"] if r["name"] == "survey_findings")
    if field_type:
        next(f for f in r["schema"]["fields"] if f["name"] == column)["type"] = field_type
    if path:
        r["path"] = path
    (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    return pkg, col


def _zip_cell(pkg, col, name="survey_findings.csv"):
    z = zipfile.ZipFile(io.BytesIO(catalogue.package_zip(pkg)))
    text = z.read(name).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))[1][col]


@pytest.mark.parametrize("case", [dict(field_type="any"), dict(field_type="date"), dict(bom=True, column="finding_id"),
                                  dict(path="./survey_findings.csv")], ids=["type-any", "type-date", "bom-first-column",
                                                                            "dot-slash-path"])
def test_package_zip_neutralises_every_text_cell(tmp_path, case):
    pkg, col = _pkg_with_formula(tmp_path, **case)
    assert _zip_cell(pkg, col) == "'=HYPERLINK(\"http://evil.example\")"


def test_package_zip_ships_only_declared_files(tmp_path):
    import shutil
    pkg = tmp_path / "pkg"
    shutil.copytree(DATA, pkg)
    (pkg / "extra.csv").write_text("a\n=cmd|' /C calc'!A0\n", encoding="utf-8")
    (pkg / "geo" / "notes.json").write_text('{"secret": 1}', encoding="utf-8")
    (pkg / "notes.md").write_text("undeclared\n", encoding="utf-8")
    names = zipfile.ZipFile(io.BytesIO(catalogue.package_zip(pkg))).namelist()
    assert "extra.csv" not in names and "geo/notes.json" not in names and "notes.md" not in names, names
    assert {"datapackage.json", "README.md", "survey_findings.csv", "geo/world.geojson"} <= set(names)

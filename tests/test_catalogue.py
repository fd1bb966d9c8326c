"""atlas.catalogue: the data page's tables searched literally, their schemas, and the package as one ZIP."""
import io
import json
import zipfile

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
    assert z.read("donations.csv") == (DATA / "donations.csv").read_bytes()
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

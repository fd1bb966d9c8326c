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

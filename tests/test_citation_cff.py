"""CITATION.cff (issue #33): valid Citation File Format 1.2.0, and saying what the package says (title, abstract,
version, licence) and what sources.csv says of the CCG report, so it cannot drift from data/.

Validated against the CFF 1.2.0 JSON schema with jsonschema (the schema file is the one cffconvert 2.0.0 ships,
tests/schemas/citation-file-format-1.2.0.json): cffconvert itself pins jsonschema < 4, which the app's frictionless
needs at 4.x, so it cannot share the venv: `make install-dev` puts it in a venv of its own, .venv-cff
(requirements-cff.lock), and it validates the file too."""
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import yaml

from components import data

ROOT = Path(__file__).resolve().parents[1]
CFF = ROOT / "CITATION.cff"
SCHEMA = Path(__file__).parent / "schemas" / "citation-file-format-1.2.0.json"


def citation() -> dict:
    # dates as strings, as cffconvert reads them (YAML's own date type is not JSON)
    return json.loads(json.dumps(yaml.safe_load(CFF.read_text(encoding="utf-8")), default=str))


def test_citation_cff_is_valid_cff_1_2_0():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(citation(), schema, cls=jsonschema.Draft7Validator)


def test_the_schema_catches_a_broken_file():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {**citation(), "authors": [{"given": 5}], "type": "film"}
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(broken))
    assert errors


def test_cffconvert_validates_it():
    # its own venv, made by `make install-dev` (so by `make check` and `make test`) from requirements-cff.lock
    own = ROOT / ".venv-cff" / "bin" / "cffconvert"
    exe = str(own) if own.exists() else shutil.which("cffconvert")
    if exe is None:
        import pytest
        pytest.skip("cffconvert is not installed: `make install-dev` installs it in .venv-cff")
    result = subprocess.run([exe, "--validate", "-i", str(CFF)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_says_what_the_package_says():
    c, d = citation(), data.get().package.descriptor
    assert c["cff-version"] == "1.2.0" and c["type"] == "dataset"
    assert c["title"] == d["title"] and " ".join(c["abstract"].split()) == d["description"]
    assert c["version"] == d["version"] and c["license"] == d["licenses"][0]["name"]
    assert c["authors"] == [{"name": "Cooperation Atlas"}]  # an organisation; no person invented
    assert [x["title"] for x in d.get("contributors", [])] == ["Cooperation Atlas"]


def test_its_reference_is_the_ccg_report_as_sources_csv_has_it():
    ref, = citation()["references"]
    row = data.get().package.tables["sources"].set_index("source_id").loc["ccg2020"]
    assert ref["type"] == "report" and ref["title"] == row["title"]
    assert ref["authors"] == [{"name": row["publisher"]}] and str(ref["year"]) == str(row["published"])

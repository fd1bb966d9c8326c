"""Issue #17: a hostile or unlucky data package. Every resource path that leaves the package, every malformed
descriptor shape and every out-of-range value gets a PackageError naming where, before a byte outside the
package is read, and the message never echoes more than a short excerpt of what it found."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from atlas.package import MAX_MESSAGE, PackageError, load_package
from tests.conftest import DATA

SECRET = "TOP-SECRET-MARKER-4711"


@pytest.fixture
def pkg(tmp_path) -> Path:
    dest = tmp_path / "pkg"
    shutil.copytree(DATA, dest)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("source_id\n" + SECRET + "\n", encoding="utf-8")
    return dest


@pytest.fixture
def reads(monkeypatch):
    """Every file pandas or pyarrow (the fast reader) is asked to read during a load."""
    import pyarrow.csv as pacsv
    seen: list[Path] = []

    def spying(real):
        def spy(file, *args, **kwargs):
            seen.append(Path(file).resolve())
            return real(file, *args, **kwargs)
        return spy
    monkeypatch.setattr(pd, "read_csv", spying(pd.read_csv))
    monkeypatch.setattr(pacsv, "read_csv", spying(pacsv.read_csv))
    return seen


def descriptor(pkg: Path) -> dict:
    return json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))


def save(pkg: Path, d) -> None:
    (pkg / "datapackage.json").write_text(json.dumps(d) if not isinstance(d, str) else d, encoding="utf-8")


def resource(d: dict, name: str) -> dict:
    return next(r for r in d["resources"] if r["name"] == name)


def field(d: dict, res: str, name: str) -> dict:
    return next(f for f in resource(d, res)["schema"]["fields"] if f["name"] == name)


def load_error(pkg: Path) -> PackageError:
    with pytest.raises(PackageError) as info:
        load_package(pkg)
    return info.value


# --- resource paths: (path or a symlink to make, words the message must hold) ----------------------

HOSTILE_PATHS = [
    ("../outside/secret.csv", "not a relative path inside the package"),
    ("../../outside/secret.txt", "not a relative path inside the package"),
    ("/etc/passwd", "not a relative path inside the package"),
    ("/proc/self/environ", "not a relative path inside the package"),
    ("geo/../../outside/secret.csv", "not a relative path inside the package"),
    ("./sources.csv/..", "not a relative path inside the package"),
    ("..\\outside\\secret.csv", "not a relative path inside the package"),
    ("C:/Windows/win.ini", "not a relative path inside the package"),
    ("file:///etc/passwd", "not a relative path inside the package"),
    ("https://evil.example/sources.csv", "not a relative path inside the package"),
    ("sources.csv\x00.txt", "not a relative path inside the package"),
    ("", "not a relative path inside the package"),
    ("geo", "not a regular file"),
    ("no_such_file.csv", "is missing"),
]


@pytest.mark.parametrize("path, words", HOSTILE_PATHS, ids=[repr(p) for p, _ in HOSTILE_PATHS])
def test_hostile_resource_path_is_refused_before_reading(pkg, reads, path, words):
    d = descriptor(pkg)
    resource(d, "sources")["path"] = path
    save(pkg, d)
    e = load_error(pkg)
    assert e.resource == "sources" and words in e.detail, str(e)
    assert SECRET not in str(e) and "root:" not in str(e)
    assert reads == [], "nothing is read once a path is refused (the check runs before any table)"


SYMLINKS = [  # (link name inside the package, target relative to the package's parent directory, words)
    ("sources.csv", "outside/secret.csv", "outside the package"),
    ("passwd.csv", "/etc/passwd", "outside the package"),
    ("loop.csv", None, "cannot be opened"),
]


@pytest.mark.parametrize("link, target, words", SYMLINKS, ids=[s[0] for s in SYMLINKS])
def test_symlink_out_of_the_package_is_refused(pkg, reads, link, target, words):
    d = descriptor(pkg)
    (pkg / link).unlink(missing_ok=True)
    if target is None:
        os.symlink(pkg / link, pkg / link)  # points at itself
    else:
        os.symlink(target if target.startswith("/") else pkg.parent / target, pkg / link)
    resource(d, "sources")["path"] = link
    save(pkg, d)
    e = load_error(pkg)
    assert e.resource == "sources" and words in e.detail, str(e)
    assert SECRET not in str(e) and reads == []


def test_symlink_inside_the_package_is_allowed(pkg):
    os.symlink(pkg / "sources.csv", pkg / "sources_link.csv")
    d = descriptor(pkg)
    resource(d, "sources")["path"] = "sources_link.csv"
    save(pkg, d)
    assert len(load_package(pkg).sources) > 0


def test_symlinked_descriptor_is_refused(pkg, tmp_path):
    real = tmp_path / "elsewhere.json"
    shutil.move(pkg / "datapackage.json", real)
    os.symlink(real, pkg / "datapackage.json")
    assert "not a regular file" in load_error(pkg).detail


# --- descriptor shapes: (resource, field or None, change to the descriptor, words) ----------------

def _set(res, fname, key, value):
    def change(d):
        target = field(d, res, fname) if fname else resource(d, res)["schema"]
        if key == "constraints.":
            target["constraints"] = value
        elif key.startswith("constraints."):
            target.setdefault("constraints", {})[key.split(".", 1)[1]] = value
        else:
            target[key] = value
    return change


def _fields_as_strings(d):
    resource(d, "survey_findings")["schema"]["fields"] = [f["name"] for f in resource(d, "survey_findings")["schema"]["fields"]]


def _field_without_name(d):
    del field(d, "survey_findings", "statement")["name"]


def _fk(value):
    def change(d):
        resource(d, "survey_findings")["schema"]["foreignKeys"] = value
    return change


SHAPES = [
    ("pattern (", "survey_findings", "finding_id", _set("survey_findings", "finding_id", "constraints.pattern", "("),
     "not a regular expression"),
    # issue #30 item 4: patterns RE2 cannot compile would make pandas fall back to Python's re, which can take
    # exponential time on a cell while holding the GIL (the whole server froze): refused, naming the field
    ("pattern lookahead", "survey_findings", "finding_id",
     _set("survey_findings", "finding_id", "constraints.pattern", "(?=a)(a+)+$"), "RE2"),
    ("pattern backreference", "survey_findings", "finding_id",
     _set("survey_findings", "finding_id", "constraints.pattern", "(s)\\1?.*"), "RE2"),
    ("enum 5", "survey_findings", "finding_id", _set("survey_findings", "finding_id", "constraints.enum", 5),
     "must be a list of strings"),
    ("minimum '0'", "survey_findings", "percent", _set("survey_findings", "percent", "constraints.minimum", "0"),
     "must be a number"),
    ("minimum on a string", "survey_findings", "statement",
     _set("survey_findings", "statement", "constraints.minimum", 0), "applies to numbers"),
    ("constraints a string", "survey_findings", "statement", _set("survey_findings", "statement", "constraints.", "x"),
     "constraints must be an object"),
    ("maxLength 'ten'", "survey_findings", "statement",
     _set("survey_findings", "statement", "constraints.maxLength", "ten"), "must be a whole number"),
    ("required 'yes'", "survey_findings", "statement",
     _set("survey_findings", "statement", "constraints.required", "yes"), "must be true or false"),
    ("unknown type", "survey_findings", "percent", _set("survey_findings", "percent", "type", "<script>"),
     "not a Table Schema field type"),
    ("field without name", "survey_findings", None, _field_without_name, "has no name"),
    ("fields as strings", "survey_findings", None, _fields_as_strings, "not an object with a name"),
    ("primaryKey unknown", "survey_findings", None, _set("survey_findings", None, "primaryKey", ["nope"]),
     "primaryKey names the field 'nope'"),
    ("primaryKey a number", "survey_findings", None, _set("survey_findings", None, "primaryKey", 5),
     "primaryKey must be a field name"),
    ("fk unknown resource", "survey_findings", "source_id",
     _fk([{"fields": "source_id", "reference": {"resource": "nowhere", "fields": "source_id"}}]), "'nowhere'"),
    ("fk without reference", "survey_findings", None, _fk([{"fields": "source_id"}]), "has no 'reference'"),
    ("fk unknown field", "survey_findings", None,
     _fk([{"fields": "nope", "reference": {"resource": "sources", "fields": "source_id"}}]), "names the field 'nope'"),
    ("fk unknown target field", "survey_findings", "source_id",
     _fk([{"fields": "source_id", "reference": {"resource": "sources", "fields": "nope"}}]), "refers to the field 'nope'"),
    ("foreignKeys an object", "survey_findings", None, _fk({"fields": "x"}), "foreignKeys must be a list"),
]


@pytest.mark.parametrize("label, res, fname, change, words", SHAPES, ids=[s[0] for s in SHAPES])
def test_descriptor_shape_gets_a_named_message(pkg, reads, label, res, fname, change, words):
    d = descriptor(pkg)
    change(d)
    save(pkg, d)
    e = load_error(pkg)
    assert e.resource == res and words in e.detail, str(e)
    if fname:
        assert e.field == fname
    assert reads == [], "descriptor shapes are checked before any table is read"


def test_descriptor_nested_100k_deep(pkg):
    save(pkg, '{"resources": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert "nested too deeply" in load_error(pkg).detail


# --- values: (resource, field, value, words) -----------------------------------------------------

VALUES = [
    ("places", "lat", "inf", "not a finite number"),
    ("places", "lat", "1e400", "not a finite number"),
    ("places", "lat", "9999", "above the maximum 90"),
    ("places", "lon", "-181", "below the minimum -180"),
    ("regions", "lat", "-90.5", "below the minimum -90"),
    ("donation_items", "quantity", "1" * 40, "a whole number beyond"),
    ("donation_items", "quantity", "-5", "below the minimum 0"),
    ("survey_findings", "percent", "101", "above the maximum 100"),
    ("survey_findings", "percent", "nan", "not a valid number"),
]


@pytest.mark.parametrize("res, fname, value, words", VALUES, ids=[f"{r}.{f}={v[:12]}" for r, f, v, _ in VALUES])
def test_out_of_range_value_is_refused(pkg, res, fname, value, words):
    file = pkg / resource(descriptor(pkg), res)["path"]
    df = pd.read_csv(file, dtype=str, keep_default_na=False)
    row = int((df[fname] != "").to_numpy().nonzero()[0][0])
    df.loc[row, fname] = value
    df.to_csv(file, index=False)
    e = load_error(pkg)
    assert (e.resource, e.row, e.field) == (res, row + 1, fname) and words in e.detail, str(e)


def test_huge_header_gives_a_short_message(pkg):
    file = pkg / "survey_findings.csv"
    lines = file.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0] + "," + ",".join(f"col{i}_" + "x" * 100 for i in range(10_000))  # about 1 MB: 500 times the message's bound
    file.write_text("\n".join(lines), encoding="utf-8")
    e = load_error(pkg)
    assert e.resource == "survey_findings" and len(str(e)) <= MAX_MESSAGE + 200


def test_long_cell_is_quoted_as_a_short_excerpt(pkg):
    file = pkg / "survey_findings.csv"
    df = pd.read_csv(file, dtype=str, keep_default_na=False)
    df.loc[0, "percent"] = "9" * 3 + "x" * 10_000
    df.to_csv(file, index=False)
    e = load_error(pkg)
    assert e.field == "percent" and len(e.detail) < 200 and "…" in e.detail


def test_a_missing_package_is_named_without_the_servers_path(tmp_path):
    # issue #30 item 16: the message goes to /healthz, every 503 and the error page: no absolute path in it
    import tempfile
    short = Path(tempfile.mkdtemp(prefix="prv"))  # short enough that an excerpt would hold all of it
    try:
        e = load_error(short)
        assert "datapackage.json" in str(e)
        assert short.name not in str(e) and "/tmp" not in str(e), str(e)
    finally:
        short.rmdir()


def test_a_pattern_check_runs_in_linear_time_and_names_the_row(pkg):
    # (x+x+)+y on 40 x's takes Python's re some 2**40 steps; RE2 answers at once (issue #30 item 4)
    d = descriptor(pkg)
    field(d, "survey_findings", "statement").setdefault("constraints", {})["pattern"] = "(x+x+)+y"
    save(pkg, d)
    file = pkg / "survey_findings.csv"
    df = pd.read_csv(file, dtype=str, keep_default_na=False)
    df.loc[0, "statement"] = "x" * 40
    df.to_csv(file, index=False)
    e = load_error(pkg)
    assert e.field == "statement" and e.row == 1 and "does not match the pattern" in e.detail


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip", ".csv.zst", ".CSV.GZ"])
def test_compressed_resources_are_refused(pkg, suffix):
    # issue #30 item 6: ATLAS_MAX_BYTES was checked on the compressed size (85 kB of gzip served a 76 MB table)
    import gzip
    src = pkg / "survey_findings.csv"
    (pkg / f"survey_findings{suffix}").write_bytes(gzip.compress(src.read_bytes()))
    d = descriptor(pkg)
    resource(d, "survey_findings")["path"] = f"survey_findings{suffix}"
    save(pkg, d)
    e = load_error(pkg)
    assert e.resource == "survey_findings" and "compressed" in e.detail, str(e)


def test_a_declared_compression_is_refused(pkg):
    d = descriptor(pkg)
    resource(d, "survey_findings")["compression"] = "gz"
    save(pkg, d)
    e = load_error(pkg)
    assert e.resource == "survey_findings" and "compressed" in e.detail, str(e)


@pytest.mark.parametrize("res, fname, row", [("donation_items", "category", 0), ("sources", "url_note", 0),
                                             ("support_messages", "kind", 0), ("key_figures", "scope", 0)])
def test_vocabulary_codes_are_checked_without_an_enum(pkg, res, fname, row):
    # issue #30 item 8: with the descriptor's enum removed, any text passed as a code and reached t() as a key
    d = descriptor(pkg)
    field(d, res, fname).get("constraints", {}).pop("enum", None)
    save(pkg, d)
    file = pkg / f"{res}.csv"
    df = pd.read_csv(file, dtype=str, keep_default_na=False)
    df.loc[row, fname] = "[x](https://evil.example/cat)"
    df.to_csv(file, index=False)
    e = load_error(pkg)
    assert (e.resource, e.field, e.row) == (res, fname, row + 1), str(e)
    assert "not a code of" in e.detail, str(e)


# --- issue #30 item 5: geo/ files under the rules of resources ------------------------------------------------

def _geo_error(pkg, timeout: float = 10.0):
    """load_boundaries(pkg)'s exception, run in a thread so that a read that hangs (a FIFO) fails the test."""
    import threading
    from atlas.boundaries import load_boundaries
    out: list = []

    def run():
        try:
            load_boundaries(pkg)
            out.append(None)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            out.append(exc)
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    assert out, f"load_boundaries did not return within {timeout} s (it hangs)"
    return out[0]


def test_a_geo_symlink_out_of_the_package_is_refused(pkg, tmp_path):
    secret = tmp_path / "outside" / "secret.geojson"
    secret.write_text('{"type": "FeatureCollection", "features": [], "secret": "' + SECRET + '"}', encoding="utf-8")
    (pkg / "geo" / "world.geojson").unlink()
    os.symlink(secret, pkg / "geo" / "world.geojson")
    e = _geo_error(pkg)
    assert isinstance(e, PackageError) and "geo/world.geojson" in str(e) and "outside the package" in str(e), e
    os.symlink("/proc/self/environ", pkg / "geo" / "environ")
    (pkg / "geo" / "world.geojson").unlink()
    os.symlink("environ", pkg / "geo" / "world.geojson")
    e = _geo_error(pkg)
    assert isinstance(e, PackageError) and "outside the package" in str(e), e


def test_a_geo_fifo_is_refused_without_hanging(pkg):
    fifo = pkg / "geo" / "us-states.geojson"
    fifo.unlink()
    os.mkfifo(fifo)
    try:
        e = _geo_error(pkg, timeout=10)
        assert isinstance(e, PackageError) and "geo/us-states.geojson" in str(e) and "not a regular file" in str(e), e
    finally:  # release a reader that did block (the test then failed)
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass


def test_a_missing_or_oversized_geo_file_is_named(pkg, monkeypatch):
    from atlas import boundaries
    (pkg / "geo" / "countries.geojson").unlink()
    e = _geo_error(pkg)
    assert isinstance(e, PackageError) and isinstance(e, FileNotFoundError) and "geo/countries.geojson" in str(e), e
    shutil.copy(DATA / "geo" / "countries.geojson", pkg / "geo" / "countries.geojson")
    monkeypatch.setattr(boundaries, "MAX_GEO_BYTES", 1_000)
    e = _geo_error(pkg)
    assert isinstance(e, PackageError) and "geo/" in str(e) and "above" in str(e), e


def _get(endpoint, path: str, **path_params):
    """A route of components.http called in-process (no server)."""
    from starlette.requests import Request
    return endpoint(Request({"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
                             "headers": [], "scheme": "http", "server": ("127.0.0.1", 8501), "root_path": "",
                             "path_params": path_params}))


def test_healthz_and_the_map_files_name_a_broken_geo_file(pkg, monkeypatch):
    # a missing boundary file gave a generic error with /healthz 200
    from components import http
    (pkg / "geo" / "cn-provinces.geojson").unlink()
    monkeypatch.setenv("ATLAS_DATA_DIR", str(pkg))
    for r in (_get(http.healthz, "/healthz"), _get(http.chart_file, "/charts/flow-map.html", file="flow-map.html")):
        body = json.loads(r.body)
        assert r.status_code == 503 and "geo/cn-provinces.geojson" in body["message"], body
        assert str(pkg) not in r.body.decode()


@pytest.mark.app  # an AppTest page run (pytest.ini)
def test_the_map_page_of_a_broken_geo_file_names_it(pkg, monkeypatch):
    from tests.conftest import run_app
    (pkg / "geo" / "us-states.geojson").unlink()
    os.mkfifo(pkg / "geo" / "us-states.geojson")  # would hang the page forever if opened
    monkeypatch.setenv("ATLAS_DATA_DIR", str(pkg))
    at = run_app({}, "pages/flows.py")
    assert not at.exception, [e.value for e in at.exception][:1]
    errors = [e.value.replace("\\", "") for e in at.error]  # shown as escaped markdown
    assert any("geo/us-states.geojson" in e and "not a regular file" in e for e in errors), errors


def test_a_failed_load_is_remembered_until_the_files_change(pkg, reads):
    # issue #30 item 11: every /healthz 503 read and checked the whole broken package again (2.5 s at a million rows)
    file = pkg / "survey_findings.csv"
    df = pd.read_csv(file, dtype=str, keep_default_na=False)
    df.loc[1, "percent"] = "12a"
    df.to_csv(file, index=False)
    first = load_error(pkg)
    assert reads, "the first load reads the tables"
    reads.clear()
    again = load_error(pkg)
    assert str(again) == str(first) and reads == [], "the same files: the same error, nothing read again"
    df.loc[1, "percent"] = "12"
    df.to_csv(file, index=False)
    load_package(pkg)  # the files changed: read again, and now good
    assert reads


@pytest.mark.parametrize("res", ["key_figures", "places"])
def test_a_row_missing_a_trailing_cell_is_named(pkg, res):
    # issue #30 item 16: a row one cell short (its last, optional, field) loaded silently as if the cell were empty
    import csv
    file = pkg / f"{res}.csv"
    with open(file, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[3] = rows[3][:-1]
    with open(file, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    e = load_error(pkg)
    assert e.resource == res and e.row == 3 and "cells" in e.detail, str(e)

"""The columnar copy (the Arrow copy the server starts from) gives the numbers of its CSVs read afresh, and the copy
follows its CSVs: a changed byte is a new copy with new numbers, a damaged copy is rebuilt, an unwritable cache
is no error."""
from __future__ import annotations

import dataclasses
import json
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from atlas import catalogue, columnar, corporate, engine, flows, landing, overview, pairings, survey
from atlas.filters import parse_query
from atlas.package import load_package
from atlas.records import Data, flow_records, load

ROOT = Path(__file__).resolve().parents[1]

# Every filter set of the page tests (tests/test_pages*.py, tests/e2e/test_api.py) and the benchmark's California.
FILTER_SETS = {
    "none": {},
    "Fujian": {"province": ["Fujian"]},
    "Ohio": {"state": ["Ohio"]},
    "California": {"state": ["California"]},
    "Ohio-us_to_cn": {"state": ["Ohio"], "direction": ["us_to_cn"]},
    "Hubei+Jiangsu-masks": {"province": ["Hubei", "Jiangsu"], "category": ["surgical_mask", "respirator_mask"]},
    "spring-companies": {"from": ["2020-03"], "to": ["2020-04"], "actor": ["company"]},
    "Mar-Jun": {"from": ["2020-03"], "to": ["2020-06"]},
    "cn_to_us-cash": {"direction": ["cn_to_us"], "category": ["cash"]},
}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A cache of its own for this module (the suite's ATLAS_CACHE_DIR is left as it is)."""
    folder = tmp_path_factory.mktemp("columnar")
    old = os.environ.get("ATLAS_CACHE_DIR")
    os.environ["ATLAS_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("ATLAS_CACHE_DIR", None)
    else:
        os.environ["ATLAS_CACHE_DIR"] = old


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    from benchmarks import generate
    return generate.ensure(3000)


@pytest.fixture(scope="module", params=["bundled", "synthetic-3000"])
def both(request, cache, synthetic) -> tuple[Data, Data]:
    """(copy, CSV) Data of the same package: the first read through the Arrow copy, the second straight from the
    CSVs (its frame made from the records read)."""
    path = ROOT / "data" if request.param == "bundled" else synthetic
    load(path)                      # writes the copy
    fast = load(path)               # reads it
    assert fast.source == "columnar" and fast.frame is not None
    pkg = load_package(path)
    records = flow_records(pkg)
    reference = Data(pkg, records, fast.vocab, engine.frame_of(records), "csv")
    return fast, reference


@pytest.mark.app  # the copy against its CSVs (pytest.ini)
def test_the_copy_holds_exactly_the_tables_and_records_read_from_csv(both):
    fast, reference = both
    pd.testing.assert_frame_equal(fast.records, reference.records)
    for name, table in reference.package.tables.items():
        pd.testing.assert_frame_equal(fast.package.tables[name], table, obj=name)


def _same_view(a, b):
    if a is None or b is None:
        assert a is b
        return
    for f in ("flows", "totals", "coords", "legend"):
        pd.testing.assert_frame_equal(getattr(a.map, f), getattr(b.map, f), obj=f)
    assert a.map.records_by_key == b.map.records_by_key
    assert (a.map.unmapped, a.map.qmax, a.map.arcs_total, a.map.place_max) == \
           (b.map.unmapped, b.map.qmax, b.map.arcs_total, b.map.place_max)
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.rows == b.rows


@pytest.mark.app  # the copy against its CSVs (pytest.ini)
@pytest.mark.parametrize("name", FILTER_SETS)
def test_flows_numbers_from_the_copy_are_those_of_its_csvs(both, name):
    fast, reference = both
    f = parse_query(FILTER_SETS[name], fast.vocab).filters
    for level in flows.LEVELS:
        _same_view(flows.view(fast, f, level), flows.view(reference, f, level))
    for measure in flows.SANKEY_MEASURES:
        pd.testing.assert_frame_equal(flows.sankey_view(fast, f, measure), flows.sankey_view(reference, f, measure),
                                      obj=f"sankey {measure}")
    pd.testing.assert_frame_equal(flows.records_table(fast, f), flows.records_table(reference, f))


@pytest.mark.app  # the copy against its CSVs (pytest.ini)
def test_filters_that_keep_something_keep_it_from_the_copy(both):
    """Guards the comparison above against comparing empty views: most filter sets keep records."""
    fast, _ = both
    kept = [flows.view(fast, parse_query(q, fast.vocab).filters) is not None for q in FILTER_SETS.values()]
    assert sum(kept) >= 5


OTHER_VIEWS = {
    "overview": lambda d, f: overview.view(d, f),
    "reconciliation": lambda d, f: overview.reconciliation_view(d),
    "pairings": lambda d, f: pairings.view(d, f),
    "landing": lambda d, f: landing.facts(d),
    "corporate": lambda d, f: corporate.giving(d.package, "USD"),
    "survey": lambda d, f: survey.survey_table(d.package.survey_findings),
}


@pytest.mark.app  # the copy against its CSVs (pytest.ini)
@pytest.mark.parametrize("view", OTHER_VIEWS)
def test_other_views_give_the_same_numbers_from_the_copy(both, view):
    """Pages that stay in pandas (fast enough at a million records) read the same frames from the copy."""
    fast, reference = both
    for q in FILTER_SETS.values():
        f = parse_query(q, fast.vocab).filters
        _assert_same(OTHER_VIEWS[view](fast, f), OTHER_VIEWS[view](reference, f))


def _assert_same(a, b):
    if dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            _assert_same(getattr(a, field.name), getattr(b, field.name))
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif isinstance(a, (list, tuple)) and a and not isinstance(a[0], (str, int, float)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    else:
        assert a == b


# --- the copy follows its CSVs ---------------------------------------------------------------------

@pytest.fixture
def package(tmp_path, monkeypatch) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "data", pkg, ignore=shutil.ignore_patterns("geo"))
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    return pkg


def _copies(pkg: Path) -> list[Path]:
    root = columnar.cache_root()
    return sorted(p for p in root.iterdir() if not p.name.startswith(".")) if root.exists() else []


def test_a_changed_byte_makes_a_new_copy_with_new_numbers(package):
    first = load(package)
    assert first.source == "csv" and len(_copies(package)) == 1
    assert load(package).source == "columnar"
    items = package / "donation_items.csv"
    text = items.read_text(encoding="utf-8")
    header, row, rest = text.split("\n", 2)
    cols = header.split(",")
    q = cols.index("quantity")
    cells = row.split(",")
    assert cells[q].isdigit() and cells[q][-1] != "9"
    cells[q] = cells[q][:-1] + str(int(cells[q][-1]) + 1)   # one digit one higher: one byte changed
    stat = items.stat()
    items.write_text("\n".join([header, ",".join(cells), rest]), encoding="utf-8")
    os.utime(items, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime: only the content differs
    changed = load(package)
    assert changed.source == "csv", "a changed CSV is read again, not served from the old copy"
    assert len(_copies(package)) == 2
    before = first.records["quantity"].sum()
    assert changed.records["quantity"].sum() == before + 1
    assert load(package).records["quantity"].sum() == before + 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "manifest", "missing"])
def test_a_damaged_copy_is_rebuilt_never_trusted(package, damage):
    good = load(package)
    # The loaded records map the copy's files: taken into this process's memory before the files are damaged in
    # place (which the app never does, and which would fault any reader of the mapped pages).
    expected = pickle.loads(pickle.dumps(good.records))
    del good
    (copy,) = _copies(package)
    target = copy / "records.arrow"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:1000])
    elif damage == "flip":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
    elif damage == "manifest":
        (copy / columnar.MANIFEST).write_text("{not json", encoding="utf-8")
    else:
        (copy / "donations.arrow").unlink()
    again = load(package)
    assert again.source == "csv"
    pd.testing.assert_frame_equal(again.records, expected)
    assert load(package).source == "columnar", "the rebuilt copy is used next time"
    manifest = json.loads((copy / columnar.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["key"] == copy.name


def test_an_unwritable_cache_falls_back_to_the_csvs_without_error(package, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(blocker / "columnar"))
    first, second = load(package), load(package)
    assert first.source == second.source == "csv"
    pd.testing.assert_frame_equal(first.records, second.records)


def test_the_copy_lives_outside_the_package(package):
    load(package)
    (copy,) = _copies(package)
    assert not copy.resolve().is_relative_to(package.resolve())
    assert sorted(p.name for p in package.iterdir()) == sorted(p.name for p in (ROOT / "data").iterdir() if p.name != "geo")


def test_a_copy_written_in_the_background_is_the_one_the_next_start_reads(package):
    first = load(package, background=True)
    assert first.source == "csv"
    columnar.wait_for_writers()
    assert len(_copies(package)) == 1
    again = load(package)
    assert again.source == "columnar"
    pd.testing.assert_frame_equal(again.records, first.records)
    # The background start has the months at once and works out the map's scale when asked (the writer stored
    # the same one): the map of either start is drawn to one scale.
    assert first.derived == {"months": again.derived["months"]}
    assert list(flows.dataset_scale(first)) == again.derived["scale"] == list(flows.dataset_scale(again))


def test_a_background_copy_waits_while_writes_are_held(package):
    """The server holds the writer back while it computes the first pages (components/warm.py): no copy appears
    until the hold ends, then the copy is written and read by the next start."""
    with columnar.writes_held():
        first = load(package, background=True)
        columnar.wait_for_writers(timeout=1.0)
        assert first.source == "csv" and _copies(package) == []
    columnar.wait_for_writers()
    assert len(_copies(package)) == 1
    assert load(package).source == "columnar"


def test_a_background_writer_runs_at_the_lowest_priority(package, monkeypatch):
    """The copy's thread asks the kernel for nice 19 (its own thread id, not the process): the serving threads
    come first."""
    calls = []
    monkeypatch.setattr(columnar.os, "setpriority", lambda which, who, prio: calls.append((which, who, prio)))
    load(package, background=True)
    columnar.wait_for_writers()
    assert len(calls) == 1 and calls[0][0] == os.PRIO_PROCESS and calls[0][2] == 19
    assert calls[0][1] != os.getpid()  # the writer thread's id


@pytest.mark.app  # the copy against its CSVs (pytest.ini)
@pytest.mark.parametrize("name", sorted(catalogue.RECORD_TABLES))
def test_the_data_pages_filtered_rows_are_the_same_from_the_copy(both, name):
    """The rows of a package table the shared filters keep: the lookup gives the rows a plain `isin` of the kept
    records' ids gives, from the copy as from the CSVs."""
    fast, reference = both
    table = fast.package.tables[name]
    id_column, kind = catalogue.RECORD_TABLES[name]
    for q in FILTER_SETS.values():
        f = parse_query(q, fast.vocab).filters
        kept = reference.records.iloc[engine.rows(engine.select(reference, f, promised=True))]
        expected = table[id_column].isin(set(kept.loc[kept["record_kind"] == kind, "record_id"].astype(str)))
        if name == "donation_items" and f.categories:
            expected &= table["category"].isin(f.categories)
        assert catalogue.record_rows(fast, f, name).tolist() == np.flatnonzero(expected.to_numpy()).tolist()
        assert catalogue.record_rows(reference, f, name).tolist() == np.flatnonzero(expected.to_numpy()).tolist()


def test_a_killed_writers_temporary_folder_is_removed_once_stale(package):
    root = columnar.cache_root()
    root.mkdir(parents=True, exist_ok=True)
    stale, fresh = root / ".0123456789abcdef-dead", root / ".fedcba9876543210-busy"
    for d in (stale, fresh):
        d.mkdir()
        (d / "records.arrow").write_bytes(b"partial")
    old = stale.stat().st_mtime - columnar.STALE_S - 60
    os.utime(stale, (old, old))
    load(package)
    assert not stale.exists(), "a writer's leftover from over an hour ago is removed"
    assert fresh.exists(), "a folder another writer may still be filling is left alone"


def _references_by_hand(records: pd.DataFrame, level: str, limit: int = 9) -> dict[str, list[str]]:
    """What `records_by_key` means, in plain Python: per end, the source references of its first `limit` records
    (a record taken at the first row of each run of its rows), each once, cut at 40 characters."""
    keys = ("from_admin1", "to_admin1") if level == "region" else ("from_id", "to_id")
    rows = list(zip(records["record_no"], records["source_ref"], *(records[k].astype(object) for k in keys)))
    runs = [r for i, r in enumerate(rows) if i == 0 or r[0] != rows[i - 1][0]]
    out: dict[str, list[str]] = {}
    for j in range(len(keys)):
        seen, taken = set(), {}
        for r in runs:
            k = r[2 + j]
            if (r[0], k) in seen:
                continue
            seen.add((r[0], k))
            if taken.get(k, 0) >= limit:
                continue
            taken[k] = taken.get(k, 0) + 1
            if k:
                ref = r[1] if len(r[1]) < 40 else r[1][:37] + "…"
                refs = out.setdefault(k, [])
                if ref not in refs and len(refs) < limit:
                    refs.append(ref)
    return out


def test_the_references_per_place_when_a_records_rows_are_apart():
    """`records_by_key` looks at the first rows of each place and falls back to all of them when those hold fewer
    than nine records while the place has more rows: rows of one record apart (not adjacent) make the first rows
    repeat records, so both branches run, and the result is what the references mean (`_references_by_hand`)."""
    import polars as pl
    rng = np.random.default_rng(3)
    n = 2_000
    records = pd.DataFrame({
        # places A and B: record numbers cycling over 3 records for 60 rows (few records among many rows), then many
        "record_no": np.r_[np.tile([0, 1, 2], 20), np.arange(3, n - 57)].astype("int32"),
        "source_ref": [f"Table {i % 13}, row {i % 29}" for i in range(n)],
        "from_admin1": pd.Categorical(rng.choice(["CN-FJ", "CN-HB", ""], n), categories=["", "CN-FJ", "CN-HB"]),
        "to_admin1": pd.Categorical(np.r_[["US-OH"] * 60, rng.choice(["US-CA", "US-WA", "US-OH"], n - 60)]),
    })
    frame = pl.from_pandas(records)
    assert flows._records_by_key(frame, "region") == _references_by_hand(records, "region")
    # a place's first rows holding fewer than nine records while it has more rows: the exact branch ran
    ohio = records[records["to_admin1"] == "US-OH"]
    assert ohio["record_no"].head(36).nunique() < 9 < ohio["record_no"].nunique()


@pytest.mark.parametrize("measure", ["masks", "items", "records"])
def test_sankey_links_merge_missing_ends_with_ends_of_no_stated_province(measure):
    """The columnar Sankey groups on the codes and names the missing ends after grouping: a missing province and a
    province coded "" (NOT_STATED) must still be one link, with the sum or count of distinct records of both, as when
    every row's ends are named before grouping."""
    import polars as pl
    rng = np.random.default_rng(5)
    n = 600
    ends = lambda values: pd.Categorical(rng.choice(values, n), categories=[v for v in values if v is not None])
    records = pd.DataFrame({
        "record_no": rng.integers(0, 150, n).astype("int32"),
        "quantity": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(1, 100, n)), dtype="Float64"),
        "category": ends(["surgical_mask", "gloves", "respirator_mask"]),
        "unit": ends(["pieces", "pairs", "messages"]),
        "cn_admin1": ends(["CN-FJ", "", None]),
        "us_admin1": ends(["US-OH", "", None]),
        "direction": ends(["cn_to_us", "us_to_cn"]),
    })
    frame = pl.from_pandas(records)
    got = flows._sankey_links(frame, measure)
    # the reference: every row's ends named first (what the columnar code did before), then grouped
    named = records.assign(**{c: records[c].astype(object).where(records[c].notna(), flows.NOT_STATED) for c in ("cn_admin1", "us_admin1")})
    if measure == "masks":
        named = named[named["category"].isin(flows.MASKS) & (named["unit"] == "pieces")]
    elif measure == "items":
        named = named[named["unit"].isin(flows.PHYSICAL_UNITS)]
    keys = ["cn_admin1", "us_admin1", "direction"]
    g = named.groupby(keys, observed=True)
    want = (g["record_no"].nunique() if measure == "records" else g["quantity"].sum(min_count=1)).rename("value").reset_index()
    want = want[want["value"].notna() & (want["value"] > 0)]
    key = lambda df: sorted((str(a), str(b), str(c), float(v)) for a, b, c, v in df[keys + ["value"]].itertuples(index=False))
    assert key(got) == key(want)
    assert (got["cn_admin1"] == flows.NOT_STATED).any()  # the merged links are there


# --- issue #30 item 2: a copy is trusted only if this server made it for this package ---------------------------

def _other_package(package: Path, tmp_path: Path) -> Path:
    """The same package with every item line's quantity × 1000 (another package, another key)."""
    other = tmp_path / "other"
    shutil.copytree(package, other)
    items = pd.read_csv(other / "donation_items.csv", dtype=str, keep_default_na=False)
    items["quantity"] = [str(int(q) * 1000) if q else q for q in items["quantity"]]
    items.to_csv(other / "donation_items.csv", index=False)
    return other


def test_a_planted_copy_of_another_package_is_never_served(package, tmp_path):
    expected = pickle.loads(pickle.dumps(load(package).records["quantity"].sum()))
    (mine,) = _copies(package)
    other = _other_package(package, tmp_path)
    assert load(other).records["quantity"].sum() != expected
    theirs = next(c for c in _copies(package) if c != mine)
    # the other package's copy put under this package's key, its manifest edited to claim it
    shutil.rmtree(mine)
    shutil.copytree(theirs, mine)
    manifest = json.loads((mine / columnar.MANIFEST).read_text(encoding="utf-8"))
    manifest["key"] = mine.name
    (mine / columnar.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    again = load(package)
    assert again.source == "csv" and again.records["quantity"].sum() == expected


@pytest.mark.parametrize("weakness", ["root-0777", "copy-0777", "file-0666", "copy-symlink", "secret-0644"])
def test_a_copy_others_could_have_written_is_not_used(package, tmp_path, weakness, monkeypatch):
    monkeypatch.setenv("ATLAS_CACHE_SECRET_FILE", str(tmp_path / "key" / "cache.key"))  # this test's own key
    load(package)
    (copy,) = _copies(package)
    if weakness == "root-0777":
        os.chmod(columnar.cache_root(), 0o777)
    elif weakness == "copy-0777":
        os.chmod(copy, 0o777)
    elif weakness == "file-0666":
        os.chmod(copy / "records.arrow", 0o666)
    elif weakness == "copy-symlink":
        moved = tmp_path / "elsewhere"
        shutil.move(copy, moved)
        os.symlink(moved, copy)
    else:  # the signing key readable by others: anyone could sign a copy
        os.chmod(columnar.secret_file(), 0o644)
    assert load(package).source == "csv", weakness


def test_a_copy_truncated_while_served_does_not_kill_the_process(package):
    # issue #30 item 3: a mapped file truncated under a running server killed it (SIGBUS, exit -7)
    import subprocess
    import sys
    load(package)
    script = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from atlas import columnar
from atlas.records import load
data = load({str(package)!r})
assert data.source == "columnar", data.source
(copy,) = [p for p in columnar.cache_root().iterdir() if not p.name.startswith(".")]
for f in copy.glob("*.arrow"):
    os.chmod(f, 0o600)
    os.truncate(f, 0)  # what a careless cleanup or a full disk's repair does under a running server
total = 0
for df in [data.records, *data.package.tables.values()]:
    for column in df.columns:
        total += len(df[column].astype(str).str.len().to_numpy())
total += data.frame.height if data.frame is not None else 0
print("alive", total)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ATLAS_CACHE_DIR": str(columnar.cache_root())})
    assert done.returncode == 0 and "alive" in done.stdout, (done.returncode, done.stderr[-2000:])


def test_a_dead_writers_temporary_folder_on_this_machine_is_removed_at_once(package):
    # issue #30 item 16: a partial copy folder from a killed writer stayed for an hour
    import socket
    import subprocess
    import sys
    root = columnar.cache_root()
    root.mkdir(parents=True, exist_ok=True)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    alive = os.getpid()
    host = socket.gethostname()
    dead, busy = root / f".0123456789abcdef-{host}-{gone.pid}-x1", root / f".fedcba9876543210-{host}-{alive}-x2"
    elsewhere = root / f".0011223344556677-another-host-{gone.pid}-x3"  # another machine's writer: its pids are not ours
    for d in (dead, busy, elsewhere):
        d.mkdir()
        (d / "records.arrow").write_bytes(b"partial")
    load(package)
    assert not dead.exists(), "the writer that made it has exited"
    assert busy.exists() and elsewhere.exists()
    shutil.rmtree(busy)
    shutil.rmtree(elsewhere)

"""The versions of the data package: which there are, loading one, and what changed between two (no Streamlit).

The package's version follows semantic versioning (`atlas/build/schema.py` VERSION): major when a field comes to
mean something else or rows are counted otherwise, minor when tables, fields or rows are added, patch for single
values corrected. The current version is the package itself (`data/`, or `$ATLAS_DATA_DIR`). Each earlier release
is kept beside it as it was published, byte for byte, in `<package>/releases/<version>/`, with a `release.json`
naming the commit it was taken from and each file's git blob id (written by the build, `atlas/build/releases.py`,
from git history: nothing here needs git). `<package>/releases/versions.csv` lists every version with its date and
what it changed; `<package>/releases/changes.csv` says why rows changed (`curation/changes.csv`, see `explain`).

An earlier release is read with its own descriptor (its files checked against the schema they were published with),
then upgraded into the current schema (`upgrade`), so that the one engine (`atlas.engine`) counts it: a field the
release did not have gets the value that says what the release meant, a table it did not have is empty. So an old
citation's address shows the numbers of the old rows, counted by today's rules, and every difference between two
versions' numbers comes from their rows (`diff`), each with its reason.

A version named in a link is looked up among those listed (`find`), never joined into a path.
"""
from __future__ import annotations

import csv
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import package as P

RELEASES = "releases"          # <package>/releases/
MANIFEST = "release.json"      # <package>/releases/<version>/release.json
VERSIONS = "versions.csv"      # <package>/releases/versions.csv
CHANGES = "changes.csv"        # <package>/releases/changes.csv
VERSIONS_FIELDS = ("version", "released", "commit", "summary", "summary_zh")
CHANGES_FIELDS = ("version", "table", "change", "key", "fields", "reason", "reason_zh", "source_id")
CHANGE_KINDS = ("added", "removed", "changed")
# MAJOR.MINOR.PATCH, each a number without leading zeros, at most five digits: what a link may name.
SEMVER = re.compile(r"(0|[1-9][0-9]{0,4})\.(0|[1-9][0-9]{0,4})\.(0|[1-9][0-9]{0,4})")
MAX_SHOWN = 40
KEY_SEPARATOR = " | "


class UnknownVersion(ValueError):
    """A version that is not one of this package's (the message names those that are)."""


@dataclass(frozen=True)
class Version:
    number: str         # "2.0.0"
    released: str       # the date it was published (YYYY-MM-DD)
    commit: str         # the commit whose data/ it is; "" for the current package
    summary: str        # what it changed, in English
    summary_zh: str     # and in Chinese (our translation)
    path: Path          # the folder it is loaded from
    current: bool       # the package itself, not a kept release

    @property
    def order(self) -> tuple[int, ...]:
        return order(self.number)

    def describe(self, lang: str) -> str:
        return self.summary_zh if lang == "zh" and self.summary_zh else self.summary


def order(number: str) -> tuple[int, ...]:
    """A version number as numbers, for sorting ("10.0.0" after "9.1.0"); a number that is not MAJOR.MINOR.PATCH first."""
    return tuple(int(p) for p in number.split(".")) if SEMVER.fullmatch(number or "") else (-1,)


# --- which versions there are ----------------------------------------------------------------------------------------

def versions(root: Path | str | None = None) -> tuple[Version, ...]:
    """Every version of the package at `root` (default: the served package), oldest first; the last is the current.
    A release listed in versions.csv is served only if its folder holds its manifest; the current version is the
    package's own descriptor's, also without a versions.csv (a package given by $ATLAS_DATA_DIR)."""
    root = Path(root) if root else P.data_dir()
    return _versions(str(root), _stamp(root))


def _stamp(root: Path) -> tuple:
    """What changes when a version is added or the current one is rebuilt (a few stat calls, no read)."""
    out = []
    for file in (root / "datapackage.json", root / RELEASES / VERSIONS):
        try:
            st = file.stat()
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append(None)
    return tuple(out)


@functools.lru_cache(maxsize=16)
def _versions(root_text: str, stamp: tuple) -> tuple[Version, ...]:
    root = Path(root_text)
    try:
        descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        current = str(descriptor.get("version", "")) if isinstance(descriptor, dict) else ""
    except (OSError, ValueError):
        current = ""
    listed = {row["version"]: row for row in _rows(root / RELEASES / VERSIONS, VERSIONS_FIELDS)}
    out = []
    for number, row in listed.items():
        if number == current or not SEMVER.fullmatch(number):
            continue
        folder = root / RELEASES / number
        if folder.is_symlink() or not (folder / MANIFEST).is_file() or (folder / MANIFEST).is_symlink():
            continue  # listed but not kept here: not servable
        out.append(Version(number, row["released"], row["commit"], row["summary"], row["summary_zh"], folder, False))
    row = listed.get(current, {})
    return tuple(sorted(out, key=lambda v: v.order)) + (
        Version(current, row.get("released", ""), "", row.get("summary", ""), row.get("summary_zh", ""), root, True),)


def _rows(file: Path, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of one of the releases' CSV files (empty if it is absent); a header other than `fields` is an error."""
    try:
        with open(file, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != fields:
                raise P.PackageError(f"releases/{file.name} has the columns {reader.fieldnames}, not {list(fields)}")
            return [{k: (v or "") for k, v in row.items()} for row in reader]
    except FileNotFoundError:
        return []


def numbers(root: Path | str | None = None) -> tuple[str, ...]:
    """The version numbers, oldest first."""
    return tuple(v.number for v in versions(root))


def latest(root: Path | str | None = None) -> Version:
    return versions(root)[-1]


def find(text: str, root: Path | str | None = None) -> Version:
    """The version numbered `text` ("" or "latest": the current one); UnknownVersion otherwise, naming those there
    are. The text is only compared with the listed numbers: it never becomes part of a path."""
    listed = versions(root)
    if text in ("", "latest"):
        return listed[-1]
    found = next((v for v in listed if v.number == text), None)
    if found is None:
        shown = text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"
        raise UnknownVersion(f"The data package has no version {shown!r}; its versions are "
                             f"{', '.join(v.number for v in listed)} (the last is the current one).")
    return found


def previous(version: Version, root: Path | str | None = None) -> Version | None:
    listed = versions(root)
    i = [v.number for v in listed].index(version.number)
    return listed[i - 1] if i else None


def is_release(path: Path | str) -> bool:
    """Whether `path` is a kept earlier release (it has a manifest), not a package of the current schema."""
    return (Path(path) / MANIFEST).is_file()


def manifest(path: Path | str) -> dict:
    file = P.package_file(Path(path), MANIFEST, limit=1_000_000)
    try:
        out = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise P.PackageError(f"{MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(out, dict) or not isinstance(out.get("files"), list):
        raise P.PackageError(f"{MANIFEST} is not a release manifest (an object with a list of files)")
    return out


# --- loading an earlier release into the current schema --------------------------------------------------------------

def current_resources() -> dict[str, dict]:
    """The resources of the current schema, as the build writes them (what the engine reads)."""
    from .build.schema import datapackage
    return {r["name"]: r for r in datapackage()["resources"]}


def _upgrade_date_kind(table: pd.DataFrame) -> pd.Series:
    # Until 2.0.0 a donation's as_of was read as the date of the gift itself: the records' months were the months of
    # as_of (atlas/records.py at dbaed23), so Table 1's 70 rows counted in May 2020. 'event' is that reading in the
    # current schema (2.0.0 says 'listed': the date of the list, the gift on or before it).
    return table["as_of"].where(table["as_of"] == "", "event")


# Fields later versions added, and the value each takes in a release that lacked it: the value that says what the
# release meant. A field not named here is empty (nothing stated: an event's date, source and words in 1.0.0).
UPGRADES = {("donations", "date_kind"): _upgrade_date_kind}


def upgrade(name: str, table: pd.DataFrame | None, fields: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """A release's table as text columns in the current schema's `fields` (in their order), and the fields it lacked.
    A table the release did not have has no rows; a field it lacked takes its UPGRADES value (else empty); a field the
    current schema no longer has is left out."""
    if table is None:
        return pd.DataFrame({f: pd.Series([], dtype="str") for f in fields}), list(fields)
    table = table.copy()
    added = [f for f in fields if f not in table.columns]
    for f in added:
        make = UPGRADES.get((name, f))
        table[f] = make(table) if make else pd.Series("", index=table.index, dtype="str")
    return table[fields], added


def load_release(path: Path | str) -> P.Package:
    """The release kept at `path`: each table read and checked against the schema it was published with, upgraded to
    the current schema, typed and checked again (types, constraints, keys) as any package is. Its descriptor is the
    release's own (version, licences, sources) with the current resources, and says what was upgraded
    (`x-release`)."""
    path = Path(path)
    kept = manifest(path)
    descriptor_file = P.package_file(path, "datapackage.json", limit=P.MAX_DESCRIPTOR_BYTES)
    try:
        published = json.loads(descriptor_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise P.PackageError(f"the release's datapackage.json is not valid JSON ({exc})") from None
    if not isinstance(published, dict) or not isinstance(published.get("resources"), list):
        raise P.PackageError("the release's datapackage.json is not a data package descriptor")
    theirs = {r.get("name"): r for r in published["resources"] if isinstance(r, dict)}
    ours = current_resources()
    tables, upgraded = {}, {}
    for name in P.RESOURCE_NAMES:
        text = None
        if name in theirs:
            text = P.read_text(P.resource_file(path, theirs[name]), theirs[name])
        fields = [f["name"] for f in ours[name]["schema"]["fields"]]
        text, added = upgrade(name, text, fields)
        if added:
            upgraded[name] = "table added later: no rows" if name not in theirs else added
        tables[name] = P.typed(text, ours[name])
    P.check_keys(tables, ours)
    descriptor = {**{k: v for k, v in published.items() if k != "resources"},
                  "resources": [ours[n] for n in P.RESOURCE_NAMES],
                  "x-release": {"version": published.get("version", kept.get("version", "")),
                                "commit": kept.get("commit", ""), "released": kept.get("released", ""),
                                "upgraded": upgraded}}
    return P.Package(path, descriptor, tables)


# --- what changed between two versions -------------------------------------------------------------------------------

def key_fields(pkg: P.Package, name: str) -> list[str]:
    key = pkg.resource(name)["schema"].get("primaryKey") or [f["name"] for f in pkg.resource(name)["schema"]["fields"]]
    return [key] if isinstance(key, str) else list(key)


def _text(table: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text it would have in the CSV ("" for none; 10000, not 10000.0; true/false)."""
    out = pd.DataFrame(index=table.index)
    for c in table.columns:
        col = table[c]
        if pd.api.types.is_bool_dtype(col):
            out[c] = col.map({True: "true", False: "false"}).astype("str")
        elif pd.api.types.is_numeric_dtype(col) and not isinstance(col.dtype, pd.CategoricalDtype):
            out[c] = col.map(lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(float(v))))
        else:
            out[c] = col.astype("str").where(col.notna(), "")
    return out.astype("str")


CHANGE_COLUMNS = ["table", "change", "key", "field", "before", "after"]


def table_changes(old: pd.DataFrame, new: pd.DataFrame, key: list[str], name: str) -> pd.DataFrame:
    """The rows of `new` that `old` lacks (added), those it lost (removed), and for each row in both, each field whose
    value differs (changed, one line per field), by primary key: CHANGE_COLUMNS, in the newer table's order."""
    a, b = _text(old), _text(new)
    ka = a[key].agg(KEY_SEPARATOR.join, axis=1) if len(a) else pd.Series([], dtype="str")
    kb = b[key].agg(KEY_SEPARATOR.join, axis=1) if len(b) else pd.Series([], dtype="str")
    a.index, b.index = pd.Index(ka, dtype="str"), pd.Index(kb, dtype="str")
    rows = [(name, "added", k, "", "", "") for k in b.index if k not in a.index]
    rows += [(name, "removed", k, "", "", "") for k in a.index if k not in b.index]
    both = [k for k in b.index if k in a.index]
    fields = [c for c in b.columns if c in a.columns]
    if both:
        x, y = a.loc[both, fields], b.loc[both, fields]
        differ = (x != y).to_numpy()
        for i, j in zip(*differ.nonzero()):
            rows.append((name, "changed", both[i], fields[j], x.iat[i, j], y.iat[i, j]))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def diff(old: P.Package, new: P.Package) -> pd.DataFrame:
    """What changed from `old` to `new`, table by table (the package's order), each table keyed by the newer version's
    primary key: CHANGE_COLUMNS."""
    parts = [table_changes(old.tables[n], new.tables[n], key_fields(new, n), n) for n in P.RESOURCE_NAMES]
    out = pd.concat(parts, ignore_index=True)
    order = {n: i for i, n in enumerate(P.RESOURCE_NAMES)}
    kinds = {k: i for i, k in enumerate(CHANGE_KINDS)}
    return out.assign(_t=out["table"].map(order), _c=out["change"].map(kinds)) \
        .sort_values(["_t", "_c"], kind="stable").drop(columns=["_t", "_c"]).reset_index(drop=True)


def summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Rows added, removed and changed per table (a changed row once, however many of its fields changed)."""
    rows = []
    for name in P.RESOURCE_NAMES:
        of = changes[changes["table"] == name]
        counts = {k: of.loc[of["change"] == k, "key"].nunique() for k in CHANGE_KINDS}
        if any(counts.values()):
            rows.append({"table": name, **counts})
    return pd.DataFrame(rows, columns=["table", *CHANGE_KINDS])


def reasons(root: Path | str | None = None) -> pd.DataFrame:
    """Why rows changed (`<package>/releases/changes.csv`): for the version that made the change, a table, the kind
    of change, a row's key or `*` (every row of that table so changed), the fields it concerns (`;` between; empty:
    any), the reason in English and Chinese and the sources that say so (source_ids of the newer version, `;`
    between)."""
    root = Path(root) if root else P.data_dir()
    return pd.DataFrame(_rows(root / RELEASES / CHANGES, CHANGES_FIELDS), columns=list(CHANGES_FIELDS), dtype="str")


def explain(changes: pd.DataFrame, why: pd.DataFrame, versions_between: list[str]) -> pd.DataFrame:
    """`changes` with the reasons of the versions in `versions_between` (those after the older one, up to the newer
    one): `reason` and `reason_zh` (several joined by ' / ') and `source_id` (`;` between). A reason applies to a change of its table and
    kind, to its row (or every row: `*`) and, if it names fields, to those fields; a row's own reason comes before a
    table's. A change no reason covers has empty cells (the build refuses that for the versions it lists)."""
    why = why[why["version"].isin(versions_between)]
    out = changes.copy()
    for col in ("reason", "reason_zh", "source_id"):
        out[col] = ""
    if out.empty or why.empty:
        return out
    by = {}
    for r in why.itertuples(index=False):
        by.setdefault((r.table, r.change), []).append(r)
    found = []
    for c in out.itertuples(index=False):
        matched = [r for r in by.get((c.table, c.change), ())
                   if r.key in (c.key, "*") and (not r.fields or c.field in r.fields.split(";"))]
        matched.sort(key=lambda r: r.key == "*")
        found.append((" / ".join(dict.fromkeys(r.reason for r in matched if r.reason)),
                      " / ".join(dict.fromkeys(r.reason_zh for r in matched if r.reason_zh)),
                      ";".join(dict.fromkeys(s for r in matched for s in r.source_id.split(";") if s))))
    out[["reason", "reason_zh", "source_id"]] = pd.DataFrame(found, index=out.index, columns=["reason", "reason_zh", "source_id"])
    return out


def between(older: Version, newer: Version, root: Path | str | None = None) -> list[str]:
    """The version numbers whose changes lie between `older` (excluded) and `newer` (included)."""
    rank = [v.number for v in versions(root)]
    return rank[rank.index(older.number) + 1:rank.index(newer.number) + 1]


# --- as a reader sees them -------------------------------------------------------------------------------------------

def compared(shown: Version, other: str, listed: tuple[Version, ...]) -> tuple[Version, Version]:
    """(older, newer) of the versions a "what changed" table compares: the shown one and `other` ("": the one before
    the shown version if that is the latest, else the latest)."""
    if other:
        found = next((v for v in listed if v.number == other), listed[-1])
    elif shown.current:
        found = listed[-2] if len(listed) > 1 else shown
    else:
        found = listed[-1]
    return ordered(shown, found, listed)


def ordered(a: Version, b: Version, listed: tuple[Version, ...]) -> tuple[Version, Version]:
    """(older, newer) of two versions, as listed (the current one is the newest whatever its number)."""
    rank = [v.number for v in listed]
    return (a, b) if rank.index(a.number) <= rank.index(b.number) else (b, a)


def readable(changes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A "what changed" table as the data page shows it: the reason in the reader's language."""
    reason = changes["reason_zh"].where(changes["reason_zh"] != "", changes["reason"]) if lang == "zh" else changes["reason"]
    return changes.assign(reason=reason)[["table", "change", "key", "field", "before", "after", "reason", "source_id"]]


def export(changes: pd.DataFrame, older: Version, newer: Version) -> pd.DataFrame:
    """A "what changed" table as its address serves it: the two versions named on every row, both languages."""
    return changes.assign(**{"from": older.number, "to": newer.number})[
        ["from", "to", "table", "change", "key", "field", "before", "after", "reason", "reason_zh", "source_id"]]

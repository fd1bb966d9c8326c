"""Step 4 of the build: the earlier releases kept as they were, the list of versions, why rows changed, CHANGELOG.md.

    python -m atlas.build --only releases [--out data]

Inputs: ``curation/releases.csv`` (every version: its number, date, the commit whose ``data/`` was that release,
empty for the package the tables step writes now, and what it changed, in English and Chinese) and
``curation/changes.csv`` (why rows changed, see `atlas.versions.explain`); the package of step 3 (``<out>``).
Outputs:

- ``<out>/releases/<version>/``: each earlier release's files (descriptor, CSVs, README; not ``geo/``, whose
  boundaries every version's maps draw from the current package) byte for byte as its commit holds them, read from
  git history (``git cat-file``), and ``release.json`` naming the commit and each file's size and git blob id;
- ``<out>/releases/versions.csv`` and ``<out>/releases/changes.csv``: the two curated files, checked;
- ``<out>/CHANGELOG.md``: per version, the rows added, removed and changed in each table, each with its reason and
  source (`atlas.versions.diff`, the same table the app serves at ``/api/v1/changes.csv``).

A clone without the history (a shallow one) keeps the committed copy in ``data/releases/<version>/`` if each of its
files is the blob its manifest names (the id is computed from the bytes, as git does). The build stops when a change
between two listed versions has no reason, or a reason no change.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd

from atlas import package as P
from atlas import versions as V

from .files import CURATION, curated, render_csv
from .schema import VERSION

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "data"
NOT_KEPT = ("geo/: the boundaries are no part of a release; the maps of every version draw the current package's "
            "(data/geo/)")


class ReleasesOutOfDate(ValueError):
    """releases.csv or changes.csv no longer agrees with the packages (a change without a reason, a commit not found)."""


def blob_id(body: bytes) -> str:
    """The id git gives a file's content (sha1 of 'blob <size>\\0' and the bytes)."""
    return hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest()


def _git(*args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def from_history(commit: str) -> dict[str, bytes] | None:
    """The files directly in data/ at `commit` (no folder: not geo/), or None if this clone lacks that commit."""
    listing = _git("ls-tree", "-z", commit, "data/")
    if listing is None:
        return None
    out = {}
    for entry in filter(None, listing.split(b"\0")):
        meta, name = entry.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind != b"blob":
            continue
        body = _git("cat-file", "blob", sha.decode())
        if body is None or blob_id(body) != sha.decode():
            return None
        out[name.decode().removeprefix("data/")] = body
    return out


def from_copy(folder: Path, commit: str) -> dict[str, bytes] | None:
    """The committed copy of a release, if its manifest names `commit` and every file is the blob it names."""
    try:
        kept = json.loads((folder / V.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if kept.get("commit") != commit:
        return None
    out = {}
    for f in kept.get("files", []):
        body = (folder / f["path"]).read_bytes() if (folder / f["path"]).is_file() else None
        if body is None or blob_id(body) != f["git_blob"]:
            return None
        out[f["path"]] = body
    return out


def _listed() -> list[dict[str, str]]:
    rows = curated("releases.csv")
    numbers = [r["version"] for r in rows]
    for r in rows:
        if not V.SEMVER.fullmatch(r["version"]):
            raise ReleasesOutOfDate(f"releases.csv: {r['version']!r} is not a version number MAJOR.MINOR.PATCH")
        if r["commit"] and (len(r["commit"]) != 40 or any(c not in "0123456789abcdef" for c in r["commit"])):
            raise ReleasesOutOfDate(f"releases.csv: version {r['version']}'s commit must be a full 40-digit id")
    if [V.order(n) for n in numbers] != sorted({V.order(n) for n in numbers}):
        raise ReleasesOutOfDate("releases.csv: versions must be listed once each, oldest first")
    if [r["released"] for r in rows] != sorted(r["released"] for r in rows):
        raise ReleasesOutOfDate("releases.csv: a later version cannot have been released before an earlier one")
    current = [r for r in rows if not r["commit"]]
    if len(current) != 1 or current[0] is not rows[-1] or current[0]["version"] != VERSION:
        raise ReleasesOutOfDate(f"releases.csv: the last row, and only it, is the package being built (no commit), "
                                f"with the version the schema gives it ({VERSION})")
    return rows


def keep(out: Path, row: dict[str, str]) -> int:
    """Write one earlier release into <out>/releases/<version>/; the number of files."""
    number, commit = row["version"], row["commit"]
    folder = out / V.RELEASES / number
    files = from_history(commit) or from_copy(COMMITTED / V.RELEASES / number, commit)
    if not files:
        raise ReleasesOutOfDate(f"version {number}: commit {commit[:12]} is not in this clone's history and "
                                f"data/releases/{number}/ is not a whole copy of it")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, body in sorted(files.items()):
        (folder / name).write_bytes(body)
    manifest = {"version": number, "released": row["released"], "commit": commit,
                "taken_from": f"data/ at commit {commit}",
                "files": [{"path": name, "bytes": len(body), "git_blob": blob_id(body)} for name, body in sorted(files.items())],
                "not_kept": NOT_KEPT,
                "read_by": "atlas.versions.load_release: checked against its own descriptor, then upgraded to the current "
                           "schema (atlas.versions.UPGRADES) so that today's engine counts it"}
    (folder / V.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(files)


def _package(out: Path, number: str):
    return P.load_package(out) if number == VERSION else V.load_release(out / V.RELEASES / number)


def _check_reasons(out: Path, rows: list[dict[str, str]], why: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each version's changes from the one before, explained; ReleasesOutOfDate if a change lacks a reason or a
    reason names no change, a field its table lacks, or a source the newer version lacks."""
    numbers = [r["version"] for r in rows]
    unknown = why[~why["version"].isin(numbers[1:])]
    if len(unknown):
        raise ReleasesOutOfDate(f"changes.csv: version {unknown['version'].iloc[0]!r} is not a later version of releases.csv")
    bad = why[~why["change"].isin(V.CHANGE_KINDS) | ~why["table"].isin(P.RESOURCE_NAMES)]
    if len(bad):
        raise ReleasesOutOfDate(f"changes.csv: {bad.iloc[0].to_dict()} names no table or kind of change")
    explained = {}
    for older, newer in zip(numbers, numbers[1:]):
        old, new = _package(out, older), _package(out, newer)
        changes = V.explain(V.diff(old, new), why, [newer])
        sources = set(new.sources["source_id"])
        mine = why[why["version"] == newer]
        for r in mine.itertuples(index=False):
            fields = {f["name"] for f in new.resource(r.table)["schema"]["fields"]}
            if r.fields and not set(r.fields.split(";")) <= fields:
                raise ReleasesOutOfDate(f"changes.csv: {newer} {r.table} names fields {r.fields!r} the table lacks")
            for source in filter(None, r.source_id.split(";")):
                if source not in sources:
                    raise ReleasesOutOfDate(f"changes.csv: {newer} {r.table} {r.key}: source {source!r} is not in version {newer}")
            hit = changes[(changes["table"] == r.table) & (changes["change"] == r.change)
                          & ((changes["key"] == r.key) | (r.key == "*"))]
            if r.fields:
                hit = hit[hit["field"].isin(r.fields.split(";"))]
            if hit.empty:
                raise ReleasesOutOfDate(f"changes.csv: {newer} {r.table} {r.change} {r.key} {r.fields}: no such change "
                                        f"from {older}")
        missing = changes[changes["reason"] == ""]
        if len(missing):
            shown = "; ".join(f"{c.table} {c.change} {c.key} {c.field}".strip() for c in missing.head(8).itertuples())
            raise ReleasesOutOfDate(f"{len(missing)} change(s) from {older} to {newer} have no reason in changes.csv: "
                                    f"{shown}")
        explained[newer] = changes
    return explained


def changelog(rows: list[dict[str, str]], explained: dict[str, pd.DataFrame], sources: dict[str, dict]) -> str:
    """CHANGELOG.md: per version, newest first, what it changed, its table of counts and every reason with its rows."""
    lines = ["# Changes to the data", "",
             "Made by the build (`python -m atlas.build --only releases`) from `atlas/build/curation/releases.csv` and "
             "`changes.csv` and the tables of each version: every row added, removed or changed, by table, with the "
             "reason and its source. The app serves the same table for any two versions at "
             "`/api/v1/changes.csv?from=<version>&to=<version>` and shows it on the data page; each version's tables "
             "at `/api/v1/v/<version>/<table>.csv`. The package follows semantic versioning.", ""]
    for r in reversed(rows):
        number = r["version"]
        lines += [f"## {number} ({r['released']})", "", r["summary"], ""]
        if number not in explained:
            lines += ["The first release.", ""]
            continue
        changes = explained[number]
        lines += ["| table | rows added | rows removed | rows changed |", "|---|---:|---:|---:|"]
        lines += [f"| `{s.table}` | {s.added} | {s.removed} | {s.changed} |" for s in V.summary(changes).itertuples()]
        lines.append("")
        cited: list[str] = []
        for table in dict.fromkeys(changes["table"]):
            lines += [f"### `{table}`", ""]
            of = changes[changes["table"] == table]
            for (kind, reason), group in of.groupby(["change", "reason"], sort=False):
                rows_of = group.groupby("key", sort=False).agg(field=("field", list), source_id=("source_id", "first"))
                fields = list(dict.fromkeys(f for fs in rows_of["field"] for f in fs if f))
                n = len(rows_of)
                lines.append(f"- **{n} row{'s' if n != 1 else ''} {kind}**"
                             + (f" ({', '.join(f'`{f}`' for f in fields)})" if fields else "") + f": {reason}")
                one = rows_of["source_id"].nunique() == 1   # the same sources for every row: named once
                shown = []
                for key, source in zip(rows_of.index, rows_of["source_id"]):
                    ids = [x for x in source.split(";") if x]
                    cited += ids
                    shown.append(f"`{key}`" + (f" ({', '.join(ids)})" if ids and not one else ""))
                first = [x for x in rows_of["source_id"].iloc[0].split(";") if x]
                lines.append(f"  Rows: {', '.join(shown)}" + (f"; source: {', '.join(first)}" if one and first else ""))
            lines.append("")
        if cited:
            lines += [f"### Sources of the changes in {number}", ""]
            lines += [f"- `{s}`: {_source(sources.get(s), s)}" for s in dict.fromkeys(cited)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _source(row: dict | None, source_id: str) -> str:
    if not row:
        return "(not in the current sources)"
    text = f"{row['publisher']}, *{row['title']}*" + (f" ({row['published']})" if row["published"] else "")
    return text + (f", {row['url']}" if row["url"] else "")


def build(out: Path) -> dict[str, int]:
    rows = _listed()
    kept = sum(keep(out, r) for r in rows if r["commit"])
    listed = {r["version"] for r in rows if r["commit"]}
    for folder in (out / V.RELEASES).glob("*/"):
        if folder.is_dir() and folder.name not in listed:
            shutil.rmtree(folder)  # a release no longer listed is not left behind
    (out / V.RELEASES / V.VERSIONS).write_text(render_csv(list(V.VERSIONS_FIELDS), rows), encoding="utf-8", newline="")
    why_rows = curated("changes.csv")
    (out / V.RELEASES / V.CHANGES).write_text(render_csv(list(V.CHANGES_FIELDS), why_rows), encoding="utf-8", newline="")
    why = V.reasons(out)
    explained = _check_reasons(out, rows, why)
    current = P.load_package(out)
    sources = {s["source_id"]: s for s in current.sources.astype(object).to_dict("records")}
    (out / "CHANGELOG.md").write_text(changelog(rows, explained, sources), encoding="utf-8")
    return {"versions": len(rows), "files_kept": kept, "reasons": len(why_rows),
            "changes": int(sum(len(c) for c in explained.values()))}


__all__ = ["build", "blob_id", "ReleasesOutOfDate", "CURATION"]

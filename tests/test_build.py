"""A rebuild from ../shared reproduces the committed data/ (and the resolved Wikipedia pairs) byte for byte.

Every file of data/ is a build output, its README.md included (step 4 fills it from the tables).
All five steps run into a temporary folder (`atlas.build.pipeline.run`). The boundaries step reads npm
tarballs from the build's cache (`$ATLAS_NPM_CACHE` or ~/.cache/cooperation-atlas/npm), fetching them
once with `npm pack`. Where that cannot be done, the other steps are still checked, on the committed
boundaries, and the test fails all the same, saying which step went unchecked: nothing is skipped.
"""
from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from atlas.build import geo, pipeline, readme, resolve_wikipedia

pytestmark = pytest.mark.app  # the app tier (pytest.ini): not in `make check`

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def first_difference(built: Path, committed: Path, lines: int = 6) -> str:
    try:
        a = committed.read_text(encoding="utf-8").splitlines()
        b = built.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return "    (binary)"
    diff = list(difflib.unified_diff(a, b, "committed", "rebuilt", n=0, lineterm=""))[2:2 + lines]
    return "\n".join("    " + line[:200] for line in diff)


def differences(built: Path, committed: Path, skip: set[str] = frozenset()) -> list[str]:
    """One line (and the first differing lines) per file that is not the same in both folders."""
    a, b = files(built), files(committed)
    out = []
    for name in sorted((set(a) | set(b)) - skip):
        if name not in a:
            out.append(f"{name}: committed, not rebuilt")
        elif name not in b:
            out.append(f"{name}: rebuilt, not committed")
        elif a[name].read_bytes() != b[name].read_bytes():
            out.append(f"{name}: differs\n{first_difference(a[name], b[name])}")
    return out


def test_rebuild_reproduces_the_committed_package(tmp_path, shared_dir, gazetteer):
    out, pairs = tmp_path / "data", tmp_path / "wikipedia_pairs.csv"
    unchecked = []
    try:
        pipeline.run(shared_dir, out, pairs, steps=["boundaries"], log=print)
    except geo.SourceUnavailable as e:
        unchecked.append(f"boundaries step NOT checked, its inputs could not be had: {e}")
        shutil.copytree(DATA / "geo", out / "geo")  # so that the other steps are still checked
    pipeline.run(shared_dir, out, pairs, steps=["wikipedia", "tables", "releases", "readme"], gazetteer=gazetteer, log=print)
    diffs = differences(out, DATA)
    if pairs.read_bytes() != resolve_wikipedia.PAIRS.read_bytes():
        diffs.append(f"atlas/build/curation/wikipedia_pairs.csv: differs\n{first_difference(pairs, resolve_wikipedia.PAIRS)}")
    assert not (unchecked or diffs), "the rebuild does not reproduce the committed files:\n" + "\n".join(unchecked + diffs)


def test_differences_lists_every_kind_of_difference(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        (folder / "geo").mkdir(parents=True)
        (folder / "same.csv").write_text("x\n1\n")
    (a / "geo" / "c.csv").write_text("x\n1\n")
    (b / "geo" / "c.csv").write_text("x\n2\n")
    (a / "new.csv").write_text("")
    (b / "gone.csv").write_text("")
    (b / "README.md").write_text("")
    found = differences(a, b, {"README.md"})
    assert [line.split("\n")[0] for line in found] == [
        "geo/c.csv: differs", "gone.csv: committed, not rebuilt", "new.csv: rebuilt, not committed"]
    assert "-2" in found[0] and "+1" in found[0]


def test_missing_shared_folder_fails_loudly(tmp_path):
    with pytest.raises(FileNotFoundError, match="shared folder"):
        pipeline.run(tmp_path / "no-shared", tmp_path / "out", tmp_path / "pairs.csv", steps=["tables"])
    with pytest.raises(ValueError, match="unknown steps"):
        pipeline.run(tmp_path, tmp_path, tmp_path / "pairs.csv", steps=["geo"])


def test_unobtainable_tarball_fails_loudly(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm
    with pytest.raises(geo.SourceUnavailable, match="npm pack"):
        geo.fetch_tarballs(tmp_path / "empty", list(geo.layers().values()))


def test_a_tarball_not_matching_its_sha256_is_fetched_again(tmp_path, monkeypatch):
    layer = geo.layers()["us-states"]
    (tmp_path / layer.tarball).write_bytes(b"not the package")
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm: the refetch is attempted, and fails
    with pytest.raises(geo.SourceUnavailable):
        geo.fetch_tarballs(tmp_path, [layer])


def test_readme_numbers_come_from_the_tables(tmp_path):
    """The README step fills its counts from the tables it finds: change a table, the README follows."""
    out = tmp_path / "data"
    shutil.copytree(DATA, out)
    rows = (out / "pairings.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "pairings.csv").write_text("".join(rows[:-1]), encoding="utf-8")  # one pairing fewer
    readme.build(out, resolve_wikipedia.PAIRS)
    n = len(rows) - 2
    assert f"| `pairings.csv` | sister relationship | {n} (" in (out / "README.md").read_text(encoding="utf-8")


def test_readme_template_out_of_date_fails_loudly(tmp_path):
    out = tmp_path / "data"
    shutil.copytree(DATA, out)
    text = (out / "donation_items.csv").read_text(encoding="utf-8")
    (out / "donation_items.csv").write_text(text.replace("a batch of protective suits", "some suits"), encoding="utf-8")
    with pytest.raises(readme.TemplateOutOfDate, match="a batch of protective suits"):
        readme.build(out, resolve_wikipedia.PAIRS)


def test_readme_formats():
    assert f"{readme.Num('538000000'):million}" == "538 million"
    assert f"{readme.Num('2110000'):million}" == "2.11 million"
    assert f"{readme.Num('1776')} {readme.Num('25.74')}" == "1,776 25.74"
    assert f"{readme.Date('2020-02-17'):long} {readme.Date('2020-05'):long} {readme.Date('2022'):long}" \
        == "17 February 2020 May 2020 2022"
    # a wrapped line never starts with "+", "-" or "1." (Markdown would read a list item)
    for block in ("+", "-", "1."):
        lines = readme.reflow("a" * 97 + f" b {block} c", width=100).splitlines()
        assert lines == ["a" * 97, f"b {block} c"]

"""The README's tables against the code (issue 28: docs that cannot drift), as Datasette checks its docs."""
import re
from pathlib import Path

from components import exhibits

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(heading: str) -> str:
    start = README.index(heading)
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def test_what_is_where_names_every_module():
    table = section("## What is where")
    named = set(re.findall(r"`(?:[a-z_]+/)*([a-z0-9_]+\.py)`", table))
    for folder in ("atlas", "components"):
        modules = {p.name for p in (ROOT / folder).glob("*.py") if p.name != "__init__.py"}
        assert modules - named == set(), f"{folder}/ modules the README's 'What is where' does not name"


def test_the_address_table_lists_every_chart_and_table_exhibit():
    rows = {line.split("|")[1].strip(): line for line in section("## Exports and addresses").splitlines()
            if line.startswith("| `/")}
    charts_row = rows["`/api/v1/<chart>.csv` · `.json`"]
    listed = set(re.findall(r"`([a-z0-9-]+)`", charts_row.split("|")[2]))
    assert listed == {e.name for e in exhibits.EXHIBITS if e.kind == "chart"}
    tables_row = rows["`/api/v1/<table>.csv` · `.json`"]
    listed = set(re.findall(r"`([a-z0-9_-]+)`", tables_row.split("|")[2]))
    non_package = {e.name for e in exhibits.EXHIBITS if e.kind == "table" and e.page != "data"}
    assert non_package <= listed
    maps_row = rows["`/charts/<chart>.png` · `.svg` · `.html` · `.json`"]
    assert {f"{e.name}.html" for e in exhibits.EXHIBITS if e.kind == "map"} <= set(re.findall(r"`([a-z-]+\.html)`", maps_row))


def test_the_readme_names_the_test_tiers_the_makefile_has():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("check", "test-app", "test-e2e", "test"):
        assert re.search(rf"^{target}:", makefile, re.M) and f"make {target}" in README

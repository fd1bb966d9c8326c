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



def test_the_defaults_the_readme_states_are_the_codes(monkeypatch, tmp_path):
    # "Bad input" and "Serving safely" state these figures (issue #30: every sentence true); each is read from the code
    # (the defaults from the source, since the tests' environment may set the variables)
    import inspect
    from atlas import boundaries, columnar, package
    from components import serve

    def default(module, variable: str) -> int:
        m = re.search(rf'os\.environ\.get\("{variable}", str\(([\d_]+)\)\)', inspect.getsource(module))
        assert m, f"no default for {variable} in {module.__name__}"
        return int(m.group(1).replace("_", ""))
    assert "`ATLAS_MAX_BYTES` (default 1.5 GB)" in README and default(package, "ATLAS_MAX_BYTES") == 1_500_000_000
    assert "256 MB (`ATLAS_MAP_MIN_BYTES`) are read into memory" in README
    assert default(columnar, "ATLAS_MAP_MIN_BYTES") == 256_000_000
    assert "of at most 64 MB" in README and boundaries.MAX_GEO_BYTES == 64_000_000
    # the key that signs the copies: outside the cache folder, where the README says
    for name in ("ATLAS_CACHE_SECRET_FILE", "ATLAS_CACHE_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    assert "outside the cache (`~/.config/cooperation-atlas/cache.key`" in README
    key, cache = columnar.secret_file(), columnar.cache_root()
    assert key == Path.home() / ".config" / "cooperation-atlas" / "cache.key"
    assert cache not in key.parents and key.parent != cache
    # behind `make serve`, links up to 64 kB reach the app: nginx's header buffers
    assert "Behind `make serve`, links up to 64 kB reach the" in README
    assert "large_client_header_buffers 4 64k;" in serve.nginx_conf(tmp_path, "127.0.0.1", 8501, [9001])

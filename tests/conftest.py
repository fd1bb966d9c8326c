import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
# The columnar copies the tests make (atlas/columnar.py) go to a folder of this run, not to ~/.cache.
os.environ.setdefault("ATLAS_CACHE_DIR", tempfile.mkdtemp(prefix="atlas-test-columnar-"))
# and the key that signs their manifests (atlas.columnar.secret) too, not the user's ~/.config
os.environ.setdefault("ATLAS_CACHE_SECRET_FILE", os.path.join(tempfile.mkdtemp(prefix="atlas-test-key-"), "cache.key"))


# --- the data build (tests/test_build.py, test_gazetteer.py, test_wikipedia_pairs.py, test_curation.py)

import pytest  # noqa: E402

DATA = ROOT / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared, which the build reads; missing, the tests that need it fail (CI has it beside the repo)."""
    if not (SHARED / "seeds").is_dir() or not (SHARED / "data").is_dir():
        pytest.fail(f"{SHARED} (with seeds/ and data/) is missing: the build tests cannot check the package without it")
    return SHARED


@pytest.fixture(scope="session")
def gazetteer():
    """The build's GeoNames gazetteer, loaded once per test run (loading takes seconds)."""
    from atlas.build.gazetteer import Gazetteer

    return Gazetteer()


# --- the bundled package as the app loads it (unit and AppTest tests) ---------------------------

@pytest.fixture(scope="session")
def atlas_data():
    """`atlas.records.load()` of the bundled data/: package, flow records and vocabulary, loaded once. Do not modify."""
    from atlas.records import load

    return load(DATA)


@pytest.fixture(scope="session")
def bundled(atlas_data):
    """The bundled data package (atlas.package.Package)."""
    return atlas_data.package


@pytest.fixture(scope="session")
def records(atlas_data):
    """The bundled package's flow records (atlas.records.flow_records)."""
    return atlas_data.records


@pytest.fixture(scope="session")
def vocab(atlas_data):
    """What a URL may name in the bundled package (atlas.filters.Vocabulary)."""
    return atlas_data.vocab


# --- the app through AppTest ---------------------------------------------------------------------

def _page_files() -> list[str]:
    from components.site import PAGES as registry

    return [p.file for p in registry]


PAGES = _page_files()  # every page of the registry (components.site.PAGES), as AppTest.switch_page takes it


def run_app(params: dict | None = None, page: str | None = None):
    """app.py in AppTest with these query parameters, optionally switched to `page`."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def qp(at, key: str) -> list[str]:
    """A query parameter as a list (AppTest keeps a single value as a plain string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


# --- markdown as Streamlit renders it: what a reader sees, and whether markup got through ---------

import html as _html  # noqa: E402
import re as _re  # noqa: E402


def rendered(markdown: str, allow_html: bool = False) -> str:
    """Streamlit renders markdown as GitHub-flavoured markdown and, unless unsafe_allow_html, without raw HTML."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": allow_html}).enable(["table", "strikethrough"]).render(markdown)


def visible(markdown: str) -> str:
    """The text a reader sees of a markdown body (escapes resolved, tags dropped, and the invisible word joiner
    U+2060 that atlas.i18n.md puts into bare URLs and addresses so that they cannot become links left out)."""
    return _html.unescape(_re.sub(r"<[^>]+>", "", rendered(markdown))).replace("\u2060", "")


DANGEROUS = _re.compile(r"<\s*(img|script|iframe|svg|object|embed)\b|<a\s[^>]*href=\"[^\"]*evil\.example", _re.I)


def markdown_elements(at) -> list[tuple[str, str, bool]]:
    """(kind, markdown source, allow_html) of every element whose text Streamlit renders as markdown."""
    out = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "warning", "error", "info", "success"):
        for el in getattr(at, kind):
            out.append((kind, el.value, bool(getattr(el.proto, "allow_html", False))))
    for el in at.metric:
        out.append(("metric", el.label, False))
    for el in at.expander:
        out.append(("expander", el.label, False))
    return out


def assert_markdown_safe(at) -> list[str]:
    """No markdown element allows raw HTML or renders a tag or an injected link; returns what readers see."""
    seen = []
    for kind, source, allow_html in markdown_elements(at):
        out = rendered(source, allow_html)
        assert not DANGEROUS.search(out), f"{kind} would render markup from the data or URL: {source!r} -> {out!r}"
        if any(s in source for s in ("onerror", "alert(", "evil")):
            assert not allow_html, f"{kind} carrying data allows HTML: {source!r}"
        seen.append(visible(source))
    for el in at.get("html"):  # only the app's own literal chrome (frame.page_setup): never data
        body = el.proto.body
        assert not any(s in body for s in ("onerror", "alert(", "evil", "<img")), f"st.html carrying data: {body[:80]!r}"
    return seen


# --- exported HTML as a browser's tokenizer reads it ---------------------------------------------

from html.parser import HTMLParser  # noqa: E402


class Tags(HTMLParser):
    """Start tags as a browser's tokenizer sees them (script bodies are raw text up to `</script`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.in_script = tag == "script"
        if self.in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.scripts[-1] += data


def parse_html(document: str) -> Tags:
    p = Tags()
    p.feed(document)
    p.close()
    return p


def event_handlers(doc: Tags) -> list[tuple[str, dict]]:
    return [(tag, attrs) for tag, attrs in doc.tags if any(a.startswith("on") for a in attrs)]


# --- a hostile package: markup in names, formulas in cells, a link in a source title (issues #4, #7)

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = "</script><img src=x onerror=alert(2)>"
LINK = "[click here](https://evil.example/login)"
FORMULA = '=HYPERLINK("https://evil.example","click")'
CMD = "=cmd|' /C calc'!A0"
HOSTILE_PLACE = "cn-shanghai"      # gives in Table 1 and has sister cities
BREAKOUT_PLACE = "us-chicago"      # receives from Shanghai
SCRIPT_DONATION = "t1-01"          # a donation by Shanghai
FORMULA_DONATION = "t1-03"


def set_value(df, key: str, key_value: str, column: str, value: str) -> None:
    """Set `column` of the one row whose `key` is `key_value`."""
    hit = df[key] == key_value
    assert hit.sum() == 1, f"{key}={key_value} not found once"
    df.loc[hit, column] = value


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory) -> Path:
    """The bundled package with markup in names, a formula in a donor, a link in a source title."""
    import shutil

    import pandas as pd

    dest = tmp_path_factory.mktemp("hostile") / "pkg"
    shutil.copytree(DATA, dest)

    def edit(name: str, *changes):
        path = dest / f"{name}.csv"
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for change in changes:
            set_value(df, *change)
        df.to_csv(path, index=False)

    edit("places", ("place_id", HOSTILE_PLACE, "name_en", IMG), ("place_id", HOSTILE_PLACE, "name_zh", IMG),
         ("place_id", BREAKOUT_PLACE, "name_en", BREAKOUT))
    edit("donations", ("donation_id", SCRIPT_DONATION, "donor_as_printed", SCRIPT),
         ("donation_id", FORMULA_DONATION, "donor_as_printed", FORMULA))
    edit("sources", ("source_id", "ccg2020", "title", f"{LINK} {IMG}"))
    edit("key_figures", ("figure_id", "kf-cass-companies", "description", f"{IMG} {LINK}"),
         ("figure_id", "kf-cass-companies", "actor", SCRIPT))
    edit("corporate_donations", ("rank", "2", "company", BREAKOUT))
    return dest


@pytest.fixture(scope="session")
def hostile_data(hostile_dir):
    """`atlas.records.load()` of the hostile package."""
    from atlas.records import load

    data = load(hostile_dir)
    assert data.package.places.set_index("place_id").at[HOSTILE_PLACE, "name_en"] == IMG
    return data


@pytest.fixture(scope="session")
def hostile(hostile_data):
    return hostile_data.package


@pytest.fixture(scope="session")
def hostile_records(hostile_data):
    return hostile_data.records


# --- tiers (pytest.ini): every browser test is in the e2e tier -------------------------------------

def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


def matching(records, filters, table=None):
    """The pandas records that `filters` keep, through the engine's polars frame of them (atlas.engine: the one
    engine; the tests' way to filter a hand-made or hostile set of records)."""
    from atlas import engine
    from atlas.filters import FIELDS, kept
    return records.iloc[engine.rows(kept(engine.frame_of(records), filters, table or FIELDS))]


def make_dry_run(target: str, *args: str) -> list[str]:
    """The commands `make <target> <args>` would run, as make prints them without running them (a command continued
    over lines is one line). tests/test_run_config.py reads `make run` through it, tests/test_tiers.py the tiers."""
    import subprocess
    out = subprocess.run(["make", "-n", "--always-make", target, *args], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return out.replace("\\\n", " ").splitlines()


def pytest_addoption(parser):
    # here, not in tests/e2e/conftest.py: pytest reads the options of the conftest files it loads at start only
    parser.addoption("--walk-languages", default="en",
                     help="languages (comma-separated) of the browser tier's hostile-package walk: `make test-e2e` walks "
                          "in English, `make test` (CI) in both (--walk-languages=en,zh)")


# --- browser retries over the whole run (tests/e2e/conftest.py `note_retry`) ----------------------------------
# Here, not in tests/e2e/conftest.py: the browser tier runs in two processes (pytest-xdist), and the process that
# writes the summary collects no test, so it reads only this file. Each worker hands its list back when it ends.

BROWSER_RETRIES: list[tuple[str, str, int]] = []   # (test, action, retries it needed)


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)   # set in a pytest-xdist worker only
    if workeroutput is not None:
        workeroutput["atlas_browser_retries"] = [list(r) for r in BROWSER_RETRIES]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    BROWSER_RETRIES.extend(tuple(r) for r in getattr(node, "workeroutput", {}).get("atlas_browser_retries", []))


def pytest_terminal_summary(terminalreporter):
    reports = terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
    if BROWSER_RETRIES or any("tests/e2e/" in getattr(r, "nodeid", "") for r in reports):
        terminalreporter.write_line(f"browser retries: {sum(n for *_, n in BROWSER_RETRIES)} in {len(BROWSER_RETRIES)} "
                                    "actions" + "".join(f"\n  {t}: {a} x{n}" for t, a, n in BROWSER_RETRIES))

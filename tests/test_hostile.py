"""Hostile input (issues #4 and #7): links with crafted query strings, data with markup in its names,
and cells a spreadsheet would run as formulas.

- Query parameters: parse_query drops what it does not know with a reason code and a value shortened
  for display, never raising; the app shows the warnings as text and rewrites the URL without them.
- Names from the data: maps use deck.gl's `text` tooltips (innerText); tables hold the raw string,
  which Streamlit draws as text; markdown never carries raw HTML (no unsafe_allow_html, no st.html)
  and data in markdown is escaped so a reader sees the characters. Exported HTML files must not let
  a name close their <script> block.
- CSV exports: text cells that begin with = + - @ TAB CR get an apostrophe; numbers stay numbers.
"""
from __future__ import annotations

import ast
import csv
import html
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from atlas import query
from atlas.export import csv_bytes, html_bytes
from atlas.filters import MAX_VALUE_LENGTH, MAX_VALUES, Filters, Vocabulary, parse_query
from atlas.flowmap import build_flow_map, flow_table
from atlas.maps import deck_html, flow_deck
from atlas.package import load_package
from atlas.pairings import pairings_deck, pairings_table
from tests.conftest import ROOT

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


# --- shared helpers ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled():
    return load_package()


@pytest.fixture(scope="module")
def vocab(bundled) -> Vocabulary:
    return Vocabulary.from_regions(bundled.regions, query.used_regions(bundled))


def _md(allow_html: bool = False) -> MarkdownIt:
    # Streamlit renders markdown with GitHub-flavoured markdown and, unless unsafe_allow_html, no raw HTML.
    return MarkdownIt("commonmark", {"html": allow_html}).enable(["table", "strikethrough"])


def rendered(markdown: str, allow_html: bool = False) -> str:
    return _md(allow_html).render(markdown)


def visible(markdown: str) -> str:
    """The text a reader sees (escapes resolved, tags dropped)."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered(markdown)))


DANGEROUS = re.compile(r"<\s*(img|script|iframe|svg|object|embed)\b|<a\s[^>]*href=\"[^\"]*evil\.example", re.I)


def markdown_elements(at: AppTest) -> list[tuple[str, str, bool]]:
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


def assert_markdown_safe(at: AppTest) -> list[str]:
    """No markdown element allows raw HTML or renders a tag or an injected link; returns what readers see."""
    seen = []
    for kind, source, allow_html in markdown_elements(at):
        out = rendered(source, allow_html)
        assert not DANGEROUS.search(out), f"{kind} would render markup from the data or URL: {source!r} -> {out!r}"
        if any(s in source for s in ("onerror", "alert(", "evil")):
            assert not allow_html, f"{kind} carrying data allows HTML: {source!r}"
        seen.append(visible(source))
    assert not at.get("html"), "no st.html element on the page"
    return seen


def run_app(params: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def qp(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


# --- (a) hostile query parameters: parse_query ---------------------------------------------------

def test_unknown_and_scripted_names_are_dropped(vocab):
    r = parse_query({"province": ["Narnia", SCRIPT, "Fujian"], "state": "Ohio"}, vocab)
    assert r.filters.provinces == ("CN-FJ",) and r.filters.states == ("US-OH",)
    assert r.warnings == [("province", "Narnia", "unknown"), ("province", SCRIPT, "unknown")]


def test_names_match_case_and_space_insensitively_but_not_partially(vocab):
    r = parse_query({"province": ["  fujian ", "CN-HB", "Fuji"]}, vocab)
    assert r.filters.provinces == ("CN-FJ", "CN-HB")
    assert r.warnings == [("province", "Fuji", "unknown")]


def test_very_long_value_is_dropped_and_shown_truncated(vocab):
    long = "Fujian" + "A" * 10_000
    r = parse_query({"province": [long], "category": ["x" * (MAX_VALUE_LENGTH + 1)]}, vocab)
    assert r.filters.is_default
    assert r.warnings == [("province", long[:40] + "…", "too_long"), ("category", "x" * 40 + "…", "too_long")]


def test_value_at_the_length_limit_is_still_looked_up(vocab):
    r = parse_query({"province": ["N" * MAX_VALUE_LENGTH]}, vocab)
    assert r.warnings == [("province", "N" * 40 + "…", "unknown")]


def test_repeated_keys_are_capped(vocab):
    r = parse_query({"province": ["Narnia"] * 100}, vocab)
    assert r.filters.is_default
    assert r.warnings[0] == ("province", "100 values", "too_many")
    assert r.warnings[1:] == [("province", "Narnia", "unknown")] * MAX_VALUES

    r = parse_query({"province": ["Fujian"] * 100}, vocab)
    assert r.filters.provinces == ("CN-FJ",)
    assert r.warnings == [("province", "100 values", "too_many")]



@pytest.mark.parametrize("value", ["2020-13", "2020-00", "2020-1", "20201-01", "2020-05-01", "May 2020", SCRIPT,
                                   pytest.param("２０２０-05", id="fullwidth-digits"),
                                   pytest.param("٢٠٢٠-05", id="arabic-indic-digits")])
def test_bad_months(vocab, value):
    r = parse_query({"from": [value], "to": [value]}, vocab)
    assert r.filters.date_from is None and r.filters.date_to is None
    assert r.warnings == [("from", value[:40] + ("…" if len(value) > 40 else ""), "bad_month"),
                          ("to", value[:40] + ("…" if len(value) > 40 else ""), "bad_month")]


def test_backwards_range_is_dropped(vocab):
    r = parse_query({"from": ["2020-06"], "to": ["2020-03"]}, vocab)
    assert (r.filters.date_from, r.filters.date_to) == (None, None)
    assert r.warnings == [("from", "2020-06 > 2020-03", "bad_range")]
    ok = parse_query({"from": ["2020-03"], "to": ["2020-03"]}, vocab)
    assert (ok.filters.date_from, ok.filters.date_to) == ("2020-03", "2020-03") and not ok.warnings


def test_directions_and_choices(vocab):
    r = parse_query({"direction": ["us_to_cn", "cn_to_us", "sideways"], "category": ["letter", "LETTER"],
                     "actor": ["government", "=1+1"]}, vocab)
    assert r.filters.direction == "us_to_cn"
    assert r.filters.categories == ("letter",) and r.filters.actors == ("government",)
    assert set(r.warnings) == {("direction", "sideways", "unknown"), ("direction", "us_to_cn, cn_to_us", "one_only"),
                               ("category", "LETTER", "unknown"), ("actor", "=1+1", "unknown")}


def test_unknown_keys_are_reported_and_known_extras_are_not(vocab):
    r = parse_query({"utm_source": ["newsletter"], SCRIPT: ["1"], "lang": ["zh"], "level": ["place"],
                     "currency": ["USD"]}, vocab)
    assert r.filters.is_default
    assert r.warnings == [("utm_source", "", "unknown_key"), (SCRIPT, "", "unknown_key")]


def test_blank_values_are_ignored_silently(vocab):
    r = parse_query({"province": ["", "   "], "state": []}, vocab)
    assert r.filters.is_default and not r.warnings


def test_unknown_keys_are_shortened_and_capped(vocab):
    r = parse_query({"k" * 10_000: ["1"]}, vocab)
    assert all(len(key) <= 41 for key, _, _ in r.warnings), [len(k) for k, _, _ in r.warnings]
    r = parse_query({f"junk{i}": ["1"] for i in range(1_000)}, vocab)
    assert len(r.warnings) <= MAX_VALUES + 1


# --- (a) hostile query parameters: the app -------------------------------------------------------

def test_hostile_link_in_the_app():
    params = {"province": [SCRIPT, "Narnia"], "state": "S" * 10_000, "category": CMD, "from": "2020-13",
              "to": "yesterday", "utm_source": "x", "lang": IMG}
    at = run_app(params)
    assert not at.exception, [e.message for e in at.exception]
    # Nothing was applied ...
    assert at.multiselect(key="f_province").value == [] and at.multiselect(key="f_state").value == []
    assert at.multiselect(key="f_category").value == []
    assert at.radio(key="lang").value == "en"
    # ... and the URL is written back without the dropped parameters.
    assert not set(at.query_params) & {"province", "state", "category", "from", "to", "utm_source", "lang"}
    # Each dropped value has a warning, shown as the text that was typed.
    warnings = [visible(w.value) for w in at.warning]
    assert len(warnings) == 8, warnings
    for shown in (SCRIPT, "Narnia", CMD, "2020-13", "yesterday", "utm_source", IMG):
        assert any(shown in w for w in warnings), (shown, warnings)
    long = [w for w in warnings if "S" * 40 in w]
    assert len(long) == 1 and "S" * 40 + "…" in long[0] and "S" * 41 not in long[0]
    assert max(len(w) for w in warnings) < 400
    assert_markdown_safe(at)


def test_markdown_in_a_link_is_shown_not_rendered():
    at = run_app({"province": LINK, "state": "**bold** _it_ `code` $x^2$"})
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2
    assert any(LINK in visible(w) for w in warnings), [visible(w) for w in warnings]
    assert any("**bold** _it_ `code` $x^2$" in visible(w) for w in warnings), [visible(w) for w in warnings]
    for w in warnings:
        out = rendered(w)
        assert "<a " not in out and "<strong>" not in out and "<em>" not in out and "<code>" not in out, out
    assert_markdown_safe(at)


def test_hundred_repeated_provinces_in_the_app():
    at = run_app({"province": ["Fujian"] * 100})
    assert not at.exception
    assert at.multiselect(key="f_province").value == ["CN-FJ"]
    assert qp(at, "province") == ["Fujian"]
    assert [visible(w.value) for w in at.warning] and any("100 values" in visible(w.value) for w in at.warning)
    assert len(at.warning) == 1


def test_bad_range_in_the_app_leaves_the_dates_unfiltered():
    at = run_app({"from": "2020-06", "to": "2020-03"})
    assert not at.exception
    slider = at.select_slider(key="f_dates")
    assert tuple(slider.value) == (slider.options[0], slider.options[-1])
    assert "from" not in at.query_params and "to" not in at.query_params
    assert len(at.warning) == 1 and "2020-06 > 2020-03" in visible(at.warning[0].value)


# --- (b) markup in the data ----------------------------------------------------------------------

def _set(df: pd.DataFrame, key: str, key_value: str, column: str, value: str) -> None:
    hit = df[key] == key_value
    assert hit.sum() == 1, f"{key}={key_value} not found once"
    df.loc[hit, column] = value


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    """The bundled package with markup in names, a formula in a donor, a link in a source title."""
    dest = tmp_path_factory.mktemp("hostile") / "pkg"
    shutil.copytree(ROOT / "data", dest)

    def edit(name: str, *changes):
        path = dest / f"{name}.csv"
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for change in changes:
            _set(df, *change)
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


@pytest.fixture(scope="module")
def hostile(hostile_dir):
    pkg = load_package(hostile_dir)
    assert pkg.places.set_index("place_id").at[HOSTILE_PLACE, "name_en"] == IMG
    return pkg


@pytest.fixture(scope="module")
def hostile_records(hostile):
    return query.flow_records(hostile)


def layer_data(deck, layer_id: str) -> list[dict]:
    spec = json.loads(deck.to_json())
    return next(layer["data"] for layer in spec["layers"] if layer["id"] == layer_id)


def tooltip_config(deck) -> dict:
    """The tooltip Streamlit sends beside the spec (streamlit.elements.deck_gl_json_chart reads `_tooltip`)."""
    widget = getattr(deck, "deck_widget", None)
    tip = widget.tooltip if widget is not None and isinstance(widget.tooltip, dict) else deck._tooltip
    assert isinstance(tip, dict)
    return tip


def assert_text_tooltip(deck) -> None:
    tip = tooltip_config(deck)
    # deck.gl sets `text` as innerText and `html` as innerHTML: data must only reach the former.
    assert "html" not in tip and tip.get("text") == "{tooltip}", tip


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("level", ["place", "region"])
def test_flow_map_tooltips_are_text(hostile, hostile_records, lang, level):
    fm = build_flow_map(hostile_records, hostile, level, lang)
    deck = flow_deck(fm.flows, fm.points, lang, qmax=fm.qmax)
    assert_text_tooltip(deck)
    points, arcs = layer_data(deck, "places"), layer_data(deck, "flows")
    assert all("&lt;" not in p["tooltip"] for p in points + arcs), "text tooltips must not be HTML-escaped"
    if level == "place":
        own = [p for p in points if p["key"] == HOSTILE_PLACE]
        assert len(own) == 1 and own[0]["tooltip"].startswith(IMG), own
        assert any(a["from_key"] == HOSTILE_PLACE and a["tooltip"].startswith(IMG) for a in arcs)
        assert any(BREAKOUT in a["tooltip"] for a in arcs if a["to_key"] == BREAKOUT_PLACE)
    else:  # region level draws region names, which are not hostile here
        assert not any(IMG in p["tooltip"] for p in points + arcs)


def test_pairings_map_tooltips_are_text(hostile, hostile_records):
    view = query.pairings_view(hostile, hostile_records, Filters())
    deck = pairings_deck(view, "en")
    assert_text_tooltip(deck)
    tips = [a["tooltip"] for a in layer_data(deck, "pairs")]
    assert any(t.startswith(IMG) for t in tips)
    table = pairings_table(view, "zh")
    assert (table["china"] == IMG).sum() == (view["cn_place_id"] == HOSTILE_PLACE).sum() > 0


class _Tags(HTMLParser):
    """Start tags as a browser's tokenizer sees them (script bodies are raw text up to `</script`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse_html(document: str) -> _Tags:
    p = _Tags()
    p.feed(document)
    p.close()
    return p


def event_handlers(doc: _Tags) -> list[tuple[str, dict]]:
    return [(tag, attrs) for tag, attrs in doc.tags if any(a.startswith("on") for a in attrs)]


def test_exported_map_html_keeps_names_inside_the_script(hostile, hostile_records):
    fm = build_flow_map(hostile_records, hostile, "place", "en")
    doc = parse_html(deck_html(flow_deck(fm.flows, fm.points, "en", qmax=fm.qmax)).decode("utf-8"))
    assert not event_handlers(doc), event_handlers(doc)[:3]
    (payload,) = [s for s in doc.scripts if "const jsonInput" in s]
    literal = re.search(r"const jsonInput = (.*?);\s*const tooltip", payload, re.S).group(1)
    spec = json.loads(literal)
    tips = [d["tooltip"] for layer in spec["layers"] if layer["id"] == "flows" for d in layer["data"]]
    assert any(BREAKOUT in tip for tip in tips)


def test_exported_map_html_of_clean_data_has_no_handlers(bundled):
    """The check above is meaningful: a clean export parses to one data script and no inline handlers."""
    records = query.flow_records(bundled)
    fm = build_flow_map(records, bundled, "place", "en")
    doc = parse_html(deck_html(flow_deck(fm.flows, fm.points, "en", qmax=fm.qmax)).decode("utf-8"))
    assert not event_handlers(doc)
    assert len([s for s in doc.scripts if "const jsonInput" in s]) == 1


def test_exported_chart_html_keeps_names_inside_the_script(hostile):
    from atlas.figures import corporate_chart
    chart = corporate_chart(hostile.corporate_donations, "CNY", 6.9, "en", f"Source: {BREAKOUT}", IMG)
    assert any(BREAKOUT in str(y) for y in chart.figure.data[0].y)
    doc = parse_html(html_bytes(chart.figure, f"{chart.title} {BREAKOUT}").decode("utf-8"))
    assert not event_handlers(doc), event_handlers(doc)[:3]
    assert [t for t, _ in doc.tags if t == "img"] == []
    assert sum(1 for t, _ in doc.tags if t == "title") == 1


def _hostile_app(monkeypatch, hostile_dir, page: str) -> AppTest:
    monkeypatch.setenv("ATLAS_DATA_DIR", str(hostile_dir))
    at = run_app(page=page)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _deck_elements(at: AppTest) -> list:
    return list(at.get("deck_gl_json_chart"))


def test_flows_page_shows_hostile_names_as_text(monkeypatch, hostile_dir):
    at = _hostile_app(monkeypatch, hostile_dir, "pages/flows.py")
    at.segmented_control(key="flows_level").set_value("place").run()
    assert not at.exception
    # The map: text tooltips, raw names in the data (JSON-escaped only, never HTML-escaped).
    (deck,) = _deck_elements(at)
    tip = json.loads(deck.proto.tooltip)
    assert "html" not in tip and tip["text"] == "{tooltip}"
    spec = json.loads(deck.proto.json)
    places = next(layer["data"] for layer in spec["layers"] if layer["id"] == "places")
    assert [p["tooltip"].split(" (")[0] for p in places if p["key"] == HOSTILE_PLACE] == [IMG]
    assert "&lt;img" not in deck.proto.json
    # The records table holds the raw strings (Streamlit draws cells as text).
    table = next(df.value for df in at.dataframe if "from_name_en" in df.value.columns)
    assert (table.loc[table["record_id"] == SCRIPT_DONATION, "from_name_en"] == IMG).all()
    assert (table.loc[table["record_id"] == SCRIPT_DONATION, "from_as_printed"] == SCRIPT).all()
    assert (table["to_name_en"] == BREAKOUT).any()
    # Markdown: the sources list shows the hostile title as typed, without rendering it.
    seen = assert_markdown_safe(at)
    assert any(f"{LINK} {IMG}" in s for s in seen), "the source title is shown as text"


def test_pairings_page_shows_hostile_names_as_text(monkeypatch, hostile_dir):
    at = _hostile_app(monkeypatch, hostile_dir, "pages/pairings.py")
    (deck,) = _deck_elements(at)
    assert "html" not in json.loads(deck.proto.tooltip)
    arcs = next(layer["data"] for layer in json.loads(deck.proto.json)["layers"] if layer["id"] == "pairs")
    assert any(a["tooltip"].startswith(IMG) for a in arcs)
    table = next(df.value for df in at.dataframe if "china" in df.value.columns)
    assert (table["china"] == IMG).any()
    assert_markdown_safe(at)


def test_corporate_page_captions_escape_the_data(monkeypatch, hostile_dir):
    at = _hostile_app(monkeypatch, hostile_dir, "pages/corporate.py")
    seen = assert_markdown_safe(at)
    assert any(f"{IMG} {LINK}" in s for s in seen), "the figure's description is shown as text"
    assert any(SCRIPT in visible(m.label) for m in at.metric), "the actor is shown as text"


def test_data_page_shows_hostile_rows_as_text(monkeypatch, hostile_dir):
    at = _hostile_app(monkeypatch, hostile_dir, "pages/data_sources.py")
    at.selectbox(key="data_table").select("places").run()
    at.text_input(key="data_search").input("alert(1)").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "place_id" in df.value.columns)
    assert set(table["place_id"]) == {HOSTILE_PLACE}
    assert table["name_en"].tolist() == [IMG] and table["name_zh"].tolist() == [IMG]
    assert_markdown_safe(at)


def test_error_page_escapes_the_bad_value(monkeypatch, tmp_path):
    dest = tmp_path / "pkg"
    shutil.copytree(ROOT / "data", dest)
    path = dest / "corporate_donations.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[2, "amount_cny"] = f"{LINK}{IMG}"
    df.to_csv(path, index=False)
    monkeypatch.setenv("ATLAS_DATA_DIR", str(dest))
    at = run_app()
    assert not at.exception and len(at.error) == 1
    assert f"{LINK}{IMG}" in visible(at.error[0].value)
    assert_markdown_safe(at)


# Guard: no HTML channel from Python code to the page. A call with unsafe_allow_html (other than =False),
# st.html or components.html is allowed only with literal text, never with a value computed from data.
APP_FILES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "components").glob("*.py"))]


def _html_channels(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        literal = all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
        unsafe = any(k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                     for k in node.keywords)
        func = ast.unparse(node.func)
        raw_html = func.endswith(("st.html", "components.html", "v1.html")) or func == "html"
        if (unsafe or raw_html) and not literal:
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)[:100]}")
    return found


def test_no_raw_html_with_data_in_the_app():
    assert len(APP_FILES) > 8
    offenders = [hit for path in APP_FILES for hit in _html_channels(path)]
    assert offenders == [], offenders


def test_html_guard_catches_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit as st\nname = 'x'\n"
                      "st.markdown(f'<b>{name}</b>', unsafe_allow_html=True)\n"
                      "st.html(name)\n"
                      "st.markdown('<br>', unsafe_allow_html=True)\n"
                      "st.markdown(name, unsafe_allow_html=False)\n", encoding="utf-8")
    assert [int(hit.split(":")[1]) for hit in _html_channels(sample)] == [3, 4]


# --- (c) CSV export ------------------------------------------------------------------------------

def read_csv_bytes(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so that Excel reads Chinese"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_formula_cells_are_neutralised():
    cells = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "plain", "上海 São Paulo", "", "a=1", " =1", "line\nbreak"]
    df = pd.DataFrame({"text": cells, "number": [-5, 5, -1, 0, 1, 2, 3, 4, 5, 6, 7]})
    rows = read_csv_bytes(csv_bytes(df))
    assert rows[0] == ["text", "number"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\t=1", "plain", "上海 São Paulo", "", "a=1",
                                        " =1", "line\nbreak"]
    # Numbers are numbers: a spreadsheet must still be able to add them up.
    assert [r[1] for r in rows[1:]] == ["-5", "5", "-1", "0", "1", "2", "3", "4", "5", "6", "7"]


def test_carriage_return_cannot_start_a_new_formula_cell():
    cells = ["\r=1+1", "x\r=1+2", "ok"]
    rows = read_csv_bytes(csv_bytes(pd.DataFrame({"text": cells, "n": [1, 2, 3]})))
    assert len(rows) == 1 + len(cells), rows
    assert [r[0] for r in rows[1:]] == ["'\r=1+1", cells[1], "ok"]
    assert not any(cell.startswith("=") for r in rows for cell in r)


@pytest.mark.parametrize("dtype", [object, "string", "str", "category"])
def test_every_text_dtype_is_neutralised(dtype):
    df = pd.DataFrame({"t": pd.Series([CMD, "-2", "ok"], dtype=dtype)})
    assert [r[0] for r in read_csv_bytes(csv_bytes(df))[1:]] == ["'" + CMD, "'-2", "ok"]


def test_numbers_stay_numbers_in_every_numeric_dtype():
    df = pd.DataFrame({"i": pd.array([-5, None], dtype="Int64"), "f": pd.array([-1.5, None], dtype="Float64"),
                       "g": [-2.25, float("nan")], "mixed": pd.Series([-7, "-7"], dtype=object)})
    rows = read_csv_bytes(csv_bytes(df))
    assert rows[1] == ["-5", "-1.5", "-2.25", "-7"]
    assert rows[2] == ["", "", "", "'-7"], "a number stays a number, the text '-7' is neutralised"


def test_csv_export_does_not_change_the_frame():
    df = pd.DataFrame({"t": ["=1"]})
    csv_bytes(df)
    assert df["t"].tolist() == ["=1"]


def test_flow_records_export_is_neutralised(hostile_records):
    data = csv_bytes(flow_table(hostile_records))
    rows = read_csv_bytes(data)
    header = rows[0]
    col = header.index("from_as_printed")
    assert ["'" + FORMULA] == [r[col] for r in rows[1:] if r[header.index("record_id")] == FORMULA_DONATION][:1]
    numeric = {"quantity"}
    for r in rows[1:]:
        for name, cell in zip(header, r):
            if name not in numeric:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


def test_table_export_keeps_negative_coordinates_numeric(bundled):
    rows = read_csv_bytes(csv_bytes(bundled.places))
    header = rows[0]
    lon = [r[header.index("lon")] for r in rows[1:] if r[header.index("country")] == "US" and r[header.index("lon")]]
    assert lon and all(v.startswith("-") and float(v) < 0 for v in lon)
    assert len(rows) - 1 == len(bundled.places)

"""Chart exports (issue #5), downloaded from the running app and checked file by file.

Each page's four files (PNG, SVG, HTML, CSV) are downloaded once per module; the tests then check
that each file is what it claims to be: a real, coloured image; an SVG with the chart's own palette,
title and source; an HTML file that draws with every network request blocked; a CSV with the
chart's numbers.
"""
import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from atlas.i18n import t
from components.theme import OKABE_ITO, THEME_COLOURS

from .conftest import colour_count, download, hex_rgb, settle

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"
CORPORATE_TOTAL_CNY = 290_000_000
SURVEY_N = 1776

# page, chart slug, palette colours its bars must use, title, source line
CHARTS = {
    "corporate": ("/corporate", "corporate-giving", [OKABE_ITO["blue"], OKABE_ITO["grey"]],
                  t("corporate.title", "en"), t("source.ccg_table4", "en")),
    "survey": ("/survey", "survey-findings", list(THEME_COLOURS.values()),
               t("survey.title", "en"), t("source.ccg_survey", "en", n=f"{SURVEY_N:,}")),
}


@pytest.fixture(scope="module")
def exports(browser, browser_context_args, app_url, tmp_path_factory):
    """{chart: {fmt: path}} for both charts, downloaded through the app's buttons."""
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    out = {}
    try:
        for chart, (path, slug, *_rest) in CHARTS.items():
            page.goto(app_url + path)
            settle(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            dest = tmp_path_factory.mktemp(chart)
            out[chart] = {fmt.lower(): download(page, fmt, dest, name_prefix=slug, key=f"dl_{chart}_{fmt.lower()}") for fmt in ("PNG", "SVG", "HTML", "CSV")}
    finally:
        context.close()
    return out


def svg_fills(root) -> set[str]:
    """Every fill colour in an SVG (attribute or inline style), as lower-case #rrggbb."""
    fills = set()
    for el in root.iter():
        values = [el.get("fill", "")] + re.findall(r"(?:^|;)\s*fill:\s*([^;]+)", el.get("style", ""))
        for v in values:
            v = v.strip().lower()
            m = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*[\d.]+)?\)", v)
            if m:
                fills.add("#%02x%02x%02x" % tuple(int(x) for x in m.groups()))
            elif re.fullmatch(r"#[0-9a-f]{6}", v):
                fills.add(v)
    return fills


def svg_texts(root) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(SVG_NS + "text")]


def bar_fills(root) -> list[str]:
    """Fill colours of the bars (plotly draws each bar as a path inside g.point)."""
    out = []
    for g in root.iter(SVG_NS + "g"):
        if g.get("class") == "point":
            for p in g.iter(SVG_NS + "path"):
                out += sorted(svg_fills(ET.Element("x", style=p.get("style", ""))))
    return out


def read_csv(path):
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return reader.fieldnames, list(reader)


# --- PNG -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chart", CHARTS)
def test_png_is_a_real_coloured_image(exports, chart):
    path = exports[chart]["png"]
    assert path.suffix == ".png"
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 30_000, f"{len(data)} bytes is too small for a chart"
    image = Image.open(path)
    image.load()
    assert image.width >= 1000 and image.height >= 500
    rgb = image.convert("RGB")
    colours = rgb.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) >= 50, "image is (nearly) blank"
    # Mostly a white background (exports use the light theme), not the near-black of Streamlit's placeholder template.
    assert colour_count(rgb, (255, 255, 255), 2) > 0.3 * rgb.width * rgb.height
    for colour in CHARTS[chart][2]:
        assert colour_count(rgb, hex_rgb(colour), 2) > 2_000, f"palette colour {colour} missing from the PNG"


# --- SVG -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chart", CHARTS)
def test_svg_has_palette_title_and_source(exports, chart):
    path = exports[chart]["svg"]
    root = ET.parse(path).getroot()
    assert root.tag == SVG_NS + "svg"
    _, _, palette, title, source = CHARTS[chart]
    bars = bar_fills(root)
    assert bars, "no bars in the SVG"
    assert set(bars) <= {c.lower() for c in palette}, f"bars use colours outside the chart's palette: {set(bars)}"
    assert {c.lower() for c in palette} <= set(bars), f"palette colours missing from the bars: {set(bars)}"
    text = " ".join(svg_texts(root))
    assert title in text
    assert source in text


def test_corporate_svg_draws_the_16_companies(exports):
    root = ET.parse(exports["corporate"]["svg"]).getroot()
    assert len(bar_fills(root)) == 16
    text = " ".join(svg_texts(root))
    assert "CNY 290 million" in text  # the subtitle states the total


def test_survey_svg_states_n(exports):
    text = " ".join(svg_texts(ET.parse(exports["survey"]["svg"]).getroot()))
    assert re.search(r"n\s*=\s*1,776\b", text), "the survey SVG does not state n = 1,776"


# --- HTML ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chart", CHARTS)
def test_html_renders_offline(exports, chart, offline):
    path = exports[chart]["html"]
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']https?:", html), "the HTML loads a script from the network"
    o = offline()
    o.page.goto(path.as_uri())
    o.page.wait_for_selector(".main-svg", timeout=30_000)
    o.page.wait_for_selector(".barlayer .point path", timeout=30_000)
    n_bars = o.page.locator(".barlayer .point path").count()
    widths = o.page.locator(".barlayer .point path").evaluate_all("ps => ps.map(p => p.getBBox().width)")
    assert o.errors == []
    assert o.blocked == [], f"the HTML export asked the network for {o.blocked}"
    assert n_bars == (16 if chart == "corporate" else 9)
    assert all(w > 1 for w in widths), widths
    assert o.page.title() == CHARTS[chart][3]
    assert CHARTS[chart][3] in o.page.locator(".main-svg .gtitle").first.text_content()


# --- CSV -------------------------------------------------------------------------------------------

def test_corporate_csv_holds_the_16_companies_of_table_4(exports):
    path = exports["corporate"]["csv"]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, so that spreadsheets read UTF-8
    fields, rows = read_csv(path)
    assert fields == ["rank", "company", "company_as_printed", "amount_cny"]
    assert len(rows) == 16
    assert len({r["company"] for r in rows}) == 16
    assert sum(int(r["amount_cny"]) for r in rows) == CORPORATE_TOTAL_CNY
    assert {"Citadel", "Microsoft", "Amway", "Danaher"} <= {r["company"] for r in rows}
    # The CSV matches the chart: the same amounts as the bar labels in the SVG.
    # Bar labels are short ("45.78 million") but keep Table 4's four significant figures, so they equal the CSV.
    labels = [s for s in svg_texts(ET.parse(exports["corporate"]["svg"]).getroot()) if re.fullmatch(r"[\d.]+ million", s)]
    amounts = sorted(int(r["amount_cny"]) for r in rows)
    assert sorted(round(float(s.split()[0]) * 1_000_000) for s in labels) == amounts


def test_survey_csv_states_n_and_the_nine_findings(exports):
    fields, rows = read_csv(exports["survey"]["csv"])
    assert fields == ["finding_id", "theme", "statement", "percent", "ci95_low", "ci95_high", "base_n"]
    assert len(rows) == 9
    assert {r["base_n"] for r in rows} == {str(SURVEY_N)}
    for r in rows:
        assert float(r["ci95_low"]) < float(r["percent"]) < float(r["ci95_high"])
    assert sorted(r["finding_id"] for r in rows) == [f"s{i}" for i in range(1, 10)]


# --- layout of the exported figure -------------------------------------------------------------------

TEXT_BOXES = """() => {
  const svg = document.querySelector('svg');
  const w = svg.viewBox.baseVal.width, h = svg.viewBox.baseVal.height;
  const boxes = [...document.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const b = t.getBoundingClientRect();
    return {text: t.textContent, cls: t.getAttribute('class') || '', left: b.left, top: b.top, right: b.right, bottom: b.bottom};
  });
  return {w, h, boxes};
}"""


def _layout(exports, chart, offline):
    o = offline()
    o.page.goto(exports[chart]["svg"].as_uri())
    return o.page.evaluate(TEXT_BOXES)


@pytest.mark.parametrize("chart", CHARTS)
def test_export_title_is_inside_the_image(exports, chart, offline):
    layout = _layout(exports, chart, offline)
    title = [b for b in layout["boxes"] if "gtitle" in b["cls"]]
    assert title and all(b["top"] >= 0 for b in title), title


def test_export_bar_labels_are_inside_the_image(exports, offline):
    layout = _layout(exports, "corporate", offline)
    labels = [b for b in layout["boxes"] if "bartext" in b["cls"]]
    assert len(labels) == 16
    outside = [b for b in labels if b["right"] > layout["w"] + 0.5]
    assert not outside, outside


@pytest.mark.parametrize("chart", CHARTS)
def test_export_source_line_does_not_overlap_the_axis_title(exports, chart, offline):
    layout = _layout(exports, chart, offline)
    source = [b for b in layout["boxes"] if "annotation-text" in b["cls"]]
    axis = [b for b in layout["boxes"] if "xtitle" in b["cls"]]
    assert source and axis
    s, a = source[0], axis[0]
    overlap = s["left"] < a["right"] and a["left"] < s["right"] and s["top"] < a["bottom"] and a["top"] < s["bottom"]
    assert not overlap, (s, a)
    assert s["bottom"] <= layout["h"] + 0.5

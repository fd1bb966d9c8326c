"""Chinese in a real browser (issue #6): the language follows the URL across pages, and CJK text is drawn
with real glyphs (not tofu boxes) both on screen and in exports.

Glyph check: each CJK character of the page title is cut out of a screenshot (by its own text range)
and the cut-outs are compared. With a CJK font every character looks different; without one every
character is the same .notdef box (tofu), so the cut-outs would be identical.
"""
import re
import xml.etree.ElementTree as ET
from itertools import combinations
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import expect

from atlas.i18n import t
from components.theme import THEME_COLOURS

from .conftest import colour_count, download, hex_rgb, settle

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# A field's widget has the class st-key-filter_<field>_<generation> (components.url_state.widget_key).
PROVINCE = '[data-testid="stSidebar"] [class*="st-key-filter_province_"]'

CHAR_BOXES = """(el) => {
  const out = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (let i = 0; i < n.data.length; i++) {
      if (!/[\\u3400-\\u4dbf\\u4e00-\\u9fff]/.test(n.data[i])) continue;
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
      const b = r.getBoundingClientRect();
      out.push({ch: n.data[i], x: b.x, y: b.y, w: b.width, h: b.height});
    }
  }
  return {chars: out, fontSize: parseFloat(getComputedStyle(el).fontSize)};
}"""


def query(page) -> dict:
    return parse_qs(urlparse(page.url).query)


def page_title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text()


def difference(a: Image.Image, b: Image.Image) -> float:
    """Pixels that differ clearly between two same-size greyscale images, as a share of the pixels inked in either."""
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 96 else 0).histogram()[255]
    ink = ImageChops.darker(a, b).point(lambda v: 255 if v < 128 else 0).histogram()[255]
    return diff / max(ink, 1)


def test_chinese_url_opens_in_chinese_and_keeps_language_and_filter_across_pages(page, app_url):
    page.goto(f"{app_url}/flows?lang=zh&province=Fujian")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(t("page.flows", "zh"))
    assert CJK.search(page_title(page))
    expect(page.locator(PROVINCE)).to_contain_text("福建")
    assert "Fujian" not in page.locator(PROVINCE).inner_text()
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav).to_contain_text(t("page.overview", "zh"))

    for target, path in (("survey", "/survey"), ("overview", "/")):
        page.locator('[data-testid="stSidebarNav"] a', has_text=t(f"page.{target}", "zh")).click()
        settle(page)
        assert urlparse(page.url).path.rstrip("/") == path.rstrip("/")
        q = query(page)
        assert q.get("lang") == ["zh"], page.url
        assert q.get("province") == ["Fujian"], page.url
        expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(t(f"page.{target}", "zh"))
        assert CJK.search(page_title(page))
        expect(page.locator(PROVINCE)).to_contain_text("福建")


@pytest.mark.parametrize("path", ["/flows", "/survey"])
def test_chinese_text_is_drawn_with_real_glyphs(page, app_url, path, tmp_path):
    page.goto(f"{app_url}{path}?lang=zh")
    settle(page)
    h1 = page.locator('[data-testid="stMain"] h1').first
    expect(h1).to_have_text(re.compile(r"[\u4e00-\u9fff]"))
    page.evaluate("window.scrollTo(0, 0)")
    boxes = h1.evaluate(CHAR_BOXES)
    shot = tmp_path / f"{path.strip('/')}-zh.png"
    page.screenshot(path=shot)
    screen = Image.open(shot).convert("L")

    chars = boxes["chars"]
    assert len(chars) >= 4, chars
    size = boxes["fontSize"]
    width = int(min(c["w"] for c in chars))
    height = int(min(c["h"] for c in chars))
    cuts = {}
    for c in chars:
        x, y = round(c["x"]), round(c["y"])
        cut = screen.crop((x, y, x + width, y + height))
        ink = cut.point(lambda v: 255 if v < 128 else 0).histogram()[255]
        assert ink > 0.03 * width * height, f"{c['ch']!r} left no ink on the screenshot"
        cuts.setdefault(c["ch"], cut)
    for (a, ia), (b, ib) in combinations(cuts.items(), 2):
        assert difference(ia, ib) > 0.2, f"{a!r} and {b!r} are drawn identically: tofu?"
    # CJK glyphs are full-width: one em each. A fallback's .notdef box is usually narrower.
    assert all(abs(c["w"] - size) <= 0.15 * size for c in chars), (size, chars)


def test_chinese_exports_carry_chinese_text(page, app_url, tmp_path):
    page.goto(f"{app_url}/survey?lang=zh")
    settle(page)
    svg = download(page, "SVG", tmp_path, name_prefix="survey-findings", key="dl_survey_svg")
    png = download(page, "PNG", tmp_path, name_prefix="survey-findings", key="dl_survey_png")
    assert svg.name == "survey-findings_zh.svg" and png.name == "survey-findings_zh.png"

    root = ET.parse(svg).getroot()
    text = " ".join("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text"))
    assert t("survey.title", "zh") in text
    assert t("survey.axis", "zh") in text
    assert re.search(r"n\s*=\s*1,776", text)
    assert len(CJK.findall(text)) > 100
    assert "survey.finding" not in text and "survey.title" not in text  # no untranslated keys

    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 30_000
    image = Image.open(png).convert("RGB")
    assert len(image.getcolors(maxcolors=1 << 20) or []) >= 50
    for colour in THEME_COLOURS.values():
        assert colour_count(image, hex_rgb(colour), 2) > 2_000, colour

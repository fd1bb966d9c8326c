"""Every page reads right at phone, laptop and wide widths, in both languages (issue #15).

Measured in the browser, as a reader sees it: no element of a metric card is cut off
(scrollWidth <= clientWidth), no two text boxes of a drawn chart overlap (the bounding boxes of
plotly's SVG text), `<html lang>` says the page's language, and the skip links reach the downloads.
"""

import pytest

from .conftest import settle

WIDTHS = (390, 1440, 1920)
LANGS = ("en", "zh")
PAGES = ("", "corporate", "survey", "pairings")  # "" is the overview

# Elements of each metric card (and of the landing's fact links) wider inside than the box that shows them.
CUT_OFF = """() => [...document.querySelectorAll('[data-testid="stMetric"], [data-testid="stMetric"] *, .st-key-landing *')]
  .filter((el) => el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
  .map((el) => `${el.getAttribute('data-testid') || el.tagName}: "${el.textContent.slice(0, 40)}" ${el.scrollWidth}>${el.clientWidth}`)"""

# Pairs of visible, non-empty text elements of one plotly chart whose boxes intersect by more than 1 px.
OVERLAPS = """() => {
  const out = [];
  document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart, c) => {
    const boxes = [...chart.querySelectorAll('svg text')]
      .filter((el) => el.textContent.trim() && getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).opacity !== '0')
      .map((el) => [el.textContent.trim(), el.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0 && r.height > 0);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 1 && h > 1) out.push(`chart ${c}: "${a}" overlaps "${b}"`);
    }
  });
  return out;
}"""


def charts_drawn(page) -> int:
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every((c) => c.querySelector('svg text'))""", timeout=60_000)
    return page.locator('[data-testid="stPlotlyChart"]').count()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_cards_and_charts_fit_and_html_lang_matches(browser, app_url, width, lang):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        problems, charts = [], 0
        for path in PAGES:
            page.goto(f"{app_url}/{path}?lang={lang}")
            settle(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            page.wait_for_function(f"() => document.documentElement.lang.startsWith('{lang}')", timeout=10_000)
            charts += charts_drawn(page)
            # plotly may still be laying a chart out after its first draw: judge what a reader sees once it is done
            # (no overlap within a few seconds, or the overlaps that are still there then)
            try:
                page.wait_for_function(f"() => ({OVERLAPS})().length === 0", timeout=5_000)
            except Exception:
                pass
            overlaps = page.evaluate(OVERLAPS)
            problems += [f"/{path} {p}" for p in page.evaluate(CUT_OFF) + overlaps]
            if path in ("", "corporate", "pairings"):
                assert page.locator('[data-testid="stMetric"]').count() >= 4, path
        assert charts >= 6  # overview 3, corporate 3, survey 1 (the open tabs)
        assert problems == [], problems
    finally:
        context.close()


def test_switching_language_updates_html_lang(page, app_url):
    page.goto(f"{app_url}/survey")
    settle(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator('[data-testid="stSidebar"] label', has_text="中文").click()
    settle(page)
    page.wait_for_function("() => document.documentElement.lang === 'zh-Hans'", timeout=10_000)


def test_skip_link_reaches_the_downloads_in_three_key_presses(page, app_url):
    page.goto(f"{app_url}/flows")
    settle(page)
    page.wait_for_selector("#atlas-skip-links a", state="attached")
    page.evaluate("document.activeElement && document.activeElement.blur()")  # start from the top of the document
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to downloads"
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.closest('[data-testid=\"stLinkButton\"]') !== null")
    assert focused, page.evaluate("document.activeElement.outerHTML.slice(0, 200)")


def test_choosing_a_row_shows_the_passage_it_came_from(page, app_url):
    page.goto(f"{app_url}/data?table=donations&q=Oregon")
    settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 200, box["y"] + 52)  # the grid takes focus on a first click
    page.wait_for_function("""() => { const g = document.querySelector('[data-testid="stDataFrame"]');
        return !!g && g.contains(document.activeElement); }""", timeout=10_000)
    page.mouse.click(box["x"] + 17, box["y"] + 53)  # the first row's selection box
    settle(page)
    passage = page.locator('[class*="st-key-passage"]')
    passage.get_by_text("Table 1, row 8").wait_for(timeout=20_000)
    text = passage.inner_text()
    assert "50,000 surgical masks" in text and "Oregon State" in text and "Fujian Province" in text

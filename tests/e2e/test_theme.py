"""The dark theme reaches charts already on screen (issue #31): Streamlit does not rerun when the theme changes,
so charts built for the light theme stayed white until the page changed. The reader's system switching to dark
(Streamlit's default theme follows it) must turn the survey chart on screen dark, and back."""
from .conftest import settle

PAPER = """() => { const p = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  return p && p._fullLayout ? p._fullLayout.paper_bgcolor : null; }"""


def test_switching_to_dark_turns_a_chart_already_on_screen_dark(page, app_url):
    page.emulate_media(color_scheme="light")
    page.goto(f"{app_url}/survey")
    settle(page)
    page.wait_for_function(f"() => ({PAPER})() === '#FFFFFF' || ({PAPER})() === '#ffffff'", timeout=60_000)
    page.emulate_media(color_scheme="dark")
    page.wait_for_function(f"() => (({PAPER})() || '').toUpperCase() === '#0E1117'", timeout=60_000)
    settle(page)
    # the whiskers too: drawn in the dark theme's light grey
    assert page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .errorbar path')]
        .some((p) => /rgb\\(187, 187, 187\\)/.test(p.getAttribute('style') || ''))""")
    page.emulate_media(color_scheme="light")
    page.wait_for_function(f"() => (({PAPER})() || '').toUpperCase() === '#FFFFFF'", timeout=60_000)

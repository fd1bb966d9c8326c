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


# Counts the script runs the page sees (the app's script state turning "running"), from the first byte.
RUNS = """() => { window.__atlasRuns = 0; let last = null;
  new MutationObserver(() => { const a = document.querySelector('[data-testid="stApp"]');
    const s = a && a.getAttribute('data-test-script-state');
    if (s === 'running' && last !== 'running') window.__atlasRuns += 1; last = s; })
  .observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-test-script-state']}); }"""


def test_a_page_opened_in_either_theme_is_drawn_in_it_by_one_run(browser, app_url):
    """The theme probe reports only a theme the server did not already assume: a page opened in the theme Streamlit
    heard from the browser runs once (each first load ran twice, and the page dimmed again after it was drawn)."""
    for scheme, paper in (("dark", "#0E1117"), ("light", "#FFFFFF")):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.add_init_script(f"({RUNS})()")
            page.goto(f"{app_url}/survey")
            settle(page)
            page.wait_for_function(f"() => (({PAPER})() || '').toUpperCase() === '{paper}'", timeout=60_000)
            assert page.evaluate("() => window.__atlasRuns") == 1, f"{scheme}: the page ran more than once"
        finally:
            context.close()

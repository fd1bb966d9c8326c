"""The maps fit and read on every width (issue #31), in a real browser: a phone with a touch screen (390 x 844,
`has_touch`, `is_mobile`) and a laptop's mouse.

Where things are drawn is computed from the deck the page really holds (its JSON, read from the props Streamlit
gave the chart, and the canvas's size), never from a deck rebuilt in the test: the view must be the one the
server fitted to the width this browser measured.
"""
import os
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.test_decks import map_geometry, overlaps

from .conftest import CANVAS, DECK_STATE_JS, IDLE, deck_state, settle, view_shown, wait_drawn

SHOTS = Path(os.environ.get("ATLAS_SHOTS", tempfile.gettempdir())) / "atlas-map-fit"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 1}


def fitted_state(page, index: int = 0) -> dict:
    """The map's deck once the server has fitted it to the width the browser measured (its labels and view are
    then those of a map as wide as the canvas: the view's zoom no longer changes with another rerun)."""
    page.locator(CANVAS).nth(index).wait_for(timeout=60_000)
    # The component reports the width, the server reruns and sends the fitted deck: wait for the spec whose
    # fit width (a multiple of 20 px, at most the canvas's) is this canvas's.
    page.wait_for_function(
        """([index]) => { const charts = document.querySelectorAll('[data-testid="stDeckGlJsonChart"]');
            const c = charts[index]; if (!c) return false;
            const k = Object.keys(c).find((k) => k.startsWith("__reactFiber")); if (!k) return false;
            for (let f = c[k]; f; f = f.return) { const p = f.memoizedProps;
              if (p && p.element && typeof p.element.json === "string")
                return JSON.parse(p.element.json).initialViewState !== undefined && !!document.querySelector(
                  '[data-testid="stApp"][data-test-script-state="notRunning"]'); }
            return false; }""", arg=[index], timeout=60_000)
    settle(page)
    return deck_state(page, index)


def measure(page, labels: list[str]) -> dict[str, float]:
    """Each label's width as the browser draws 12 px text in the labels' font (plus deck.gl's halo of 3 px a side)."""
    from components.theme import FONT
    widths = page.evaluate("""([labels, font]) => { const c = document.createElement("canvas").getContext("2d");
        c.font = "12px " + font; return labels.map((l) => c.measureText(l).width + 6); }""", [labels, FONT])
    return dict(zip(labels, widths))


def assert_view_shown(state: dict) -> None:
    """deck.gl shows the view the deck's JSON asks for: Streamlit's component once kept the view of the map it
    first drew, fitted to the narrowest width, in 7 of 12 fresh loads (components/map_width.deck_key)."""
    asked = state["spec"]["initialViewState"]
    assert state["view"] is not None, "no view state on the map"
    shown = {k: round(state["view"][k], 4) for k in ("longitude", "latitude", "zoom")}
    assert shown == {k: round(asked[k], 4) for k in shown}, f"the map shows {shown}, its JSON asks for {asked}"


def check_fit(page, state: dict, shot: Path) -> dict:
    assert_view_shown(state)
    spec, box = state["spec"], state["box"]
    labels = [d["label"] for layer in spec["layers"] if layer["id"] in ("labels", "pair_labels") for d in layer["data"]]
    widths = measure(page, labels)
    g = map_geometry(spec, box["width"], box["height"], text_width=lambda text: widths[text])
    outside = [(round(x), round(y)) for x, y in g["ends"] if not (0 <= x <= box["width"] and 0 <= y <= box["height"])]
    assert not outside, f"flow ends outside the {box['width']:.0f} px map: {outside}"
    cut = [(round(x), round(y), r) for x, y, r in g["circles"]
           if not (r <= x <= box["width"] - r and r <= y <= box["height"] - r)]
    assert not cut, f"circles cut by the map's edge: {cut}"
    assert g["labels"], "no label drawn"
    assert not overlaps(g), overlaps(g)
    page.locator(CANVAS).first.screenshot(path=str(shot))
    return g


def test_on_a_phone_the_fujian_flows_map_shows_every_end_and_no_label_covers_a_circle(browser, app_url):
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/flows?province=Fujian")
        settle(page)
        state = fitted_state(page)
        assert state["box"]["width"] < 390
        g = check_fit(page, state, SHOTS / "map-fit-fujian-390.png")
        # The picture agrees with the geometry: Fujian's circle (vermillion) is drawn where the view puts it.
        fujian = next(d for layer in state["spec"]["layers"] if layer["id"] == "places" for d in layer["data"]
                      if d["key"] == "CN-FJ")
        x, y, _ = next(c for c in g["circles"] if abs(c[2] - fujian["radius"]) < 1e-6)
        image = Image.open(SHOTS / "map-fit-fujian-390.png").convert("RGB")
        r, gr, b = image.getpixel((round(x), round(y)))
        assert r > 170 and gr < 130 and b < 90, (x, y, (r, gr, b))
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/flows", "/flows?level=place&province=Fujian", "/pairings"])
def test_on_a_phone_every_map_fits_and_its_labels_collide_with_nothing(browser, app_url, path):
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(f"{app_url}{path}")
        settle(page)
        name = path.strip("/").replace("?", "-").replace("&", "-").replace("=", "-")
        check_fit(page, fitted_state(page), SHOTS / f"map-fit-{name}-390.png")
    finally:
        context.close()


def test_on_a_laptop_the_map_is_fitted_to_its_wider_width(page, app_url):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{app_url}/flows?province=Fujian")
    settle(page)
    state = fitted_state(page)
    check_fit(page, state, SHOTS / "map-fit-fujian-1440.png")
    # Fitted to this width, not to a phone's: the flows span at least half of the map.
    g = map_geometry(state["spec"], state["box"]["width"], state["box"]["height"])
    xs = [x for x, _ in g["ends"]]
    assert max(xs) - min(xs) > state["box"]["width"] / 2


def test_a_double_click_zooms_the_map_and_does_not_filter(page, app_url):
    page.goto(f"{app_url}/flows?province=Fujian")
    settle(page)
    fitted_state(page)
    # Where Ohio is drawn is computed from the view deck.gl shows, once it is the one the JSON asks for; the zoom
    # is read from deck.gl's own viewport, never from a React fiber's props (a canvas's fiber can be a stale
    # alternate whose view never changes: the CI of e9cabc8 timed out reading one).
    state = view_shown(page)
    box = state["box"]
    g = map_geometry(state["spec"], box["width"], box["height"])
    places = next(layer for layer in state["spec"]["layers"] if layer["id"] == "places")["data"]
    ohio = next(i for i, d in enumerate(places) if d["key"] == "US-OH")
    x, y, _ = g["circles"][ohio]
    before = page.url
    zoom = state["view"]["zoom"]
    wait_drawn(page)  # the press-holding script and deck.gl's picking both answer late while a frame is drawn
    page.mouse.dblclick(box["x"] + x, box["y"] + y)
    zoomed = ("([index, zoom]) => { const s = (" + DECK_STATE_JS + ")([index]);"
              " return !!(s && s.view && s.view.zoom > zoom + 0.5); }")
    try:
        page.wait_for_function(zoomed, arg=[0, zoom], timeout=30_000, polling=100)
    except PlaywrightTimeout:
        now = deck_state(page)
        raise AssertionError(f"a double click did not zoom in: zoom {zoom} before, "
                             f"{(now.get('view') or {}).get('zoom')} 30 s after; the address is {page.url}") from None
    page.wait_for_selector(IDLE)
    assert page.url == before
    assert "state" not in parse_qs(urlparse(page.url).query)

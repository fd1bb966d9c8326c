"""The flow map in a real browser (issue #4): a click on a place filters every page; the map draws offline.

Where to click is computed from the map's own view state (components.decks.VIEW, Web Mercator as deck.gl
projects it) and the regions' coordinates, then confirmed by hovering until deck.gl's tooltip names
that place: no pixel positions are hard-coded.
"""
import csv
import functools
import math
import re
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image
from playwright.sync_api import expect

from atlas import flows
from atlas.filters import Filters
from atlas.records import load
from components.decks import COUNTRY_FILL, build_flow_deck
from components.theme import CATEGORY_COLOURS, DIRECTION_COLOURS

from .conftest import _FRAMES, CANVAS, ROOT, map_diagnosis, wait_drawn, deck_state, OfflinePage, colour_count, download, hex_rgb, settle, tooltip_text



def sidebar_filter(page, name: str):
    """A field's widget in the sidebar, whatever its generation (class st-key-filter_<field>_<generation>)."""
    return page.locator(f'[data-testid="stSidebar"] [class*="st-key-filter_{name}_"]')


def query(page) -> dict:
    return parse_qs(urlparse(page.url).query)


def regions() -> list[dict]:
    with open(ROOT / "data" / "regions.csv", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["lat"] and r["lon"]]


def drawn_places(page, box: dict) -> list[tuple[dict, float, float]]:
    """The regions the map draws a circle for, at their circles' centres on the screen, the most isolated first
    (least likely to sit under another circle): computed from the deck the page holds, as a reader sees it."""
    from tests.test_decks import map_geometry
    spec = deck_state(page)["spec"]
    circles = map_geometry(spec, box["width"], box["height"])["circles"]
    places = next(layer for layer in spec["layers"] if layer["id"] == "places")["data"]
    by_code = {r["admin1"]: r for r in regions()}
    pts = [(by_code[d["key"]], box["x"] + x, box["y"] + y, r) for d, (x, y, r) in zip(places, circles)
           if d["key"] in by_code]
    inside = [p for p in pts if box["x"] + 10 < p[1] < box["x"] + box["width"] - 10
              and box["y"] + 10 < p[2] < box["y"] + box["height"] - 10]

    def isolation(p):
        return min((math.hypot(p[1] - q[1], p[2] - q[2]) - q[3] for q in pts if q is not p), default=1e9)
    return [(r, x, y) for r, x, y, _ in sorted(inside, key=isolation, reverse=True)]


def donation_records(page) -> int:
    m = re.search(r"(\d+)\s+donation records", page.locator('[data-testid="stMain"]').inner_text())
    assert m, "no 'N donation records' summary on /flows"
    return int(m.group(1))


def wait_for_canvas(page):
    canvas = page.locator(CANVAS).first
    canvas.wait_for(timeout=60_000)
    canvas.scroll_into_view_if_needed()
    return canvas


def drawn_map(page, path, timeout: float = 30.0) -> Image.Image:
    """Screenshot the canvas into `path` until the offline outlines (country fills) are drawn."""
    canvas = page.locator("canvas").first
    deadline = time.monotonic() + timeout
    while True:
        canvas.screenshot(path=path)
        image = Image.open(path).convert("RGB")
        if colour_count(image, tuple(COUNTRY_FILL["CN"][:3]), 3) > 500 or time.monotonic() > deadline:
            return image
        page.evaluate(_FRAMES)  # the next picture after deck.gl's next frames


def assert_map_drawn(image: Image.Image) -> None:
    """The offline outlines, the arcs and the places are on the image, not a blank or uniform canvas."""
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200, "the map is (nearly) blank"
    area = image.width * image.height
    for iso in ("CN", "US"):
        n = colour_count(image, tuple(COUNTRY_FILL[iso][:3]), 3)
        assert n > 0.002 * area, f"{iso}'s fill colour covers only {n} px"
    # Outlines: grey lines (120, 120, 120 at alpha 200) over the fills or the background.
    greys = sum(colour_count(image, (v, v, v), 12) for v in (130, 150, 170, 190))
    assert greys > 100, f"no outline pixels ({greys})"
    # Places: vermillion (China) and blue (US) dots, 220/255 opaque.
    for direction, colour in DIRECTION_COLOURS.items():
        n = colour_count(image, hex_rgb(colour), 40)
        assert n > 100, f"no {direction} place dots ({n} px of {colour})"
    # Arcs in several category colours (solid at the giver's end).
    arc_colours = {c for c in CATEGORY_COLOURS.values() if colour_count(image, hex_rgb(c), 25) > 30}
    assert len(arc_colours) >= 3, f"arcs drawn in only {arc_colours}"


def test_click_on_a_place_filters_the_dashboard_across_pages(page, app_url):
    page.goto(f"{app_url}/flows")
    settle(page)
    records_before = donation_records(page)
    box = wait_for_canvas(page).bounding_box()
    # deck.gl picks what is under the pointer from what it has drawn: hover once the map has stopped changing
    target = None
    tried: list[tuple[str, float, float, str]] = []
    wait_drawn(page)
    for region, x, y in drawn_places(page, box)[:6]:
        page.mouse.move(x, y)
        text = tooltip_text(page)
        first_line = text.splitlines()[0] if text else ""
        tried.append((region["name_en"], round(x), round(y), first_line))
        if first_line.startswith(region["name_en"]) and "→" not in first_line:
            target = (region, x, y)
            break
        page.mouse.move(box["x"] + 2, box["y"] + 2)  # off any object, so the next tooltip is fresh
    assert target, ("hovering the computed positions of places never showed a place's tooltip: "
                    f"{tried}; {map_diagnosis(page, [(x, y) for _, x, y, _ in tried[-6:]])}")
    region, x, y = target
    key = "province" if region["country"] == "CN" else "state"
    assert key not in query(page)
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"[?&]{key}="), timeout=30_000)
    settle(page)
    assert query(page).get(key) == [region["name_en"]]
    expect(sidebar_filter(page, key)).to_contain_text(region["name_en"])
    # The whole page follows the filter: fewer donation records than with no filter.
    assert page.locator('[data-testid="stException"]').count() == 0
    assert 0 < donation_records(page) < records_before

    page.locator('[data-testid="stSidebarNav"] a', has_text="Overview").click()
    settle(page)
    assert urlparse(page.url).path in ("", "/")
    assert query(page).get(key) == [region["name_en"]]
    expect(sidebar_filter(page, key)).to_contain_text(region["name_en"])


@pytest.fixture(scope="module")
def offline_flows(browser, browser_context_args, app_url):
    """/flows in a context where every request not to the app's own server is aborted, map on screen."""
    o = OfflinePage(browser, allow=(app_url,), **browser_context_args)
    try:
        o.page.goto(f"{app_url}/flows")
        settle(o.page)
        wait_for_canvas(o.page)
        yield o
    finally:
        o.close()


@pytest.fixture(scope="module")
def map_html(offline_flows, browser, tmp_path_factory):
    """The map's HTML export, downloaded from the offline app and opened from a file with all network blocked."""
    dest = tmp_path_factory.mktemp("map-html")
    path = download(offline_flows.page, "HTML", dest, name_prefix="flow-map", key="dl_flows_html")
    o = OfflinePage(browser)
    try:
        o.page.goto(path.as_uri())
        o.page.wait_for_selector("canvas", timeout=60_000)
        image = drawn_map(o.page, dest / "flow-map-offline.png")
        yield SimpleNamespace(path=path, html=path.read_text(encoding="utf-8"), image=image,
                              errors=list(o.errors), blocked=list(o.blocked))
    finally:
        o.close()


def test_map_draws_offline(offline_flows, tmp_path):
    o = offline_flows
    shot = tmp_path / "flows-offline.png"
    image = drawn_map(o.page.locator('[data-testid="stDeckGlJsonChart"]'), shot)
    assert shot.stat().st_size > 10_000
    assert_map_drawn(image)
    assert o.errors == []
    assert o.page.locator('[data-testid="stException"]').count() == 0


def test_exported_map_html_draws_offline(map_html):
    assert map_html.path.suffix == ".html"
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", map_html.html, flags=re.S)
    assert any(len(s) > 300_000 and "deck" in s for s in inline), "deck.gl is not inlined in the exported HTML"
    assert not re.search(r"<script[^>]+src=[\"'][^\"']*deck", map_html.html), "deck.gl is loaded from the network"
    assert map_html.errors == []
    assert_map_drawn(map_html.image)


def test_exported_map_html_asks_nothing_of_the_network(map_html):
    assert map_html.blocked == []

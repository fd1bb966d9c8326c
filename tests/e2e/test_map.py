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

from .conftest import _FRAMES, CANVAS, ROOT, deck_state, OfflinePage, colour_count, download, hex_rgb, settle, tooltip_text



def sidebar_filter(page, name: str):
    """A field's widget in the sidebar, whatever its generation (class st-key-filter_<field>_<generation>)."""
    return page.locator(f'[data-testid="stSidebar"] [class*="st-key-filter_{name}_"]')


def query(page) -> dict:
    return parse_qs(urlparse(page.url).query)


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """deck.gl's Web Mercator at zoom 0 (a 512 px world)."""
    x = 512 * (lon + 180) / 360
    y = 512 / (2 * math.pi) * (math.pi - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))
    return x, y


_VIEW: dict = {}


def _unfiltered_view():
    """The initial view of the unfiltered flow map as the page holds it (fitted to the map's width by
    components.decks.fit_view once the browser has measured it): set by `use_page_view`."""
    return _VIEW["view"]


def use_page_view(page) -> None:
    from types import SimpleNamespace
    _VIEW["view"] = SimpleNamespace(**deck_state(page)["spec"]["initialViewState"])


def screen_position(lon: float, lat: float, box: dict) -> tuple[float, float]:
    """Where a longitude/latitude appears on the canvas, for the map's initial view (Pacific-centred)."""
    VIEW = _unfiltered_view()
    lon = lon - 360 if lon > 0 else lon  # components.decks.pacific
    cx, cy = _mercator(VIEW.longitude, VIEW.latitude)
    x, y = _mercator(lon, lat)
    scale = 2 ** VIEW.zoom
    return box["x"] + box["width"] / 2 + (x - cx) * scale, box["y"] + box["height"] / 2 + (y - cy) * scale


def regions() -> list[dict]:
    with open(ROOT / "data" / "regions.csv", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["lat"] and r["lon"]]


def candidates(box: dict) -> list[tuple[dict, float, float]]:
    """Regions on the canvas, the most isolated first (least likely to sit under another place's dot)."""
    pts = [(r, *screen_position(float(r["lon"]), float(r["lat"]), box)) for r in regions()]
    inside = [p for p in pts if box["x"] + 10 < p[1] < box["x"] + box["width"] - 10
              and box["y"] + 10 < p[2] < box["y"] + box["height"] - 10]

    def isolation(p):
        return min((math.hypot(p[1] - q[1], p[2] - q[2]) for q in pts if q is not p), default=1e9)
    return sorted(inside, key=isolation, reverse=True)


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
    use_page_view(page)
    target = None
    for region, x, y in candidates(box)[:8]:
        page.mouse.move(x, y)
        text = tooltip_text(page)
        first_line = text.splitlines()[0] if text else ""
        if first_line.startswith(region["name_en"]) and "→" not in first_line:
            target = (region, x, y)
            break
        page.mouse.move(box["x"] + 2, box["y"] + 2)  # off any object, so the next tooltip is fresh
    assert target, "hovering the computed positions of places never showed a place's tooltip"
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

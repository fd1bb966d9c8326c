"""One palette (issue #14): no chart or map gives one colour to two categories, and the colours stay apart
for the common colour-vision deficiencies and on the dark theme.

The checks read the colours the builders actually assign (every plotly trace, every deck layer's data),
not only the constants in components.theme."""
import itertools
import json

import numpy as np
import pytest

from atlas import flows, overview, pairings
from atlas.filters import Filters
from components import charts, decks, theme
from components.charts_flows import build_flow_sankey

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
SIMULATIONS = {
    "normal": np.eye(3),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]),
}
MIN_DELTA_E = 10.0   # CIE76; about the smallest difference told apart at a glance between adjacent marks
DARK_BACKGROUND = "#0E1117"


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array(theme.rgb(hex_colour)[:3]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, vision: str) -> float:
    m = SIMULATIONS[vision]
    return float(np.linalg.norm(_lab(np.clip(m @ _linear(a), 0, 1)) - _lab(np.clip(m @ _linear(b), 0, 1))))


def contrast(a: str, b: str) -> float:
    la, lb = sorted(float(np.dot([0.2126, 0.7152, 0.0722], _linear(c))) for c in (a, b))
    return (lb + 0.05) / (la + 0.05)


def hex_of(colour) -> str:
    """'#RRGGBB', 'rgba(r,g,b,a)' or deck.gl's [r, g, b, a] as '#rrggbb'."""
    if isinstance(colour, (list, tuple)):
        return "#{:02x}{:02x}{:02x}".format(*colour[:3])
    colour = colour.strip()
    if colour.startswith("rgba(") or colour.startswith("rgb("):
        r, g, b = (int(float(v)) for v in colour[colour.index("(") + 1:-1].split(",")[:3])
        return f"#{r:02x}{g:02x}{b:02x}"
    return colour.lower()


def assert_one_colour_per_category(assigned: dict[str, set[str]], where: str) -> None:
    """`assigned`: category -> the colours drawn for it. Each category one colour, no colour two categories."""
    for cat, colours in assigned.items():
        assert len(colours) == 1, f"{where}: {cat} drawn in {sorted(colours)}"
    owners: dict[str, str] = {}
    for cat, colours in assigned.items():
        c = next(iter(colours))
        assert c not in owners, f"{where}: {owners.get(c)} and {cat} share {c}"
        owners[c] = cat


PALETTES = {"category": theme.CATEGORY_COLOURS, "direction": theme.DIRECTION_COLOURS, "theme": theme.THEME_COLOURS,
            "role": theme.ROLE_COLOURS, "exchange": theme.EXCHANGE_COLOURS,
            "series": dict(enumerate(theme.SERIES))}


@pytest.mark.parametrize("name", PALETTES)
def test_every_palette_gives_each_key_its_own_colour(name):
    assert_one_colour_per_category({k: {hex_of(v)} for k, v in PALETTES[name].items()}, name)


@pytest.mark.parametrize("name", ["category", "direction", "theme", "role", "exchange"])
@pytest.mark.parametrize("vision", SIMULATIONS)
def test_colours_stay_apart_for_colour_blind_readers(name, vision):
    pairs = itertools.combinations(PALETTES[name].items(), 2)
    close = [(a, b, round(delta_e(ca, cb, vision), 1)) for (a, ca), (b, cb) in pairs if delta_e(ca, cb, vision) < MIN_DELTA_E]
    assert not close, close


def test_every_category_in_the_data_has_a_colour(atlas_data):
    drawn = set(atlas_data.records["category"].astype(str))
    assert drawn <= set(theme.CATEGORY_COLOURS), drawn - set(theme.CATEGORY_COLOURS)


@pytest.mark.parametrize("name", ["category", "series"])
def test_no_colour_vanishes_on_the_dark_theme(name):
    faint = {k: round(contrast(c, DARK_BACKGROUND), 2) for k, c in PALETTES[name].items() if contrast(c, DARK_BACKGROUND) < 3}
    assert not faint, faint
    assert "#000000" not in {hex_of(c) for c in PALETTES[name].values()}


# --- what the builders draw -----------------------------------------------------------------------

def traces_by_name(fig) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for tr in fig.data:
        colour = getattr(getattr(tr, "marker", None), "color", None)
        if tr.name and isinstance(colour, str):
            out.setdefault(tr.name, set()).add(hex_of(colour))
    return out


@pytest.mark.parametrize("dark", [False, True])
def test_the_charts_give_each_series_its_own_colour(atlas_data, dark):
    records = atlas_data.records
    totals = overview.category_totals(records)
    figs = {"items": charts.build_category_chart(totals, "en", "s", "", dark).figure}
    kf = atlas_data.package.key_figures
    figs["timeline"] = charts.build_timeline_chart(kf, "en", "s", "", dark).figure
    for where, fig in figs.items():
        named = traces_by_name(fig)
        assert len(named) >= 2, where
        assert_one_colour_per_category(named, where)


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("level", ["region", "place"])
def test_the_flow_map_gives_each_category_its_own_colour(atlas_data, level, dark):
    fm = flows.flow_map(atlas_data.records, atlas_data.package, level)
    spec = json.loads(decks.build_flow_deck(fm, "en", dark=dark).to_json())
    data = next(layer["data"] for layer in spec["layers"] if layer["id"] == "flows")
    assigned: dict[str, set[str]] = {}
    for d in data:
        assigned.setdefault(d["category"], set()).add(hex_of(d["colour"]))
    assert len(assigned) >= 8  # the whole dataset: most categories on one map
    assert_one_colour_per_category(assigned, f"flow map ({level})")


def test_the_pairings_map_and_the_sankey_give_each_kind_its_own_colour(atlas_data):
    view = pairings.view(atlas_data, Filters())
    spec = json.loads(decks.build_pairings_deck(view, "en").to_json())
    data = next(layer["data"] for layer in spec["layers"] if layer["id"] == "pairs")
    by_exchange: dict[str, set[str]] = {}
    for d in data:  # the tooltip's second line: "<level> · <exchange>"
        by_exchange.setdefault(d["tooltip"].split("\n")[1].split(" · ")[1], set()).add(hex_of(d["colour"]))
    assert len(by_exchange) >= 3
    assert_one_colour_per_category(by_exchange, "pairings map")
    links = flows.sankey_links(atlas_data.records, "items")
    fig = build_flow_sankey(links, atlas_data.package.regions, "items", "en", "s", "").figure
    by_direction: dict[str, set[str]] = {}
    for d, c in zip(fig.data[0].link.customdata, fig.data[0].link.color):
        by_direction.setdefault(d, set()).add(hex_of(c))
    assert len(by_direction) == 2
    assert_one_colour_per_category(by_direction, "sankey")


def test_the_check_fails_on_a_shared_colour():
    """The checks above can fail: two categories with one colour are caught."""
    with pytest.raises(AssertionError):
        assert_one_colour_per_category({"letter": {"#0072b2"}, "respirator_mask": {"#0072b2"}}, "old palette")
    with pytest.raises(AssertionError):
        assert_one_colour_per_category({"letter": {"#0072b2", "#56b4e9"}}, "two colours")


@pytest.mark.parametrize("dark", [False, True])
def test_every_mark_of_the_survey_chart_has_3_to_1_contrast_on_its_background(atlas_data, dark):
    """WCAG 1.4.11 (issue #31): the intervals' whiskers were #555555, 2.6:1 on the dark theme's background."""
    fig = charts.build_survey_chart(atlas_data.package.survey_findings, "en", "s", dark).figure
    background = fig.layout.paper_bgcolor or fig.layout.template.layout.paper_bgcolor
    assert background.upper() == (DARK_BACKGROUND if dark else "#FFFFFF")
    for tr in fig.data:
        # a bar passes by its fill or, when the fill is fainter, by its outline
        outline = tr.marker.line.color if tr.marker.line and tr.marker.line.width else None
        bar = max(contrast(c, background) for c in (tr.marker.color, outline) if c)
        assert bar >= 3, (tr.name, tr.marker.color, outline, background)
        assert contrast(tr.error_x.color, background) >= 3, (tr.name, tr.error_x.color, background)

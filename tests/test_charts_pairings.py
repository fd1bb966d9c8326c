"""components.charts_pairings: relationships by the year public sources say they were established."""
from atlas import pairings
from atlas.filters import Filters
from components.charts_pairings import build_pairing_years_chart


def test_years_chart_draws_the_stated_years(atlas_data):
    years = pairings.years(pairings.view(atlas_data, Filters()))
    for lang in ("en", "zh"):
        c = build_pairing_years_chart(years, lang, "src", "", dark=False)
        agreed, disputed = c.figure.data
        assert list(agreed.x) == years["year"].tolist() == [1979, 1981, 1982, 1984, 1988, 2013]
        # each relationship once (Hubei-Ohio in 1979, its earliest stated year, marked disputed): the bars sum to 8
        assert list(agreed.y) == [1, 1, 1, 1, 2, 1] and list(disputed.y) == [1, 0, 0, 0, 0, 0]
        assert c.slug == "sister-relationships-by-year" and c.data["relationships"].sum() == 8
    assert "8 relationships" in build_pairing_years_chart(years, "en", "src", "").subtitle

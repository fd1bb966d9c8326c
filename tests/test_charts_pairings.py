"""components.charts_pairings: relationships by the year public sources say they were established."""
from atlas import pairings
from atlas.filters import Filters
from components.charts_pairings import build_pairing_years_chart


def test_years_chart_draws_the_stated_years(atlas_data):
    years = pairings.years(pairings.view(atlas_data, Filters()))
    for lang in ("en", "zh"):
        c = build_pairing_years_chart(years, lang, "src", "", dark=False)
        agreed, disputed = c.figure.data
        assert list(agreed.x) == years["year"].tolist() == [
            1979, 1980, 1981, 1982, 1983, 1984, 1985, 1986, 1987, 1988, 1989, 1992, 1993, 1994, 1996, 1997, 1998,
            1999, 2000, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018,
            2020, 2021, 2024]
        # 1996: La Crosse-Luoyang; 2017: Hangzhou-Greenwich; 2018: Changsha-New Haven; 2024: Kunshan-Durham (round 2);
        # 1999: Changzhou-Rockford, 2006: Pinghu-Watsonville, 2014 and 2016: Guangdong-California and -Michigan,
        # 2017: Sichuan-California's sister-state agreement (round 3)
        assert list(agreed.y) == [2, 3, 3, 7, 3, 4, 12, 2, 3, 5, 2, 3, 3, 5, 4, 2, 1, 1, 2, 3, 0, 1, 1, 1, 3, 4, 3, 7, 5,
                                  3, 2, 2, 1, 4, 2, 1, 1, 1]
        # each relationship once, in its earliest stated year; the five whose sources disagree are marked there
        assert list(disputed.y) == [1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 0, 0]
        assert c.slug == "sister-relationships-by-year" and c.data["relationships"].sum() == 117  # the bars sum to the count
    assert "117 relationships" in build_pairing_years_chart(years, "en", "src", "").subtitle


def test_years_chart_counts_one_relationship_in_the_singular(atlas_data):
    """Wuxi (the pairings page's place search): only Wuxi-San Antonio has a stated year (2012)."""
    years = pairings.years(pairings.find(pairings.view(atlas_data, Filters()), "Wuxi"))
    assert years["year"].tolist() == [2012] and years["pairing_ids"].tolist() == ["pr-wuxi--san-antonio"]
    en = build_pairing_years_chart(years, "en", "src", "").subtitle
    assert "(1 relationship with a stated year)" in en
    assert "（有年份记载的关系1对）" in build_pairing_years_chart(years, "zh", "src", "").subtitle

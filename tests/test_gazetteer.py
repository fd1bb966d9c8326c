"""atlas.build.gazetteer: GeoNames lookups by id and by name within a province or state."""
import pytest

from atlas.build.gazetteer import fold


def test_record_by_geonameid(gazetteer):
    fuzhou = gazetteer.record(1810821)
    assert (fuzhou["name"], gazetteer.admin1(fuzhou)) == ("Fuzhou", "CN-FJ")
    assert gazetteer.record("1802788")["name"] == "Licheng"  # Liyang's record, pinned by id in places.csv
    with pytest.raises(KeyError):
        gazetteer.record(1)


def test_names_repeat_across_provinces_so_the_province_decides(gazetteer):
    jiangsu, hunan = gazetteer.city("Wuxi", "CN-JS"), gazetteer.city("Wuxi", "CN-HN")
    assert jiangsu["geonameid"] != hunan["geonameid"]
    assert (gazetteer.admin1(jiangsu), gazetteer.admin1(hunan)) == ("CN-JS", "CN-HN")
    assert gazetteer.admin1(gazetteer.city("Huanggang", "CN-HB")) == "CN-HB"
    assert gazetteer.admin1(gazetteer.city("Newark", "US-DE")) == "US-DE"
    assert gazetteer.city("Newark", "US-NJ")["population"] > gazetteer.city("Newark", "US-DE")["population"]
    with pytest.raises(KeyError):
        gazetteer.city("Wuxi", "CN-FJ")


def test_named_is_most_populous_first(gazetteer):
    wuxi = gazetteer.named("Wuxi", "CN")
    assert len(wuxi) >= 2 and gazetteer.admin1(wuxi[0]) == "CN-JS"
    assert [c["population"] for c in wuxi] == sorted((c["population"] for c in wuxi), reverse=True)
    assert gazetteer.named("Wuxi", "US") == []


def test_apostrophes_are_folded(gazetteer):
    assert fold("Xi\u2019an") == "Xi'an"
    assert gazetteer.city("Xi'an", "CN-SN") is gazetteer.city("Xi\u2019an", "CN-SN")


def test_us_counties(gazetteer):
    assert {"CA", "FL", "NY"} <= set(gazetteer.county_states("Orange County"))
    assert gazetteer.county_fips("Orange County", "CA") == "06059"
    assert gazetteer.county_states("No Such County") == []

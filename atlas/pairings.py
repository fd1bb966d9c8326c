"""The pairings page's numbers: sister relationships and the help recorded between each pair."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import engine
from .filters import Filters
from .package import Package
from .records import Data, first_rows
from .engine import on_record  # noqa: F401 - the page's name
from .vocab import ON_RECORD

OFFICIAL = {"total": "kf-sister-total-2022", "province_state": "kf-sister-province-state-2022",
            "city": "kf-sister-city-2022"}


def view(data: Data, filters: Filters) -> pd.DataFrame:
    """Sister relationships in the chosen provinces and states, with whether (and which way) help was recorded."""
    pkg = data.package
    records = engine.given_records(data)  # help given, not promised
    places = pkg.places.set_index("place_id")
    p = pkg.pairings.copy()
    for side in ("cn", "us"):
        pl = places.reindex(p[f"{side}_place_id"])
        for col in ("name_en", "name_zh", "admin1", "lat", "lon"):
            p[f"{side}_{col}"] = pl[col].to_numpy()
    # A Wikipedia pair whose US state no source names ("Portland", "Springfield") has its state chosen by the
    # resolver, a judgement: it is shown as "state not stated" and never listed under that state by a filter.
    p["state_stated"] = ~state_judged(pkg).reindex(p["pairing_id"]).fillna(False).to_numpy()
    # ... nor named with it: the register writes such a place "Syracuse, NY"; shown, it is "Syracuse" (state not stated)
    p["us_name_en"] = p["us_name_en"].where(p["state_stated"], p["us_name_en"].astype(str).str.replace(r", [A-Z]{2}$", "", regex=True))
    if filters.provinces:
        p = p[p["cn_admin1"].isin(filters.provinces)]
    if filters.states:
        p = p[p["us_admin1"].isin(filters.states) & p["state_stated"]]
    pair_key = lambda a, b: a + "|" + b
    # The distinct (giver, receiver) pairs first: a few thousand, whatever the number of records. An agency
    # counts for the government it belongs to (places.part_of): Ohio's Development Services Agency's help
    # to Hubei is Ohio's, on the Hubei-Ohio pair, and says so in `help_through`.
    parent = places["part_of"].replace("", None).dropna() if "part_of" in places else pd.Series(dtype=str)
    # The last year each record can have happened in: help counts within a relationship only if the
    # relationship existed then (Fuzhou-Honolulu's agreement of 2021 does not hold Fuzhou's masks of 2020).
    year = records["date_end"].astype("str").str[:4].where(records["date_end"].notna(), "").astype("category")
    ends = records[["direction", "from_id", "to_id"]].assign(year=year)
    giver_receiver = ends.iloc[first_rows(ends)].astype(str)  # drop_duplicates' rows, found by their codes
    cn_to_us = giver_receiver[giver_receiver["direction"] == "cn_to_us"]
    us_to_cn = giver_receiver[giver_receiver["direction"] == "us_to_cn"]
    cn_side = pd.concat([cn_to_us["from_id"], us_to_cn["to_id"]], ignore_index=True)
    us_side = pd.concat([cn_to_us["to_id"], us_to_cn["from_id"]], ignore_index=True)
    direction = pd.concat([cn_to_us["direction"], us_to_cn["direction"]], ignore_index=True)
    help_year = pd.concat([cn_to_us["year"], us_to_cn["year"]], ignore_index=True)
    up = lambda ids: ids.map(parent).fillna(ids)
    exchanged = pd.DataFrame({"key": pair_key(up(cn_side), up(us_side)), "direction": direction,
                              "through": [", ".join(places.at[i, "name_en"] for i in (c, u) if i in parent.index)
                                          for c, u in zip(cn_side, us_side)]})
    keys = pair_key(p["cn_place_id"], p["us_place_id"])
    since = pd.Series(first_year(p["established"]).to_numpy(), index=keys.to_numpy())
    since = since[~since.index.duplicated()]
    began = exchanged["key"].map(since)
    known = (help_year != "") & began.notna()
    exchanged = exchanged[~known | (pd.to_numeric(help_year.where(known, "0")) >= began.fillna(0))]
    k1 = set(exchanged.loc[exchanged["direction"] == "cn_to_us", "key"])
    k2 = set(exchanged.loc[exchanged["direction"] == "us_to_cn", "key"])
    through = exchanged[exchanged["through"] != ""].groupby("key")["through"].agg(lambda v: "; ".join(sorted(set(v))))
    p["help_cn_to_us"] = keys.isin(k1).to_numpy()
    p["help_us_to_cn"] = keys.isin(k2).to_numpy()
    p["help_through"] = keys.map(through).fillna("").to_numpy()
    p["exchange"] = np.select([p["help_cn_to_us"] & p["help_us_to_cn"], p["help_cn_to_us"], p["help_us_to_cn"]],
                              ["both", "cn_to_us", "us_to_cn"], "none")
    p["on_record"] = p["evidence_level"].isin(ON_RECORD).to_numpy()
    return p.reset_index(drop=True)


_JUDGED = r"; chose [A-Z]{2}: "  # the Wikipedia resolver's words for a state it chose (atlas.build.resolve_wikipedia)


def state_judged(pkg: Package) -> pd.Series:
    """By pairing_id: True where the pair's US state is the resolver's judgement, not stated by any source: a `doubtful`
    Wikipedia row whose US place's note says the state was chosen ("chose NY: the larger") and cites no source naming
    it. (A row can also be doubtful for its Chinese side only: "Yichun" in Jiangxi or Heilongjiang; its state stands.)"""
    p = pkg.pairings
    note = pkg.places.set_index("place_id")["note"].reindex(p["us_place_id"]).fillna("").astype(str)
    judged = note.str.contains(_JUDGED, regex=True) & ~note.str.contains("state stated by source", regex=False)
    return pd.Series((p["doubtful"].astype(bool).to_numpy() & judged.to_numpy()), index=p["pairing_id"].astype(str).to_numpy())


def find(view: pd.DataFrame, place: str) -> pd.DataFrame:
    """The pairs of `view` whose Chinese or US side names `place` (any part of its English or Chinese name, case aside);
    all of them when `place` is empty."""
    place = (place or "").strip().lower()
    if not place:
        return view
    hit = pd.Series(False, index=view.index)
    for col in ("cn_name_en", "cn_name_zh", "us_name_en", "us_name_zh"):
        hit |= view[col].fillna("").astype(str).str.lower().str.contains(place, regex=False)
    return view[hit]


def summary(view: pd.DataFrame, pkg: Package, include_inferred: bool = False) -> dict:
    """Counts of the shown pairs, and the official totals where the package states them (else None).

    The counts are of pairs on record (stated or listed) unless `include_inferred`; `inferred` counts the
    shown pairs only inferred from help between two governments (contradicted ones included)."""
    kf = pkg.key_figures.set_index("figure_id")
    official = {k: (int(kf.at[fid, "value"]) if fid in kf.index else None) for k, fid in OFFICIAL.items()}
    counted = view if include_inferred else view[view["on_record"]]
    return {
        "pairs": len(counted), "province_state": int((counted["level"] == "province_state").sum()),
        "city": int((counted["level"] == "city").sum()), "exchanged": int((counted["exchange"] != "none").sum()),
        "inferred": int((~view["on_record"]).sum()),
        "state_not_stated": int((~counted["state_stated"]).sum()) if "state_stated" in counted else 0,
        "contradicted": int((view["evidence_level"] == "contradicted").sum()),
        "pairs_all": int(pkg.pairings["evidence_level"].isin(ON_RECORD).sum()),
        "official_total": official["total"], "official_province_state": official["province_state"],
        "official_city": official["city"],
        "official_date": kf.at[OFFICIAL["total"], "date"] if OFFICIAL["total"] in kf.index else None,
    }


def first_year(established: pd.Series) -> pd.Series:
    """The earliest year a relationship's sources give (missing where none does)."""
    years = established.fillna("").astype(str).str.findall(r"\d{4}")
    return years.map(lambda ys: min(int(y) for y in ys) if ys else None).astype("Float64")


def years(view: pd.DataFrame) -> pd.DataFrame:
    """Relationships by the earliest year public sources say they were established (pairs without a stated year
    left out), each relationship once. A pair whose sources give several years counts in the earliest, as
    `disputed`."""
    dated = view[view["established"].fillna("") != ""]
    rows = [{"year": int(first), "pairing_id": pid, "disputed": ";" in est}
            for pid, est, first in zip(dated["pairing_id"], dated["established"], first_year(dated["established"]))]
    d = pd.DataFrame(rows, columns=["year", "pairing_id", "disputed"])
    out = (d.groupby("year").agg(pairs=("pairing_id", "size"), disputed=("disputed", "sum"),
                                 pairing_ids=("pairing_id", lambda v: "; ".join(sorted(v))))
           .reset_index())
    out["disputed"] = out["disputed"].astype(int)
    return out


def table(view: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The pairs as a table, names in the reader's language (English where no Chinese name is known); `us_state` is
    the US state, or "state not stated" where no source names it (the resolver's choice is not shown as fact)."""
    from .i18n import t
    col = "name_zh" if lang == "zh" else "name_en"
    cn = view[f"cn_{col}"].where(view[f"cn_{col}"] != "", view["cn_name_en"])
    us = view[f"us_{col}"].where(view[f"us_{col}"] != "", view["us_name_en"])
    stated = view["state_stated"] if "state_stated" in view else pd.Series(True, index=view.index)
    state = view["us_admin1"].astype(str).str.replace("US-", "", regex=False).where(stated, t("pairings.state_not_stated", lang))
    return pd.DataFrame({
        "pairing_id": view["pairing_id"], "china": cn, "united_states": us, "us_state": state, "level": view["level"],
        "exchange_during_covid": view["exchange"], "help_through": view["help_through"],
        "evidence_level": view["evidence_level"], "basis": view["basis"], "doubtful": view["doubtful"],
        "evidence": view["evidence"], "level_note": view["level_note"], "established": view["established"],
        "established_sources": view["established_sources"], "source_id": view["source_id"]})


# --- reconciled to the official totals -------------------------------------------------------------

LEVELS = ("all", "province_state", "city")
_OFFICIAL_ID = r"^kf-sister-(total|province-state|city)-\d{4}$"


def official_totals(pkg: Package) -> pd.DataFrame:
    """The official counts of China-US sister relationships the package states as key figures (each with its source and
    quote): `level` all (every level together, or levels not stated), province_state or city, by date."""
    kf = pkg.key_figures
    rows = kf[kf["figure_id"].astype(str).str.match(_OFFICIAL_ID)]
    level = rows["figure_id"].astype(str).str.extract(r"^kf-sister-([a-z-]+)-\d{4}$")[0].map(
        {"total": "all", "province-state": "province_state", "city": "city"})
    out = pd.DataFrame({"figure_id": rows["figure_id"].astype(str), "date": rows["date"].astype(str),
                        "year": rows["date"].astype(str).str[:4].astype(int), "level": level,
                        "value": pd.to_numeric(rows["value"]).astype(int), "source_id": rows["source_id"].astype(str),
                        "source_ref": rows["source_ref"].astype(str)})
    return out.sort_values(["date", "level"], kind="stable").reset_index(drop=True)


def cumulative(pkg: Package) -> pd.DataFrame:
    """Relationships on record (stated or listed) by the earliest year a public source gives, cumulative, at each level
    (`all`, `province_state`, `city`), each relationship counted once, from the first such year to the last official
    count's year. Relationships with no stated year are not on these lines (`gap` counts them)."""
    p = pkg.pairings[pkg.pairings["evidence_level"].isin(ON_RECORD)]
    first = first_year(p["established"])
    dated = pd.DataFrame({"level": p["level"].astype(str).to_numpy(), "year": first.to_numpy()}).dropna()
    dated["year"] = dated["year"].astype(int)
    official = official_totals(pkg)
    last = max([int(dated["year"].max()) if len(dated) else 0] + official["year"].tolist())
    years = range(int(dated["year"].min()) if len(dated) else last, last + 1)
    rows = []
    for level in LEVELS:
        d = dated if level == "all" else dated[dated["level"] == level]
        counts = d.groupby("year").size()
        running = 0
        for y in years:
            running += int(counts.get(y, 0))
            rows.append({"year": y, "level": level, "on_record_dated": running})
    return pd.DataFrame(rows, columns=["year", "level", "on_record_dated"])


def gap(pkg: Package) -> dict:
    """The package's relationships on record against the official counts by level (CPAFFC and Sister Cities International,
    2022: the last count that gives both levels) and the latest official total: the numbers of the sentence that names
    the gap. None where the package states no such count."""
    p = pkg.pairings[pkg.pairings["evidence_level"].isin(ON_RECORD)]
    official = official_totals(pkg)
    by_level = official[official["level"] != "all"]
    both = by_level.groupby("date")["level"].nunique()
    both_dates = both[both == 2].index
    at = max(both_dates) if len(both_dates) else None
    pick = lambda level, date: (int(official[(official["level"] == level) & (official["date"] == date)]["value"].iloc[0])
                                if ((official["level"] == level) & (official["date"] == date)).any() else None)
    latest = official[official["level"] == "all"].tail(1)
    return {
        "province_state": int((p["level"] == "province_state").sum()), "city": int((p["level"] == "city").sum()),
        "total": len(p), "dated": int((p["established"].fillna("") != "").sum()),
        "state_not_stated": int(state_judged(pkg).reindex(p["pairing_id"]).sum()),
        "official_date": at, "official_year": at[:4] if at else None,
        "official_province_state": pick("province_state", at) if at else None,
        "official_city": pick("city", at) if at else None, "official_total": pick("all", at) if at else None,
        "latest_total": int(latest["value"].iloc[0]) if len(latest) else None,
        "latest_date": latest["date"].iloc[0] if len(latest) else None,
    }


# --- each relationship as a history ----------------------------------------------------------------

def help_items(data: Data, view: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """What went each way in 2020 within each shown relationship that `view` marks as having help that way: the items
    as the sources print them in English, in Chinese from each record's category, quantity and unit (given, not pledged: the counting engine's rule; only once the relationship existed, the
    rule `view` applies). One row per pairing_id with `cn_to_us` and `us_to_cn` text ("" where none)."""
    from . import engine
    records = engine.given_records(data)
    places = data.package.places.set_index("place_id")
    parent = places["part_of"].replace("", None).dropna() if "part_of" in places else pd.Series(dtype=str)
    up = lambda ids: ids.astype(str).map(parent).fillna(ids.astype(str))
    giver, receiver = up(records["from_id"]), up(records["to_id"])
    cn = giver.where(records["direction"] == "cn_to_us", receiver)
    us = receiver.where(records["direction"] == "cn_to_us", giver)
    year = pd.to_numeric(records["date_end"].astype("str").str[:4], errors="coerce")
    from .i18n import fmt_money, fmt_number, fmt_unit, has, label, t
    from .vocab import PHYSICAL_UNITS
    kind = records["category"].astype(str).map(lambda c: label("category", c, lang) if has(f"category.{c}") else c)
    if lang == "zh":
        # the sources print items in English ("21,200 N95/KN95 masks"): a Chinese page says them in Chinese, from the
        # same record's category, quantity and unit (as the flows page's largest flows do)
        # (money as money; a message by its kind; an item whose category and amount do not say all the source does, an
        # "other" or an amount not stated, keeps the source's words, marked as the original)
        def said(code: str, what: str, quantity, unit: str, printed: str) -> str:
            known = not pd.isna(quantity)
            if known and code != "other" and unit in PHYSICAL_UNITS:
                u = fmt_unit(unit, lang)
                return f"{fmt_number(quantity, lang)} " + (what if u in what else t("map.what_unit", lang, what=what, unit=u))
            if known and unit in ("CNY", "USD"):
                return f"{what} {fmt_money(quantity, unit, lang)}"
            if unit == "messages" or not printed.strip():
                return what
            return t("pairings.item_as_printed", lang, what=what, printed=printed.strip())
        item = pd.Series([said(c, w, q, u, p) for c, w, q, u, p in zip(
            records["category"].astype(str), kind, records["quantity"], records["unit"].astype(str),
            records["item_as_printed"].astype(str))], index=records.index)
    else:
        item = records["item_as_printed"].astype(str).where(records["item_as_printed"].astype(str).str.strip() != "", kind)
    r = pd.DataFrame({"key": (cn + "|" + us).to_numpy(), "direction": records["direction"].astype(str).to_numpy(),
                      "year": year.to_numpy(), "item": item.to_numpy()})
    out = []
    for _, v in view.iterrows():
        began = first_year(pd.Series([v["established"]])).iloc[0]
        mine = r[r["key"] == f"{v['cn_place_id']}|{v['us_place_id']}"]
        if not pd.isna(began):
            mine = mine[mine["year"].isna() | (mine["year"] >= began)]
        row = {"pairing_id": v["pairing_id"]}
        for d in ("cn_to_us", "us_to_cn"):
            items = list(dict.fromkeys(mine.loc[mine["direction"] == d, "item"])) if v[f"help_{d}"] else []
            row[d] = t("pairings.item_separator", lang).join(items)
        out.append(row)
    return pd.DataFrame(out, columns=["pairing_id", "cn_to_us", "us_to_cn"])


def history(data: Data, view: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Each shown relationship on record as a history: who, since when (every year a public source gives, with what the
    year refers to: an agreement, a renewal, a "friendship city" tie, or a year stated), and what went each way in 2020.
    Oldest first; relationships with no stated year last."""
    from .i18n import t
    on = view[view["on_record"]]
    years = data.package.pairing_years
    years = years[years["pairing_id"].isin(on["pairing_id"])]
    sources = data.package.sources.set_index("source_id")
    said = {}
    for pid, g in years.sort_values(["year", "refers_to"], kind="stable").groupby("pairing_id", sort=False):
        parts = []
        for (y, ref), h in g.groupby(["year", "refers_to"], sort=False):
            who = "; ".join(dict.fromkeys(str(sources.at[s, "publisher"]) if s in sources.index else s for s in h["source_id"]))
            parts.append(f"{y}: {t('refers_to.' + str(ref), lang)} ({who})")
        said[pid] = " · ".join(parts)
    help_ = help_items(data, on, lang).set_index("pairing_id")
    names = table(on, lang).set_index("pairing_id")
    none = t("history.none", lang)
    out = pd.DataFrame({
        "pairing_id": on["pairing_id"].to_numpy(),
        "china": names.loc[on["pairing_id"], "china"].to_numpy(),
        "united_states": names.loc[on["pairing_id"], "united_states"].to_numpy(),
        "us_state": names.loc[on["pairing_id"], "us_state"].to_numpy(),
        "level": on["level"].to_numpy(),
        "since": first_year(on["established"]).to_numpy(),
        "years": [said.get(pid, t("history.no_year", lang)) for pid in on["pairing_id"]],
        "help_cn_to_us": [help_.at[pid, "cn_to_us"] or none for pid in on["pairing_id"]],
        "help_us_to_cn": [help_.at[pid, "us_to_cn"] or none for pid in on["pairing_id"]],
    })
    out = out.sort_values(["since", "china", "united_states"], na_position="last", kind="stable").reset_index(drop=True)
    # a year, not a quantity: "1984", never "1,984"; empty where no source gives one
    out["since"] = [str(int(y)) if pd.notna(y) else "" for y in out["since"]]
    # who, since when and what went each way first (read without scrolling); the years' detail and the id after
    return out[["china", "united_states", "us_state", "level", "since", "help_cn_to_us", "help_us_to_cn", "years",
                "pairing_id"]]


# Steps of `components.data.view` (value, data, filters, lang, *args): what the pairings page shows of a view, each
# made once per view, place and language and kept under the view's key.
def found(view: pd.DataFrame, data: Data, filters: Filters, lang: str, place: str) -> pd.DataFrame:
    return find(view, place)


def summary_of(view: pd.DataFrame, data: Data, filters: Filters, lang: str, include_inferred: bool) -> dict:
    return summary(view, data.package, include_inferred)


def history_of(view: pd.DataFrame, data: Data, filters: Filters, lang: str) -> pd.DataFrame:
    return history(data, view, lang)

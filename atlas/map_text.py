"""The maps in words: a few sentences saying what the flow map and the sister-relationships map draw for
the current filters, for readers who cannot see the map (screen readers get them as the map's
accessible name too) and for anyone who wants the answer without reading the drawing."""
from __future__ import annotations

import pandas as pd

from .flows import FlowMap, giver_name, top_flows
from .i18n import fmt_number, fmt_unit, label, t
from .vocab import PHYSICAL_UNITS


def _count(key: str, n: int, lang: str) -> str:
    """"1 flow", "2 flows": the plural chosen by number."""
    return t(f"{key}_one" if int(n) == 1 else key, lang, n=fmt_number(int(n), lang))


def _name(en, zh, lang: str) -> str:
    return zh if lang == "zh" and isinstance(zh, str) and zh else str(en)


def _sentences(parts: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(parts)


def flow_map_text(fm: FlowMap, lang: str) -> str:
    """What the flow map draws: how many flows between how many places, in which directions, the largest
    flow, and the places that gave and received the most counted things (pieces, items, pairs)."""
    flows = fm.flows
    if flows.empty:
        return t("map.text_empty", lang)
    country = fm.coords.set_index("key")["country"]
    ends = pd.unique(pd.concat([flows["from_key"], flows["to_key"]]))
    cn = sum(country.get(k) == "CN" for k in ends)
    us = sum(country.get(k) == "US" for k in ends)
    by_direction = flows["direction"].value_counts()
    directions = t("list.separator", lang).join(
        t("map.text_direction", lang, n=fmt_number(int(n), lang), direction=label("direction", d, lang))
        for d, n in by_direction.items() if n > 0)
    parts = [t("map.text", lang, flows=_count("map.text_flows", len(flows), lang), cn=_count("map.text_places", cn, lang),
               us=_count("map.text_places", us, lang), directions=directions)]
    if fm.capped:
        parts.append(t("map.text_capped", lang, total=fmt_number(fm.arcs_total, lang)))
    top = top_flows(flows, 1)
    if len(top) and top["unit"].iloc[0] in PHYSICAL_UNITS and pd.notna(top["quantity"].iloc[0]):
        r = top.iloc[0]
        parts.append(t("map.text_largest", lang, giver=giver_name(_name(r.from_name_en, r.from_name_zh, lang),
                                                                r.get("givers_en", ""), r.get("givers_zh", ""), lang),
                       receiver=_name(r.to_name_en, r.to_name_zh, lang), quantity=fmt_number(r.quantity, lang),
                       unit=fmt_unit(r.unit, lang), what=label("category", r.category, lang)))
    phys = fm.totals[fm.totals["unit"].isin(PHYSICAL_UNITS)]
    names = fm.coords.set_index("key")
    for role in ("gave", "received"):
        sums = phys[phys["role"] == role].groupby("key")["quantity"].sum()
        if len(sums) and sums.max() > 0:
            key = sums.idxmax()
            parts.append(t(f"map.text_most_{role}", lang, place=_name(names.at[key, "name_en"], names.at[key, "name_zh"], lang),
                           quantity=fmt_number(sums.max(), lang)))
    return _sentences(parts, lang)


def pairings_map_text(view: pd.DataFrame, lang: str) -> str:
    """What the sister-relationships map draws: how many pairs between how many places, how many of them
    exchanged help in 2020, and the place with the most relationships."""
    v = view.dropna(subset=["cn_lat", "us_lat"])
    if v.empty:
        return t("map.text_empty", lang)
    exchanged = int((v["exchange"] != "none").sum())
    parts = [t("pairings.map_text", lang, pairs=_count("pairings.text_pairs", len(v), lang),
               cn=_count("map.text_places", v["cn_place_id"].nunique(), lang),
               us=_count("map.text_places", v["us_place_id"].nunique(), lang),
               exchanged=fmt_number(exchanged, lang))]
    counts = pd.concat([v[["cn_place_id", "cn_name_en", "cn_name_zh"]].set_axis(["id", "en", "zh"], axis=1),
                        v[["us_place_id", "us_name_en", "us_name_zh"]].set_axis(["id", "en", "zh"], axis=1)])
    n = counts.groupby("id", sort=True).size()
    if len(n) and n.max() > 1:
        best = n[n == n.max()].index[0]  # ties: the first id in order, so the sentence is stable
        row = counts[counts["id"] == best].iloc[0]
        parts.append(t("pairings.map_text_most", lang, place=_name(row["en"], row["zh"], lang),
                       n=fmt_number(int(n.max()), lang)))
    return _sentences(parts, lang)

"""Sister relationships: the summary, the table and the map of the pairings page."""
from __future__ import annotations

import pandas as pd
import pydeck as pdk

from .figures import DIRECTION_COLOURS, OKABE_ITO
from .i18n import label, t
from .maps import _rgb, make_deck, pacific
from .package import Package

EXCHANGE_COLOURS = {"both": OKABE_ITO["green"], "cn_to_us": DIRECTION_COLOURS["cn_to_us"],
                    "us_to_cn": DIRECTION_COLOURS["us_to_cn"], "none": OKABE_ITO["grey"]}


def pairings_summary(view: pd.DataFrame, pkg: Package) -> dict:
    kf = pkg.key_figures.set_index("figure_id")
    return {
        "pairs": len(view), "province_state": int((view["level"] == "province_state").sum()),
        "city": int((view["level"] == "city").sum()), "exchanged": int((view["exchange"] != "none").sum()),
        "pairs_all": len(pkg.pairings),
        "official_total": int(kf.at["kf-sister-total-2022", "value"]),
        "official_province_state": int(kf.at["kf-sister-province-state-2022", "value"]),
        "official_city": int(kf.at["kf-sister-city-2022", "value"]),
        "official_date": kf.at["kf-sister-total-2022", "date"],
    }


def pairings_table(view: pd.DataFrame, lang: str) -> pd.DataFrame:
    col = "name_zh" if lang == "zh" else "name_en"
    cn = view[f"cn_{col}"].where(view[f"cn_{col}"] != "", view["cn_name_en"])
    us = view[f"us_{col}"].where(view[f"us_{col}"] != "", view["us_name_en"])
    return pd.DataFrame({
        "pairing_id": view["pairing_id"], "china": cn, "united_states": us, "level": view["level"],
        "exchange_during_covid": view["exchange"], "basis": view["basis"], "doubtful": view["doubtful"],
        "evidence": view["evidence"], "source_id": view["source_id"]})


def pairings_deck(view: pd.DataFrame, lang: str, dark: bool = False, basemap: bool = False) -> pdk.Deck:
    v = view.dropna(subset=["cn_lat", "us_lat"]).copy()
    v["from_lon"] = pacific(v["cn_lon"].astype(float))
    v["to_lon"] = pacific(v["us_lon"].astype(float))
    v["from_lat"] = v["cn_lat"].astype(float)
    v["to_lat"] = v["us_lat"].astype(float)
    v["colour"] = [_rgb(EXCHANGE_COLOURS[e], 200 if e != "none" else 110) for e in v["exchange"]]
    v["width"] = [3 if e != "none" else 1 for e in v["exchange"]]
    name = lambda en, zh: f"{zh} ({en})" if lang == "zh" and zh else f"{en}"
    v["tooltip"] = [f"{name(a, az)} — {name(b, bz)}\n{label('level', lv, lang)} · {label('exchange', e, lang)}\n{ev[:160]}"
                    for a, az, b, bz, lv, e, ev in zip(v["cn_name_en"], v["cn_name_zh"], v["us_name_en"], v["us_name_zh"],
                                                       v["level"], v["exchange"], v["evidence"])]
    cols = ["from_lon", "from_lat", "to_lon", "to_lat", "colour", "width", "tooltip"]
    layer = pdk.Layer("ArcLayer", v[cols].to_dict("records"), id="pairs", get_source_position=["from_lon", "from_lat"],
                      get_target_position=["to_lon", "to_lat"], get_source_color="colour", get_target_color="colour",
                      get_width="width", width_units="pixels", pickable=True, auto_highlight=True)
    return make_deck([layer], dark, basemap)

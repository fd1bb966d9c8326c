"""Corporate giving: the exchange rate used for the USD view and the context figures."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Rate:
    value: float
    source_key: str  # catalogue key of the words that say where the rate comes from


# CNY per USD: the 2020 annual average, rounded to two decimals. Not from the source documents: it
# converts Table 4 for readers who think in dollars, and the page says so.
EXCHANGE_RATE = Rate(6.90, "corporate.rate_source")

CONTEXT_IDS = ["kf-cass-companies", "kf-cass-amount", "kf-cass-share", "kf-amcham", "kf-gates-grant", "kf-qualcomm-cash"]

DOMESTIC_GROUPS = {
    "online": ["kf-online-2016", "kf-online-2021", "kf-tencent-eight-years-amount", "kf-pinduoduo"],
    "disasters": ["kf-sichuan-before", "kf-sichuan-after", "kf-zhengzhou-total", "kf-zhengzhou-tech", "kf-shanxi-flood",
                  "kf-alibaba-pledge"],
}


def context_figures(kf: pd.DataFrame) -> pd.DataFrame:
    return kf.set_index("figure_id").loc[CONTEXT_IDS].reset_index()


def domestic_figures(kf: pd.DataFrame, group: str) -> pd.DataFrame:
    ids = [i for i in DOMESTIC_GROUPS[group] if i in set(kf["figure_id"])]
    return kf.set_index("figure_id").loc[ids].reset_index()

"""The corporate page's numbers: Table 4 in CNY or USD, the context figures, Chinese tech philanthropy."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .package import Package


@dataclass(frozen=True)
class Rate:
    value: float
    source_key: str  # catalogue key of the words that say where the rate comes from


# CNY per USD: the 2020 annual average, rounded to two decimals. Not from the source documents: it
# converts Table 4 for readers who think in dollars, and the page says so.
EXCHANGE_RATE = Rate(6.90, "corporate.rate_source")
CURRENCIES = ("CNY", "USD")

CONTEXT_IDS = ["kf-cass-companies", "kf-cass-amount", "kf-cass-share", "kf-amcham", "kf-gates-grant", "kf-qualcomm-cash"]

# One chart per kind of figure, so that no bar stands beside one of another kind (issue #29 item 7): a year's online
# donations are not drawn beside a platform's eight-year total, nor all donors' national totals beside what four
# companies pledged. Each chart's figures share one unit.
DOMESTIC_GROUPS = {
    "online": ["kf-online-2016", "kf-online-2021"],                        # one year each, all of China (CNY)
    "multiyear": ["kf-tencent-eight-years-amount", "kf-pinduoduo"],        # over several years, or a programme (CNY)
    "all-donors": ["kf-sichuan-before", "kf-sichuan-after", "kf-zhengzhou-total"],  # every donor in China (USD)
    "disasters": ["kf-zhengzhou-tech", "kf-shanxi-flood", "kf-alibaba-pledge"],     # tech companies (USD)
}


def giving(pkg: Package, currency: str, rate: Rate = EXCHANGE_RATE) -> pd.DataFrame:
    """Table 4, largest last (the order a horizontal bar chart draws), with the amount in `currency` and tie marks."""
    d = pkg.corporate_donations.sort_values(["rank", "company"], ascending=[False, False]).copy()
    d["amount"] = d["amount_cny"] / (rate.value if currency == "USD" else 1)
    d["tied"] = d["rank"].duplicated(keep=False)
    d["rank_label"] = [f"{r}=" if tie else str(r) for r, tie in zip(d["rank"], d["tied"])]
    return d


def _figures(kf: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    present = set(kf["figure_id"])
    return kf.set_index("figure_id").loc[[i for i in ids if i in present]].reset_index()


def context_figures(kf: pd.DataFrame) -> pd.DataFrame:
    """The context cards' figures that the package holds (a package may lack some)."""
    return _figures(kf, CONTEXT_IDS)


def package_context_figures(pkg) -> pd.DataFrame:
    """`context_figures` of a package (one value per package, for the cache of package-wide numbers)."""
    return context_figures(pkg.key_figures)


def domestic_figures(kf: pd.DataFrame, group: str) -> pd.DataFrame:
    return _figures(kf, DOMESTIC_GROUPS[group])

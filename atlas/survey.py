"""The survey page's numbers: the nine key findings with 95% intervals on the stated base."""
from __future__ import annotations

import math

import pandas as pd

from .vocab import SURVEY_THEMES


def wilson_interval(p: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval for a proportion p (0-1) observed on n responses."""
    if n <= 0:
        return (math.nan, math.nan)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (centre - half, centre + half)


def survey_table(df: pd.DataFrame) -> pd.DataFrame:
    """The findings by theme, largest first within a theme, with their intervals in percent."""
    d = df.copy()
    intervals = [wilson_interval(p / 100, int(n)) for p, n in zip(d["percent"], d["respondents"])]
    d["ci95_low"] = [round(lo * 100, 2) for lo, _ in intervals]
    d["ci95_high"] = [round(hi * 100, 2) for _, hi in intervals]
    d["theme_order"] = d["theme"].map({k: i for i, k in enumerate(SURVEY_THEMES)})
    return d.sort_values(["theme_order", "percent"], ascending=[True, False]).drop(columns="theme_order")


def base(df: pd.DataFrame) -> int | None:
    """The number of valid responses the findings are stated on, or None for a package without findings."""
    return int(df["respondents"].iloc[0]) if len(df) else None


def fits_base(percent: float, n: int, decimals: int = 2) -> bool:
    """Whether a printed percentage can be k out of n respondents for some whole k, at its printed decimals."""
    k = round(percent * n / 100)
    return any(round(100 * j / n, decimals) == round(percent, decimals) for j in (k - 1, k, k + 1) if 0 <= j <= n)


def base_check(df: pd.DataFrame) -> dict:
    """What the stated base bears out: the findings whose percentage can be k/n of the total (the others were
    stated on other, unpublished bases), as {"n": total, "fit": [finding_id, ...], "findings": count}."""
    n = base(df)
    fit = [fid for fid, p in zip(df["finding_id"], df["percent"]) if n and fits_base(float(p), n)]
    return {"n": n, "fit": fit, "findings": len(df)}

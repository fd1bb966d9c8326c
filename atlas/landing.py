"""The landing view's facts: what a first-time reader should leave with, each counted from the package.

Unfiltered on purpose (the landing says what the whole record holds); each fact names the page that
explains it. No Streamlit here: components/landing.py writes the words.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import engine
from .filters import Filters
from .records import Data

SUPPORT_FINDING = "s3"  # "support China-US non-governmental cooperation"


@dataclass(frozen=True)
class Facts:
    masks_cn_to_us: int          # donated, Table 1 and the report's text, China to US (pledges not summed in)
    donations_cn_to_us: int      # donations given China to US (a pledge is not one)
    top_company: str             # Table 4's largest donor
    top_company_zh: str
    top_amount_cny: float
    support_percent: float | None
    respondents: int | None
    pairs: int                   # sister relationships on record (stated or listed; inferred ones not counted)
    masks_cn_to_us_government: int = 0  # of masks_cn_to_us, what provincial and city governments gave


def _given_cn_to_us(data: Data) -> int:
    """Donations given China to US (a pledge is not one): distinct records of the engine's selection."""
    import polars as pl
    rows = engine.select(data, Filters(direction="cn_to_us"))
    return int(rows.select(pl.col("record_no").filter(pl.col("record_kind") == "donation").n_unique()).item())


def facts(data: Data) -> Facts:
    """The whole record's facts (unfiltered)."""
    # overview.summary's numbers, from the columnar records when there are some (tests/test_columnar.py)
    s = engine.summary_frame(data.frame)
    companies = data.package.corporate_donations.sort_values("amount_cny", ascending=False)
    top = companies.iloc[0] if len(companies) else None
    survey = data.package.survey_findings.set_index("finding_id")
    support = survey.loc[SUPPORT_FINDING] if SUPPORT_FINDING in survey.index else None
    return Facts(
        masks_cn_to_us=s["masks_cn_to_us"], donations_cn_to_us=_given_cn_to_us(data),
        top_company=top["company"] if top is not None else "", top_company_zh=(top["company_zh"] or top["company"]) if top is not None else "",
        top_amount_cny=float(top["amount_cny"]) if top is not None else 0.0,
        support_percent=float(support["percent"]) if support is not None else None,
        respondents=int(support["respondents"]) if support is not None else None,
        pairs=engine.on_record(data.package),
        masks_cn_to_us_government=engine.masks_by_giver(data, Filters(direction="cn_to_us")).get(("cn_to_us", "government"), 0))

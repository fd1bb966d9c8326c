"""atlas.survey: the nine key findings of CCG's survey with 95% Wilson intervals on the stated base."""
import math

import pytest

from atlas import survey
from atlas.vocab import SURVEY_THEMES


def test_wilson_interval():
    lo, hi = survey.wilson_interval(0.5, 100)
    assert (round(lo, 4), round(hi, 4)) == (0.4038, 0.5962)
    lo, hi = survey.wilson_interval(0.0, 10)
    assert lo == pytest.approx(0.0, abs=1e-12) and 0 < hi < 0.3  # never below 0, unlike the normal approximation
    assert all(math.isnan(v) for v in survey.wilson_interval(0.5, 0))


def test_survey_table_orders_by_theme_then_share(bundled):
    findings = bundled.survey_findings
    d = survey.survey_table(findings)
    assert len(d) == len(findings) == 9
    order = [SURVEY_THEMES.index(t) for t in d["theme"]]
    assert order == sorted(order)
    for theme in SURVEY_THEMES:
        shares = d.loc[d["theme"] == theme, "percent"].tolist()
        assert shares == sorted(shares, reverse=True)
    top = d.iloc[0]
    assert (top["finding_id"], top["percent"], top["ci95_low"], top["ci95_high"]) == ("s1", 98.43, 97.74, 98.91)
    assert (d["ci95_low"] < d["percent"]).all() and (d["percent"] < d["ci95_high"]).all()
    assert list(findings.columns) == list(bundled.survey_findings.columns), "the input is not changed"


def test_base_is_the_stated_number_of_responses(bundled):
    assert survey.base(bundled.survey_findings) == 1_776
    assert survey.base(bundled.survey_findings.head(0)) is None


def test_only_two_percentages_can_be_a_share_of_the_total(bundled):
    """1,776 is the total of valid responses; only 20.83% (370/1,776) and 44.03% (782/1,776) of the nine
    printed percentages can be a whole number of respondents out of 1,776, so the per-question bases differ."""
    check = survey.base_check(bundled.survey_findings)
    pct = bundled.survey_findings.set_index("finding_id")["percent"]
    assert check["n"] == 1_776 and check["findings"] == 9
    assert sorted(pct[check["fit"]].tolist()) == [20.83, 44.03]
    assert round(100 * 370 / 1776, 2) == 20.83 and round(100 * 782 / 1776, 2) == 44.03
    assert not survey.fits_base(98.43, 1_776)  # 1,748/1,776 = 98.42%, 1,749/1,776 = 98.48%

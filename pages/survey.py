"""Survey: the nine key findings of CCG's survey with 95% confidence intervals."""
import streamlit as st

from atlas import overview, survey
from atlas.i18n import fmt_number, t
from components import data, frame
from components.exhibit_view import show_chart

lang = frame.header("survey")
findings = data.get().package.survey_findings
n = survey.base(findings)
if n is None:
    frame.empty("empty.no_rows")
else:
    pkg = data.get().package
    check = survey.base_check(findings)
    st.metric(t("survey.base", lang), f"{n:,}")
    st.caption(t("survey.base_note", lang, n=fmt_number(n, "en"), fit=len(check["fit"]), findings=check["findings"],
                 respondents=fmt_number(overview.stated(pkg, "kf-survey-respondents-abstract"), lang),
                 accounts=fmt_number(overview.stated(pkg, "kf-survey-accounts"), lang)))
    st.caption(t("survey.method", lang))
    show_chart("survey-findings")
st.info(t("survey.no_breakdowns", lang), icon=":material/info:")
frame.sources("survey")

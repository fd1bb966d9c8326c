"""Survey: the nine key findings of CCG's survey with 95% confidence intervals."""
from atlas.figures import survey_chart
from atlas.i18n import t
from components import page, state
from components.chart import show_chart
import streamlit as st

page.header("survey", applies=())
lang = state.lang()
pkg = state.data().package
n = int(pkg.survey_findings["respondents"].iloc[0])
st.metric(t("survey.base", lang), f"{n:,}")
st.caption(t("survey.method", lang))


def build(dark: bool):
    return survey_chart(pkg.survey_findings, lang, t("source.ccg_survey", lang, n=f"{n:,}"), dark)


show_chart(build, "survey")
st.info(t("survey.no_breakdowns", lang), icon=":material/info:")
page.sources(["ccg2020"])

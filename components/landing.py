"""The overview's landing block: one sentence on what Cooperation Atlas is, and four facts, each a link
to the page that explains it."""
from __future__ import annotations

import streamlit as st

from atlas.i18n import fmt_money, fmt_number, fmt_percent, fmt_short, md, t
from atlas.landing import facts

from . import data
from .site import BY_KEY


def fact_links(f, lang: str) -> list[tuple[str, str]]:
    """The landing's facts, each with the page it links to: (page key, text), those the package can state."""
    items = [
        ("flows", t("landing.fact_flows", lang, masks=fmt_short(f.masks_cn_to_us, lang), n=fmt_number(f.donations_cn_to_us, lang),
                    government=fmt_short(f.masks_cn_to_us_government, lang))),
        ("corporate", t("landing.fact_corporate", lang, company=f.top_company_zh if lang == "zh" else f.top_company,
                        amount=fmt_money(f.top_amount_cny, "CNY", lang))) if f.top_company else None,
        ("survey", t("landing.fact_survey", lang, percent=fmt_percent(f.support_percent),
                     n=fmt_number(f.respondents, lang))) if f.support_percent is not None else None,
        ("pairings", t("landing.fact_pairings", lang, pairs=fmt_number(f.pairs, lang))),
    ]
    return [item for item in items if item]


def show_landing(lang: str) -> None:
    f = data.whole(facts, lang)
    st.markdown(t("landing.story", lang))
    with st.container(border=True, key="landing"):
        st.markdown(f"**{t('landing.heading', lang)}**")
        for key, text in fact_links(f, lang):
            st.page_link(BY_KEY[key].file, label=md(text), icon=BY_KEY[key].icon)

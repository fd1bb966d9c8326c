"""Metric cards of stated figures, each with what it is, when, and where it is from."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas.i18n import fmt_number, md, t
from atlas.package import Package


def show_figure_cards(figures: pd.DataFrame, pkg: Package, lang: str) -> None:
    if figures.empty:
        st.info(t("empty.no_figures", lang), icon=":material/search_off:")
        return
    for col, (_, row) in zip(st.columns(len(figures)), figures.iterrows()):
        with col:
            st.metric(md(row["actor"]), f"{fmt_number(row['value'], lang)} {t('unit.' + row['unit'], lang)}", border=True)
            st.caption(md(f"{row['description']} ({row['date']}). {pkg.source_title(row['source_id'])}"))

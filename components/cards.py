"""Metric cards of stated figures, each with what it is, when, and where it is from."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas import corporate
from atlas.i18n import fmt_money, fmt_number, fmt_percent, fmt_short, md, name, t
from atlas.package import Package

from . import data

PER_ROW = 3  # six cards in one row cut their numbers off ("538,0…") at 1440 px


def card_value(value, unit: str, lang: str) -> str:
    """A card's number, short the way the locale reads it: "CNY 538 million", "5.38亿元", "25.7%", "103 companies"."""
    if unit in ("CNY", "USD"):
        return fmt_money(value, unit, lang)
    if unit == "percent":
        return fmt_percent(value)
    text = fmt_short(value, lang) if abs(float(value)) >= 1e6 else fmt_number(value, lang)
    word = t("unit." + unit, lang)
    return f"{text}{word}" if lang == "zh" else f"{text} {word}"


def show_figure_cards(lang: str) -> None:
    """The corporate page's context figures (`atlas.corporate.package_context_figures`) as cards, PER_ROW a row."""
    made = data.of_package(figure_cards, lang)  # once per package and language, not on every rerun
    if not made:
        st.info(t("empty.no_figures", lang), icon=":material/search_off:")
        return
    for start in range(0, len(made), PER_ROW):
        for col, (label, value, caption) in zip(st.columns(PER_ROW), made[start:start + PER_ROW]):
            with col:
                st.metric(label, value, border=True)
                st.caption(caption)


def figure_cards(pkg: Package, lang: str) -> list[tuple[str, str, str]]:
    return cards(corporate.package_context_figures(pkg), pkg, lang)


def cards(figures: pd.DataFrame, pkg: Package, lang: str) -> list[tuple[str, str, str]]:
    """(label, number, caption) of each card."""
    return [(md(name(row, lang, "actor", "actor_zh")), card_value(row["value"], row["unit"], lang),
             md(f"{name(row, lang, 'description', 'description_zh')} ({row['date']}). "
                f"{source_title(pkg, row['source_id'], lang)}")) for _, row in figures.iterrows()]


def source_title(pkg: Package, source_id: str, lang: str) -> str:
    """Publisher, original title and date; in Chinese followed by our translation of the title, marked as such."""
    title = pkg.source_title(source_id)
    zh = pkg.sources.set_index("source_id")["title_zh"].get(source_id, "") if "title_zh" in pkg.sources.columns else ""
    return title + t("sources.translated_title", lang, title=zh) if lang == "zh" and zh else title

"""Every chart of the dashboard: `build_*` functions that return a `Chart`, and `show_chart` that renders one.

Builders return the plotly figure (title, subtitle with units and filters, source line baked in, so
exports carry them), the numbers behind it (the table view and the CSV), and a slug for file names.
Figures use the explicit template of `components.theme`: importing Streamlit sets plotly's default
template to placeholder colours that only Streamlit's front end replaces, which would leak into exports.
PNG and SVG are rendered on the server by kaleido in the system Chromium: it keeps one browser per
process (fast after the first call) but is not thread-safe (concurrent callers were seen to receive
each other's images), so all static renders go through one lock.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from atlas.exports import csv_bytes
from atlas.i18n import fmt_number, label, md, name, t
from atlas.survey import survey_table
from atlas.vocab import PHYSICAL_UNITS, SURVEY_THEMES

from .theme import CATEGORY_COLOURS, DIRECTION_COLOURS, MUTED, OKABE_ITO, ROLE_COLOURS, SERIES, THEME_COLOURS, template

@dataclass
class Chart:
    slug: str                 # file-name stem, e.g. "corporate-giving"
    title: str
    subtitle: str
    source: str
    data: pd.DataFrame        # the numbers drawn: table view and CSV export
    figure: go.Figure
    notes: list[str] = field(default_factory=list)


def frame(fig: go.Figure, title: str, subtitle: str, source: str, dark: bool, height: int) -> go.Figure:
    fig.update_layout(
        template=template(dark), height=height,
        title=dict(text=f"<b>{title}</b>", subtitle=dict(text=subtitle, font=dict(size=12)), x=0, xanchor="left",
                   xref="container", yref="container", y=1, yanchor="top", pad=dict(t=14, l=10), font=dict(size=16)),
        margin=dict(l=10, r=90, t=95, b=95),  # r: room for the value label of the longest bar
    )
    fig.add_annotation(text=source, xref="paper", yref="paper", x=0, y=0, yshift=-88, xanchor="left", yanchor="bottom",
                       showarrow=False, align="left", font=dict(size=10, color=MUTED))
    return fig


def wrap(text: str, width: int = 110) -> str:
    """Break a long line for plotly (which does not wrap) at spaces, or anywhere for CJK text."""
    if len(text) <= width:
        return text
    out, line = [], ""
    for word in text.split(" ") if " " in text else list(text):
        if len(line) + len(word) + 1 > width and line:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip() if " " in text else line + word
    out.append(line)
    return "<br>".join(out)


# --- corporate giving --------------------------------------------------------------------------

def build_corporate_chart(d: pd.DataFrame, currency: str, lang: str, source: str, filters_text: str,
                    dark: bool = False) -> Chart:
    """`d`: `atlas.corporate.giving(...)`, largest last."""
    labels = [name(r, lang, "company", "company_zh") for _, r in d.iterrows()]
    fig = go.Figure(go.Bar(
        x=d["amount"], y=[f"{rl}  {c}" for rl, c in zip(d["rank_label"], labels)], orientation="h",
        marker_color=[OKABE_ITO["grey"] if tie else OKABE_ITO["blue"] for tie in d["tied"]],
        text=[fmt_number(v, lang) for v in d["amount"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,.0f} " + currency + "<extra></extra>"))
    fig.update_xaxes(title_text=t("unit.currency_" + currency.lower(), lang))
    total = d["amount"].sum()
    subtitle = t("corporate.subtitle", lang, currency=currency, total=fmt_number(total, lang), filters=filters_text)
    frame(fig, t("corporate.title", lang), subtitle, source, dark, height=560)
    cols = ["rank", "company", "company_as_printed", "amount_cny"] + (["amount"] if currency != "CNY" else [])
    data = d.sort_values(["rank", "company"])[cols].rename(columns={"amount": f"amount_{currency.lower()}"})
    notes = [t("corporate.ties_note", lang)]
    return Chart("corporate-giving", t("corporate.title", lang), subtitle, source, data.reset_index(drop=True), fig, notes)


# --- survey ------------------------------------------------------------------------------------

def build_survey_chart(df: pd.DataFrame, lang: str, source: str, dark: bool = False) -> Chart:
    d = survey_table(df)
    n = int(d["respondents"].iloc[0])
    statement_labels = [wrap(t(f"survey.finding.{fid}", lang), 48 if lang == "en" else 24) for fid in d["finding_id"]]
    fig = go.Figure()
    for theme in SURVEY_THEMES:
        m = d["theme"] == theme
        if not m.any():
            continue
        fig.add_trace(go.Bar(
            x=d.loc[m, "percent"], y=[s for s, keep in zip(statement_labels, m) if keep], orientation="h",
            name=label("theme", theme, lang), marker_color=THEME_COLOURS[theme],
            error_x=dict(type="data", symmetric=False, array=d.loc[m, "ci95_high"] - d.loc[m, "percent"],
                         arrayminus=d.loc[m, "percent"] - d.loc[m, "ci95_low"], color="#555555", thickness=1.2, width=4),
            text=[f"{p:.2f}%" for p in d.loc[m, "percent"]], textposition="inside", insidetextanchor="start",
            hovertemplate="%{y}<br>%{x:.2f}%<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 100], title_text=t("survey.axis", lang))
    subtitle = t("survey.subtitle", lang, n=fmt_number(n, "en"))
    frame(fig, t("survey.title", lang), subtitle, source, dark, height=640)
    data = d[["finding_id", "theme", "statement", "percent", "ci95_low", "ci95_high", "respondents"]].rename(
        columns={"respondents": "base_n"})
    return Chart("survey-findings", t("survey.title", lang), subtitle, source, data.reset_index(drop=True), fig)


# --- categories each way -----------------------------------------------------------------------

def build_category_chart(totals: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False) -> Chart:
    d = totals[totals["unit"].isin(PHYSICAL_UNITS)].copy()
    d["category_label"] = [label("category", c, lang) for c in d["category"]]
    fig = go.Figure()
    for direction in ("cn_to_us", "us_to_cn"):
        m = d["direction"] == direction
        if m.any():
            fig.add_trace(go.Bar(
                y=d.loc[m, "category_label"], x=d.loc[m, "quantity"], orientation="h",
                name=label("direction", direction, lang), marker_color=DIRECTION_COLOURS[direction],
                text=[fmt_number(v, lang) for v in d.loc[m, "quantity"]], textposition="outside", cliponaxis=False,
                hovertemplate="%{y}: %{x:,.0f}<extra>" + label("direction", direction, lang) + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="log", title_text=t("overview.items_axis", lang))
    subtitle = t("overview.items_subtitle", lang, filters=filters_text)
    frame(fig, t("overview.items_title", lang), subtitle, source, dark, height=480)
    data = d[["direction", "category", "unit", "quantity", "records"]].sort_values(["direction", "quantity"], ascending=[True, False])
    return Chart("items-each-way", t("overview.items_title", lang), subtitle, source, data.reset_index(drop=True), fig)


# --- provinces and states ----------------------------------------------------------------------

def build_region_chart(region_df: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False) -> Chart:
    from plotly.subplots import make_subplots
    d = region_df[region_df["role"].isin(["gave", "received", "sent_messages", "received_messages"])].copy()
    d["region"] = [name(r, lang) for _, r in d.iterrows()]
    d["count"] = d["donations"].where(d["role"].isin(["gave", "received"]), d["messages"])
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.18,
                        subplot_titles=(t("regions.cn_panel", lang), t("regions.us_panel", lang)))
    roles = ROLE_COLOURS
    for col, country in ((1, "CN"), (2, "US")):
        c = d[d["country"] == country]
        order = c.groupby("region")["count"].sum().sort_values().index.tolist()
        for role, colour in roles.items():
            m = c[c["role"] == role].set_index("region").reindex(order)
            if m["count"].fillna(0).sum() == 0:
                continue
            fig.add_trace(go.Bar(y=order, x=m["count"].fillna(0), orientation="h", name=label("role", role, lang),
                                 marker_color=colour, legendgroup=role, showlegend=col == 1 or country == "US" and role in ("received", "sent_messages"),
                                 hovertemplate="%{y}: %{x}<extra>" + label("role", role, lang) + "</extra>"), row=1, col=col)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=t("regions.axis", lang))
    n = max(d[d["country"] == "CN"]["region"].nunique(), d[d["country"] == "US"]["region"].nunique(), 1)
    subtitle = t("regions.subtitle", lang, filters=filters_text)
    frame(fig, t("regions.title", lang), subtitle, source, dark, height=max(420, 160 + 22 * n))
    data = d[["country", "admin1", "name_en", "name_zh", "role", "donations", "masks", "messages"]].sort_values(["country", "admin1", "role"])
    return Chart("provinces-and-states", t("regions.title", lang), subtitle, source, data.reset_index(drop=True), fig)


# --- timeline ----------------------------------------------------------------------------------

def build_timeline_chart(kf: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False) -> Chart:
    d = kf.copy()
    d["when"] = pd.to_datetime(d["date"].str.pad(7, "right", "-").str.replace(r"^(\d{4})-$", r"\1-07", regex=True)
                               .where(d["date"].str.len() > 4, d["date"] + "-07"), format="mixed", errors="coerce")
    d = d.sort_values("when")
    fig = go.Figure()
    themes = list(dict.fromkeys(d["theme"]))
    palette = SERIES
    for i, theme in enumerate(themes):
        m = d["theme"] == theme
        vals = [f"{fmt_number(v, lang)} {label('unit', u, lang) if u else ''}".strip() if pd.notna(v) else ""
                for v, u in zip(d.loc[m, "value"], d.loc[m, "unit"])]
        fig.add_trace(go.Scatter(
            x=d.loc[m, "when"], y=[label("kftheme", theme, lang)] * int(m.sum()), mode="markers", name=label("kftheme", theme, lang),
            marker=dict(size=11, color=palette[i % len(palette)], line=dict(width=1, color="#333333")),
            customdata=list(zip(d.loc[m, "date"], d.loc[m, "description"], vals, d.loc[m, "actor"])),
            hovertemplate="<b>%{customdata[0]}</b> %{customdata[3]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>"))
    fig.update_layout(showlegend=False)
    subtitle = t("timeline.subtitle", lang, filters=filters_text)
    frame(fig, t("timeline.title", lang), subtitle, source, dark, height=max(360, 120 + 34 * len(themes)))
    data = d[["date", "actor", "description", "value", "unit", "theme", "source_id", "source_ref"]]
    return Chart("timeline", t("timeline.title", lang), subtitle, source, data.reset_index(drop=True), fig)


# --- simple bar of stated figures --------------------------------------------------------------

def build_figures_chart(kf: pd.DataFrame, slug: str, title: str, unit_label: str, lang: str, source: str,
                  dark: bool = False, colour: str = OKABE_ITO["green"]) -> Chart:
    d = kf.copy()
    d["label"] = [f"{desc} ({date})" for desc, date in zip(d["description"], d["date"])]
    d["label_wrapped"] = [wrap(x, 46 if lang == "en" else 24) for x in d["label"]]
    fig = go.Figure(go.Bar(x=d["value"], y=d["label_wrapped"], orientation="h", marker_color=colour,
                           text=[fmt_number(v, lang) for v in d["value"]], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=unit_label)
    frame(fig, title, unit_label, source, dark, height=max(320, 140 + 48 * len(d)))
    data = d[["figure_id", "date", "actor", "description", "value", "unit", "source_id", "source_ref"]]
    return Chart(slug, title, unit_label, source, data.reset_index(drop=True), fig)


# --- rendering ---------------------------------------------------------------------------------

_kaleido_lock = threading.Lock()
_kaleido_started = False


def _ensure_kaleido() -> None:
    global _kaleido_started
    if not _kaleido_started:
        import kaleido
        try:
            kaleido.start_sync_server(silence_warnings=True)
        except Exception:  # already running in this process
            pass
        _kaleido_started = True


def static_image(fig: go.Figure, fmt: str, width: int = 1100, height: int | None = None, scale: float = 2) -> bytes:
    """PNG or SVG of a figure, rendered by kaleido in the system Chromium; serialised across threads."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported format {fmt}")
    height = height or int(fig.layout.height or 600)
    with _kaleido_lock:
        _ensure_kaleido()
        return fig.to_image(format=fmt, width=width, height=height, scale=scale if fmt == "png" else 1)


def html_bytes(fig: go.Figure, title: str) -> bytes:
    """A self-contained interactive HTML file (plotly.js inlined, so it opens offline)."""
    html = fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False})
    html = html.replace("<head>", f"<head><meta charset=\"utf-8\"><title>{escape_html(title)}</title>", 1)
    return html.encode("utf-8")


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --- on screen ---------------------------------------------------------------------------------

def show_chart(build: Callable[[bool], Chart], key: str, filter_names: tuple[str, ...] = ()) -> Chart:
    """`build(dark)` returns the Chart; it is called for the screen and again (light) for exports.

    The chart and a table view of the same numbers in two tabs, its notes and source, and its
    PNG, SVG, HTML and CSV downloads (named after the filters in `filter_names`, the ones it shows)."""
    import streamlit as st

    from . import downloads, url_state
    from .tables import show_table
    from .theme import dark

    lang = url_state.lang()
    chart = build(dark())
    labels = [t("chart.tab_chart", lang), t("chart.tab_table", lang)]
    as_table = url_state.value("as_table")
    tabs_key = url_state.widget_key(f"as_table_{key}")

    def switched() -> None:
        others = tuple(k for k in url_state.value("as_table") if k != key)
        url_state.changed("as_table", others + ((key,) if st.session_state.get(tabs_key) == labels[1] else ()))

    tab_chart, tab_table = st.tabs(labels, default=labels[1] if key in as_table else labels[0], key=tabs_key,
                                   on_change=switched)
    with tab_chart:
        if tab_chart.open:  # only the open tab is sent to the browser
            st.plotly_chart(chart.figure, theme=None, key=f"plot_{key}", config={"displaylogo": False})
    with tab_table:
        if tab_table.open:
            show_table(chart.data, lang)
    for note in chart.notes:
        st.caption(md(note))
    st.caption(md(chart.source))
    light = lambda: build(False)
    downloads.show_row(key, chart.slug, filter_names, {
        "png": lambda: static_image(light().figure, "png"),
        "svg": lambda: static_image(light().figure, "svg"),
        "html": lambda: (lambda c: html_bytes(c.figure, c.title))(light()),
        "csv": lambda: csv_bytes(light().data),
    })
    return chart

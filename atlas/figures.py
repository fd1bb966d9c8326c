"""Every chart of the dashboard, built here with one theme and one colour-blind-safe palette.

Builders return a `Chart`: the plotly figure (title, subtitle with units and filters, source line
baked in, so exports carry them), the numbers behind it (the table view and the CSV), and a slug
for file names. Figures use an explicit template: importing Streamlit sets plotly's default template
to placeholder colours that only Streamlit's front end replaces, which would leak into exports.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from .i18n import fmt_number, label, name, t

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#999999", "black": "#000000"}
DIRECTION_COLOURS = {"cn_to_us": OKABE_ITO["vermillion"], "us_to_cn": OKABE_ITO["blue"]}
CATEGORY_COLOURS = {
    "surgical_mask": OKABE_ITO["sky"], "respirator_mask": OKABE_ITO["blue"], "mask_unspecified": OKABE_ITO["purple"],
    "protective_clothing": OKABE_ITO["orange"], "gloves": OKABE_ITO["green"], "goggles": OKABE_ITO["yellow"],
    "shoe_covers": OKABE_ITO["grey"], "thermometer": OKABE_ITO["black"], "cash": OKABE_ITO["vermillion"],
    "other": "#7F7F7F", "letter": OKABE_ITO["blue"], "voice_support": OKABE_ITO["green"],
    "video": OKABE_ITO["orange"], "call_email": OKABE_ITO["purple"],
}
THEME_COLOURS = {"support": OKABE_ITO["blue"], "awareness": OKABE_ITO["orange"],
                 "participation": OKABE_ITO["green"], "media": OKABE_ITO["purple"]}
FONT = "Noto Sans CJK SC, Noto Sans, Source Han Sans SC, Helvetica, Arial, sans-serif"


def template(dark: bool = False) -> go.layout.Template:
    fg, grid, bg = ("#E8E8E8", "#444444", "#0E1117") if dark else ("#222222", "#E5E5E5", "#FFFFFF")
    return go.layout.Template(layout=go.Layout(
        font=dict(family=FONT, size=13, color=fg), paper_bgcolor=bg, plot_bgcolor=bg,
        colorway=list(OKABE_ITO.values()),
        xaxis=dict(gridcolor=grid, zerolinecolor=grid, linecolor=grid, automargin=True),
        yaxis=dict(gridcolor=grid, zerolinecolor=grid, linecolor=grid, automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left", title_text=""),
        hoverlabel=dict(font_family=FONT),
    ))


@dataclass
class Chart:
    slug: str                 # file-name stem, e.g. "corporate-giving"
    title: str
    subtitle: str
    source: str
    data: pd.DataFrame        # the numbers drawn: table view and CSV export
    figure: go.Figure
    notes: list[str] = field(default_factory=list)


def _frame(fig: go.Figure, title: str, subtitle: str, source: str, dark: bool, height: int) -> go.Figure:
    fig.update_layout(
        template=template(dark), height=height,
        title=dict(text=f"<b>{title}</b>", subtitle=dict(text=subtitle, font=dict(size=12)), x=0, xanchor="left",
                   xref="container", yref="container", y=1, yanchor="top", pad=dict(t=14, l=10), font=dict(size=16)),
        margin=dict(l=10, r=90, t=95, b=95),  # r: room for the value label of the longest bar
    )
    fig.add_annotation(text=source, xref="paper", yref="paper", x=0, y=0, yshift=-88, xanchor="left", yanchor="bottom",
                       showarrow=False, align="left", font=dict(size=10, color="#777777"))
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

def corporate_chart(df: pd.DataFrame, currency: str, rate: float, lang: str, source: str, filters_text: str,
                    dark: bool = False) -> Chart:
    d = df.sort_values(["rank", "company"], ascending=[False, False]).copy()
    d["company_label"] = [name(r, lang, "company", "company_zh") for _, r in d.iterrows()]
    d["amount"] = d["amount_cny"] / (rate if currency == "USD" else 1)
    ties = d["rank"].duplicated(keep=False)
    d["rank_label"] = [f"{r}=" if tie else str(r) for r, tie in zip(d["rank"], ties)]
    fig = go.Figure(go.Bar(
        x=d["amount"], y=[f"{rl}  {c}" for rl, c in zip(d["rank_label"], d["company_label"])], orientation="h",
        marker_color=[OKABE_ITO["grey"] if tie else OKABE_ITO["blue"] for tie in ties],
        text=[fmt_number(v, lang) for v in d["amount"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,.0f} " + currency + "<extra></extra>"))
    fig.update_xaxes(title_text=t("unit.currency_" + currency.lower(), lang))
    total = d["amount"].sum()
    subtitle = t("corporate.subtitle", lang, currency=currency, total=fmt_number(total, lang), filters=filters_text)
    _frame(fig, t("corporate.title", lang), subtitle, source, dark, height=560)
    cols = ["rank", "company", "company_as_printed", "amount_cny"] + (["amount"] if currency != "CNY" else [])
    data = d.sort_values(["rank", "company"])[cols].rename(columns={"amount": f"amount_{currency.lower()}"})
    notes = [t("corporate.ties_note", lang)]
    return Chart("corporate-giving", t("corporate.title", lang), subtitle, source, data.reset_index(drop=True), fig, notes)


# --- survey ------------------------------------------------------------------------------------

def wilson_interval(p: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval for a proportion p (0-1) observed on n responses."""
    if n <= 0:
        return (math.nan, math.nan)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (centre - half, centre + half)


THEME_ORDER = ["support", "awareness", "participation", "media"]


def survey_table(df: pd.DataFrame) -> pd.DataFrame:
    d = df.copy()
    lows, highs = zip(*(wilson_interval(p / 100, int(n)) for p, n in zip(d["percent"], d["respondents"])))
    d["ci95_low"] = [round(v * 100, 2) for v in lows]
    d["ci95_high"] = [round(v * 100, 2) for v in highs]
    d["theme_order"] = d["theme"].map({k: i for i, k in enumerate(THEME_ORDER)})
    return d.sort_values(["theme_order", "percent"], ascending=[True, False]).drop(columns="theme_order")


def survey_chart(df: pd.DataFrame, lang: str, source: str, dark: bool = False) -> Chart:
    d = survey_table(df)
    n = int(d["respondents"].iloc[0])
    statement_labels = [wrap(t(f"survey.finding.{fid}", lang), 48 if lang == "en" else 24) for fid in d["finding_id"]]
    fig = go.Figure()
    for theme in THEME_ORDER:
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
    _frame(fig, t("survey.title", lang), subtitle, source, dark, height=640)
    data = d[["finding_id", "theme", "statement", "percent", "ci95_low", "ci95_high", "respondents"]].rename(
        columns={"respondents": "base_n"})
    return Chart("survey-findings", t("survey.title", lang), subtitle, source, data.reset_index(drop=True), fig)


# --- categories each way -----------------------------------------------------------------------

def category_chart(totals: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False) -> Chart:
    d = totals[totals["unit"].isin(["pieces", "items", "pairs"])].copy()
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
    _frame(fig, t("overview.items_title", lang), subtitle, source, dark, height=480)
    data = d[["direction", "category", "unit", "quantity", "records"]].sort_values(["direction", "quantity"], ascending=[True, False])
    return Chart("items-each-way", t("overview.items_title", lang), subtitle, source, data.reset_index(drop=True), fig)


# --- provinces and states ----------------------------------------------------------------------

def region_chart(region_df: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False) -> Chart:
    from plotly.subplots import make_subplots
    d = region_df[region_df["role"].isin(["gave", "received", "sent_messages", "received_messages"])].copy()
    d["region"] = [name(r, lang) for _, r in d.iterrows()]
    d["count"] = d["donations"].where(d["role"].isin(["gave", "received"]), d["messages"])
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.18,
                        subplot_titles=(t("regions.cn_panel", lang), t("regions.us_panel", lang)))
    roles = {"gave": OKABE_ITO["vermillion"], "received": OKABE_ITO["blue"],
             "sent_messages": OKABE_ITO["green"], "received_messages": OKABE_ITO["orange"]}
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
    _frame(fig, t("regions.title", lang), subtitle, source, dark, height=max(420, 160 + 22 * n))
    data = d[["country", "admin1", "name_en", "name_zh", "role", "donations", "masks", "messages"]].sort_values(["country", "admin1", "role"])
    return Chart("provinces-and-states", t("regions.title", lang), subtitle, source, data.reset_index(drop=True), fig)


# --- timeline ----------------------------------------------------------------------------------

def timeline_chart(kf: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False) -> Chart:
    d = kf.copy()
    d["when"] = pd.to_datetime(d["date"].str.pad(7, "right", "-").str.replace(r"^(\d{4})-$", r"\1-07", regex=True)
                               .where(d["date"].str.len() > 4, d["date"] + "-07"), format="mixed", errors="coerce")
    d = d.sort_values("when")
    fig = go.Figure()
    themes = list(dict.fromkeys(d["theme"]))
    palette = list(OKABE_ITO.values())
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
    _frame(fig, t("timeline.title", lang), subtitle, source, dark, height=max(360, 120 + 34 * len(themes)))
    data = d[["date", "actor", "description", "value", "unit", "theme", "source_id", "source_ref"]]
    return Chart("timeline", t("timeline.title", lang), subtitle, source, data.reset_index(drop=True), fig)


# --- simple bar of stated figures --------------------------------------------------------------

def figures_chart(kf: pd.DataFrame, slug: str, title: str, unit_label: str, lang: str, source: str,
                  dark: bool = False, colour: str = OKABE_ITO["green"]) -> Chart:
    d = kf.copy()
    d["label"] = [f"{desc} ({date})" for desc, date in zip(d["description"], d["date"])]
    d["label_wrapped"] = [wrap(x, 46 if lang == "en" else 24) for x in d["label"]]
    fig = go.Figure(go.Bar(x=d["value"], y=d["label_wrapped"], orientation="h", marker_color=colour,
                           text=[fmt_number(v, lang) for v in d["value"]], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=unit_label)
    _frame(fig, title, unit_label, source, dark, height=max(320, 140 + 48 * len(d)))
    data = d[["figure_id", "date", "actor", "description", "value", "unit", "source_id", "source_ref"]]
    return Chart(slug, title, unit_label, source, data.reset_index(drop=True), fig)

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

import math
import threading
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from atlas.exports import csv_bytes
from atlas.i18n import fmt_money, fmt_number, fmt_percent, fmt_short, fmt_tick, label, md, name, t
from atlas.survey import survey_table
from atlas.text import plot_text
from atlas.vocab import PHYSICAL_UNITS, SURVEY_THEMES

from .streamlit_fixes import FrozenFigure  # noqa: F401 - the charts' name for it (and older snapshots')
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
    alt: str = ""             # text alternative generated from `data`, naming the largest value


# Pixel layout of an exported figure (kaleido renders at a fixed width, so the top block is laid out
# exactly): title, subtitle lines, then a one-row legend, then the plot (and its panel titles).
TITLE_PX, SUBTITLE_LINE_PX, LEGEND_PX = 36, 17, 30


def frame(fig: go.Figure, title: str, subtitle: str, source: str, dark: bool, height: int) -> go.Figure:
    """Title, subtitle, legend and source laid out so that none overlaps another (the figure as exported).

    The legend sits in its own row between the subtitle and the plot."""
    subtitle = wrap(subtitle, 150)
    lines = subtitle.count("<br>") + 1
    legend = _has_legend(fig)
    block = 14 + TITLE_PX + SUBTITLE_LINE_PX * lines
    top = block + (LEGEND_PX if legend else 0) + 10
    height = height + top - 95
    fig.update_layout(
        template=template(dark), height=height, showlegend=legend,
        # `wrap` has escaped the subtitle already (and joined its lines with <br>): escaping it again showed "<br>" literally
        title=dict(text=f"<b>{plot_text(title)}</b>", subtitle=dict(text=subtitle, font=dict(size=12)), x=0, xanchor="left",
                   xref="container", yref="container", y=1, yanchor="top", pad=dict(t=14, l=10), font=dict(size=16)),
        legend=dict(orientation="h", x=0, xanchor="left", yref="paper", y=1, yanchor="bottom", title_text=""),
        margin=dict(l=10, r=90, t=top, b=95),  # r: room for the value label of the longest bar
    )
    fig.add_annotation(text=plot_text(source), xref="paper", yref="paper", x=0, y=0, yshift=-88, xanchor="left", yanchor="bottom",
                       showarrow=False, align="left", font=dict(size=10, color=MUTED), name="source")
    return fig


def _has_legend(fig: go.Figure) -> bool:
    return fig.layout.showlegend is not False and len(legend_entries(fig)) > 1


def legend_entries(fig: go.Figure) -> list[tuple[str, str]]:
    """(name, colour) of each trace the legend shows, once per name."""
    seen: dict[str, str] = {}
    for trace in fig.data:
        if getattr(trace, "showlegend", False) is False or not getattr(trace, "name", None) or trace.name in seen:
            continue
        colour = getattr(getattr(trace, "marker", None), "color", None)
        seen[trace.name] = colour if isinstance(colour, str) else MUTED
    return list(seen.items())


def frozen(fig: go.Figure) -> FrozenFigure:
    return FrozenFigure(fig.to_dict())


def for_screen(fig: go.Figure) -> FrozenFigure:
    """The figure as the page draws it: title, subtitle and source are set in the page's own text above and
    below it (they wrap at any width and never meet the toolbar); the legend row stays above the plot,
    and plotly grows the top margin when it wraps to more rows on a phone."""
    out = go.Figure(fig)
    out.layout.annotations = [a for a in out.layout.annotations if a.name != "source"]
    top = (LEGEND_PX if out.layout.showlegend else 0) + 10
    out.update_layout(title=dict(text="", subtitle=dict(text="")), margin=dict(t=top, b=60),
                      height=int(out.layout.height or 500) - int(out.layout.margin.t or 0) - 35 + top)
    return frozen(out)


def wrap(text: str, width: int = 110) -> str:
    """Break a long line for plotly (which does not wrap) at spaces, or anywhere for CJK text (escaped as plot text).

    Text with angle brackets is left whole: a break inserted inside it would change what it says."""
    if len(text) <= width or "<" in text or ">" in text:
        return plot_text(text)
    out, line = [], ""
    for word in text.split(" ") if " " in text else list(text):
        if len(line) + len(word) + 1 > width and line:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip() if " " in text else line + word
    out.append(line)
    return "<br>".join(plot_text(line) for line in out)


def label_width(text: str, latin: int) -> int:
    """Characters per line for a bar label: CJK characters are about twice as wide as Latin ones."""
    return latin // 2 if any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text) else latin


def nice_ticks(top: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top`: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / n
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


def value_axis(fig: go.Figure, top: float, lang: str, axis: str = "x", log: bool = False, count: bool = False,
               room: float = 1.02, **selector) -> None:
    """A value axis whose tick labels read in the reader's language ("10M" / "1,000万"), from 0 (linear).

    Counts get whole-number ticks only (never 0.2, 0.4…). `room`: the axis runs to `top * room`, leaving
    space for the value labels at the ends of the bars."""
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    if log:
        decades = int(math.ceil(math.log10(max(top, 10))))
        step = 2 if decades > 4 else 1  # every other power of ten: the labels fit at phone width
        vals = [10.0 ** k for k in range(0, decades + 1, step)]
        update(type="log", tickvals=vals, ticktext=[fmt_tick(v, lang) for v in vals],
               range=[-0.1, math.log10(max(top, 1) * room * 3)], **selector)
        return
    vals = nice_ticks(top, 4)
    if count:
        vals = sorted({int(round(v)) for v in vals})
        if len(vals) < 2 or vals[1] - vals[0] < 1:
            vals = list(range(0, int(math.ceil(top)) + 1))
    end = max(top * room, vals[-1] * 1.02 if vals[-1] <= top * room * 1.15 else 0)
    vals = [v for v in vals if v <= end]
    update(type="linear", tickvals=vals, ticktext=[fmt_tick(v, lang) for v in vals], range=[0, end],
           rangemode="tozero", **selector)


LABEL_LINE_PX, BAR_PX = 17, 15


def labels_above(fig: go.Figure, categories: list, labels: list[str], bars_per_row: int = 1) -> int:
    """Each bar's name written above it, from the left edge, instead of as a tick label beside it:
    at phone width the names no longer take the width the bars need. Returns the plot area's height.

    `categories` are the y values (in drawing order, top first); `labels` may hold <br> breaks."""
    lines = max((lbl.count("<br>") + 1 for lbl in labels), default=1)
    bar = BAR_PX * bars_per_row
    row = bar + LABEL_LINE_PX * lines + 12
    fig.update_yaxes(showticklabels=False, ticks="")
    fig.update_layout(bargap=1 - bar / row, bargroupgap=0.05)
    fig.update_traces(constraintext="none", textfont_size=11, selector=dict(type="bar"))  # not shrunk to the bar's thickness
    for y, text in zip(categories, labels):
        fig.add_annotation(text=text, x=0, xref="paper", y=y, yref="y", xanchor="left", yanchor="bottom",
                           yshift=bar / 2 + 2, showarrow=False, align="left", font=dict(size=12), name="bar_label")
    return row * max(len(categories), 1) + 10


def _and(lang: str) -> str:
    return t("list.comma", lang)


# --- corporate giving --------------------------------------------------------------------------

def build_corporate_chart(d: pd.DataFrame, currency: str, lang: str, source: str, filters_text: str,
                    dark: bool = False) -> Chart:
    """`d`: `atlas.corporate.giving(...)`, largest last. Converted (USD) amounts are shown to 3 significant figures."""
    labels = [name(r, lang, "company", "company_zh") for _, r in d.iterrows()]
    converted = currency != "CNY"
    money = lambda v: fmt_money(v, currency, lang) if converted else fmt_money(v, currency, lang, sig=6)
    names = [f"{rl}  {c}" for rl, c in zip(d["rank_label"], labels)]
    fig = go.Figure(go.Bar(
        x=d["amount"], y=[plot_text(n) for n in names], orientation="h", marker_color=[OKABE_ITO["grey"] if tie else OKABE_ITO["blue"] for tie in d["tied"]],
        # Table 4 prints CNY to 4 significant figures (units of 10,000): labels keep them; converted USD gets 3.
        text=[fmt_short(v, lang, sig=3 if converted else 4) for v in d["amount"]], textposition="outside", cliponaxis=False,
        customdata=[money(v) for v in d["amount"]], hovertemplate="%{y}: %{customdata}<extra></extra>"))
    fig.update_xaxes(title_text=t("unit.currency_" + currency.lower(), lang))
    value_axis(fig, float(d["amount"].max()) if len(d) else 1, lang, room=1.3)
    plot = labels_above(fig, [plot_text(n) for n in names[::-1]], [wrap(n, label_width(n, 44)) for n in names[::-1]])
    total = d["amount"].sum()
    subtitle = t("corporate.subtitle", lang, currency=currency, total=money(total), filters=filters_text)
    frame(fig, t("corporate.title", lang), subtitle, source, dark, height=plot + 190)
    fig.update_layout(margin_r=20)
    cols = ["rank", "company", "company_as_printed", "amount_cny"] + (["amount"] if converted else [])
    data = d.sort_values(["rank", "company"])[cols].rename(columns={"amount": f"amount_{currency.lower()}"})
    notes = [t("corporate.ties_note", lang)]
    ranked = d.sort_values("amount", ascending=False)
    top = [f"{name(r, lang, 'company', 'company_zh')} ({money(r['amount'])})" for _, r in ranked.head(3).iterrows()]
    alt = t("alt.corporate", lang, first=top[0] if top else "—", next=_and(lang).join(top[1:]), n=len(d),
            total=money(total)) if top else t("alt.empty", lang)
    return Chart("corporate-giving", t("corporate.title", lang), subtitle, source, data.reset_index(drop=True), fig,
                 notes, alt)


# --- survey ------------------------------------------------------------------------------------

#: The intervals' whiskers (and the outline of a bar whose fill is fainter than that), at least 3:1 against the chart's background in both themes (WCAG 1.4.11):
#: #555555 was 2.6:1 on the dark theme's #0E1117.
WHISKER = {False: "#555555", True: "#BBBBBB"}
BACKGROUND = {False: "#FFFFFF", True: "#0E1117"}


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two '#RRGGBB' colours."""
    def lum(h):
        c = [int(h.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def build_survey_chart(df: pd.DataFrame, lang: str, source: str, dark: bool = False) -> Chart:
    """Percentages to one decimal; the tooltip gives the 95% interval."""
    d = survey_table(df)
    n = int(d["respondents"].iloc[0])
    statement_labels = [t(f"survey.finding.{fid}", lang) for fid in d["finding_id"]]
    fig = go.Figure()
    interval = t("survey.interval", lang)
    for theme in SURVEY_THEMES:
        m = d["theme"] == theme
        if not m.any():
            continue
        fig.add_trace(go.Bar(
            x=d.loc[m, "percent"], y=[s for s, keep in zip(statement_labels, m) if keep], orientation="h",
            name=label("theme", theme, lang), marker_color=THEME_COLOURS[theme],
            marker_line=dict(color=WHISKER[dark], width=1) if contrast(THEME_COLOURS[theme], BACKGROUND[dark]) < 3 else None,
            error_x=dict(type="data", symmetric=False, array=d.loc[m, "ci95_high"] - d.loc[m, "percent"],
                         arrayminus=d.loc[m, "percent"] - d.loc[m, "ci95_low"], color=WHISKER[dark], thickness=1.5, width=5),
            text=[fmt_percent(p, 2) for p in d.loc[m, "percent"]], textposition="inside", insidetextanchor="start",  # the source's precision: 83.85%
            insidetextfont=dict(color="#FFFFFF" if theme == "support" else "#111111"),  # contrast on blue / light bars
            customdata=[[fmt_percent(lo), fmt_percent(hi)] for lo, hi in zip(d.loc[m, "ci95_low"], d.loc[m, "ci95_high"])],
            hovertemplate="%{y}<br>%{x:.1f}%<br>" + interval + ": %{customdata[0]} – %{customdata[1]}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 100], title_text=t("survey.axis", lang), dtick=20)
    plot = labels_above(fig, statement_labels, [wrap(x, label_width(x, 50)) for x in statement_labels])
    subtitle = t("survey.subtitle", lang, n=fmt_number(n, "en"))
    frame(fig, t("survey.title", lang), subtitle, source, dark, height=plot + 190)
    fig.update_layout(margin_r=20)
    data = d[["finding_id", "theme", "statement", "percent", "ci95_low", "ci95_high", "respondents"]].rename(
        columns={"respondents": "base_n"})
    hi, lo = d.loc[d["percent"].idxmax()], d.loc[d["percent"].idxmin()]
    alt = t("alt.survey", lang, n=len(d), high=fmt_percent(hi["percent"]), high_text=t(f"survey.finding.{hi['finding_id']}", lang),
            high_lo=fmt_percent(hi["ci95_low"]), high_hi=fmt_percent(hi["ci95_high"]), low=fmt_percent(lo["percent"]),
            low_text=t(f"survey.finding.{lo['finding_id']}", lang), base=fmt_number(n, lang))
    return Chart("survey-findings", t("survey.title", lang), subtitle, source, data.reset_index(drop=True), fig, alt=alt)


# --- categories each way -----------------------------------------------------------------------

def build_category_chart(totals: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False,
                         scale: str = "linear") -> Chart:
    """Bars compared by length, so the axis is linear unless the reader asks for `scale="log"` (labelled so)."""
    log = scale == "log"
    d = totals[totals["unit"].isin(PHYSICAL_UNITS)].copy()
    d["category_label"] = [label("category", c, lang) for c in d["category"]]
    fig = go.Figure()
    for direction in ("cn_to_us", "us_to_cn"):
        m = d["direction"] == direction
        if m.any():
            fig.add_trace(go.Bar(
                y=d.loc[m, "category_label"], x=d.loc[m, "quantity"], orientation="h",
                name=label("direction", direction, lang), marker_color=DIRECTION_COLOURS[direction],
                text=[fmt_short(v, lang) for v in d.loc[m, "quantity"]], textposition="outside", cliponaxis=False,
                customdata=[fmt_number(v, lang) if lang == "zh" and v < 1e5 else f"{v:,.0f}" for v in d.loc[m, "quantity"]],
                hovertemplate="%{y}: %{customdata}<extra>" + label("direction", direction, lang) + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=t("overview.items_axis_log" if log else "overview.items_axis", lang))
    value_axis(fig, float(d["quantity"].max()) if len(d) else 1, lang, log=log, room=1.25)
    drawn = list(dict.fromkeys(lbl for trace in fig.data for lbl in trace.y))  # first trace's order, bottom first
    plot = labels_above(fig, drawn, drawn, bars_per_row=len(fig.data))
    subtitle = t("overview.items_subtitle_log" if log else "overview.items_subtitle", lang, filters=filters_text)
    frame(fig, t("overview.items_title", lang), subtitle, source, dark, height=plot + 190)
    fig.update_layout(margin_r=20)
    data = d[["direction", "category", "unit", "quantity", "records"]].sort_values(["direction", "quantity"], ascending=[True, False])
    parts = []
    for direction in ("cn_to_us", "us_to_cn"):
        m = d[d["direction"] == direction]
        if len(m):
            r = m.loc[m["quantity"].idxmax()]
            parts.append(t("alt.items_direction", lang, direction=label("direction", direction, lang),
                           category=r["category_label"], quantity=fmt_short(r["quantity"], lang), kinds=len(m)))
    alt = t("alt.items", lang, parts=t("list.separator", lang).join(parts)) if parts else t("alt.empty", lang)
    return Chart("items-each-way", t("overview.items_title", lang), subtitle, source, data.reset_index(drop=True), fig,
                 alt=alt)


# --- provinces and states ----------------------------------------------------------------------

def build_region_chart(region_df: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False) -> Chart:
    """One panel per country, stacked (readable at phone width); counts on whole-number axes; each role once in the legend."""
    from plotly.subplots import make_subplots
    d = region_df[region_df["role"].isin(["gave", "received", "sent_messages", "received_messages"])].copy()
    d["region"] = [name(r, lang) for _, r in d.iterrows()]
    d["count"] = d["donations"].where(d["role"].isin(["gave", "received"]), d["messages"])
    sizes = [max(d[d["country"] == c]["region"].nunique(), 1) + 1 for c in ("CN", "US")]  # + the panel's name
    # No subplot titles over the panels: the legend row would cover the first one.
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.12 if sum(sizes) < 20 else 0.07,
                        row_heights=[s / sum(sizes) for s in sizes])
    shown: set[str] = set()
    totals = {}
    for row, country in ((1, "CN"), (2, "US")):
        c = d[d["country"] == country]
        per_region = c.groupby("region")["count"].sum().sort_values()
        totals[country] = per_region
        order = per_region.index.tolist()
        # The panel's name heads its column of names, on a row of its own that no bar reaches (in a corner of the
        # plot it covered the ends of the bars when they were all as long, e.g. Fujian's states of one record each).
        header = f"<b>{t(f'regions.{country.lower()}_panel', lang)}</b>"
        fig.add_trace(go.Bar(y=[header], x=[0], orientation="h", showlegend=False, hoverinfo="skip",
                             marker_color="rgba(0,0,0,0)", name="panel"), row=row, col=1)
        for role, colour in ROLE_COLOURS.items():
            m = c[c["role"] == role].set_index("region").reindex(order)
            if m["count"].fillna(0).sum() == 0:
                continue
            fig.add_trace(go.Bar(y=[plot_text(r) for r in order], x=m["count"].fillna(0), orientation="h", name=label("role", role, lang),
                                 marker_color=colour, legendgroup=role, showlegend=role not in shown,
                                 hovertemplate="%{y}: %{x}<extra>" + label("role", role, lang) + "</extra>"), row=row, col=1)
            shown.add(role)
        value_axis(fig, float(per_region.max()) if len(per_region) else 1, lang, count=True, row=row, col=1)
        fig.update_yaxes(categoryorder="array", categoryarray=[plot_text(r) for r in order] + [header], row=row, col=1)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=t("regions.axis", lang), row=2, col=1)
    subtitle = t("regions.subtitle", lang, filters=filters_text)
    frame(fig, t("regions.title", lang), subtitle, source, dark, height=max(480, 200 + 22 * sum(sizes)))
    data = d[["country", "admin1", "name_en", "name_zh", "role", "donations", "masks", "messages"]].sort_values(["country", "admin1", "role"])
    parts = [t("alt.regions_panel", lang, panel=t(f"regions.{'cn' if c == 'CN' else 'us'}_panel", lang),
               region=s.index[-1], n=fmt_number(s.iloc[-1], lang), count=len(s))
             for c, s in totals.items() if len(s)]
    alt = t("alt.regions", lang, parts=t("list.separator", lang).join(parts)) if parts else t("alt.empty", lang)
    return Chart("provinces-and-states", t("regions.title", lang), subtitle, source, data.reset_index(drop=True), fig,
                 alt=alt)


# --- timeline ----------------------------------------------------------------------------------

MONEY = ("CNY", "USD")


def in_language(kf: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Key figures with `actor` and `description` in the reader's language: in Chinese our curated
    translation (`actor_zh`, `description_zh`) where there is one, else the English words."""
    d = kf.copy()
    d["actor_shown"] = [name(r, lang, "actor", "actor_zh") for _, r in d.iterrows()]
    d["description_shown"] = [name(r, lang, "description", "description_zh") for _, r in d.iterrows()]
    return d


def build_timeline_chart(kf: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False) -> Chart:
    d = in_language(kf, lang)
    d["when"] = pd.to_datetime(d["date"].str.pad(7, "right", "-").str.replace(r"^(\d{4})-$", r"\1-07", regex=True)
                               .where(d["date"].str.len() > 4, d["date"] + "-07"), format="mixed", errors="coerce")
    d = d.sort_values("when")
    years = d["date"].str[:4].dropna()
    title = t("timeline.title", lang, start=years.min() if len(years) else "", end=years.max() if len(years) else "")
    fig = go.Figure()
    themes = list(dict.fromkeys(d["theme"]))
    palette = SERIES
    for i, theme in enumerate(themes):
        m = d["theme"] == theme
        vals = [_stated(v, u, lang) for v, u in zip(d.loc[m, "value"], d.loc[m, "unit"])]
        fig.add_trace(go.Scatter(
            x=d.loc[m, "when"], y=[label("kftheme", theme, lang)] * int(m.sum()), mode="markers", name=label("kftheme", theme, lang),
            marker=dict(size=11, color=palette[i % len(palette)], line=dict(width=1, color="#333333")),
            customdata=[[plot_text(v) for v in row] for row in zip(d.loc[m, "date"], d.loc[m, "description_shown"], vals, d.loc[m, "actor_shown"])],
            hovertemplate="<b>%{customdata[0]}</b> %{customdata[3]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>"))
    fig.update_layout(showlegend=False)
    subtitle = t("timeline.subtitle", lang, filters=filters_text)
    frame(fig, title, subtitle, source, dark, height=max(360, 120 + 34 * len(themes)))
    # the table and CSV in the reader's language (the package's curated Chinese actor and description)
    data = d.assign(actor=d["actor_shown"], description=d["description_shown"])[
        ["date", "actor", "description", "value", "unit", "theme", "source_id", "source_ref"]]
    money = d[d["unit"].isin(MONEY) & d["value"].notna()]
    # The largest amount in each currency is named (amounts in different units are not compared).
    largest = [f"{r['actor_shown']}, {_stated(r['value'], r['unit'], lang)} ({r['date']})"
               for cur in MONEY for _, r in money[money["unit"] == cur].nlargest(1, "value").iterrows()]
    alt = t("alt.timeline", lang, n=len(d), start=d["date"].iloc[0] if len(d) else "—", end=d["date"].iloc[-1] if len(d) else "—",
            themes=len(themes), largest=t("list.separator", lang).join(largest) or "—") if len(d) else t("alt.empty", lang)
    return Chart("timeline", title, subtitle, source, data.reset_index(drop=True), fig, alt=alt)


def _stated(value, unit, lang: str) -> str:
    """A stated figure with its unit: money to 3 significant figures, other quantities as stated."""
    if value is None or pd.isna(value):
        return ""
    if unit in MONEY:
        return fmt_money(value, unit, lang)
    if unit == "percent":
        return f"{fmt_number(value, lang)}%"
    return f"{fmt_number(value, lang)} {label('unit', unit, lang) if unit else ''}".strip()


# --- simple bar of stated figures --------------------------------------------------------------

def build_figures_chart(kf: pd.DataFrame, slug: str, title: str, unit_label: str, lang: str, source: str,
                  dark: bool = False, colour: str = OKABE_ITO["green"]) -> Chart:
    d = in_language(kf, lang)
    d["label"] = [f"{desc} ({date})" for desc, date in zip(d["description_shown"], d["date"])]
    d["label_wrapped"] = [wrap(x, label_width(x, 50)) for x in d["label"]]
    fig = go.Figure(go.Bar(x=d["value"], y=d["label"], orientation="h", marker_color=colour,
                           text=[fmt_short(v, lang) for v in d["value"]], textposition="outside", cliponaxis=False,
                           customdata=[_stated(v, u, lang) for v, u in zip(d["value"], d["unit"])],
                           hovertemplate="%{y}: %{customdata}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=unit_label)
    value_axis(fig, float(d["value"].max()) if len(d) else 1, lang, room=1.3)
    plot = labels_above(fig, list(d["label"]), list(d["label_wrapped"]))
    frame(fig, title, unit_label, source, dark, height=plot + 190)
    fig.update_layout(margin_r=20)
    data = d[["figure_id", "date", "actor", "description", "value", "unit", "source_id", "source_ref"]]
    alt = t("alt.empty", lang)
    if len(d):
        r = d.loc[d["value"].idxmax()]
        alt = t("alt.figures", lang, n=len(d), label=r["label"], value=_stated(r["value"], r["unit"], lang))
    return Chart(slug, title, unit_label, source, data.reset_index(drop=True), fig, alt=alt)


# --- rendering ---------------------------------------------------------------------------------

_kaleido_lock = threading.Lock()
_kaleido_started = False


# choreographer starts kaleido's Chromium with these: a page it renders could then read local files and other
# origins. Exports render figures this server built (from data), so they run with the browser's usual rules.
UNSAFE_BROWSER_FLAGS = ("--disable-web-security", "--allow-file-access-from-files")


def _safe_browser_cli() -> None:
    """Drop UNSAFE_BROWSER_FLAGS from the command line choreographer builds for Chromium (once per process)."""
    from choreographer.browsers.chromium import Chromium
    if getattr(Chromium.get_cli, "_atlas_safe", False):
        return
    original = Chromium.get_cli

    def get_cli(self, *args, **kwargs):
        return [a for a in original(self, *args, **kwargs) if a not in UNSAFE_BROWSER_FLAGS]
    get_cli._atlas_safe = True
    Chromium.get_cli = get_cli


def _ensure_kaleido() -> None:
    global _kaleido_started
    if not _kaleido_started:
        _safe_browser_cli()
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

def show_heading(chart: Chart) -> None:
    """Title and subtitle of a chart as page text above the plot."""
    import streamlit as st
    st.markdown(f"**{md(chart.title)}**")
    st.caption(md(chart.subtitle.replace("<br>", " ")))

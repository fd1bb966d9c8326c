"""The overview's numbers: headline counts, what flowed each way, provinces and states, the timeline
and the reconciliation of Table 1 with the report's text."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import engine
from .filters import Filters
from .i18n import fmt_number, t
from .package import Package
from .records import Data, period
from .vocab import MASKS

# What the report's text states (II.i.1, CPAFFC by 26 May 2020, both directions; footnote 5, MedShare)
# set against what the package's rows sum to within the same scope: (key, direction, item categories,
# unit or None for any, stated key figure or None where the text states none, scope of the rows, reason).
# Scopes: "table1" = Table 1's rows; "sister_excl_hubei" = rows from a US government to a Chinese
# recipient outside Hubei (the text's US-to-China figures exclude Hubei); "companies" = rows a company gave in the
# row's direction; "none" = no row itemises it.
FACE_MASKS: tuple[str, ...] = ()  # the text's "face masks" are counted apart from masks; no row is labelled so
RECONCILE = [
    ("masks", "cn_to_us", MASKS, None, "kf-cpaffc-cn-masks", "table1", "cn_masks"),
    ("protective_clothing", "cn_to_us", ("protective_clothing",), None, "kf-cpaffc-cn-clothing", "table1", "partial_list"),
    ("gloves", "cn_to_us", ("gloves",), None, "kf-cpaffc-cn-gloves", "table1", "agree"),
    ("goggles", "cn_to_us", ("goggles",), None, "kf-cpaffc-cn-goggles", "table1", "agree"),
    ("shoe_covers", "cn_to_us", ("shoe_covers",), None, "kf-cpaffc-cn-shoe-covers", "table1", "partial_list"),
    ("face_masks", "cn_to_us", FACE_MASKS, None, "kf-cpaffc-cn-face-masks", "table1", "cn_face_masks"),
    ("cash", "cn_to_us", ("cash",), "CNY", None, "table1", "no_text_total"),
    ("masks", "us_to_cn", MASKS, None, "kf-cpaffc-us-masks", "sister_excl_hubei", "us_masks"),
    ("protective_clothing", "us_to_cn", ("protective_clothing",), None, "kf-cpaffc-us-clothing", "sister_excl_hubei", "totals_only"),
    ("goggles", "us_to_cn", ("goggles",), None, "kf-cpaffc-us-goggles", "sister_excl_hubei", "totals_only"),
    ("face_masks", "us_to_cn", FACE_MASKS, None, "kf-cpaffc-us-face-masks", "sister_excl_hubei", "totals_only"),
    ("cash", "us_to_cn", ("cash",), "CNY", "kf-cpaffc-us-cash", "sister_excl_hubei", "us_cash"),
    ("other_equipment", "us_to_cn", ("other",), "CNY", "kf-cpaffc-us-other", "sister_excl_hubei", "totals_only"),
    ("masks", "us_to_cn", MASKS, None, "kf-medshare-masks", "none", "medshare"),
    # II.i.4: CASS's 103 US companies (CNY 538 million, money and materials) and AmCham China's members (more than
    # USD 74 million): set against the companies' rows; the Gates Foundation's grant is a commitment (pledged)
    ("cash", "us_to_cn", ("cash",), "CNY", "kf-cass-amount", "companies", "cass_companies"),
    ("cash", "us_to_cn", ("cash",), "USD", "kf-amcham", "companies", "amcham_members"),
]
CATEGORY_KEYS = {name for name, *_ in RECONCILE}
RECONCILE_COLUMNS = ["direction", "category", "unit", "text_total", "rows_sum", "difference", "other_rows", "pledged",
                     "reason", "text_ref"]


@dataclass(frozen=True)
class OverviewView:
    summary: dict                   # headline counts: what was given, with what was promised counted apart
    category_totals: pd.DataFrame   # what was given (atlas.engine), per direction: never summed together
    region_giving: pd.DataFrame


def view(data: Data, filters: Filters) -> OverviewView | None:
    """The overview's figures for `filters`, or None when no record matches."""
    frame = engine.select(data, filters, promised=True)
    if frame.height == 0:
        return None
    counts = {k: v for k, v in engine.summary_frame(frame).items() if k not in ("places_cn", "places_us")}
    cats = engine.categories(data.records)
    given = frame.filter(engine.counted_expr())
    return OverviewView(counts, _category_totals_columnar(given, cats),
                        _region_giving_columnar(given, data.package.regions, cats))




def category_totals(records: pd.DataFrame) -> pd.DataFrame:
    """Quantity per direction, category and unit (messages counted one each), of pandas records (counted through
    their polars frame)."""
    return _category_totals_columnar(engine.frame_of(records), engine.categories(records))


# --- grouped in polars, then the few grouped rows as pandas for the charts. At a million records 0.7 s became 0.1.

def _category_totals_columnar(frame, cats: dict) -> pd.DataFrame:
    import polars as pl

    keys = ["direction", "category", "unit"]
    g = engine.grouped(frame.lazy().select(*keys, "quantity", "record_no"), keys, cats, quantity=pl.col("quantity").sum(),
                 known=pl.col("quantity").count(),
                 records=pl.col("record_no").n_unique().cast(pl.Int64))
    g["quantity"] = g["quantity"].astype("Float64")
    g = engine.stated(g)
    return g[g["records"] > 0]


def _region_giving_columnar(frame, regions: pd.DataFrame, cats: dict) -> pd.DataFrame:
    import polars as pl

    c = pl.col
    lazy = frame.lazy().select("record_kind", "record_no", "from_admin1", "to_admin1", "category", "quantity")
    don, msg = lazy.filter(c("record_kind") == "donation"), lazy.filter(c("record_kind") == "message")
    rows = []
    for role, key in (("gave", "from_admin1"), ("received", "to_admin1")):
        g = engine.grouped(don, [key], cats, donations=c("record_no").n_unique().cast(pl.Int64)).rename(columns={key: "admin1"})
        masks = engine.grouped(don.filter(c("category").is_in(list(MASKS))), [key], cats, masks=c("quantity").sum())
        masks = masks.assign(masks=masks["masks"].astype("Float64")).rename(columns={key: "admin1"})
        g = g.merge(masks, on="admin1", how="left")
        g["role"] = role
        rows.append(g)
    for role, key in (("sent_messages", "from_admin1"), ("received_messages", "to_admin1")):
        g = engine.grouped(msg, [key], cats, messages=c("record_no").n_unique().cast(pl.Int64)).rename(columns={key: "admin1"})
        g["role"] = role
        rows.append(g)
    return _region_table(rows, regions)


def _region_table(rows: list[pd.DataFrame], regions: pd.DataFrame) -> pd.DataFrame:
    out = pd.concat(rows, ignore_index=True)
    out = out[(out["admin1"] != "")]
    out = out.merge(regions[["admin1", "country", "name_en", "name_zh"]], on="admin1", how="left")
    for c in ("donations", "masks", "messages"):
        out[c] = out[c].fillna(0).astype(int) if c in out else 0
    return out


def region_giving(records: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """For each province and state: donations given and received (records) and masks, for comparison charts (of
    pandas records, counted through their polars frame)."""
    return _region_giving_columnar(engine.frame_of(records), regions, engine.categories(records))


def reconciliation_view(data: Data) -> pd.DataFrame:
    """`reconciliation` of the loaded package (the whole record, unfiltered), from its columnar records when there
    are some (one pass over them rather than the package's tables)."""
    return _reconciliation_columnar(data.package, data.frame)


def _reconciliation_columnar(pkg: Package, frame) -> pd.DataFrame:
    import polars as pl
    kf = pkg.key_figures.set_index("figure_id")
    c = pl.col
    don = frame.lazy().filter(c("record_kind") == "donation")  # one query, no filtered copy of the records
    scopes = {"table1": c("source_ref").str.starts_with("Table 1,").fill_null(False),
              "sister_excl_hubei": ((c("from_kind") == "government").fill_null(False)
                                    & (c("to_admin1") != "CN-HB").fill_null(True)),
              "companies": (c("from_kind") == "company").fill_null(False),
              "none": pl.lit(False)}
    pledged = ~engine.counted_expr()  # pledged or committed: the engine's rule
    total = lambda mask: c("quantity").filter(mask).sum()
    sums, rows = [], []
    for i, (name, direction, cats, unit_wanted, fid, scope, reason) in enumerate(RECONCILE):
        if fid is not None and fid not in kf.index:
            continue
        it = (c("direction") == direction).fill_null(False) & c("category").is_in(list(cats)).fill_null(False)
        if unit_wanted:
            it &= (c("unit") == unit_wanted).fill_null(False)
        scoped = scopes[scope] & (c("direction") == direction).fill_null(False) if scope in ("sister_excl_hubei", "companies") \
            else scopes[scope]
        delivered = it & ~pledged
        sums += [total(delivered & scoped).alias(f"in{i}"), total(delivered & ~scoped).alias(f"out{i}"),
                 total(it & pledged).alias(f"pl{i}")]
        rows.append((i, name, direction, unit_wanted, fid, reason))
    got = don.select(sums).collect().row(0, named=True) if sums else {}
    return _reconcile_table([_reconcile_row(kf, name, direction, unit_wanted, fid, reason, int(got[f"in{i}"] or 0),
                                            int(got[f"out{i}"] or 0), int(got[f"pl{i}"] or 0))
                             for i, name, direction, unit_wanted, fid, reason in rows])


def _reconcile_row(kf: pd.DataFrame, name: str, direction: str, unit_wanted, fid, reason: str, rows_sum: int,
                   other_rows: int, pledged: int) -> dict:
    """One line of the reconciliation: the text's stated total (if any) beside the sums of the rows."""
    stated = int(float(kf.at[fid, "value"])) if fid else None
    return {"direction": direction, "category": name, "unit": unit_wanted or (kf.at[fid, "unit"] if fid else ""),
            "text_total": stated, "rows_sum": rows_sum, "difference": None if stated is None else rows_sum - stated,
            "other_rows": other_rows, "pledged": pledged, "reason": reason,
            "text_ref": kf.at[fid, "source_ref"] if fid else ""}


def _reconcile_table(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=RECONCILE_COLUMNS)
    for col in ("text_total", "difference"):
        out[col] = out[col].astype("Int64")
    return out


def reconciliation(pkg: Package) -> pd.DataFrame:
    """Both directions, per category, cash included: what the report's text states beside what the package's
    rows in the same scope sum to, the difference, the delivered rows outside that scope, the pledged
    ones (never summed in) and a reason code (``reconcile.reason.<code>``). A figure the package lacks
    is left out; a category the text states nothing for keeps an empty ``text_total``."""
    from .records import flow_records
    records = flow_records(pkg)
    return _reconciliation_columnar(pkg, engine.frame_of(records))


# What each headline card's caption sets beside its number: key figures stated in the text.
HEADLINE_STATED = {"masks_cn_to_us": {"stated": "kf-cpaffc-cn-masks"},
                   "masks_us_to_cn": {"cpaffc": "kf-cpaffc-us-masks", "medshare": "kf-medshare-masks"}}
HEADLINE_CARDS = ("masks_cn_to_us", "masks_us_to_cn", "donations", "messages")


def headline(summary: dict, pkg: Package) -> list[dict]:
    """The four headline cards: key, number and the values their captions name (pledges apart, the text's
    stated totals beside). Captions are `headline.caption.<key>`; `pledged` is None when nothing is pledged."""
    cards = []
    for key in HEADLINE_CARDS:
        card = {"key": key, "value": summary[key], "pledged": None, "stated": {}, "government": None}
        if key.startswith("masks_"):
            card["pledged"] = summary[f"{key}_pledged"] or None
            card["government"] = summary.get(f"{key}_government")
            card["stated"] = {name: stated(pkg, fid) for name, fid in HEADLINE_STATED[key].items()}
        elif key == "donations":
            card["stated"] = {"cn": summary["donations_cn_to_us"], "us": summary["donations_us_to_cn"],
                              "pledged": summary["donations_pledged"]}
        cards.append(card)
    return cards


def headline_caption(card: dict, lang: str) -> str:
    """A headline card's caption, true for its own number: what it counts, its pledges apart, the text's totals."""
    n = lambda v: fmt_number(v, lang)
    pledged = t("headline.pledged", lang, n=n(card["pledged"])) if card["pledged"] else ""
    kw = {k: n(v) for k, v in card["stated"].items()}
    if card["key"].startswith("masks_"):
        kw["pledged"] = pledged
    givers = ""
    if card.get("government") is not None and card["value"]:
        # who gave: governments apart from foundations, companies, universities and people (never one "province")
        givers = ("" if lang == "zh" else " ") + t("headline.caption.givers", lang, government=n(card["government"]),
                         others=n(card["value"] - card["government"]))
    return t(f"headline.caption.{card['key']}", lang, **kw) + givers


def headline_of(view: OverviewView, data: Data, filters: Filters, lang: str) -> dict:
    """`headline_shown` of an overview view: a step of `components.data.view`, so made once per view and language."""
    return headline_shown(view.summary, data.package, lang, filters != Filters())


def headline_shown(summary: dict, pkg: Package, lang: str, filtered: bool = False) -> dict:
    """What the headline shows, in `lang`: each card's (label, number, caption) and the source line under them
    (the sister relationships on record, and those inferred). Made once per view and language (`headline_of`). With
    `filtered`, a caption that cites the text's totals says they are of every place, not of the selection."""
    scope = " " + t("headline.caption.all_places", lang) if filtered else ""
    cards = [(t(f"headline.{c['key']}", lang), fmt_number(c["value"], lang),
              headline_caption(c, lang) + (scope if c["stated"] and c["key"].startswith("masks") else ""))
             for c in headline(summary, pkg)]
    pairs = engine.on_record(pkg)
    source = t("headline.source", lang, pairs=fmt_number(pairs, lang), inferred=fmt_number(len(pkg.pairings) - pairs, lang))
    return {"cards": cards, "source": source}


def stated(pkg: Package, figure_id: str) -> int | None:
    """A key figure's value, or None when the package lacks it (a lookup in the 73 rows, not an index built on
    every rerun: the headline asks three times per rerun)."""
    kf = pkg.key_figures
    hit = np.flatnonzero((kf["figure_id"] == figure_id).to_numpy(dtype=bool))
    return int(float(kf["value"].iloc[hit[0]])) if len(hit) else None


def timeline_figures(kf: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Key figures with a value or a description, within the filters' months."""
    d = kf[kf["value"].notna() | kf["description"].ne("")]
    start, end = period(d["date"])
    keep = pd.Series(True, index=d.index)
    if filters.date_from:
        keep &= end >= filters.date_from
    if filters.date_to:
        keep &= start <= filters.date_to
    return d[keep]

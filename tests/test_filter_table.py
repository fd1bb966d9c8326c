"""The filter table drives everything: a NEW table (atlas.filters.FIELDS plus one field) works from the table alone.

The extra field is a "status" filter on the records' `status` column (donated / pledged; messages are
"sent"), with URL key `status`, Filters attribute `statuses` and display names from `status.<code>`.
Nothing outside the table knows about it, so every check below fails if the URL parsing, the URL
writing, the file-name slug, the "Filtered by" words, the record matching, the generated Filters class
or the sidebar hard-codes the list of fields.
"""
from dataclasses import FrozenInstanceError, fields

import polars as pl

import pytest
from streamlit.testing.v1 import AppTest

from atlas import i18n
from tests.conftest import matching
from atlas.filters import (FIELDS, Field, Filters, active, defaults, describe, filter_attributes, filters_class,
                           filters_of, only, parse_query, slug, to_query)

STATUSES = ("donated", "pledged")
STATUS = Field("status", "multi", lambda vocab: {s: s for s in STATUSES}, (), attrs=("statuses",),
               pages=("overview", "flows"), widget="multiselect", names="status",
               expr=lambda codes: pl.col("status").cast(pl.String).is_in(list(codes)).fill_null(False))
TABLE = FIELDS + (STATUS,)
StatusFilters = filters_class(TABLE)


def test_the_generated_filters_class_has_one_attribute_per_filter_value():
    names = [f.name for f in fields(StatusFilters)]
    assert names == [f.name for f in fields(Filters)] + ["statuses"]
    assert StatusFilters().statuses == () and StatusFilters().provinces == () and StatusFilters().direction == "both"
    assert (StatusFilters().date_from, StatusFilters().date_to) == (None, None)
    f = StatusFilters(statuses=("pledged",))
    assert f == StatusFilters(statuses=("pledged",)) and f != StatusFilters() and hash(f) == hash(StatusFilters(statuses=("pledged",)))
    with pytest.raises(FrozenInstanceError):
        f.statuses = ()
    # The app's own class is declared (atlas.filters.Filters) and is the one of FIELDS; its attributes and defaults are
    # the table's, so the declaration cannot drift from it.
    assert filters_class(FIELDS) is Filters and issubclass(StatusFilters, Filters)
    assert [(f.name, f.default) for f in fields(Filters)] == filter_attributes(FIELDS)


def test_the_new_key_is_parsed_from_the_url(vocab):
    r = parse_query({"status": ["pledged", "sideways", "pledged"], "province": ["Fujian"]}, vocab, table=TABLE)
    assert r.state["status"] == ("pledged",) and r.state["province"] == ("CN-FJ",)
    assert r.warnings == [("status", "sideways", "unknown")]
    assert filters_of(r.state, TABLE, StatusFilters) == StatusFilters(provinces=("CN-FJ",), statuses=("pledged",))
    # Without the field in the table, the same key is unknown: the table alone decides.
    plain = parse_query({"status": ["pledged"]}, vocab)
    assert "status" not in plain.state and plain.warnings == [("status", "", "unknown_key")]


def test_parse_result_filters_are_of_the_tables_class(vocab):
    r = parse_query({"status": ["pledged"]}, vocab, table=TABLE)
    assert r.filters.statuses == ("pledged",)


def test_round_trip_slug_and_defaults(vocab):
    state = {**defaults(TABLE, vocab), "province": ("CN-FJ",), "status": ("pledged",), "lang": "zh"}
    q = to_query(state, vocab, table=TABLE)
    assert q == {"province": ["Fujian"], "status": ["pledged"], "lang": ["zh"]}  # filters first, then view options
    assert parse_query(q, vocab, table=TABLE).state == state
    f = filters_of(state, TABLE, StatusFilters)
    assert to_query(f, vocab, table=TABLE) == {"province": ["Fujian"], "status": ["pledged"]}
    assert slug(f, vocab, table=TABLE) == "province-Fujian_status-pledged"
    assert slug(StatusFilters(statuses=STATUSES), vocab, table=TABLE) == "status-donated+pledged"
    assert to_query(defaults(TABLE, vocab), vocab, table=TABLE) == {}
    assert defaults(TABLE)["status"] == () and set(defaults(TABLE)) == {f.name for f in TABLE}
    assert active(state, TABLE) == ["province", "status"]
    assert only(f, ["status"], TABLE) == StatusFilters(statuses=("pledged",))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_describe_names_the_new_filter_in_the_readers_language(vocab, lang):
    f = StatusFilters(provinces=("CN-FJ",), statuses=("pledged",))
    colon, separator = {"en": (": ", "; "), "zh": ("：", "；")}[lang]  # full-width in Chinese (issue #31)
    province = f"{i18n.t('filter.province', lang)}{colon}{vocab.region_name('CN-FJ', lang)}"
    assert describe(f, lang, vocab, table=TABLE) == f"{province}{separator}{i18n.t('status.pledged', lang)}"
    assert describe(f, lang, vocab, names=("status",), table=TABLE) == i18n.t("status.pledged", lang)
    assert describe(StatusFilters(), lang, vocab, table=TABLE) == i18n.t("filters.none", lang)
    assert i18n.t("status.pledged", "zh") == "已认捐" and i18n.t("status.committed", "zh") == "已承诺"


@pytest.mark.parametrize("statuses, province", [(("pledged",), None), (("donated",), None), (STATUSES, None),
                                                (("pledged",), "CN-JS"), (("donated",), "CN-FJ")])
def test_match_keeps_the_records_of_the_chosen_statuses(records, statuses, province):
    f = StatusFilters(statuses=statuses, provinces=(province,) if province else ())
    got = matching(records, f, table=TABLE)
    keep = records["status"].isin(statuses)
    if province:
        keep &= records["cn_admin1"].astype(str) == province
    assert got.index.tolist() == records.index[keep].tolist()
    # item lines; the 31 messages are "sent", and the 5 lines dated reports say arrived are "delivered"
    counts = {("pledged",): 2, ("donated",): 101, STATUSES: 103}
    if not province:
        assert len(got) == counts[statuses]
    if statuses == ("pledged",) and province == "CN-JS":
        assert got["record_id"].tolist() == ["t-wuxi-san-antonio"]  # Wuxi's 30,000 masks pledged to San Antonio
    assert len(matching(records, StatusFilters(), table=TABLE)) == len(records)


# --- the sidebar renders the table it is given ---------------------------------------------------

def sidebar_script(table):
    """The shared sidebar over `table`. components.url_state parses the URL with atlas.filters.FIELDS only, so
    the state is seeded from the same table here (the key atlas_state is the canonical state)."""
    import streamlit as st

    from atlas.filters import parse_query
    from components import data, sidebar, url_state

    if url_state.STATE not in st.session_state:
        params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
        st.session_state[url_state.STATE] = parse_query(params, data.vocab(), table=table).state
    sidebar.render(fields=table)


LABELS = {"en": "Donation status", "zh": "捐赠状态"}


@pytest.fixture
def status_labels(monkeypatch):
    """The locale strings a new field brings: filter.status in both catalogues."""
    original = i18n.catalogue
    monkeypatch.setattr(i18n, "catalogue", lambda lang: {**original(lang), "filter.status": LABELS[lang]})
    return LABELS


def sidebar_widgets(at: AppTest) -> list[tuple[str, str]]:
    return [(el.key, el.label) for el in at.sidebar if isinstance(getattr(el, "key", None), str) and hasattr(el, "label")
            and el.key.startswith("filter_")]


def expected_widgets(f, lang: str) -> list[tuple[str, str]]:
    """(key, label) of a field's widgets: one, or for the date field (widget "months") its presets, From and To."""
    key, label = f"filter_{f.name}_0", i18n.t(f"filter.{f.name}", lang)
    if f.widget == "months":
        return [(key + "_preset", label), (key + "_from", i18n.t("dates.from", lang)), (key + "_to", i18n.t("dates.to", lang))]
    return [(key, label)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sidebar_renders_one_widget_per_sidebar_field(status_labels, lang):
    at = AppTest.from_function(sidebar_script, args=(TABLE,), default_timeout=60)
    at.query_params["status"] = "pledged"
    at.query_params["province"] = "Fujian"
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    expected = [w for f in TABLE if f.sidebar for w in expected_widgets(f, lang)]
    assert sidebar_widgets(at) == expected
    assert ("filter_status_0", status_labels[lang]) in expected
    status = at.multiselect(key="filter_status_0")
    assert status.value == ["pledged"]
    assert status.options == [i18n.t(f"status.{s}", lang) for s in STATUSES]
    assert at.multiselect(key="filter_province_0").value == ["CN-FJ"]
    # The widget writes back to the state, and the state gives the table's filters.
    status.select("donated").run()
    state = at.session_state["atlas_state"]
    assert state["status"] == ("pledged", "donated")
    assert filters_of(state, TABLE, StatusFilters).statuses == ("pledged", "donated")
    assert sidebar_widgets(at) == expected, "a reader's change does not re-create the widgets"


def test_the_sidebar_of_the_app_table_has_no_status_widget():
    """The control: over FIELDS, the same script renders no status widget (the widget comes from the table)."""
    at = AppTest.from_function(sidebar_script, args=(FIELDS,), default_timeout=60)
    at.run()
    assert not at.exception
    keys = [k for k, _ in sidebar_widgets(at)]
    assert keys == [k for f in FIELDS if f.sidebar for k, _ in expected_widgets(f, "en")] and "filter_status_0" not in keys


def test_a_new_filter_works_in_production_on_the_polars_records(atlas_data):
    """Issue 29: a Field without a polars `expr` crashed production, and the extension test only ran a pandas
    `match`: now a field is a filter by its expression, the one engine's (atlas.engine)."""
    from atlas.filters import kept
    got = kept(atlas_data.frame, StatusFilters(statuses=("pledged",), provinces=("CN-JS",)), table=TABLE)
    assert set(atlas_data.records.iloc[got["row"].to_numpy()]["record_id"]) == {"t-wuxi-san-antonio"}
    pledged = kept(atlas_data.frame, StatusFilters(statuses=("pledged",)), table=TABLE)
    assert pledged.height == 2
    assert not Field("view_option", "multi").is_filter  # without an expression a field narrows nothing


def test_a_new_kind_of_filter_is_one_subclass(monkeypatch, vocab, atlas_data):
    """Issue 29: each kind of filter owns its parsing, URL writing, words and polars expression (atlas.filters.Kind,
    as Datasette's Filter subclasses own theirs). A kind no field had before, "at least N", is one subclass and
    one entry of KINDS: the link, the words, the slug and the production records follow from it."""
    from atlas import filters as F

    class AtLeast(F.Kind):
        name, widget = "at_least", "text"

        def parse(self, f, read):
            vs = read.values(f.url_keys[0])
            if vs and not vs[0].isdigit():
                read.warn(f.url_keys[0], F.shown(vs[0]), "unknown")
            return int(vs[0]) if vs and vs[0].isdigit() else None

        def words(self, f, value, lang, vocab):
            return f"≥ {value:,}"

        def expr(self, f, value):
            return (pl.col(f.column) >= value).fill_null(False)

    monkeypatch.setitem(F.KINDS, "at_least", AtLeast())
    field = Field("min", "at_least", default=None, pages=("flows",), column="quantity")
    table = FIELDS + (field,)
    assert field.widget == "text" and field.is_filter
    r = parse_query({"min": ["1000000"], "province": ["Fujian"], "lang": ["zh"]}, vocab, table=table)
    assert r.state["min"] == 1_000_000 and not r.warnings
    assert to_query(r.state, vocab, table=table) == {"province": ["Fujian"], "min": ["1000000"], "lang": ["zh"]}
    assert parse_query({"min": ["lots"]}, vocab, table=table).warnings == [("min", "lots", "unknown")]
    cls = filters_class(table)
    big = cls(min=1_000_000)
    assert describe(big, "en", vocab, table=table) == "≥ 1,000,000"
    assert slug(big, vocab, table) == "min-1000000"
    from atlas.filters import kept
    got = kept(atlas_data.frame, big, table=table)
    # Table 1 row 15 (the Heren Charitable Foundation's 1,000,000 masks), Qualcomm's CNY 7 million, the Gates
    # Foundation's USD 5 million pledge: the filter's own rule, nothing else (the engine leaves the pledge out later)
    assert set(atlas_data.records.iloc[got["row"].to_numpy()]["record_id"]) == {"t1-15", "t-qualcomm-redcross", "t-gates-china"}
    assert kept(atlas_data.frame, cls(min=1_000_000, provinces=("CN-FJ",)), table=table).height == 1
    with pytest.raises(ValueError, match="unknown kind"):
        Field("nothing", "no_such_kind")

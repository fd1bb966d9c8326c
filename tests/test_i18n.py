"""atlas.i18n: both languages, everywhere (the catalogues agree, no page shows an untranslated interface
string), and text from the data or the URL made safe for markdown.

Hostile markup (issues #4 and #7): `md` escapes every markdown character, so a link, emphasis, code
or maths typed into a URL shows as typed in the app's warnings; and no Python file of the app opens an
HTML channel (unsafe_allow_html, st.html, components.html) for anything but literal text.
"""
import ast
import json
import re
import string
from pathlib import Path

import pytest
from google.protobuf.message import Message

from atlas import i18n
from tests.conftest import LINK, PAGES, ROOT, assert_markdown_safe, rendered, run_app, visible

CJK = re.compile(r"[\u4e00-\u9fff]")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogues_have_the_same_keys_and_placeholders():
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh")
    assert sorted(set(en) ^ set(zh)) == []
    assert {k: placeholders(en[k]) for k in en} == {k: placeholders(zh[k]) for k in zh}
    # A string is empty in both languages or in neither (e.g. reason.flows: every filter applies there).
    assert [k for k in en if bool(en[k].strip()) != bool(zh[k].strip())] == []


def test_catalogues_are_valid_json_without_duplicate_keys():
    for lang in i18n.LANGS:
        pairs = json.loads((ROOT / "atlas" / "locales" / f"{lang}.json").read_text(encoding="utf-8"),
                           object_pairs_hook=lambda kv: kv)
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), lang


def test_every_literal_key_in_the_code_is_in_the_catalogue():
    used = set()
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "components").glob("*.py"),
                 *(ROOT / "atlas").glob("*.py")]:
        used |= set(re.findall(r"\bt\(\s*[\"']([a-z_]+\.[A-Za-z0-9_.+]+)[\"']", path.read_text(encoding="utf-8")))
    used = {k for k in used if not k.endswith(("_", "."))}  # prefixes completed at run time, e.g. "unit.currency_" + code
    assert len(used) > 50
    assert sorted(used - set(i18n.catalogue("en"))) == []


def test_english_resource_descriptions_are_the_packages_own():
    from atlas.package import load_package
    for r in load_package().descriptor["resources"]:
        assert i18n.t(f"resource.{r['name']}", "en") == r["description"]


def test_a_missing_key_is_recorded():
    assert i18n.t("no.such_key", "zh") == i18n.md("no.such_key")  # the key shown, escaped
    assert ("zh", "no.such_key") in i18n.missing()


def _strings(msg: Message, out: list[str]) -> None:
    for fd, value in msg.ListFields():
        if fd.name in ("id", "form_id", "deferred_file_id", "uuid", "styles", "icon", "data", "arrow_data"):
            continue
        items = value if hasattr(value, "__len__") and not isinstance(value, (str, bytes, Message)) else [value]
        for v in items:
            if isinstance(v, Message):
                _strings(v, out)
            elif isinstance(v, str) and v[:1] in "{[":
                try:
                    _json_leaves(json.loads(v), out)  # chart and map specs: their strings one by one
                except ValueError:
                    out.append(v)
            elif isinstance(v, str):
                out.append(v)


def _json_leaves(value, out: list[str]) -> None:
    if isinstance(value, dict):
        for v in value.values():
            _json_leaves(v, out)
    elif isinstance(value, list):
        for v in value:
            _json_leaves(v, out)
    elif isinstance(value, str):
        out.append(value)


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def rendered_text(at) -> list[str]:
    """Every string the page sends to the browser except data: labels, bodies, options, help, chart specs, headers.

    (AppTest has no public way to walk every element: this reads its `_tree`.)"""
    out: list[str] = []
    for node in _nodes(at._tree):
        if isinstance(getattr(node, "proto", None), Message):
            _strings(node.proto, out)
    return out


def english_fragments() -> set[str]:
    """Pieces of English interface text long enough to be recognised, from strings whose Chinese differs.

    A piece that also occurs in the data (source titles, quoted descriptions, evidence) cannot tell a
    leaked label from a data value, which is shown as the source wrote it, so it is left out.
    """
    from atlas.package import load_package
    pkg = load_package()
    corpus = "\n".join(str(v) for df in pkg.tables.values() for col in df.columns if df[col].dtype == object or
                       str(df[col].dtype) in ("str", "string") for v in df[col].dropna().unique())
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh")
    fragments = set()
    for key, text in en.items():
        if zh[key] == text:
            continue
        for piece in re.split(r"\{[^}]*\}", text):
            piece = piece.strip(" .,:;()–—“”'\"")
            if len(piece) >= 12 and re.search(r"[a-z]{3}", piece) and piece not in corpus:
                fragments.add(piece)
    return fragments


def data_corpus() -> str:
    from atlas.package import load_package
    pkg = load_package()
    return "\n".join([json.dumps(pkg.descriptor, ensure_ascii=False)] +
                     [str(v) for df in pkg.tables.values() for col in df.columns for v in df[col].dropna().astype(str).unique()])


@pytest.fixture(scope="module")
def fragments():
    return english_fragments()


@pytest.fixture(scope="module")
def corpus():
    return data_corpus()


ENGLISH_RUN = re.compile(r"[A-Za-z][a-z]+(?: [A-Za-z][a-z]+){3,}")  # four or more English words in a row


@pytest.mark.app
@pytest.mark.parametrize("params", [{}, {"province": "Hubei"}, {"state": "Ohio", "direction": "us_to_cn"}],
                         ids=["none", "Hubei", "Ohio-us_to_cn"])
@pytest.mark.parametrize("page_file", PAGES)
def test_every_page_in_chinese_shows_no_english_interface_text(page_file, params, fragments, corpus):
    before = i18n.missing()
    at = run_app({"lang": "zh", **params}, page_file)
    assert not at.exception
    texts = rendered_text(at)
    assert CJK.search(at.title[0].value), at.title[0].value
    leaked = sorted({f for f in fragments for s in texts if f in s})
    assert leaked == []
    # English text from anywhere (e.g. a string hard-coded in Python) that is not a data value.
    english = sorted({m.group(0) for s in texts for m in ENGLISH_RUN.finditer(s.replace("\\", ""))
                      if m.group(0) not in corpus})
    assert english == []
    assert i18n.missing() - before == set()
    # Every table on the page has a Chinese header for every column.
    for df in at.dataframe:
        config = json.loads(df.proto.columns or "{}")
        headers = [config.get(c, {}).get("label") or c for c in df.value.columns]
        if page_file != "pages/data_sources.py" or df is not at.dataframe[0]:  # the package browser keeps field names
            assert all(h and (CJK.search(h) or h.startswith("ISO") or h.strip() == "") for h in headers), headers


@pytest.mark.app
@pytest.mark.parametrize("page_file", PAGES)
def test_every_page_in_english_uses_only_known_keys(page_file):
    before = i18n.missing()
    at = run_app({"province": "Fujian"}, page_file)
    assert not at.exception
    assert not any(CJK.search(s) for s in (at.title[0].value, *(m.value for m in at.markdown[:3])))
    assert i18n.missing() - before == set()


# --- md: data and URL text in markdown -----------------------------------------------------------

@pytest.mark.parametrize("text", [LINK, "**bold** _it_ `code` $x^2$", "<img src=x onerror=alert(1)>", "# heading",
                                  "a | b\n--- | ---", "1. item", "~~gone~~", "\\*escaped\\*"])
def test_md_shows_the_characters_typed(text):
    out = rendered(i18n.md(text))
    # U+2060 (word joiner, invisible) is what keeps a bare URL or address from becoming an autolink (issue #17)
    assert visible(i18n.md(text)).strip().replace("\u2060", "") == text.replace("\n", " ")
    assert not re.search(r"<(a|strong|em|code|img|h1|table|ol|del)\b", out), out


def test_md_of_nothing_is_empty():
    assert i18n.md(None) == "" and i18n.md(12) == "12"


def test_markdown_in_a_link_is_shown_not_rendered():
    at = run_app({"province": LINK, "state": "**bold** _it_ `code` $x^2$"})
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2
    assert any(LINK in visible(w) for w in warnings), [visible(w) for w in warnings]
    assert any("**bold** _it_ `code` $x^2$" in visible(w) for w in warnings), [visible(w) for w in warnings]
    for w in warnings:
        out = rendered(w)
        assert "<a " not in out and "<strong>" not in out and "<em>" not in out and "<code>" not in out, out
    assert_markdown_safe(at)


# Guard: no HTML channel from Python code to the page. A call with unsafe_allow_html (other than =False),
# st.html or components.html is allowed only with literal text, never with a value computed from data.
APP_FILES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "components").glob("*.py"))]


def html_channels(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        literal = all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
        unsafe = any(k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                     for k in node.keywords)
        func = ast.unparse(node.func)
        raw_html = func.endswith(("st.html", "components.html", "v1.html")) or func == "html"
        if (unsafe or raw_html) and not literal:
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)[:100]}")
    return found


def test_no_raw_html_with_data_in_the_app():
    assert len(APP_FILES) > 8
    offenders = [hit for path in APP_FILES for hit in html_channels(path)]
    assert offenders == [], offenders


def test_html_guard_catches_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit as st\nname = 'x'\n"
                      "st.markdown(f'<b>{name}</b>', unsafe_allow_html=True)\n"
                      "st.html(name)\n"
                      "st.markdown('<br>', unsafe_allow_html=True)\n"
                      "st.markdown(name, unsafe_allow_html=False)\n", encoding="utf-8")
    assert [int(hit.split(":")[1]) for hit in html_channels(sample)] == [3, 4]


def test_short_numbers_read_the_way_each_locale_writes_them():
    from atlas.i18n import fmt_money, fmt_short, fmt_tick
    assert fmt_money(538_000_000, "CNY", "en") == "CNY 538 million"
    assert fmt_money(538_000_000, "CNY", "zh") == "5.38亿元"
    assert fmt_money(290_000_000 / 6.9, "USD", "en") == "USD 42 million"  # not 42,028,986
    assert fmt_short(52_000_000, "zh") == "5,200万" and fmt_short(1_390_400, "en") == "1.39 million"
    assert fmt_short(15_500_000_000, "en") == "15.5 billion" and fmt_short(15_500_000_000, "zh") == "155亿"
    assert fmt_short(3_000, "en") == "3,000" and fmt_short(74_000, "zh") == "7.4万"
    assert [fmt_tick(v, "en") for v in (0, 500_000, 20_000_000, 2.5e9)] == ["0", "500k", "20M", "2.5B"]
    assert [fmt_tick(v, "zh") for v in (0, 5_000, 20_000_000, 2.5e9)] == ["0", "5,000", "2,000万", "25亿"]


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_key_figure_has_a_curated_chinese_actor_and_description(bundled):
    kf = bundled.key_figures
    missing = kf[(kf["actor_zh"] == "") | (kf["description_zh"] == "")]["figure_id"].tolist()
    assert missing == []
    assert all(CJK.search(x) for x in kf["description_zh"])
    cass = kf.set_index("figure_id").loc["kf-cass-amount"]
    assert (cass["actor_zh"], cass["description_zh"]) == ("中国社会科学院", "上述美国企业捐赠总额")


def test_chinese_corporate_page_shows_chinese_figures_and_marked_title_translations():
    from tests.test_pages import run
    at = run({"lang": "zh"}, "pages/corporate.py")
    labels = [m.label.replace("\\", "") for m in at.metric]
    assert "中国社会科学院" in labels and "高通" in labels and not any("Academy" in x for x in labels)
    captions = " ".join(c.value.replace("\\", "") for c in at.caption)
    assert "上述美国企业捐赠总额" in captions and "Total donated by those US companies" not in captions
    assert "中文译名，本图谱自译：新冠疫情下的中美民间合作" in captions  # the original title stays beside it
    assert "China-US non-governmental cooperation in response to COVID-19" in captions


def test_chinese_timeline_and_domestic_charts_use_the_chinese_descriptions(bundled):
    from atlas import corporate, overview
    from atlas.filters import Filters
    from components import charts
    chart = charts.build_timeline_chart(overview.timeline_figures(bundled.key_figures, Filters()), "zh", "来源", "无筛选")
    hover = " ".join(str(c[1]) for trace in chart.figure.data for c in trace.customdata)
    assert "上述美国企业捐赠总额" in hover and "Total donated by those US companies" not in hover
    online = charts.build_figures_chart(corporate.domestic_figures(bundled.key_figures, "online"), "x", "T", "U", "zh", "S")
    assert all(CJK.search(str(y)) for y in online.figure.data[0].y)


def test_a_missing_keys_fallback_cannot_become_markup():
    # issue #30 item 8: t() showed an unknown key as it is, so a code "[x](https://evil.example/cat)" in the data
    # became a live markdown link wherever its label was shown
    from atlas.i18n import md, t
    key = "category.[x](https://evil.example/cat)"
    for lang in ("en", "zh"):
        shown = t(key, lang)
        assert shown == md(key), shown
        assert "[x](" not in shown and "https://" not in shown
    assert "\\" not in t("page.flows", "en")  # a real key's text is not escaped


# --- Chinese punctuation (issue #31): full-width between Chinese characters --------------------------------------

# A Chinese character, or Chinese (full-width) punctuation, on each side of an ASCII `:` `;` `,` or `(`.
HAN = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
ASCII_BETWEEN_HAN = re.compile(rf"{HAN} *[:;,(] *{HAN}")


def ascii_punctuation(texts) -> list[str]:
    """Each place where ASCII punctuation sits between Chinese characters, with a little context."""
    out = []
    for s in texts:
        s = s.replace("\\", "")  # markdown escapes
        for m in ASCII_BETWEEN_HAN.finditer(s):
            out.append(s[max(0, m.start() - 12):m.end() + 12])
    return sorted(set(out))


def test_the_check_finds_ascii_punctuation_between_chinese_characters():
    assert ascii_punctuation(["中国省份: 福建; 美国州: 俄亥俄州", "重庆市, 柳州市", "口罩(个)", "（中国→美国）, 福建"]) != []
    assert len(ascii_punctuation(["中国省份: 福建", "重庆市, 柳州市", "口罩(个)", "（中国→美国）, 福建"])) == 4
    assert ascii_punctuation(["中国省份：福建；美国州：俄亥俄州", "重庆市、柳州市", "口罩（个）", "合作图谱 (Cooperation Atlas)",
                              "Table 1, row 12", "10:30"]) == []


def test_chinese_strings_use_full_width_punctuation():
    # a placeholder stands for a Chinese value (a place, a number written the Chinese way)
    texts = [re.sub(r"\{[^}]*\}", "中", v) for v in i18n.catalogue("zh").values()]
    assert ascii_punctuation(texts) == []


@pytest.mark.parametrize("params", [{}, {"province": ["Fujian", "Chongqing"], "state": "Ohio", "category": "surgical_mask",
                                         "from": "2020-01", "to": "2020-05"}],
                         ids=["none", "several-filters"])
@pytest.mark.parametrize("page_file", PAGES)
def test_every_chinese_page_uses_full_width_punctuation(page_file, params):
    at = run_app({"lang": "zh", **params}, page_file)
    assert not at.exception
    assert ascii_punctuation(rendered_text(at)) == []


def test_chinese_numbers_are_exact_and_never_rounded_up_to_a_rounder_one():
    """Issue 29: 999,950 read "100万" (a round million where the source has 999,950)."""
    from atlas.i18n import fmt_number
    assert fmt_number(999_950, "zh") == "99.995万" and fmt_number(2_634_076, "zh") == "263.4076万"
    assert fmt_number(1_000_000, "zh") == "100万" and fmt_number(538_000_000, "zh") == "5.38亿"


def test_pairs_of_places_are_dui_and_pairs_of_gloves_fu(bundled):
    # issue #29 item 7: the Chinese pages counted sister relationships with 副 (a pair of gloves), not 对
    from atlas.i18n import fmt_unit
    kf = bundled.key_figures.set_index("figure_id")
    sister = kf[(kf["theme"] == "sister_cities") & kf["unit"].str.startswith("pairs")]
    assert len(sister) >= 10 and {fmt_unit(u, "zh") for u in sister["unit"]} == {"对"}
    assert {fmt_unit(u, "en") for u in sister["unit"]} == {"pairs"}
    assert fmt_unit(kf.loc["kf-cpaffc-cn-gloves", "unit"], "zh") == "副"
    assert fmt_unit(kf.loc["kf-cpaffc-us-goggles", "unit"], "zh") == "副"


def test_a_total_whose_levels_are_not_stated_is_not_called_all_levels_in_chinese(bundled):
    # issue #29 item 7: 2018's 201 "sister-city pairs" (levels not stated) was 各级合计 (all levels together) in Chinese
    kf = bundled.key_figures.set_index("figure_id")
    assert "not stated" in kf.loc["kf-sister-total-2018", "description"]
    words = kf.loc["kf-sister-total-2018", "description_zh"]
    assert "（各级合计）" not in words and "未说明统计了哪些层级" in words

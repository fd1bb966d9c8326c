"""Both languages, everywhere: the catalogues agree, and no page shows an untranslated interface string."""
import json
import re
import string

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from atlas import i18n
from tests.conftest import ROOT

PAGES = ["pages/overview.py", "pages/flows.py", "pages/corporate.py", "pages/survey.py", "pages/pairings.py",
         "pages/data_sources.py"]
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
    assert i18n.t("no.such_key", "zh") == "no.such_key"
    assert ("zh", "no.such_key") in i18n.missing()
    i18n._missing.discard(("zh", "no.such_key"))


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


def rendered_text(at: AppTest) -> list[str]:
    """Every string the page sends to the browser except data: labels, bodies, options, help, chart specs, headers."""
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


@pytest.mark.parametrize("params", [{}, {"province": "Hubei"}, {"state": "Ohio", "direction": "us_to_cn"}],
                         ids=["none", "Hubei", "Ohio-us_to_cn"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_chinese_shows_no_english_interface_text(page, params, fragments, corpus):
    before = i18n.missing()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "zh"
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page)
    at.run()
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
        if page != "pages/data_sources.py" or df is not at.dataframe[0]:  # the package browser keeps field names
            assert all(h and (CJK.search(h) or h.startswith("ISO") or h.strip() == "") for h in headers), headers


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_english_uses_only_known_keys(page):
    before = i18n.missing()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["province"] = "Fujian"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception
    assert not any(CJK.search(s) for s in (at.title[0].value, *(m.value for m in at.markdown[:3])))
    assert i18n.missing() - before == set()

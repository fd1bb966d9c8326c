"""The one cache (components/data.py, issue 28): what a page shows of a view is kept under the view's key by value,
never by an object's id; tables as the screen shows them are keyed by their cells; no page builds a key."""
import ast
from pathlib import Path

import pandas as pd
import pytest

from atlas import overview, pairings
from atlas.filters import Filters
from atlas.memo import fingerprint
from components import data, tables

ROOT = Path(__file__).resolve().parents[1]
MADE: list[tuple] = []


def words_of(view, d, filters, lang, suffix):
    """A step: counts its calls, so a test can tell a kept value from one made again."""
    MADE.append((lang, suffix))
    return f"{len(view)} pairs {suffix} ({lang})"


def test_a_step_is_made_once_per_view_language_and_arguments():
    MADE.clear()
    f = Filters(provinces=("CN-FJ",))
    first = data.view(pairings.view, f, "en", then=[(words_of, "shown")])
    assert data.view(pairings.view, Filters(provinces=("CN-FJ",)), "en", then=[(words_of, "shown")]) == first
    assert MADE == [("en", "shown")], "an equal filter set (another object) made the step again"
    data.view(pairings.view, f, "zh", then=[(words_of, "shown")])
    data.view(pairings.view, f, "en", then=[(words_of, "other")])
    assert MADE == [("en", "shown"), ("zh", "shown"), ("en", "other")]
    # and the step is made from the view itself: the Fujian pairs, not another filter set's
    assert first == f"{len(data.view(pairings.view, f))} pairs shown (en)"


def test_steps_follow_one_another_and_each_prefix_is_kept():
    f = Filters(states=("US-OH",))
    found = data.view(pairings.view, f, "en", then=[(pairings.found, "Ohio")])
    assert len(found) and (found["us_admin1"].astype(str) == "US-OH").all()
    s = data.view(pairings.view, f, "en", then=[(pairings.found, "Ohio"), (pairings.summary_of, False)])
    assert s == pairings.summary(pairings.find(pairings.view(data.get(), f), "Ohio"), data.get().package, False)


def test_the_headline_is_made_from_its_own_view():
    f = Filters(provinces=("CN-HB",))
    shown = data.view(overview.view, f, "en", then=[(overview.headline_of,)])
    v = overview.view(data.get(), f)
    assert shown == overview.headline_shown(v.summary, data.get().package, "en", filtered=True)
    unfiltered = data.view(overview.view, Filters(), "en", then=[(overview.headline_of,)])
    assert unfiltered != shown


@pytest.mark.parametrize("step", [lambda v, d, f, lang: v, None])
def test_a_function_whose_name_does_not_tell_it_apart_cannot_be_a_key(step):
    def local(v, d, f, lang):
        return v
    with pytest.raises(ValueError, match="module-level"):
        data.view(pairings.view, Filters(), "en", then=[(step or local,)])


def test_equal_tables_share_their_screen_table_whatever_object_holds_them():
    df = data.get().package.donations.head(12)
    before = data._of_tables.misses
    a = tables._screen_table(df.copy(), "zh", True)
    b = tables._screen_table(df.copy(deep=True), "zh", True)
    assert data._of_tables.misses == before + 1 and a is b
    changed = df.copy()
    changed.iloc[0, changed.columns.get_loc("donor_as_printed")] = "someone else"
    tables._screen_table(changed, "zh", True)
    assert data._of_tables.misses == before + 2, "a table with another cell took the first table's screen shape"


def test_a_fingerprint_is_of_the_cells_their_order_and_the_columns():
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert fingerprint(df) == fingerprint(df.copy()) == fingerprint(df.set_axis([7, 8]))
    assert fingerprint(df) != fingerprint(df.iloc[::-1])
    assert fingerprint(df) != fingerprint(df.rename(columns={"a": "c"}))
    assert fingerprint(df) != fingerprint(df.astype({"a": "float64"}))
    assert fingerprint(pd.DataFrame({"a": [[1], [2]]})) != fingerprint(pd.DataFrame({"a": [[1], [3]]}))


def _calls(tree: ast.AST, name: str) -> list[int]:
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call)
            and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name)]


def test_no_cache_is_keyed_by_an_objects_id():
    found = {f"{p.relative_to(ROOT)}:{line}" for folder in ("atlas", "components", "pages") for p in (ROOT / folder).rglob("*.py")
             for line in [n.lineno for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
                          if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "id"]}
    assert not found, f"id() in the app's code (an object's id is no key: another object can come to have it): {found}"


def test_no_page_builds_a_cache_key():
    found = {}
    for p in sorted((ROOT / "pages").glob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        lines = _calls(tree, "rendered") + _calls(tree, "cache_key") + _calls(tree, "Memo")
        if lines:
            found[p.name] = lines
    assert not found, f"pages that build cache keys (a page asks data.view/whole/of_package with `then` steps): {found}"

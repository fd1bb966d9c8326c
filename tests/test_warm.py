"""The start-up warm-up: the package and every page's first view are in the cache before a reader asks, and a
broken package is no crash (the page that asks for it says why)."""
from __future__ import annotations

import os
import pickle

import pandas as pd
import pytest

from atlas import flows, landing, overview, pairings, stored_views
from atlas.filters import parse_query
from components import data, warm
from components.charts import FrozenFigure
from components.exhibit_view import screen_chart
from components.warm import ROOT


def test_warm_puts_each_pages_first_view_in_the_cache():
    assert warm.warm() is True
    f = parse_query({}, data.vocab()).filters
    for fn, options in ((flows.view, {"level": "region"}), (flows.sankey_view, {"measure": "masks"}),
                        (overview.view, {}), (pairings.view, {})):
        misses = data._views.misses
        data.view(fn, f, **options)
        assert data._views.misses == misses, f"{fn.__qualname__} was not warmed"
    misses = data._views.misses
    data.whole(landing.facts)
    assert data._views.misses == misses, "the landing facts were not warmed"
    misses = data._views.misses
    data.whole(overview.reconciliation_view)
    assert data._views.misses == misses, "the reconciliation was not warmed"
    for name in warm.CHARTS:
        misses = data._rendered.misses
        chart, figure = screen_chart(name, parse_query({}, data.vocab()).state, False)
        assert data._rendered.misses == misses and chart is not None and figure is not None, f"{name} was not warmed"


def test_the_warmed_flows_view_is_the_one_the_page_computes():
    warm.warm()
    f = parse_query({}, data.vocab()).filters
    view = data.view(flows.view, f, level="region")
    assert view.summary == flows.view(data.get(), f, "region").summary
    assert view.rows == flows.view(data.get(), f, "region").rows > 0


def test_a_broken_package_makes_warm_return_false_without_raising(tmp_path, monkeypatch):
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    assert warm.warm() is False


# --- the first views kept on disk for the next start (atlas.stored_views) ---

def _fresh_start():
    """What a new process has: the package loaded (it is not what is stored), no views."""
    data._views.clear()
    data._rendered.clear()


def _stored_file():
    return warm.stored_folder() / f"{warm.stored_key()}{stored_views.SUFFIX}"


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    _fresh_start()
    yield tmp_path / "cache"
    _fresh_start()


def test_a_start_reads_the_first_views_the_last_start_computed(own_cache):
    assert warm.warm() is True and _stored_file().is_file()
    assert _stored_file().stat().st_mode & 0o777 == 0o600
    _fresh_start()
    misses = (data._views.misses, data._rendered.misses)
    assert warm.warm() is True
    assert (data._views.misses, data._rendered.misses) == misses, "a start with stored views computed one"
    # What was read back is what the code computes now: the overview's headline, its tables, a chart's dict.
    f = parse_query({}, data.vocab()).filters
    stored, computed = data.view(overview.view, f), overview.view(data.get(), f)
    assert stored.summary == computed.summary and stored.summary["masks_cn_to_us"] == 2_634_076
    pd.testing.assert_frame_equal(stored.region_giving, computed.region_giving)
    assert data.view(flows.view, f, level="region").summary == flows.view(data.get(), f, "region").summary
    chart, figure = screen_chart("timeline", parse_query({}, data.vocab()).state, False)
    assert isinstance(figure, FrozenFigure) and figure.to_dict()["data"] and chart.figure.height > 0


@pytest.mark.parametrize("damage", ["group-writable", "garbage", "wrong shape"])
def test_a_stored_file_that_is_not_trusted_or_not_readable_is_computed_again_and_replaced(own_cache, damage):
    assert warm.warm() is True
    file = _stored_file()
    if damage == "group-writable":
        file.chmod(0o620)
    elif damage == "garbage":
        file.write_bytes(b"\x80\x05not a pickle")
    else:
        file.write_bytes(pickle.dumps({"not": "entries"}))
    _fresh_start()
    misses = data._views.misses
    assert warm.warm() is True
    assert data._views.misses > misses, "an untrusted or broken file was used"
    if damage != "group-writable":  # a file of someone else's is left alone; a broken one of ours is written again
        assert stored_views.read(warm.stored_folder(), warm.stored_key()) is not None


def test_the_stored_views_key_names_package_place_engine_code_and_libraries(tmp_path):
    code = tmp_path / "module.py"
    code.write_text("x = 1\n")
    base = stored_views.key("package-hash", "/data", "polars", code=[code])
    assert base == stored_views.key("package-hash", "/data", "polars", code=[code])
    assert base != stored_views.key("other-hash", "/data", "polars", code=[code])
    assert base != stored_views.key("package-hash", "/elsewhere", "polars", code=[code])
    assert base != stored_views.key("package-hash", "/data", "pandas", code=[code])
    code.write_text("x = 2\n")
    assert base != stored_views.key("package-hash", "/data", "polars", code=[code])
    assert {p.name for p in stored_views.modules(ROOT / "components")} >= {"warm.py", "charts.py", "data.py"}


def test_a_changed_translation_is_a_new_stored_views_key(monkeypatch, tmp_path):
    """The charts' titles and axes are words from atlas/locales: a changed word must not be served from the disk."""
    locales = tmp_path / "atlas" / "locales"
    locales.mkdir(parents=True)
    (tmp_path / "components").mkdir()
    (locales / "en.json").write_text('{"a": "one"}')
    monkeypatch.setattr(warm, "ROOT", tmp_path)
    before = warm.stored_key()
    (locales / "en.json").write_text('{"a": "two"}')
    assert warm.stored_key() != before


def test_a_folder_others_can_write_is_not_read_from_nor_written_to(tmp_path):
    folder = tmp_path / "views"
    assert stored_views.write(folder, "k", [1, 2]) and stored_views.read(folder, "k") == [1, 2]
    folder.chmod(0o777)
    assert stored_views.read(folder, "k") is None and stored_views.write(folder, "k2", [3]) is False


def test_only_the_newest_files_are_kept(tmp_path):
    for i in range(stored_views.KEEP + 3):
        assert stored_views.write(tmp_path, f"k{i}", i)
        os.utime(tmp_path / f"k{i}{stored_views.SUFFIX}", (1_000_000 + i, 1_000_000 + i))
    assert stored_views.write(tmp_path, "last", 0)
    kept = {f.stem for f in tmp_path.glob(f"*{stored_views.SUFFIX}")}
    assert len(kept) == stored_views.KEEP and "last" in kept and "k0" not in kept


def test_restore_keeps_what_is_computed_first_and_leaves_out_what_is_not_an_entry():
    from atlas.memo import Memo
    memo = Memo(4)
    assert memo.get("a", lambda: 1) == 1
    assert memo.put("a", 2) is False and memo.get("a", lambda: 3) == 1
    assert memo.put("b", 2) is True and memo.peek("b") == 2 and memo.peek("c", "none") == "none"
    assert data.restore("not a list") == 0
    assert data.restore([("views",), ("elsewhere", ("k",), 1), ("views", "not a tuple", 1)]) == 0


def test_a_recording_inside_another_leaves_the_outer_one_recording():
    f = parse_query({}, data.vocab()).filters
    with data.recorded() as outer:
        data.view(flows.view, f, level="region")
        with data.recorded() as inner:
            data.view(pairings.view, f)
        data.view(overview.view, f)
    assert [k[0] for _, k in inner] == ["atlas.pairings.view"]
    assert [k[0] for _, k in outer] == ["atlas.flows.view", "atlas.pairings.view", "atlas.overview.view"]
    data.whole(landing.facts)
    assert len(outer) == 3, "nothing is recorded after the block"


def test_the_start_freezes_what_it_holds_after_the_first_views(monkeypatch):
    order = []
    monkeypatch.setattr(warm, "warm", lambda: order.append("warm") or True)
    monkeypatch.setattr(warm.gc, "collect", lambda *a: order.append("collect") or 0)
    monkeypatch.setattr(warm.gc, "freeze", lambda: order.append("freeze"))
    warm.in_background().join(timeout=60)
    assert order == ["warm", "collect", "freeze"]

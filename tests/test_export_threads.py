"""Static exports under concurrent calls (issue #5).

Streamlit runs every session in its own thread and download buttons build their data on click, so
several PNG/SVG exports can be asked for at once. kaleido is not thread-safe (callers were seen to get
each other's images); components.charts.static_image serialises renders with a lock. Four real charts of
different sizes are exported one by one (the reference) and then from 8 threads at once: every result
must be the image of *its* chart.
"""
from __future__ import annotations

import re
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import plotly.graph_objects as go
import pytest

from atlas import corporate, overview
from atlas.filters import Filters
from atlas.i18n import t
from components.charts import (build_category_chart, build_corporate_chart, build_survey_chart, build_timeline_chart,
                               static_image)

pytestmark = pytest.mark.app  # the app tier (pytest.ini): not in `make check`

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH, SCALE = 1100, 2
# plotly gives each render fresh random ids (clip paths, defs, legend, traces): the only expected difference.
RANDOM_ID = re.compile(r"(defs-|topdefs-|clip|legend|trace)([0-9a-f]{6})")


def normalise_svg(svg: bytes) -> str:
    ids: dict[str, str] = {}
    return RANDOM_ID.sub(lambda m: m.group(1) + ids.setdefault(m.group(2), f"<id{len(ids)}>"), svg.decode("utf-8"))


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def svg_title(svg: str) -> str:
    """The chart's bold title line as drawn in the SVG (the first text of the g-gtitle layer)."""
    m = re.search(r'class="g-gtitle".*?<text[^>]*>(.*?)</text>', svg, re.S)
    assert m, "the SVG has a title layer"
    return re.sub(r"<[^>]+>", " ", m.group(1))


@pytest.fixture(scope="module")
def charts(atlas_data):
    pkg, records = atlas_data.package, atlas_data.records
    built = {
        "survey": build_survey_chart(pkg.survey_findings, "en", t("source.ccg_survey", "en", n="1,776"), False),
        "corporate": build_corporate_chart(corporate.giving(pkg, "USD", corporate.EXCHANGE_RATE), "USD", "en",
                                           t("source.ccg_table4", "en"), "no filters", False),
        "timeline": build_timeline_chart(overview.timeline_figures(pkg.key_figures, Filters()), "zh", t("source.all", "zh"),
                                         "无筛选", False),
        "items": build_category_chart(overview.category_totals(records), "en", t("source.ccg_tables", "en"), "no filters",
                                      False),
    }
    titles = [c.title for c in built.values()]
    assert len(set(titles)) == len(titles) and not any(a in b for a in titles for b in titles if a != b)
    heights = [int(c.figure.layout.height) for c in built.values()]
    assert len(set(heights)) == len(heights), "different sizes, so a swapped PNG shows in its header too"
    return built


@pytest.fixture(scope="module")
def reference(charts):
    """Each chart exported alone, one after the other."""
    return {(name, fmt): static_image(chart.figure, fmt) for name, chart in charts.items() for fmt in ("png", "svg")}


def check(name: str, fmt: str, data: bytes, charts, reference) -> None:
    chart = charts[name]
    if fmt == "png":
        assert png_size(data) == (WIDTH * SCALE, int(chart.figure.layout.height) * SCALE), name
        assert data == reference[(name, "png")], f"{name}: PNG differs from the one exported alone"
    else:
        svg = data.decode("utf-8")
        assert svg.lstrip().startswith("<svg") and f'height="{int(chart.figure.layout.height)}"' in svg[:400]
        assert chart.title in svg_title(svg), (name, svg_title(svg))
        for other in charts.values():
            if other is not chart:
                assert other.title not in svg, f"{name}'s SVG carries the title of another chart"
        assert normalise_svg(data) == normalise_svg(reference[(name, "svg")]), f"{name}: SVG differs"


def test_reference_exports_are_the_right_charts(charts, reference):
    for (name, fmt), data in reference.items():
        check(name, fmt, data, charts, reference)
    # The SVG comparison is strict enough to tell charts apart (and not trivially true).
    assert normalise_svg(reference[("survey", "svg")]) != normalise_svg(reference[("items", "svg")])


def test_concurrent_exports_each_get_their_own_chart(charts, reference, monkeypatch):
    # Count renders in flight: the lock must keep it at one.
    original = go.Figure.to_image
    state = {"active": 0, "max": 0}
    guard = threading.Lock()

    def counting_to_image(self, *args, **kwargs):
        with guard:
            state["active"] += 1
            state["max"] = max(state["max"], state["active"])
        try:
            time.sleep(0.01)  # widen the window in which an unserialised caller would overlap
            return original(self, *args, **kwargs)
        finally:
            with guard:
                state["active"] -= 1

    monkeypatch.setattr(go.Figure, "to_image", counting_to_image)
    jobs = [(name, fmt) for name in charts for fmt in ("png", "svg")] * 2          # 16 exports
    jobs = jobs[::2] + jobs[1::2]                                               # mix charts and formats
    start = threading.Barrier(8)

    def export_one(job):
        name, fmt = job
        try:
            start.wait(timeout=30)  # the first eight start together
        except threading.BrokenBarrierError:
            pass
        return job, threading.get_ident(), static_image(charts[name].figure, fmt)

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(export_one, jobs))
    elapsed = time.monotonic() - t0

    assert len(results) == len(jobs)
    assert len({ident for _, ident, _ in results}) > 1, "the exports really ran on several threads"
    for (name, fmt), _, data in results:
        check(name, fmt, data, charts, reference)
    assert state["max"] == 1, f"{state['max']} renders overlapped: static_image is not serialised"
    assert elapsed < 120


def test_exports_from_threads_do_not_share_figures(charts):
    """static_image reads the figure it is given: the chart objects are unchanged after the threaded exports."""
    before = {name: c.figure.to_json() for name, c in charts.items()}
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda c: static_image(c.figure, "svg"), charts.values()))
    assert {name: c.figure.to_json() for name, c in charts.items()} == before


def test_unsupported_format_is_refused():
    with pytest.raises(ValueError, match="unsupported format"):
        static_image(go.Figure(), "jpeg")

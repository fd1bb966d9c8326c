"""benchmarks/cold_start.py's report: the floor's row is shown for scale and never judged; targets apply to the
largest size."""
from benchmarks import cold_start


def _mode(first_page: float, peak: float) -> dict:
    return {"healthz_s": first_page - 0.3, "first_page_s": first_page, "first_flows_s": first_page + 0.5,
            "cpu_first_page_s": first_page + 1, "peak_mb": peak}


RESULT = {
    "floor": {"health_s": 2.3, "first_page_s": 2.6, "cpu_first_page_s": 2.7, "first_page_errors": []},
    "bundled": {"csv": _mode(3.1, 250), "columnar": _mode(2.8, 203),
                "aggregation": {k: {"wall_s": 0.1, "cpu_s": 0.1} for k in ("scale", *cold_start.FILTERS)}},
    "1000000": {"csv": _mode(10.8, 1050), "columnar": _mode(2.9, 547),
                "aggregation": {"scale": {"wall_s": 0, "cpu_s": 0}, "none": {"wall_s": 0.9, "cpu_s": 1.5},
                                "Fujian": {"wall_s": 0.2, "cpu_s": 0.25}, "California": {"wall_s": 0.3, "cpu_s": 0.4}}},
}


def test_targets_judge_the_million_records_and_not_the_floor():
    judged = {t["target"]: t["pass"] for t in cold_start.targets(RESULT)}
    assert judged["first page, columnar copy (s) at 1000000 records, at most 3"] is True
    assert judged["first page, CSV alone (s) at 1000000 records, at most 8"] is False
    assert judged["first flows aggregation none (s) at 1000000 records, at most 0.5"] is False
    assert not any("floor" in t or "bundled" in t for t in judged)


def test_the_table_shows_the_floor_first():
    lines = cold_start.table(RESULT).splitlines()
    assert lines[1].split()[:2] == ["floor", "no"] and "2.60" in lines[1]
    assert any(line.startswith("FAIL") and "CSV alone" in line and "1000000" in line for line in lines)

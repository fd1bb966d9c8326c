"""Cold start at bundled size and at 1,000,000 records: from the CSVs alone, and with a warm columnar copy.

For each size and mode a fresh `streamlit run app.py` is started (ATLAS_DATA_DIR = the package,
ATLAS_CACHE_DIR = a folder of this run: empty for "csv", filled by the csv run for "columnar"), and we time
- `/healthz` answering 200 (the package loaded and checked, or read from its copy),
- the first page served: a reader's websocket session on `/` (the overview) until its script run has
  finished, as `benchmarks/ws_load.py`'s clients open a page: the time the issue's target is about,
- the first flows numbers served: `/charts/flows-sankey.json` (the flows page's filters and aggregation
  run in the server, through the same cache a page uses),
and read the server's peak memory (VmHWM) and CPU seconds (utime + stime, from /proc) at that point: on a
busy machine CPU seconds are the steadier figure. Then, in a separate process with the warm copy, the
first-time flows aggregation (`atlas.flows.view`) for no filter, Fujian and California, after the
dataset's fixed map scale (computed once per process, shown apart). For scale, the floor app (the same elements
from a snapshot, no data package: `benchmarks/floor_app.py`) is started the same way and timed to its first page:
what Python, Streamlit and the libraries cost on this machine at this moment, which no data work can go under.

    python -m benchmarks.cold_start            # bundled and 1,000,000
    python -m benchmarks.cold_start --sizes bundled 10000
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from . import generate, server, ws_load

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"columnar_first_page_s": 3.0, "csv_first_page_s": 8.0, "peak_mb": 1200.0, "aggregation_s": 0.5}
FIRST_PAGE = "/charts/flows-sankey.json"
FILTERS = {"none": {}, "Fujian": {"province": ["Fujian"]}, "California": {"state": ["California"]}}


def _proc(pid: int) -> tuple[float, float]:
    """(peak resident MB, CPU seconds) of a process."""
    status = Path(f"/proc/{pid}/status").read_text()
    hwm = int(status.split("VmHWM:")[1].split()[0]) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return hwm, cpu


def _get(url: str, timeout: float = 600) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


async def _open_overview(base: str) -> list[str]:
    """A reader opens `/`: the errors its script run reported (none expected)."""
    client = ws_load.Client(base)
    try:
        return (await client.open("overview", "")).errors
    finally:
        await client.close()


def _wait_for_copy(cache: Path, srv, timeout: float = 300) -> None:
    deadline = time.perf_counter() + timeout
    while not any(cache.glob("*/manifest.json")) and time.perf_counter() < deadline and srv.proc.poll() is None:
        time.sleep(0.2)


def serve_once(package: Path, cache: Path, timeout: float = 900) -> dict:
    """Start the app on `package` with `cache`; seconds from launch to /healthz and to the first flows numbers."""
    env = {"ATLAS_DATA_DIR": str(package), "ATLAS_CACHE_DIR": str(cache), "ATLAS_MAX_BYTES": str(10**10)}
    srv = server.start(server.APP, env=env, timeout=timeout)
    try:
        while (status := _get(f"{srv.url}/healthz")) != 200:
            if time.perf_counter() - srv.launched > timeout or srv.proc.poll() is not None:
                raise RuntimeError(f"/healthz never answered 200 (last {status})")
            time.sleep(0.05)
        healthz = time.perf_counter() - srv.launched
        _, cpu_healthz = _proc(srv.proc.pid)
        errors = asyncio.run(_open_overview(srv.url))
        first = time.perf_counter() - srv.launched
        _, cpu = _proc(srv.proc.pid)
        status = _get(srv.url + FIRST_PAGE)
        flows_s = time.perf_counter() - srv.launched
        peak, _ = _proc(srv.proc.pid)
        _wait_for_copy(cache, srv)  # the server writes a new copy in a thread while it serves: let it finish
        return {"healthz_s": round(healthz, 2), "first_page_s": round(first, 2), "first_page_errors": errors,
                "first_flows_s": round(flows_s, 2), "first_flows_status": status,
                "cpu_healthz_s": round(cpu_healthz, 2), "cpu_first_page_s": round(cpu, 2), "peak_mb": round(peak)}
    finally:
        srv.stop()


def floor_once(timeout: float = 120) -> dict:
    """The floor app started as the app is: seconds from launch to its health check and to its first page."""
    srv = server.start(server.FLOOR, timeout=timeout)
    try:
        healthy = srv.healthy - srv.launched
        errors = asyncio.run(_open_overview(srv.url))
        first = time.perf_counter() - srv.launched
        _, cpu = _proc(srv.proc.pid)
        return {"health_s": round(healthy, 2), "first_page_s": round(first, 2), "first_page_errors": errors,
                "cpu_first_page_s": round(cpu, 2)}
    finally:
        srv.stop()


_AGGREGATE = r"""
import json, sys, time
from atlas import flows
from atlas.filters import parse_query
from atlas.records import load
data = load(sys.argv[1])
assert data.source == "columnar", data.source
out = {}
t, c = time.perf_counter(), time.process_time()
flows.dataset_scale(data)
out["scale"] = (time.perf_counter() - t, time.process_time() - c)
for name, query in json.loads(sys.argv[2]).items():
    f = parse_query(query, data.vocab).filters
    t, c = time.perf_counter(), time.process_time()
    flows.view(data, f, "region")
    out[name] = (time.perf_counter() - t, time.process_time() - c)
print(json.dumps(out))
"""


def aggregation(package: Path, cache: Path) -> dict:
    """First-time flows aggregation (wall and CPU seconds) per filter, in a fresh process with the warm copy."""
    env = {**os.environ, "ATLAS_CACHE_DIR": str(cache), "ATLAS_MAX_BYTES": str(10**10), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _AGGREGATE, str(package), json.dumps(FILTERS)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return {k: {"wall_s": round(w, 3), "cpu_s": round(c, 3)} for k, (w, c) in json.loads(done.stdout).items()}


def measure(sizes=("bundled", 1_000_000)) -> dict:
    """{size: {"csv": {...}, "columnar": {...}, "aggregation": {...}}} (see the module's docstring)."""
    out = {"floor": floor_once()}
    for size in sizes:
        package = ROOT / "data" if size == "bundled" else generate.ensure(int(size))
        with tempfile.TemporaryDirectory(prefix="atlas-cold-") as cache:
            cache = Path(cache)
            csv = serve_once(package, cache)           # empty cache: CSV read, checked, copy written
            columnar = serve_once(package, cache)      # the copy the first run wrote
            out[str(size)] = {"csv": csv, "columnar": columnar, "aggregation": aggregation(package, cache)}
    return out


def _sizes(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "floor"}


def verdicts(result: dict) -> list[tuple[str, str, float, float, bool]]:
    """(size, what, measured, target, pass) for every target."""
    rows = []
    for size, r in _sizes(result).items():
        rows.append((size, "first page, columnar copy (s)", r["columnar"]["first_page_s"], TARGETS["columnar_first_page_s"]))
        rows.append((size, "first page, CSV alone (s)", r["csv"]["first_page_s"], TARGETS["csv_first_page_s"]))
        rows.append((size, "peak RSS, columnar copy (MB)", r["columnar"]["peak_mb"], TARGETS["peak_mb"]))
        rows.append((size, "peak RSS, CSV alone (MB)", r["csv"]["peak_mb"], TARGETS["peak_mb"]))
        for name in FILTERS:
            rows.append((size, f"first flows aggregation {name} (s)", r["aggregation"][name]["wall_s"],
                         TARGETS["aggregation_s"]))
    return [(s, w, m, t, m <= t) for s, w, m, t in rows]


def targets(result: dict) -> list[dict]:
    """The issue's targets apply to the largest size (a million records); smaller sizes are shown, not judged."""
    largest = max(_sizes(result), key=lambda k: 0 if k == "bundled" else int(k))
    return [{"target": f"{what} at {size} records, at most {target:g}", "measured": round(measured, 3), "pass": ok}
            for size, what, measured, target, ok in verdicts(result) if size == largest and largest != "bundled"]


def table(result: dict) -> str:
    lines = [f"{'size':>9}  {'mode':9} {'healthz s':>9} {'page s':>7} {'cpu@page s':>10} {'flows s':>8} {'peak MB':>8}"]
    if "floor" in result:
        f = result["floor"]
        lines.append(f"{'floor':>9}  {'no data':9} {f['health_s']:9.2f} {f['first_page_s']:7.2f} {f['cpu_first_page_s']:10.2f}")
    for size, r in _sizes(result).items():
        for mode in ("csv", "columnar"):
            m = r[mode]
            lines.append(f"{size:>9}  {mode:9} {m['healthz_s']:9.2f} {m['first_page_s']:7.2f} {m['cpu_first_page_s']:10.2f} "
                         f"{m.get('first_flows_s', float('nan')):8.2f} {m['peak_mb']:8.0f}")
        agg = r["aggregation"]
        lines.append(f"{size:>9}  first flows aggregation, wall / CPU s: " + ", ".join(
            f"{k} {v['wall_s']:.3f} / {v['cpu_s']:.3f}" for k, v in agg.items()))
    lines.append("")
    for size, what, measured, target, ok in verdicts(result):
        lines.append(f"{'PASS' if ok else 'FAIL'}  {size:>9}  {what:38s} {measured:9.2f}  (target ≤ {target:g})")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["bundled", "1000000"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = measure(tuple(args.sizes))
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

"""Benchmark the dashboard in headless Chromium: `python -m benchmarks.run [--quick] [--sizes ...] [--json PATH]`.

For the floor app (benchmarks/floor_app.py: the same elements, precomputed) and for the dashboard at
each data size (the bundled package and synthetic packages of N donations, see generate.py):
  cold load      process start to the first page rendered and idle (new server each repetition)
  filter change  select, then clear, the province "Fujian" in the sidebar's first multiselect, on each page
  page switch    click a page in the sidebar navigation
  bytes          WebSocket payload the server sent for each of those reruns
  memory         server RSS after the first page, its peak, and its growth per extra browser session
Then, at one size, many sessions open a fresh server at once, then select filters, switch pages and download
exports (corporate PNG and CSV, flows CSV), each file checked; errors and interaction times are reported.
Timings are medians over repetitions; a measurement stops repeating once it has used its time budget.
Then the browser-free load benchmark (ws_load.py): websocket-protocol clients, server CPU per interaction app vs
floor per page, interactions/s for 1, 4, 16 (64) clients against one process and two behind nginx.
Then cold start and peak RSS (cold_start.py: CSV alone and with the columnar copy) and first-load bytes (first_load.py).
`--only browser|load|start` runs one part alone.
Results: a table on stdout and JSON (benchmarks/results/latest.json unless --json is given).
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from playwright.async_api import async_playwright

from components.site import PAGES as SITE_PAGES

from . import cold_start, first_load, generate, server, ws_load
from .browser import Sample, Session, launch

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"
SNAPSHOT = HERE / ".cache" / "floor-snapshot.pkl"
LOGS = HERE / ".cache" / "logs"    # each server's output, one file per run label
PAGES = tuple(p.key for p in SITE_PAGES)  # the app's page registry, in its navigation order
PROVINCE = "Fujian"              # the floor snapshot holds this filter state (floor_snapshot.PROVINCE)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Targets
FLOOR_RATIO = 1.5                # filter change at bundled size, ours / floor
SIZE_RATIO = 2.0                 # filter change at the largest size / bundled
BYTES_RATIO = 1.2                # bytes per filter change at the largest size / the next smaller size
SESSION_MB_MARGIN = 5.0          # RSS growth per session may exceed the floor's by this much
GRACE = 30.0                     # seconds concurrent users may take to finish their step after the deadline
FULL = {"sizes": "bundled,10000,100000,1000000", "reps": 5, "budget": 20.0, "memory_sessions": 10, "sessions": 20,
        "duration": 60.0}
QUICK = {"sizes": "bundled,10000", "reps": 3, "budget": 15.0, "memory_sessions": 5, "sessions": 8, "duration": 20.0}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def titles() -> dict[str, str]:
    from atlas.i18n import t
    return {page: t(f"page.{page}", "en") for page in PAGES}


def stats(samples: list[Sample]) -> dict:
    if not samples:
        return {"n": 0}
    kinds = Counter()
    for s in samples:
        kinds.update(s.kinds)
    return {"n": len(samples), "median_s": statistics.median(s.seconds for s in samples),
            "samples_s": [round(s.seconds, 3) for s in samples],
            "median_server_s": statistics.median(s.server_seconds for s in samples),
            "median_bytes": statistics.median(s.bytes for s in samples), "max_bytes": max(s.bytes for s in samples),
            "bytes_by_kind": {k: round(v / len(samples)) for k, v in kinds.most_common()}}


class Budget:
    """Repeat a measurement up to `reps` times, or until it has used `seconds`."""

    def __init__(self, reps: int, seconds: float):
        self.reps, self.seconds = reps, seconds

    async def repeat(self, measure) -> None:
        spent = 0.0
        for _ in range(self.reps):
            spent += await measure()
            if spent > self.seconds:
                return


# --- one app at one size ----------------------------------------------------------------------

async def bench(browser, label: str, script: str, env: dict, budget: Budget, memory_sessions: int) -> dict:
    result: dict = {"label": label, "errors": []}
    (LOGS / f"{label}.log").unlink(missing_ok=True)
    names = titles()
    cold, ready = [], []
    srv = session = None

    async def cold_load() -> float:
        nonlocal srv, session
        if srv:
            await session.close()
            srv.stop()
        srv = server.start(script, env, LOGS / f"{label}.log")
        session = await Session.open(browser)
        done = await session.load(srv.url + "/")
        cold.append(done - srv.launched)
        ready.append(srv.healthy - srv.launched)
        log(f"{label}: cold load {cold[-1]:.2f} s")
        return cold[-1]

    try:
        await budget.repeat(cold_load)
        result["cold_load_s"] = {"n": len(cold), "median_s": statistics.median(cold), "samples_s": [round(c, 3) for c in cold]}
        result["server_ready_s"] = statistics.median(ready)
        result["rss_after_load_mb"] = srv.rss_mb()
        result["pages"] = pages = {}
        for page in PAGES:
            if page != "overview":
                await session.switch_page(names[page])
            selects, clears = [], []

            async def toggle() -> float:
                selects.append(await session.select_province(PROVINCE))
                clears.append(await session.clear_province(PROVINCE))
                return selects[-1].seconds + clears[-1].seconds

            try:
                await budget.repeat(toggle)
            except Exception as error:  # a page that cannot be measured at this size: report it, go on
                result["errors"].append(f"{page}: filter change: {error!r}"[:500])
                await session.load(f"{srv.url}/{'' if page == 'overview' else page}")
            pages[page] = {"select": stats(selects), "clear": stats(clears), "elements": await session.element_counts()}
            if shown := await session.exceptions():
                result["errors"].append(f"{page}: {shown} exception(s) shown on the page")
            log(f"{label}: {page}: select {pages[page]['select'].get('median_s', float('nan')):.2f} s, "
                f"clear {pages[page]['clear'].get('median_s', float('nan')):.2f} s")
        switches: dict[str, list[Sample]] = {page: [] for page in PAGES}
        order = PAGES[1:] + PAGES[:1]  # a round visits every page once, from the data page back to the overview

        async def round_trip() -> float:
            spent = 0.0
            for page in order:
                switches[page].append(await session.switch_page(names[page]))
                spent += switches[page][-1].seconds
            return spent

        try:
            await budget.repeat(round_trip)
        except Exception as error:
            result["errors"].append(f"page switch: {error!r}"[:500])
        for page in PAGES:
            pages[page]["switch"] = stats(switches[page])
        log(f"{label}: page switches done")
        result["memory"] = await session_memory(browser, srv, memory_sessions, budget.seconds)
        log(f"{label}: memory {result['memory']}")
    except Exception as error:
        result["errors"].append(f"aborted: {error!r}"[:500])
        log(f"{label}: aborted: {error!r}")
    finally:
        if session:
            await session.close()
        if srv:
            result["rss_peak_mb"] = peak_mb(srv.proc.pid)
            srv.stop()
    return result


def peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None


async def settled_rss(srv: server.Server, timeout: float = 15) -> float:
    """Server RSS once it has stopped moving (allocators hand freed memory back to the system with a delay)."""
    readings = [srv.rss_mb()]
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        await asyncio.sleep(0.5)
        readings.append(srv.rss_mb())
        if len(readings) >= 5 and max(readings[-5:]) - min(readings[-5:]) < max(1.0, 0.005 * readings[-1]):
            break
    return readings[-1]


async def session_memory(browser, srv: server.Server, sessions: int, budget_s: float) -> dict:
    """Server RSS growth per session. A first extra session opens the flows page (so the baseline already has a
    flows rerun's transient memory), then up to `sessions` - 2 more do the same, each waiting for the server's
    run only (their drawing does not matter here); at least one more, no more once `budget_s` is spent."""
    extra = [await Session.open(browser)]
    await extra[0].visit(srv.url + "/flows")
    base = await settled_rss(srv)
    start = time.perf_counter()
    while len(extra) < max(sessions - 1, 2) and (len(extra) < 2 or time.perf_counter() - start < budget_s):
        extra.append(await Session.open(browser))
        await extra[-1].visit(srv.url + "/flows")
    more = await settled_rss(srv)
    for s in extra:
        await s.close()
    return {"sessions": len(extra) + 1, "rss_two_mb": round(base, 1), "rss_many_mb": round(more, 1),
            "per_session_mb": round((more - base) / (len(extra) - 1), 2)}


# --- many sessions at once --------------------------------------------------------------------

def expected_downloads(data_dir: Path) -> tuple[dict[str, tuple[str, str, int]], int]:
    """Per province with records: (English name, flows CSV file name, rows) and the corporate table's rows."""
    from atlas.exports import file_name
    from atlas import engine
    from atlas.filters import FIELDS, defaults, filters_of, only, slug
    from atlas.records import load
    from components.site import BY_KEY

    d = load(data_dir)
    counts = d.records["cn_admin1"].value_counts()
    base = defaults(FIELDS, d.vocab)
    out = {}
    for code, name in d.vocab.provinces.items():
        if counts.get(code, 0):
            f = filters_of({**base, "province": (code,)})
            # named as components.downloads.name_for names it: after the filters the flows page applies
            csv_name = file_name("flows", slug(only(f, BY_KEY["flows"].applies), d.vocab), "csv")
            out[code] = (name, csv_name, engine.select(d, f, promised=True).height)
    return out, len(d.package.corporate_donations)


async def concurrency(browser, env: dict, data_dir: Path, sessions: int, duration: float) -> dict:
    """`sessions` users at once: they all open the corporate page of a fresh server, then for `duration` seconds
    download its PNG and CSV, go to the flows page, select their own province, download the flows CSV, clear the
    filter and go back. Every file is checked (signature, rows, file name); so is every page for exceptions."""
    provinces, corporate_rows = expected_downloads(data_dir)
    codes = list(provinces)
    names = titles()
    srv = server.start(server.APP, env, LOGS / "concurrency.log")
    interactions: list[Sample] = []
    downloads: list[float] = []
    errors: Counter = Counter()
    examples: list[str] = []

    def error(kind: str, detail: str) -> None:
        errors[kind] += 1
        if errors[kind] <= 3:  # the first three of each kind
            examples.append(f"{kind}: {detail}"[:300])

    async def check_page(session: Session, where: str) -> None:
        if await session.exceptions():
            error("exception on page", where)

    async def worker(session: Session, code: str, deadline: float) -> None:
        name, csv_name, rows = provinces[code]

        async def corporate_png():
            file_name, content, seconds = await session.download("PNG")
            downloads.append(seconds)
            if not content.startswith(PNG_SIGNATURE):
                error("wrong PNG", f"{file_name}: starts with {content[:8]!r}")

        async def corporate_csv():
            file_name, content, seconds = await session.download("CSV")
            downloads.append(seconds)
            if len(list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))) != corporate_rows:
                error("wrong corporate CSV", f"{file_name}: expected {corporate_rows} rows")

        async def to_flows():
            interactions.append(await session.switch_page(names["flows"]))

        async def select():
            interactions.append(await session.select_province(name))
            await check_page(session, f"flows, {name} selected")

        async def flows_csv():
            file_name, content, seconds = await session.download("CSV")
            downloads.append(seconds)
            table = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
            if file_name != csv_name or len(table) != rows or any(code not in (r["from_admin1"], r["to_admin1"]) for r in table):
                error("wrong flows CSV", f"{file_name}: {len(table)} rows, expected {csv_name}: {rows}")

        async def clear():
            interactions.append(await session.clear_province(name))

        async def to_corporate():
            interactions.append(await session.switch_page(names["corporate"]))
            await check_page(session, "corporate")

        steps = [corporate_png, corporate_csv, to_flows, select, flows_csv, clear, to_corporate]
        step = 0
        while time.perf_counter() < deadline:
            try:
                await steps[step % len(steps)]()
                step += 1
            except Exception as exc:  # a timeout or a failed download: count it, start the session over
                error("failed step", f"{steps[step % len(steps)].__name__}: {exc!r}")
                step = 0
                try:
                    await session.load(srv.url + "/corporate")
                except Exception as again:
                    error("session lost", repr(again))
                    return

    try:
        log(f"concurrency: {sessions} sessions open the corporate page of a fresh server")
        users = [await Session.open(browser) for _ in range(sessions)]
        opened = await asyncio.gather(*(u.load(srv.url + "/corporate") for u in users), return_exceptions=True)
        for user, outcome in zip(users, opened):
            if isinstance(outcome, BaseException):
                error("failed to open", repr(outcome))
            elif not await user.has_filters():
                error("opened without the shared sidebar", "the page ran alone (Streamlit's pages/ folder mode)")
                await user.load(srv.url + "/corporate")
        log(f"concurrency: {sessions} sessions for {duration:.0f} s")
        deadline = time.perf_counter() + duration
        try:
            await asyncio.wait_for(asyncio.gather(*(worker(u, codes[i % len(codes)], deadline) for i, u in enumerate(users))),
                                   duration + GRACE)
        except asyncio.TimeoutError:
            log("concurrency: steps still running after the grace period were cut")
        rss = srv.rss_mb()
        for u in users:
            await u.close()
    finally:
        srv.stop()
    pct = lambda xs, q: statistics.quantiles(xs, n=100, method="inclusive")[q - 1] if len(xs) > 1 else (xs[0] if xs else None)
    return {"sessions": sessions, "duration_s": duration, "interactions": len(interactions), "downloads": len(downloads),
            "interaction_p50_s": pct([s.seconds for s in interactions], 50),
            "interaction_p95_s": pct([s.seconds for s in interactions], 95),
            "interaction_server_p50_s": pct([s.server_seconds for s in interactions], 50),
            "interaction_server_p95_s": pct([s.server_seconds for s in interactions], 95),
            "download_p50_s": pct(downloads, 50), "download_p95_s": pct(downloads, 95),
            "errors": sum(errors.values()), "errors_by_kind": dict(errors), "error_examples": examples, "rss_mb": rss}


# --- report -----------------------------------------------------------------------------------

NONE = {"s": None, "server_s": None, "bytes": None}


def metrics(run: dict) -> dict[str, dict]:
    """Row name -> {"s": median seconds, "server_s": its server part, "bytes": most bytes} for one run.

    Bytes are the most any repetition sent: the browser caches elements it has seen (Streamlit sends a
    reference instead), so later repetitions send less, and slow sizes get fewer repetitions."""
    out = {"cold load (start to first page idle)": {**NONE, "s": run.get("cold_load_s", {}).get("median_s")}}
    for page, m in run.get("pages", {}).items():
        for action, text in (("select", "select province"), ("clear", "clear province"), ("switch", "switch to page")):
            s = m.get(action, {})
            out[f"{page}: {text}"] = {"s": s.get("median_s"), "server_s": s.get("median_server_s"), "bytes": s.get("max_bytes")}
    return out


def worst_ratio(a: dict, b: dict, field: str) -> tuple[float | None, str]:
    """The largest a/b ratio of `field` over the filter changes of every page (None if any is missing)."""
    ma, mb = metrics(a), metrics(b)
    rows = [row for row in mb if "province" in row]
    ratios = [(ma[row][field] / mb[row][field], row) for row in rows if ma.get(row, NONE)[field] and mb[row][field]]
    return max(ratios) if rows and len(ratios) == len(rows) else (None, "missing measurements")


def targets(report: dict) -> list[dict]:
    runs = report["runs"]
    floor, base = runs.get("floor"), runs.get("bundled")
    sizes = [k for k in runs if k not in ("floor", "bundled")]
    largest = runs[max(sizes, key=int)] if sizes else None
    out = []

    def add(name: str, value_where: tuple, limit: float, unit: str = "x") -> None:
        value, where = value_where
        out.append({"target": name, "value": value, "limit": limit, "where": where, "unit": unit,
                    "pass": value is not None and value <= limit})

    if floor and base:
        add(f"filter change at bundled size within {FLOOR_RATIO}x the floor (worst page)", worst_ratio(base, floor, "s"),
            FLOOR_RATIO)
    if base and largest:
        add(f"filter change at {largest['label']} within {SIZE_RATIO}x bundled (worst page)", worst_ratio(largest, base, "s"),
            SIZE_RATIO)
    # "Payload that does not grow with records": tables and maps are capped (1,000 rows, 300 arcs), so the
    # bundled package, below every cap, sends less than a large one; the test is that the payload stops
    # growing: the largest size against the next smaller one (ten times fewer records). The ratio to the
    # bundled size is in the table and the JSON.
    if len(sizes) >= 2:
        below = runs[sorted(sizes, key=int)[-2]]
        add(f"bytes per filter change at {largest['label']} within {BYTES_RATIO}x {below['label']} (worst page)",
            worst_ratio(largest, below, "bytes"), BYTES_RATIO)
    if floor and floor.get("memory"):
        grown = [(r["memory"]["per_session_mb"], r["label"]) for k, r in runs.items() if k != "floor" and r.get("memory")]
        add(f"RSS growth per session within the floor's + {SESSION_MB_MARGIN:g} MB (worst size)",
            max(grown) if grown and len(grown) == len(runs) - 1 else (None, "missing measurements"),
            max(floor["memory"]["per_session_mb"], 0) + SESSION_MB_MARGIN, " MB")
    if report.get("concurrency"):
        c = report["concurrency"]
        add(f"no errors with {c['sessions']} concurrent sessions",
            (c["errors"], ", ".join(f"{k}: {v}" for k, v in c["errors_by_kind"].items()) or "none"), 0, "")
    return out


def fmt(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def table(report: dict) -> str:
    runs, meta = report["runs"], report["meta"]
    keys = list(runs)
    m = {k: metrics(runs[k]) for k in keys}
    rows = list(m[keys[0]]) if keys else []
    machine = meta["machine"]
    lines = [f"Cooperation Atlas benchmark, {meta['date']}; {machine['cpus']} CPUs ({machine['cpu_model']}), "
             f"{machine['memory_gb']} GB; load average {machine['load_average_at_start'][0]:.1f} at start, "
             f"{machine['load_average_at_end'][0]:.1f} at end",
             "  " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items())]
    head = lambda title: f"{title:<40}" + "".join(f"{k:>14}" + ("" if k == "floor" else f"{'ratio':>7}") for k in keys)

    def ratio(k: str, row: str, field: str) -> str:
        ref = "floor" if k == "bundled" else "bundled"
        if k == "floor":
            return ""
        a, b = m[k].get(row, NONE)[field], m.get(ref, {}).get(row, NONE)[field]
        return f"{a / b:>7.2f}" if a and b else f"{'':>7}"

    lines += ["", head("Seconds, median (server part)"),
              "  ratio: bundled / floor, each size / bundled"]
    for row in rows:
        cell = lambda v: fmt(v["s"]) + (f" ({fmt(v['server_s'])})" if v["server_s"] is not None else "")
        lines.append(f"{row:<40}" + "".join(f"{cell(m[k].get(row, NONE)):>14}" + ratio(k, row, "s") for k in keys))
    lines += ["", head("kB sent per rerun (first, uncached)")]
    for row in rows[1:]:
        kb = lambda v: fmt(v["bytes"] / 1e3 if v["bytes"] is not None else None, 1)
        lines.append(f"{row:<40}" + "".join(f"{kb(m[k].get(row, NONE)):>14}" + ratio(k, row, "bytes") for k in keys))
    lines += ["", head("Server memory, MB")]
    memory = {"RSS after first page": lambda r: r.get("rss_after_load_mb"), "RSS peak (VmHWM)": lambda r: r.get("rss_peak_mb"),
              "RSS, 2 sessions": lambda r: r.get("memory", {}).get("rss_two_mb"),
              "RSS, N sessions": lambda r: r.get("memory", {}).get("rss_many_mb"),
              "growth per extra session": lambda r: r.get("memory", {}).get("per_session_mb")}
    for row, get in memory.items():
        lines.append(f"{row:<40}" + "".join(f"{fmt(get(runs[k]), 1):>14}" + ("" if k == "floor" else f"{'':>7}") for k in keys))
    lines += ["", "Elements per page (containers/plotly/deck/dataframes/metrics/downloads), floor vs bundled:"]
    for page in PAGES:
        counts = {k: runs[k].get("pages", {}).get(page, {}).get("elements") for k in ("floor", "bundled") if k in runs}
        shown = {k: "/".join(str(v) for v in c.values()) if c else "—" for k, c in counts.items()}
        lines.append(f"  {page:<10} " + "   ".join(f"{k} {v}" for k, v in shown.items())
                     + ("" if len(set(shown.values())) == 1 else "   DIFFER: update floor_snapshot.py"))
    for k in keys:
        lines += [f"  error in {k}: {e}" for e in runs[k].get("errors", [])]
    if report.get("concurrency"):
        c = report["concurrency"]
        lines += ["", f"Concurrency, {c['sessions']} sessions for {c['duration_s']:.0f} s at {c['size']}: "
                      f"{c['interactions']} interactions (p50 {fmt(c['interaction_p50_s'])} s, p95 {fmt(c['interaction_p95_s'])} s; "
                      f"server part p50 {fmt(c['interaction_server_p50_s'])} s, p95 {fmt(c['interaction_server_p95_s'])} s), "
                      f"{c['downloads']} downloads (p50 {fmt(c['download_p50_s'])} s, p95 {fmt(c['download_p95_s'])} s), "
                      f"{c['errors']} errors, server RSS {fmt(c['rss_mb'], 0)} MB"]
        lines += [f"  {e}" for e in c["error_examples"]]
    lines += ["", "Targets"]
    lines += [f"  {'PASS' if t['pass'] else 'FAIL'}  {t['target']}: {fmt(t['value'])}{t['unit']} "
              f"(limit {fmt(t['limit'])}{t['unit']}; {t['where']})" for t in report["targets"]]
    return "\n".join(lines)


def meta(browser_version: str) -> dict:
    meminfo = Path("/proc/meminfo").read_text().split()
    cpu_model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), platform.processor())
    versions = {"python": platform.python_version()}
    versions.update({p: version(p) for p in ("streamlit", "pandas", "numpy", "pyarrow", "plotly", "pydeck", "kaleido", "playwright")})
    versions["chromium"] = browser_version
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model, "platform": platform.platform(),
                        "load_average_at_start": os.getloadavg(),
                        "memory_gb": round(int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024 ** 2, 1)},
            "versions": versions}


async def main_async(args) -> dict:
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    budget = Budget(args.reps, args.budget)
    log("building the floor snapshot")
    built = subprocess.run([sys.executable, "-m", "benchmarks.floor_snapshot"], cwd=server.ROOT, capture_output=True, text=True)
    if built.returncode:
        raise RuntimeError(f"the floor snapshot failed (pages/ changed? see floor_snapshot.py):\n{built.stderr[-3000:]}")
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        report = {"meta": meta(browser.version), "config": vars(args), "runs": {}}
        report["runs"]["floor"] = await bench(browser, "floor", server.FLOOR, {"FLOOR_SNAPSHOT": str(SNAPSHOT)}, budget,
                                              args.memory_sessions)
        dirs = {}
        for size in sizes:
            if size == "bundled":
                dirs[size] = generate.BUNDLED
            else:
                log(f"generating {int(size):,} synthetic donations")
                dirs[size] = generate.ensure(int(size))
            report["runs"][size] = await bench(browser, size, server.APP, {"ATLAS_DATA_DIR": str(dirs[size])}, budget,
                                               args.memory_sessions)
        if args.sessions:
            size = args.concurrency_size
            data_dir = dirs.get(size) or (generate.BUNDLED if size == "bundled" else generate.ensure(int(size)))
            report["concurrency"] = {"size": size, **await concurrency(
                browser, {"ATLAS_DATA_DIR": str(data_dir)}, data_dir, args.sessions, args.duration)}
        await browser.close()
    report["meta"]["machine"]["load_average_at_end"] = os.getloadavg()
    report["targets"] = targets(report)
    return report


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--quick", action="store_true", help=f"smaller defaults: {QUICK}")
    parser.add_argument("--sizes", help=f"'bundled' and/or numbers of synthetic donations (default {FULL['sizes']})")
    parser.add_argument("--reps", type=int, help=f"repetitions per measurement (default {FULL['reps']})")
    parser.add_argument("--budget", type=float, help=f"seconds after which a measurement stops repeating (default {FULL['budget']:g})")
    parser.add_argument("--memory-sessions", type=int, help=f"sessions opened for the memory measurement (default {FULL['memory_sessions']})")
    parser.add_argument("--sessions", type=int, help=f"concurrent sessions, 0 to skip (default {FULL['sessions']})")
    parser.add_argument("--duration", type=float, help=f"seconds of concurrent use (default {FULL['duration']:g})")
    parser.add_argument("--concurrency-size", default="bundled", help="data size for the concurrency run (default bundled)")
    parser.add_argument("--only", choices=("browser", "load", "start"),
                        help="run one part only: the browser part, the websocket load part, or cold start + first-load bytes")
    parser.add_argument("--start-sizes", help="data sizes for the cold-start part (default bundled,1000000; quick bundled,100000)")
    parser.add_argument("--ws-clients", help=f"concurrent websocket clients per load run (default {ws_load.FULL['clients']}, "
                                             f"quick {ws_load.QUICK['clients']})")
    parser.add_argument("--ws-duration", type=float, help=f"seconds per websocket load run (default {ws_load.FULL['duration']:g})")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"where to write the results (default {RESULTS.relative_to(server.ROOT)})")
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    ws = ws_load.QUICK if args.quick else ws_load.FULL
    args.ws_clients = args.ws_clients or ws["clients"]
    args.ws_duration = args.ws_duration or ws["duration"]
    args.ws_reps = ws["reps"]
    args.start_sizes = args.start_sizes or ("bundled,100000" if args.quick else "bundled,1000000")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    part = lambda name: args.only in (None, name)  # noqa: E731
    report: dict = {}
    if part("browser"):
        report = asyncio.run(main_async(args))
    if part("load"):
        log("websocket load benchmark (ws_load.py)")
        report["ws_load"] = asyncio.run(ws_load.run_all([int(c) for c in args.ws_clients.split(",")], args.ws_duration,
                                                        args.ws_reps))
        ws_load.RESULTS.parent.mkdir(parents=True, exist_ok=True)
        ws_load.RESULTS.write_text(json.dumps(report["ws_load"], indent=1))
    if part("start"):
        log("cold start and peak memory, CSV alone and with the columnar copy (cold_start.py)")
        report["cold_start"] = cold_start.measure(tuple(s.strip() for s in args.start_sizes.split(",") if s.strip()))
        log("first-load bytes on the wire (first_load.py)")
        report["first_load"] = first_load.run()
        report["start_targets"] = cold_start.targets(report["cold_start"]) + first_load.targets(report["first_load"])
    if args.only and args.json == RESULTS:  # one part alone: the full run's results in latest.json stay
        args.json = ws_load.RESULTS if args.only == "load" else RESULTS.with_name(f"{args.only}.json")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report["ws_load"] if args.only == "load" else report, indent=1, default=str))
    if part("browser"):
        print(table(report))
    if "ws_load" in report:
        print(ws_load.table(report["ws_load"]))
    if "cold_start" in report:
        print("\nCold start (process start to /healthz and to the first flows numbers) and peak RSS:")
        print(cold_start.table(report["cold_start"]))
        print("\nFirst load on the wire:")
        print(first_load.table(report["first_load"]))
        for t in report["start_targets"]:
            print(f"{'PASS' if t['pass'] else 'FAIL'}  {t['target']}: {t['measured']}")
    print(f"\nJSON: {args.json}")
    checks = report.get("targets", []) + report.get("ws_load", {}).get("targets", []) + report.get("start_targets", [])
    return 0 if all(t["pass"] for t in checks if t.get("judged", True)) else 1  # shown-only rows do not fail it


if __name__ == "__main__":
    sys.exit(main())

"""Reliability through the proxy (issue #30): `make serve WORKERS=2` with 64 websocket sessions for a set time, every
response checked, one worker killed (SIGKILL) mid-run. Not a timed test: run it by hand, put the figures in the README.

    .venv/bin/python -m benchmarks.serve_reliability [--sessions 64] [--duration 600] [--kill-at 0.5] [--workers 2]
    ATLAS_BENCH_DURATION=180 .venv/bin/python -m benchmarks.serve_reliability     # the duration from the environment

What runs: `python -m components.serve --workers N` (what `make serve` runs, with its supervisor that starts a worker
again when one exits), each worker first warmed directly (every page, filter state and download once). Then each
session, its sockets bound to 127.0.k.1 (nginx's ip_hash then spreads them over the workers, as readers from many
addresses would be), loops through the proxy:

- a **page load**: HTTP GET of the page (200, Streamlit's HTML with the app's security headers), then its websocket
  opened and the page's script run read to `script_finished` with no exception or error box in its deltas;
- **filter changes** over the websocket: switch page (its HTML fetched too, checked as above), select "Fujian",
  clear it (twice per round);
- a **download** per round: `/api/v1/flows.csv?province=Fujian` (status 200, every row a Fujian row, as many rows as
  the bundled package has) or `/charts/corporate-giving.png` (PNG signature), in turn.

At `--kill-at` of the duration one worker gets SIGKILL. Its sessions' websockets break: each such session opens a new
one through the proxy (as Streamlit's front end reconnects), which nginx sends to a live worker; those breaks are
counted as `sessions cut by the kill`, apart from errors. Errors are everything else: a failed or wrong download
(`lost downloads`: any download that did not arrive whole and right, the kill included), a page that did not load, an
exception in a run, a timeout (120 s), a reconnect that failed. RSS: the workers' (not kaleido's Chromium), summed,
each second; when the supervisor has started the killed worker again, its health is awaited and timed.

Results in `results/serve_reliability.json` and a table on stdout; exit status 1 if any error.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

from benchmarks import ws_load
from benchmarks.ws_load import PROVINCE, Client, download, expected_flow_rows, pages, rss_mb, tree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "serve_reliability.json"
DOWNLOADS = ws_load.DOWNLOADS


def workers_of(serve_pid: int) -> list[int]:
    """The app processes `components.serve` started (its direct children other than nginx)."""
    out = []
    for pid in tree([serve_pid]):
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == serve_pid and b"streamlit" in cmd:
            out.append(pid)
    return sorted(out)


def healthy(url: str) -> bool:
    try:
        return urllib.request.urlopen(url + "/healthz", timeout=5).status == 200
    except OSError:
        return False


async def page_load(base: str, path: str, source: str | None) -> list[str]:
    """GET the page's HTML through the proxy: status 200, Streamlit's page, the security headers."""
    import urllib.parse
    parsed = urllib.parse.urlsplit(base)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(
        parsed.hostname, parsed.port, **({"local_addr": (source, 0)} if source else {})), ws_load.TIMEOUT)
    try:
        writer.write(f"GET /{path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nAccept-Encoding: identity\r\n"
                     f"Connection: close\r\n\r\n".encode())
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), ws_load.TIMEOUT)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 200 " not in status + " ":
        return [f"page /{path}: {status}"]
    problems = []
    if b'id="root"' not in body and b"id=root" not in body:
        problems.append(f"page /{path}: not Streamlit's page ({body[:60]!r})")
    if b"content-security-policy" not in head.lower():
        problems.append(f"page /{path}: no Content-Security-Policy")
    return problems


async def run(url: str, sessions: int, duration: float, kill_at: float, serve_pid: int, rows: int, workers: int) -> dict:
    order = pages()
    errors: Counter = Counter()
    examples: list[str] = []
    counts = Counter()
    cut = 0
    killed: dict = {}

    def failed(kind: str, detail: str) -> None:
        errors[kind] += 1
        if errors[kind] <= 3:
            examples.append(f"{kind}: {detail}"[:300])

    async def open_page(user: Client, page: str, path: str) -> bool:
        for problem in await page_load(url, path, user.source):
            failed("page load", problem)
        s = await user.open(page, path)
        counts["page loads"] += 1
        for e in s.errors:
            failed("error in page run", e)
        return True

    users = [Client(url, f"127.0.{k + 1}.1") for k in range(sessions)]
    t0 = time.perf_counter()
    deadline = t0 + duration
    cycle = ["switch", "select", "clear"] * 2 + ["download"]

    async def reader(i: int, user: Client) -> None:
        nonlocal cut
        page, path = order[i % len(order)]
        try:
            await open_page(user, page, path)
        except Exception as exc:  # noqa: BLE001
            failed("page load", repr(exc))
            return
        step, turn, fetched = -1, i, i
        while time.perf_counter() < deadline:
            step += 1
            what = cycle[step % len(cycle)]
            try:
                if what == "download":
                    fetched += 1
                    s = await download(url, DOWNLOADS[fetched % len(DOWNLOADS)], user.source, rows)
                    counts["downloads"] += 1
                    for e in s.errors:
                        failed("lost download", e)
                    continue
                if what == "switch":
                    turn += 1
                    page, path = order[turn % len(order)]
                    for problem in await page_load(url, path, user.source):  # the page as a new tab would load it
                        failed("page load", problem)
                    counts["page loads"] += 1
                    s = await user.switch(page, path)
                else:
                    s = await user.set_province([PROVINCE] if what == "select" else [])
                counts["filter changes" if what != "switch" else "page switches"] += 1
                for e in s.errors:
                    failed("error in deltas", e)
            except Exception as exc:  # noqa: BLE001 - a broken websocket or a timeout
                if what == "download":
                    failed("lost download", repr(exc))
                    continue
                after_kill = killed.get("at") is not None and time.perf_counter() - killed["at"] < 60
                if after_kill and not isinstance(exc, asyncio.TimeoutError):
                    cut += 1   # this session was on the killed worker: reconnect, as the front end does
                else:
                    failed("timeout" if isinstance(exc, asyncio.TimeoutError) else "broken session", repr(exc))
                try:
                    await user.close()
                except Exception:  # noqa: BLE001
                    pass
                user.seen, user.states = ws_load.Observed(), {}
                try:
                    await open_page(user, page, path)
                    counts["reconnects"] += 1
                except Exception as again:  # noqa: BLE001
                    failed("reconnect failed", repr(again))
                    return

    rss: list[tuple[float, float]] = []

    async def monitor() -> None:
        while time.perf_counter() < deadline:
            rss.append((round(time.perf_counter() - t0, 1), rss_mb(workers_of(serve_pid))))
            if "at" not in killed and time.perf_counter() - t0 >= kill_at * duration:
                victims = workers_of(serve_pid)
                if victims:
                    victim = victims[0]
                    before = rss[-1][1]
                    os.kill(victim, signal.SIGKILL)
                    killed.update(at=time.perf_counter(), pid=victim, second=round(time.perf_counter() - t0, 1),
                                  rss_before_mb=round(before, 1))
                    print(f"{killed['second']} s: worker {victim} killed (SIGKILL)", flush=True)
            if "at" in killed and "back_after_s" not in killed:
                now = workers_of(serve_pid)
                if len(now) == workers and killed["pid"] not in now and await asyncio.to_thread(_all_workers_healthy, now):
                    killed["back_after_s"] = round(time.perf_counter() - killed["at"], 1)
                    print(f"worker started again and healthy after {killed['back_after_s']} s", flush=True)
            await asyncio.sleep(1)

    await asyncio.gather(monitor(), *(reader(i, u) for i, u in enumerate(users)))
    elapsed = time.perf_counter() - t0
    for u in users:
        try:
            await u.close()
        except Exception:  # noqa: BLE001
            pass
    killed.pop("at", None)
    values = [v for _, v in rss]
    return {"sessions": sessions, "duration_s": round(elapsed, 1), **{k.replace(" ", "_"): v for k, v in counts.items()},
            "interactions_per_s": round((counts["filter changes"] + counts["page switches"]) / elapsed, 1),
            "sessions_cut_by_the_kill": cut, "errors": sum(errors.values()), "errors_by_kind": dict(errors),
            "lost_downloads": errors.get("lost download", 0), "error_examples": examples, "kill": killed,
            "rss_start_mb": round(values[0], 1) if values else None, "rss_peak_mb": round(max(values), 1) if values else None,
            "rss_end_mb": round(values[-1], 1) if values else None, "rss_curve": rss[::10]}


def _all_workers_healthy(pids: list[int]) -> bool:
    ports = []
    for pid in pids:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"--server.port" in cmd:
            ports.append(int(cmd[cmd.index(b"--server.port") + 1]))
    return bool(ports) and all(healthy(f"http://127.0.0.1:{p}") for p in ports)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=64)
    ap.add_argument("--duration", type=float, default=float(os.environ.get("ATLAS_BENCH_DURATION", 600)),
                    help="seconds of load (default 600, or $ATLAS_BENCH_DURATION)")
    ap.add_argument("--kill-at", type=float, default=0.5, help="when to kill a worker, as a share of the duration")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", default=str(RESULTS))
    args = ap.parse_args(argv)
    from components.serve import free_port
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    logs = HERE / ".cache" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    serve = subprocess.Popen([sys.executable, "-m", "components.serve", "--workers", str(args.workers), "--port", str(port)],
                             cwd=ROOT, start_new_session=True, stdout=open(logs / "serve_reliability.log", "wb"),  # noqa: SIM115
                             stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while not healthy(url):
            if serve.poll() is not None or time.time() > deadline:
                raise SystemExit("make serve did not start: see " + str(logs / "serve_reliability.log"))
            time.sleep(0.5)
        rows = expected_flow_rows()
        targets = workers_of(serve.pid)
        ports = [int(c[c.index(b"--server.port") + 1]) for c in
                 (Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0") for p in targets)]
        t0 = time.perf_counter()
        asyncio.run(ws_load.warm(ws_load.Target("serve", url, targets, targets, None,
                                                worker_urls=[f"http://127.0.0.1:{p}" for p in ports]), rows))
        print(f"{len(ports)} workers warmed in {time.perf_counter() - t0:.0f} s; {args.sessions} sessions for "
              f"{args.duration:.0f} s, a worker killed at {args.kill_at * args.duration:.0f} s", flush=True)
        result = asyncio.run(run(url, args.sessions, args.duration, args.kill_at, serve.pid, rows, args.workers))
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
    result.update(workers=args.workers, date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                  machine=f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
                  load_average_end=os.getloadavg())
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rss_curve"}, indent=2))
    print("\n| sessions | seconds | page loads | filter changes | downloads | errors | lost downloads | cut by the kill "
          "| worker back after | RSS start / peak / end (MB) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {result['sessions']} | {result['duration_s']:.0f} | {result.get('page_loads', 0):,} | "
          f"{result.get('filter_changes', 0) + result.get('page_switches', 0):,} | {result.get('downloads', 0):,} | "
          f"{result['errors']} | {result['lost_downloads']} | {result['sessions_cut_by_the_kill']} | "
          f"{result['kill'].get('back_after_s', '-')} s | {result['rss_start_mb']:.0f} / {result['rss_peak_mb']:.0f} / "
          f"{result['rss_end_mb']:.0f} |")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())

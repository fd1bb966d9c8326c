"""Load benchmark without a browser: clients that speak Streamlit's websocket protocol, and the server's CPU per interaction.

    python -m benchmarks.ws_load [--quick] [--clients 1,4,16,64] [--duration 30] [--json PATH]
    python -m benchmarks.ws_load --soak 1800 [--soak-clients 4] [--gc off|on]   memory soak, RSS every 30 s

Each client is what a browser tab is to the server, minus the drawing: it opens `/_stcore/stream`, sends
`BackMsg.rerun_script` (page, query string, the widget states it holds, the hashes of the cacheable messages it
has seen, so the server answers with references as it does to a browser) and reads `ForwardMsg`s until the run's
`script_finished`. A reader's interactions: open a page, select the province "Fujian" in the sidebar's
multiselect (its widget id read from the delta whose key is `filter_province_0`), clear it, switch page, and
download (HTTP GET of stable addresses: the Fujian flows CSV, rows checked; the corporate chart's PNG).

Measured: server CPU (utime + stime of the server's process tree from /proc, exited children included) per
interaction, interactions/s, p50/p95 latency, errors (exception elements or error boxes in the deltas, references
to messages the client never had, wrong downloads, timeouts) and RSS, for the app and the floor app
(benchmarks/floor_app.py), with one process and with two behind nginx (components/serve.py).

Two processes behind nginx: serve.py keeps a reader's traffic on one worker with `ip_hash`, which hashes the
first three octets of the client's IPv4 address, so every client from 127.0.0.1 would land on one worker. Real
readers come from many addresses; the benchmark's clients do too: client k binds its sockets to 127.0.k.1
(all of 127/8 is loopback on Linux), and the report shows how the CPU split between the workers.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import socket
import statistics
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "ws_load.json"
SOAK_RESULTS = HERE / "results" / "soak.json"
LOGS = HERE / ".cache" / "logs"
PROVINCE = "Fujian"
PROVINCE_KEY = "filter_province_0"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FLOOR_RATIO = 1.5        # target: app CPU per interaction within 1.5x the floor's
RATE_TARGET = 20.0       # target: interactions/s from one process
TIMEOUT = 120.0          # seconds one rerun or download may take before it counts as an error
DOWNLOADS = (f"/api/v1/flows.csv?province={PROVINCE}", "/charts/corporate-giving.png")


# --- the protocol: pure helpers -------------------------------------------------------------------

def widget_key(widget_id: str) -> str | None:
    """The user key in a widget id: Streamlit 1.67 names keyed widgets `$$ID-<hash>-<key>`."""
    if widget_id.startswith("$$ID-"):
        parts = widget_id.split("-", 2)
        return parts[2] if len(parts) == 3 and parts[2] != "None" else None
    return None


def multiselect_state(widget_id: str, values: list[str]) -> WidgetState:
    """A multiselect's value as the 1.67 front end sends it: the chosen options' display strings."""
    state = WidgetState(id=widget_id)
    state.string_array_value.data.extend(values)
    return state


def rerun_message(*, page_script_hash: str = "", page_name: str = "", query_string: str = "",
                  widgets: list[WidgetState] = (), cached: set[str] | frozenset = frozenset()) -> bytes:
    msg = BackMsg()
    r = msg.rerun_script
    r.query_string, r.page_script_hash, r.page_name = query_string, page_script_hash, page_name
    r.widget_states.widgets.extend(widgets)
    r.cached_message_hashes.extend(sorted(cached))
    return msg.SerializeToString()


@dataclass
class Widget:
    id: str
    kind: str
    options: list[str]


@dataclass
class Observed:
    """What a client knows from the ForwardMsgs it read: the pages, the URL's query, the widgets of the last run,
    the cacheable messages it holds (the server sends a reference to those), and what went wrong."""
    pages: dict[str, str] = field(default_factory=dict)        # url path ("" for the default page) -> page_script_hash
    query_string: str = ""
    page_script_hash: str = ""                                 # the page of the latest run
    widgets: dict[str, Widget] = field(default_factory=dict)   # user key -> widget of the current run
    cache: dict[str, ForwardMsg] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    finished: int | None = None                                # ScriptFinishedStatus of the run read to the end
    messages: int = 0
    refs: int = 0

    def start_run(self) -> None:
        self.widgets, self.finished = {}, None

    def read(self, raw: bytes) -> ForwardMsg:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        self.observe(msg)
        return msg

    def observe(self, msg: ForwardMsg) -> None:
        self.messages += 1
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            self.refs += 1
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                self.errors.append(f"reference to a message never received ({msg.ref_hash})")
            else:
                self._delta(cached)
            return
        if msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg
        if kind == "new_session":
            self.page_script_hash = msg.new_session.page_script_hash
        if kind == "navigation" or kind == "new_session":
            pages = msg.navigation.app_pages if kind == "navigation" else msg.new_session.app_pages
            for p in pages:
                self.pages.setdefault(p.url_pathname, p.page_script_hash)
                if p.is_default:
                    self.pages[""] = p.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "delta":
            self._delta(msg)
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.errors.append("script finished with a compile error")
            if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.finished = status
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {msg.page_not_found.page_name!r}")

    def _delta(self, msg: ForwardMsg) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            self.errors.append(f"error box: {element.alert.body[:200]}")
        elif kind and hasattr(getattr(element, kind), "id") and (key := widget_key(getattr(element, kind).id)):
            proto = getattr(element, kind)
            self.widgets[key] = Widget(proto.id, kind, list(getattr(proto, "options", ())))


def option_for(widget: Widget, name: str) -> str:
    """The option string of `name` (the display text starts with the English name)."""
    for option in widget.options:
        if option == name or option.startswith(name):
            return option
    raise LookupError(f"no option {name!r} in {widget.id}")


# --- server processes: CPU and memory from /proc --------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")
IDLE_SHARE = 0.01   # "quiet": under 1% of a core (kaleido's idle Chromium uses about 0.1%)


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()   # fields from 3 (state) on; the name may hold spaces


def tree(roots: list[int]) -> list[int]:
    """The roots and all their descendants (kaleido's Chromium, for one)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))):
            children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def process_cpu_ns(pid: int) -> int | None:
    """A process's CPU time in nanoseconds (all its threads, those that have ended too: Streamlit starts one per
    script run), from its CPU-time clock (clock_getcpuclockid's id: ~pid << 3 | CPUCLOCK_SCHED). /proc's
    utime and stime count 10 ms ticks, coarser than a rerun; None if the process is gone."""
    try:
        return time.clock_gettime_ns(((~pid) << 3) | 2)
    except OSError:
        return None


def cpu_seconds(roots: list[int]) -> float:
    """CPU seconds of every process in the trees (to the nanosecond), and of their exited, reaped children
    (cutime + cstime, in ticks)."""
    total_ns, ticks = 0, 0
    for pid in tree(roots):
        if fields := _stat(pid):
            ns = process_cpu_ns(pid)
            total_ns += ns if ns is not None else (int(fields[11]) + int(fields[12])) * 10**9 // TICK
            ticks += int(fields[13]) + int(fields[14])   # cutime cstime (stat fields 16-17)
    return total_ns / 1e9 + ticks / TICK


def rss_mb(roots: list[int]) -> float:
    """Resident memory of the server processes themselves (not their Chromium children), summed."""
    total = 0.0
    for pid in roots:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


async def settle(roots: list[int], quiet: float = 0.05, limit: float = 3.0) -> float:
    """The CPU total once the servers have stopped using CPU: under `IDLE_SHARE` of a core over each of two
    readings `quiet` s apart (Streamlit's post-run GC runs after script_finished is sent)."""
    last, still, start = cpu_seconds(roots), 0, time.perf_counter()
    while time.perf_counter() - start < limit:
        await asyncio.sleep(quiet)
        now = cpu_seconds(roots)
        still = still + 1 if now - last < IDLE_SHARE * quiet else 0
        if still == 2:
            return now
        last = now
    return last


# --- a client -------------------------------------------------------------------------------------

@dataclass
class Sample:
    action: str
    page: str
    seconds: float
    bytes: int
    cpu_s: float | None = None
    errors: list[str] = field(default_factory=list)


class Client:
    """One reader's session on `ws://host:port/_stcore/stream`, its sockets bound to `source` (an address)."""

    def __init__(self, base: str, source: str | None = None):
        self.base, self.source = base.rstrip("/"), source
        self.seen = Observed()
        self.states: dict[str, WidgetState] = {}   # widget id -> the value this reader set
        self.page = "overview"
        self.ws = None

    async def open(self, page: str, path: str) -> Sample:
        import websockets
        url = "ws" + self.base[4:] + "/_stcore/stream"
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None, compression=None,
                                           open_timeout=TIMEOUT, ping_interval=None,
                                           **({"local_addr": (self.source, 0)} if self.source else {}))
        self.page = page
        return await self._rerun("open", page_name=path)

    async def close(self) -> None:
        if self.ws:
            await self.ws.close()

    async def _rerun(self, action: str, **fields) -> Sample:
        seen = self.seen
        seen.start_run()
        errors_before = len(seen.errors)
        active = [s for s in self.states.values()]
        start = time.perf_counter()
        await self.ws.send(rerun_message(widgets=active, cached=set(seen.cache), **fields))
        received = 0
        deadline = start + TIMEOUT
        while seen.finished is None:
            raw = await asyncio.wait_for(self.ws.recv(), max(0.1, deadline - time.perf_counter()))
            received += len(raw)
            seen.read(raw)
        seconds = time.perf_counter() - start
        live = {w.id for w in seen.widgets.values()}
        self.states = {i: s for i, s in self.states.items() if i in live}  # as the front end drops unmounted widgets
        return Sample(action, self.page, seconds, received, errors=seen.errors[errors_before:])

    async def set_province(self, names: list[str]) -> Sample:
        widget = self.seen.widgets.get(PROVINCE_KEY)
        if widget is None:
            raise LookupError(f"no widget with key {PROVINCE_KEY} on {self.page}")
        self.states[widget.id] = multiselect_state(widget.id, [option_for(widget, n) for n in names])
        return await self._rerun("select" if names else "clear", page_script_hash=self.seen.page_script_hash,
                                 query_string=self.seen.query_string)

    async def switch(self, page: str, path: str) -> Sample:
        self.page = page
        return await self._rerun("switch", page_script_hash=self.seen.pages[path], query_string="")


async def download(base: str, address: str, source: str | None, expected_rows: int | None) -> Sample:
    """HTTP GET of a stable address from `source`, the body checked: PNG signature, or CSV rows of the province."""
    start = time.perf_counter()
    parsed = urllib.parse.urlsplit(base)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(
        parsed.hostname, parsed.port, **({"local_addr": (source, 0)} if source else {})), TIMEOUT)
    try:
        writer.write(f"GET {address} HTTP/1.1\r\nHost: {parsed.netloc}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), TIMEOUT)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    errors = check_download(address, head, body, expected_rows)
    return Sample("download", address, time.perf_counter() - start, len(raw), errors=errors)


def _dechunk(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if not size:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


def check_download(address: str, head: bytes, body: bytes, expected_rows: int | None) -> list[str]:
    status = head.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        return [f"{address}: {status.decode(errors='replace')}"]
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunk(body)
    if address.endswith(".png") or ".png?" in address:
        return [] if body.startswith(PNG_SIGNATURE) else [f"{address}: not a PNG ({body[:8]!r})"]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    code = "CN-FJ"
    wrong = [r for r in rows if code not in (r.get("from_admin1"), r.get("to_admin1"))]
    if wrong or (expected_rows is not None and len(rows) != expected_rows):
        return [f"{address}: {len(rows)} rows ({len(wrong)} not {code}), expected {expected_rows}"]
    return []


def expected_flow_rows() -> int:
    from atlas import engine
    from atlas.filters import FIELDS, defaults, filters_of
    from atlas.records import load
    from benchmarks.generate import BUNDLED
    d = load(BUNDLED)
    return engine.select(d, filters_of({**defaults(FIELDS, d.vocab), "province": ("CN-FJ",)}), promised=True).height


# --- servers --------------------------------------------------------------------------------------

@dataclass
class Target:
    label: str
    url: str
    roots: list[int]          # server pids (workers and nginx)
    workers: list[int]        # app processes, for RSS
    stop: object
    several_sources: bool = False
    worker_urls: list[str] = field(default_factory=list)   # each process directly (for the warm-up)
    downloads: bool = True                                  # the floor serves no stable addresses


def start_target(label: str, script: str, processes: int, gc: bool) -> Target:
    from benchmarks import server
    # explicit either way: .streamlit/config.toml sets runner.postScriptGC = false, Streamlit's default is true
    env = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true" if gc else "false"}
    if script == server.FLOOR:
        env["FLOOR_SNAPSHOT"] = str(HERE / ".cache" / "floor-snapshot.pkl")
    if processes == 1:
        srv = server.start(script, env, LOGS / f"ws-{label}.log")
        return Target(label, srv.url, [srv.proc.pid], [srv.proc.pid], srv.stop, worker_urls=[srv.url],
                      downloads=script == server.APP)
    if script != server.APP:
        raise ValueError("several processes: the app only")
    from components.serve import Cluster, free_port
    cluster = Cluster(processes, free_port(), env=env)
    workers = [p.pid for p in cluster.procs.values()]
    return Target(label, cluster.url, workers + [cluster.nginx.pid], workers, cluster.stop, several_sources=True,
                  worker_urls=[f"http://127.0.0.1:{p}" for p in cluster.ports])


# --- measurements ---------------------------------------------------------------------------------

def pages() -> list[tuple[str, str]]:
    from components.site import PAGES
    return [(p.key, p.url_path) for p in PAGES]


def pct(xs: list[float], q: int) -> float | None:
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1]


async def measured(target: Target, action) -> Sample:
    """One interaction alone on the server, its CPU from before the request to the server going quiet."""
    before = await settle(target.roots)
    sample = await action()
    sample.cpu_s = await settle(target.roots) - before
    return sample


async def warm(target: Target, rows: int) -> None:
    """Every process once through every page and filter state the benchmark visits, and every download, unmeasured:
    the first visit builds what the app caches per parameter set (and starts kaleido), which a reader pays once
    per process, not per interaction."""
    order = pages()
    for url in target.worker_urls:
        client = Client(url)
        try:
            await client.open("overview", "")
            for page, path in order[1:] + order[:1]:
                await client.switch(page, path)
                await client.set_province([PROVINCE])
                await client.set_province([])
        finally:
            await client.close()
        if target.downloads:
            for address in DOWNLOADS:
                await download(url, address, None, rows)


async def profile(target: Target, reps: int) -> dict:
    """One client, nothing else running, after the warm-up: per page, CPU and latency of switching to it, selecting
    Fujian, clearing it."""
    order = pages()
    client = Client(target.url)
    samples: list[Sample] = []
    try:
        samples.append(await measured(target, lambda: client.open("overview", "")))
        for _ in range(reps):
            for page, path in order[1:] + order[:1]:
                samples.append(await measured(target, lambda: client.switch(page, path)))
                samples.append(await measured(target, lambda: client.set_province([PROVINCE])))
                samples.append(await measured(target, lambda: client.set_province([])))
    finally:
        await client.close()
    out = {}
    for page, _ in order:
        mine = [s for s in samples if s.page == page and s.action != "open"]
        out[page] = {"cpu_ms": 1e3 * statistics.mean(s.cpu_s for s in mine),
                     "cpu_ms_median": 1e3 * statistics.median(s.cpu_s for s in mine), "n": len(mine),
                     "by_action": {a: {"cpu_ms": 1e3 * statistics.mean(s.cpu_s for s in mine if s.action == a),
                                       "p50_s": statistics.median(s.seconds for s in mine if s.action == a),
                                       "kb": statistics.median(s.bytes for s in mine if s.action == a) / 1e3}
                                   for a in ("switch", "select", "clear")},
                     "errors": [e for s in mine for e in s.errors][:5]}
    return {"pages": out, "errors": sum(len(s.errors) for s in samples), "rss_mb": rss_mb(target.workers)}


async def load(target: Target, clients: int, duration: float, expected_rows: int) -> dict:
    """`clients` readers at once for `duration` s: each opens a page, then loops switch page / select Fujian / clear,
    with a download of a stable address after every six reruns. Server CPU over the whole run / (reruns + downloads)."""
    order = pages()
    samples: list[Sample] = []
    errors: Counter = Counter()
    examples: list[str] = []

    def failed(kind: str, detail: str) -> None:
        errors[kind] += 1
        if errors[kind] <= 3:
            examples.append(f"{kind}: {detail}"[:300])

    sources = [f"127.0.{k + 1}.1" if target.several_sources else None for k in range(clients)]
    users = [Client(target.url, s) for s in sources]
    opened = await asyncio.gather(*(u.open(order[i % len(order)][0], order[i % len(order)][1])
                                    for i, u in enumerate(users)), return_exceptions=True)
    live = []
    for user, outcome in zip(users, opened):
        if isinstance(outcome, BaseException):
            failed("failed to open", repr(outcome))
        else:
            live.append(user)
    cpu0, t0 = await settle(target.roots, limit=10), time.perf_counter()
    deadline = t0 + duration
    rss_peak = rss_mb(target.workers)

    # a reader's loop: switch page, select, clear, twice, then a download (the flows CSV, the corporate PNG in turn)
    cycle = ["switch", "select", "clear"] * 2 + (["download"] if target.downloads else [])

    async def reader(i: int, user: Client) -> None:
        step, turn, fetched = -1, i, i
        while time.perf_counter() < deadline:
            step += 1
            try:
                what = cycle[step % len(cycle)]
                if what == "download":
                    fetched += 1
                    s = await download(target.url, DOWNLOADS[fetched % len(DOWNLOADS)], user.source, expected_rows)
                elif what == "switch":
                    turn += 1
                    page, path = order[turn % len(order)]
                    s = await user.switch(page, path)
                else:
                    s = await user.set_province([PROVINCE] if what == "select" else [])
            except Exception as exc:  # a timeout, a closed socket: count it, reopen the session
                failed("timeout" if isinstance(exc, asyncio.TimeoutError) else "failed step", repr(exc))
                try:
                    await user.close()
                    await user.open("overview", "")
                except Exception as again:
                    failed("session lost", repr(again))
                    return
                continue
            samples.append(s)
            for e in s.errors:
                failed("wrong download" if s.action == "download" else "error in deltas", e)

    async def sample_rss() -> None:
        nonlocal rss_peak
        while time.perf_counter() < deadline:
            rss_peak = max(rss_peak, rss_mb(target.workers))
            await asyncio.sleep(1)

    await asyncio.gather(sample_rss(), *(reader(i, u) for i, u in enumerate(live)))
    elapsed = time.perf_counter() - t0
    per_worker = [cpu_seconds([w]) for w in target.workers]
    cpu = await settle(target.roots, limit=10) - cpu0
    for u in users:
        await u.close()
    reruns = [s for s in samples if s.action != "download"]
    loads = [s for s in samples if s.action == "download"]
    return {"clients": clients, "duration_s": round(elapsed, 1), "interactions": len(reruns), "downloads": len(loads),
            "interactions_per_s": len(reruns) / elapsed, "downloads_per_s": len(loads) / elapsed,
            "cpu_ms_per_interaction": 1e3 * cpu / max(1, len(reruns) + len(loads)),
            "cpu_s": cpu, "cpu_busy": cpu / elapsed, "worker_cpu_total_s": per_worker,
            "p50_s": pct([s.seconds for s in reruns], 50), "p95_s": pct([s.seconds for s in reruns], 95),
            "download_p50_s": pct([s.seconds for s in loads], 50), "download_p95_s": pct([s.seconds for s in loads], 95),
            "errors": sum(errors.values()), "errors_by_kind": dict(errors), "error_examples": examples,
            "rss_mb": rss_mb(target.workers), "rss_peak_mb": rss_peak}


# --- the soak -------------------------------------------------------------------------------------

async def soak(seconds: float, clients: int, gc: bool, interval: float = 30.0) -> dict:
    """`clients` readers looping interactions for `seconds`, the app's RSS every `interval` s."""
    from benchmarks import server
    target = start_target("soak-gc-" + ("on" if gc else "off"), server.APP, 1, gc)
    rows = expected_flow_rows()
    curve: list[tuple[float, float]] = []
    result: dict = {}
    try:
        t0 = time.perf_counter()
        curve.append((0.0, rss_mb(target.workers)))

        async def sampler():
            while time.perf_counter() - t0 < seconds:
                await asyncio.sleep(interval)
                curve.append((round(time.perf_counter() - t0), rss_mb(target.workers)))
                log(f"soak: {curve[-1][0]:.0f} s, RSS {curve[-1][1]:.1f} MB")

        run, _ = await asyncio.gather(load(target, clients, seconds, rows), sampler())
        result = {"gc": gc, "clients": clients, "seconds": seconds, "run": run, "rss_curve": curve}
        result.update(growth(curve))
    finally:
        target.stop()
    return result


def growth(curve: list[tuple[float, float]]) -> dict:
    """RSS growth: last sample minus the first after warm-up (a fifth of the run), and the least-squares slope of the
    second half in MB per 10 minutes."""
    if len(curve) < 4:
        return {}
    warm = [p for p in curve if p[0] >= curve[-1][0] / 5] or curve
    half = [p for p in curve if p[0] >= curve[-1][0] / 2]
    xs, ys = [p[0] for p in half], [p[1] for p in half]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sum((x - mx) ** 2 for x in xs) or 1)
    return {"rss_after_warmup_mb": warm[0][1], "rss_end_mb": curve[-1][1], "rss_max_mb": max(p[1] for p in curve),
            "growth_after_warmup_mb": curve[-1][1] - warm[0][1], "slope_second_half_mb_per_10min": slope * 600}


# --- the whole benchmark --------------------------------------------------------------------------

FULL = {"clients": "1,4,16,64", "duration": 30.0, "reps": 3}
QUICK = {"clients": "1,4,16", "duration": 15.0, "reps": 2}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ensure_snapshot() -> None:
    import subprocess
    built = subprocess.run([sys.executable, "-m", "benchmarks.floor_snapshot"], cwd=ROOT, capture_output=True, text=True)
    if built.returncode:
        raise RuntimeError(f"the floor snapshot failed:\n{built.stderr[-3000:]}")


async def run_all(clients: list[int], duration: float, reps: int, with_floor: bool = True, with_cluster: bool = True,
                  gc_compare: bool = True) -> dict:
    from benchmarks import server
    rows = expected_flow_rows()
    report: dict = {"clients": clients, "duration_s": duration, "reps": reps, "profiles": {}, "load": {},
                    "load_average_at_start": os.getloadavg()}
    plan = [("app", server.APP, 1, True)]
    if gc_compare:
        plan.append(("app-gc-off", server.APP, 1, False))
    if with_floor:
        ensure_snapshot()
        plan.append(("floor", server.FLOOR, 1, True))
        if gc_compare:
            plan.append(("floor-gc-off", server.FLOOR, 1, False))
    if with_cluster:
        plan.append(("app-2proc", server.APP, 2, False))  # as served: .streamlit/config.toml turns the post-run GC off
    for label, script, processes, gc in plan:
        log(f"{label}: starting {processes} process(es)")
        target = start_target(label, script, processes, gc)
        try:
            await warm(target, rows)
            if processes == 1:
                report["profiles"][label] = await profile(target, reps)
                log(f"{label}: " + ", ".join(f"{p} {v['cpu_ms']:.0f} ms" for p, v in report["profiles"][label]["pages"].items()))
            report["load"][label] = {}
            for n in clients:
                if label != "app" and label != "app-2proc" and n not in (4, 16):
                    continue   # the floor and the GC variants: 4 and 16 clients are what the table compares
                r = await load(target, n, duration, rows)
                report["load"][label][str(n)] = r
                log(f"{label}: {n} clients: {r['interactions_per_s']:.1f}/s, {r['cpu_ms_per_interaction']:.0f} ms CPU each, "
                    f"p50 {r['p50_s']:.2f} s, p95 {r['p95_s']:.2f} s, {r['errors']} errors")
        finally:
            target.stop()
    report["load_average_at_end"] = os.getloadavg()
    report["targets"] = targets(report)
    return report


# The app is served with Streamlit's post-run GC off (.streamlit/config.toml, decided by the soaks below): the targets
# are judged on the runs with it off, app and floor alike. The runs with Streamlit's default (GC on) are shown beside
# them, not judged.
SERVED = ("app-gc-off", "floor-gc-off")


def targets(report: dict) -> list[dict]:
    out = []
    prof, load_ = report["profiles"], report["load"]
    for app, floor in (("app-gc-off", "floor-gc-off"), ("app", "floor")):
        if app in prof and floor in prof:
            ratios = {p: prof[app]["pages"][p]["cpu_ms"] / prof[floor]["pages"][p]["cpu_ms"] for p in prof[app]["pages"]}
            worst = max(ratios, key=ratios.get)
            out.append({"target": f"CPU per interaction within {FLOOR_RATIO}x the floor ({app} vs {floor}, worst page)",
                        "value": ratios[worst], "limit": FLOOR_RATIO, "where": worst, "pass": ratios[worst] <= FLOOR_RATIO,
                        "judged": app in SERVED})
    for label in ("app-gc-off", "app"):
        rates = [r["interactions_per_s"] for n, r in load_.get(label, {}).items() if int(n) >= 4]
        if rates:
            out.append({"target": f"at least {RATE_TARGET:g} interactions/s from one process ({label}, best of >= 4 clients)",
                        "value": max(rates), "limit": RATE_TARGET, "where": label, "pass": max(rates) >= RATE_TARGET,
                        "judged": label in SERVED})
    errors = sum(r["errors"] + 0 for runs in load_.values() for r in runs.values())
    errors += sum(p["errors"] for p in prof.values())
    out.append({"target": "no errors", "value": errors, "limit": 0, "where": "every run", "pass": errors == 0,
                "judged": True})
    return out


NOT_JUDGED = "shown, not judged: Streamlit's default, post-run GC on; the app is served with it off"


def verdict(t: dict) -> str:
    """PASS or FAIL for a judged target, ---- for one shown for comparison only."""
    return ("PASS" if t["pass"] else "FAIL") if t.get("judged", True) else "----"


def fmt(v, digits: int = 1) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def table(report: dict) -> str:
    prof, load_ = report["profiles"], report["load"]
    lines = ["", "Websocket load (browser-free clients; server CPU from /proc, whole process tree)"]
    cols = [k for k in ("app", "floor", "app-gc-off", "floor-gc-off") if k in prof]
    if cols:
        lines.append(f"  {'CPU ms per interaction (1 client)':<36}" + "".join(f"{c:>14}" for c in cols)
                     + ("   app/floor" if "floor" in prof else "") + ("   gc off: app/floor" if "floor-gc-off" in prof else ""))
        for page in prof[cols[0]]["pages"]:
            cell = lambda c: prof[c]["pages"][page]["cpu_ms"]
            row = f"  {page:<36}" + "".join(f"{fmt(cell(c)):>14}" for c in cols)
            if "floor" in prof:
                row += f"{cell('app') / cell('floor'):>12.2f}"
            if "floor-gc-off" in prof and "app-gc-off" in prof:
                row += f"{cell('app-gc-off') / cell('floor-gc-off'):>21.2f}"
            lines.append(row)
        lines.append(f"  {'RSS after profile, MB':<36}" + "".join(f"{fmt(prof[c]['rss_mb'], 0):>14}" for c in cols))
    lines += ["", f"  {'run':<14}{'clients':>8}{'inter./s':>10}{'dl/s':>7}{'CPU ms':>8}{'busy':>6}{'p50 s':>7}{'p95 s':>7}"
                  f"{'errors':>7}{'RSS MB':>8}{'peak':>7}  worker CPU s"]
    for label, runs in load_.items():
        for n, r in runs.items():
            lines.append(f"  {label:<14}{n:>8}{r['interactions_per_s']:>10.1f}{r['downloads_per_s']:>7.1f}"
                         f"{r['cpu_ms_per_interaction']:>8.0f}{r['cpu_busy']:>6.2f}{fmt(r['p50_s'], 2):>7}{fmt(r['p95_s'], 2):>7}"
                         f"{r['errors']:>7}{fmt(r['rss_mb'], 0):>8}{fmt(r['rss_peak_mb'], 0):>7}  "
                         + "/".join(f"{c:.0f}" for c in r["worker_cpu_total_s"]))
            lines += [f"      {e}" for e in r["error_examples"][:3]]
    lines += ["", "  Targets (judged on the runs as served: post-run GC off)"]
    lines += [f"  {verdict(t)}  {t['target']}: {fmt(t['value'], 2)} (limit {t['limit']}; {t['where']})"
              + ("" if t.get("judged", True) else f"  ({NOT_JUDGED})") for t in report["targets"]]
    return "\n".join(lines)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks.ws_load", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--quick", action="store_true", help=f"smaller defaults: {QUICK}")
    ap.add_argument("--clients", help=f"concurrent clients per load run (default {FULL['clients']})")
    ap.add_argument("--duration", type=float, help=f"seconds per load run (default {FULL['duration']:g})")
    ap.add_argument("--reps", type=int, help=f"rounds of the single-client profile (default {FULL['reps']})")
    ap.add_argument("--no-floor", action="store_true", help="skip the floor app")
    ap.add_argument("--no-cluster", action="store_true", help="skip two processes behind nginx")
    ap.add_argument("--no-gc-compare", action="store_true", help="skip the runs with runner.postScriptGC off")
    ap.add_argument("--soak", type=float, metavar="SECONDS", help="run the memory soak instead, for SECONDS")
    ap.add_argument("--soak-clients", type=int, default=4)
    ap.add_argument("--gc", choices=("on", "off"), default="off", help="post-run GC during the soak (default off)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.soak:
        result = asyncio.run(soak(args.soak, args.soak_clients, args.gc == "on"))
        path = args.json or SOAK_RESULTS
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1))
        print(json.dumps({k: v for k, v in result.items() if k != "run"}, indent=1))
        return 0
    report = asyncio.run(run_all([int(c) for c in args.clients.split(",")], args.duration, args.reps,
                                 not args.no_floor, not args.no_cluster, not args.no_gc_compare))
    path = args.json or RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1))
    print(table(report))
    print(f"\nJSON: {path}")
    return 0 if all(t["pass"] for t in report["targets"] if t["judged"]) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Reliability under load (issue #17): N concurrent browser-free sessions for a fixed time against the stable
HTTP addresses (/api/v1 tables and charts' numbers, /charts files, the package ZIP) and the health checks,
with every response checked. Not a timed test: run it by hand and put the figures in README's Performance.

    .venv/bin/python -m benchmarks.reliability [--sessions 5,20,50] [--duration 60]

A first sequential pass fetches every address once and keeps its SHA-256 and a content check (JSON parses, CSV
has the BOM and its header, PNG its signature, SVG its root, ZIP opens); under load every response must have
status 200, the same content type and the very same bytes: a wrong file, a mixed-up export or a truncated
body is an error. Reports per level: requests, errors (must be 0), p50/p95/max latency, requests/s, the
server's RSS (max while running; Chromium children of kaleido not counted) and the process group's.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import os
import random
import statistics
import threading
import time
import urllib.parse
import zipfile
from pathlib import Path

from . import server

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "reliability.json"
FILTERS = ("", "province=Fujian", "state=Ohio&lang=zh", "direction=cn_to_us&category=surgical_mask")


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, str, bytes]:
    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
    r = conn.getresponse()
    return r.status, r.getheader("content-type", ""), r.read()


def valid(path: str, kind: str, body: bytes) -> str | None:
    """Why a body is not the file its address promises, or None."""
    p = urllib.parse.urlsplit(path).path
    try:
        if p in ("/healthz", "/_stcore/health"):
            return None if body.strip() in (b"ok", b'{"status": "ok"}') or b"ok" in body else f"health said {body[:40]!r}"
        if p.endswith(".csv"):
            return None if body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body else "CSV without BOM or rows"
        if p.endswith(".png"):
            return None if body.startswith(b"\x89PNG\r\n\x1a\n") else "not a PNG"
        if p.endswith(".svg"):
            return None if b"<svg" in body[:400] else "not an SVG"
        if p.endswith(".zip"):
            return None if zipfile.ZipFile(io.BytesIO(body)).testzip() is None else "broken ZIP"
        if p.endswith(".json") or p.startswith("/api/v1"):
            json.loads(body)
            return None
    except Exception as e:  # noqa: BLE001 - any failure to read the body is the finding
        return f"{type(e).__name__}: {e}"[:120]
    return None


def addresses(url: str) -> list[str]:
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    _, _, body = _get(conn, "/api/v1/")
    index = json.loads(body)
    paths = ["/healthz", "/_stcore/health", "/api/v1/", "/api/v1/datapackage.json", "/api/v1/cooperation-atlas-data.zip"]
    for i, ex in enumerate(index["exhibits"]):
        for j, q in enumerate(FILTERS):
            for address in list((ex.get("data") or {}).values())[:2]:  # csv and json
                paths.append(address + (f"?{q}" if q else ""))
            if ex.get("files", {}).get("json"):
                paths.append(ex["files"]["json"] + (f"?{q}" if q else ""))
        files = ex.get("files") or {}
        if i % 3 == 0 and files.get("png"):  # some server-rendered images (kaleido, one lock): cached after the first
            paths.append(files["png"] + "?province=Fujian")
        if i % 3 == 1 and files.get("svg"):
            paths.append(files["svg"])
    return paths


def reference(url: str, paths: list[str]) -> dict[str, tuple[str, str]]:
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    ref = {}
    for p in paths:
        status, kind, body = _get(conn, p)
        problem = valid(p, kind, body) if status == 200 else f"status {status}"
        if problem:
            raise SystemExit(f"reference fetch of {p} failed: {problem}")
        ref[p] = (kind.split(";")[0], hashlib.sha256(body).hexdigest())
    return ref


def level(srv: server.Server, ref: dict, sessions: int, duration: float, seed: int = 17) -> dict:
    u = urllib.parse.urlsplit(srv.url)
    paths = sorted(ref)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration
    rss = {"server": 0.0, "group": 0.0}

    def session(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        while time.perf_counter() < stop_at:
            p = rng.choice(paths)
            t0 = time.perf_counter()
            try:
                status, kind, body = _get(conn, p)
                problem = None
                if status != 200:
                    problem = f"status {status}"
                elif kind.split(";")[0] != ref[p][0]:
                    problem = f"content type {kind}"
                elif hashlib.sha256(body).hexdigest() != ref[p][1]:
                    problem = "different bytes from the reference: " + (valid(p, kind, body) or "a valid but different file")
            except (OSError, http.client.HTTPException) as e:
                problem = f"{type(e).__name__}: {e}"
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if problem:
                    errors.append(f"{p}: {problem}")
        conn.close()

    def sample() -> None:
        while time.perf_counter() < stop_at:
            try:
                rss["server"] = max(rss["server"], server.rss_mb(srv.proc.pid))
                rss["group"] = max(rss["group"], group_rss_mb(srv.proc.pid))
            except (OSError, RuntimeError):
                pass
            time.sleep(1)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(sessions)]
    sampler = threading.Thread(target=sample)
    t0 = time.perf_counter()
    for t in threads + [sampler]:
        t.start()
    for t in threads + [sampler]:
        t.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else lat * 99
    return {"sessions": sessions, "seconds": round(wall, 1), "requests": len(lat), "errors": len(errors),
            "first_errors": errors[:5], "rps": round(len(lat) / wall, 1), "p50_ms": round(q[49] * 1000, 1),
            "p95_ms": round(q[94] * 1000, 1), "max_ms": round(lat[-1] * 1000, 1) if lat else None,
            "rss_server_mb": round(rss["server"], 1), "rss_group_mb": round(rss["group"], 1)}


def group_rss_mb(pid: int) -> float:
    """RSS of the server and all its descendants (kaleido's Chromium), in MB."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    family, grew = {pid}, True
    while grew:
        more = {p for p, pp in parents.items() if pp in family} - family
        family |= more
        grew = bool(more)
    total = 0.0
    for p in family:
        try:
            total += server.rss_mb(p)
        except (OSError, RuntimeError):
            continue
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", default="5,20,50")
    ap.add_argument("--duration", type=float, default=60.0)
    args = ap.parse_args(argv)
    srv = server.start("app.py", log=HERE / ".cache" / "logs" / "reliability.log")
    try:
        paths = addresses(srv.url)
        t0 = time.perf_counter()
        ref = reference(srv.url, paths)
        print(f"{len(ref)} addresses, reference pass {time.perf_counter() - t0:.1f} s, "
              f"server RSS {server.rss_mb(srv.proc.pid):.0f} MB", flush=True)
        results = []
        for n in (int(x) for x in args.sessions.split(",")):
            r = level(srv, ref, n, args.duration)
            results.append(r)
            print(json.dumps(r), flush=True)
    finally:
        srv.stop()
    print("\n| sessions | requests | errors | req/s | p50 (ms) | p95 (ms) | max (ms) | server RSS max (MB) | with Chromium (MB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['sessions']} | {r['requests']:,} | {r['errors']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['max_ms']} | {r['rss_server_mb']:.0f} | {r['rss_group_mb']:.0f} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"addresses": len(ref), "duration": args.duration, "levels": results,
                                   "load_average": os.getloadavg()}, indent=2) + "\n")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())

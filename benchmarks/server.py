"""Start and stop a `streamlit run` server for the benchmark, and read its memory."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = "app.py"
FLOOR = "benchmarks/floor_app.py"


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    launched: float      # time.perf_counter() just before the process was started
    healthy: float       # ... when /_stcore/health first answered "ok"

    def rss_mb(self) -> float:
        """Resident memory of the server process (not of kaleido's Chromium children), in MB."""
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(script: str, env: dict[str, str] | None = None, log: Path | None = None, timeout: float = 120) -> Server:
    """`streamlit run script` on a free port, in its own process group, its output appended to `log`;
    returns once it answers its health check."""
    port = _free_port()
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
    out = log.open("ab") if log else subprocess.DEVNULL
    launched = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    if log:
        out.close()  # the child holds its own copy
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - launched < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit run {script} exited with code {proc.returncode}")
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return Server(proc, url, launched, time.perf_counter())
        except OSError:
            time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError(f"streamlit run {script} did not answer within {timeout} s")

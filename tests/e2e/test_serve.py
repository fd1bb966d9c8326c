"""Two app processes behind nginx on one port (`make serve WORKERS=2`, components/serve.py).

A reader's session stays on one worker (ip_hash); the stable addresses go to either. The reader's
downloads must be right whichever worker answers them, and both workers must answer them.
"""
import csv
import io
import urllib.request

import pytest

from components.serve import Cluster, free_port

from .conftest import download, settle


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(2, free_port())
    yield c
    c.stop()


def test_downloads_work_behind_the_proxy_from_both_workers(cluster, page, tmp_path):
    page.goto(f"{cluster.url}/flows?province=Fujian")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    workers = set()
    for _ in range(3):
        path = download(page, "CSV", tmp_path, name_prefix="flows_province-Fujian", key="dl_flows_csv")
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert len({r["source_ref"] for r in rows}) == 8
    page.goto(f"{cluster.url}/survey")
    settle(page)
    png = download(page, "PNG", tmp_path, name_prefix="survey-findings", key="dl_survey_png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    bodies = set()
    for _ in range(6):
        with urllib.request.urlopen(f"{cluster.url}/api/v1/flows.csv?province=Fujian", timeout=60) as r:
            workers.add(r.headers["X-Atlas-Worker"])
            bodies.add(r.read())
    assert workers == {"1", "2"}, workers  # the stateless addresses are spread over both
    assert len(bodies) == 1                 # and both answer the same bytes

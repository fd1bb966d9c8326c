"""The one page registry: what app.py routes, what the tests walk and the benchmarks open.

Which shared filters a page uses is not listed here: it comes from the filter table
(`atlas.filters.FIELDS`, each field's `pages`).
"""
from __future__ import annotations

from dataclasses import dataclass

from atlas.filters import FILTER_FIELDS


@dataclass(frozen=True)
class Page:
    key: str                    # locale keys page.<key>, purpose.<key>, reason.<key>
    file: str
    url_path: str               # "" for the default page
    icon: str
    sources: tuple[str, ...]    # source ids listed at the page's foot ("*": every source)

    @property
    def applies(self) -> tuple[str, ...]:
        """The shared filters that change what this page shows."""
        return tuple(f.name for f in FILTER_FIELDS if self.key in f.pages or "*" in f.pages)

    @property
    def path(self) -> str:
        return "/" + self.url_path


PAGES = (
    Page("overview", "pages/overview.py", "", ":material/dashboard:",
         ("ccg2020", "diplomat", "bjreview2023", "supchina2021", "teets")),
    Page("flows", "pages/flows.py", "flows", ":material/conversion_path:", ("ccg2020",)),
    Page("corporate", "pages/corporate.py", "corporate", ":material/business:", ("ccg2020", "bjreview2023", "supchina2021")),
    Page("survey", "pages/survey.py", "survey", ":material/ballot:", ("ccg2020",)),
    Page("pairings", "pages/pairings.py", "pairings", ":material/link:", ("ccg2020", "wikipedia-sister-cities", "chinadaily2022")),
    Page("data", "pages/data_sources.py", "data", ":material/table_view:", ("*",)),
)
BY_KEY = {p.key: p for p in PAGES}

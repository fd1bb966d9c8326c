"""Parse the CCG report's printed tables out of the seed text, row by row, as printed."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .files import curated


@dataclass(frozen=True)
class PrintedRow:
    row: int            # 1-based order of the printed row
    cells: tuple[str, ...]  # after filling blank cells from the row above
    raw: tuple[str, ...]    # as printed (blank cells stay blank)


def _table_lines(text: str, start: str, end: str) -> list[str]:
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(start))
    j = next(n for n, line in enumerate(lines) if n > i and line.startswith(end))
    return [line for line in lines[i:j + 1] if line.strip()]


def _fill_down(lines: list[str], width: int, fill: int) -> list[PrintedRow]:
    rows, previous = [], [""] * width
    for n, line in enumerate(lines, start=1):
        raw = tuple(cell.strip() for cell in line.split("\t"))
        assert len(raw) == width, f"row {n} has {len(raw)} cells: {raw}"
        cells = list(raw)
        for k in range(fill):  # blank cells repeat the row above (province, donor)
            if not cells[k]:
                cells[k] = previous[k]
        previous = cells
        rows.append(PrintedRow(n, tuple(cells), raw))
    return rows


def table1(text: str) -> list[PrintedRow]:
    """Table 1: province, donor, recipient, items (70 printed rows)."""
    return _fill_down(_table_lines(text, "Shanghai\tShanghai City", "Sichuan\t"), 4, 2)


def table2(text: str) -> list[PrintedRow]:
    """Table 2: US state, sender, recipient, kind of support (31 printed rows)."""
    return _fill_down(_table_lines(text, "Oklahoma\tOklahoma State", "Iowa\tDubuque"), 4, 2)


def table4(text: str) -> list[PrintedRow]:
    """Table 4: rank, company, amount in CNY 10,000 (16 printed rows)."""
    lines = _table_lines(text, "1\tCitadel", "10\tP&G China")
    return [PrintedRow(n, tuple(line.split("\t")), tuple(line.split("\t"))) for n, line in enumerate(lines, 1)]


def survey(text: str) -> list[tuple[float, str]]:
    """The key findings: (percent, statement) in printed order; one bullet holds two findings."""
    findings = []
    for line in text.splitlines():
        if not line.startswith("- ") or "% of" not in line and "% indicated" not in line:
            continue
        for sentence in re.split(r"(?<=\.) (?=\d)", line[2:].strip()):
            m = re.match(r"([\d.]+)% (.*)", sentence)
            if m:
                findings.append((float(m.group(1)), sentence.strip()))
    return findings


# --- item lines ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def item_patterns() -> tuple[tuple[re.Pattern, str, str], ...]:
    """(pattern of one printed item, category, unit), first match wins (``curation/item_patterns.csv``)."""
    return tuple((re.compile(r["pattern"]), r["category"], r["unit"]) for r in curated("item_patterns.csv"))


def parse_items(cell: str) -> list[tuple[str, int, str, str]]:
    """Split an items cell into (category, quantity, unit, as_printed) lines."""
    out = []
    for part in (p.strip() for p in cell.split(",  ") if p.strip()):
        out.extend(_parse_parts(part))
    return out


def _parse_parts(cell: str) -> list[tuple[str, int, str, str]]:
    # Numbers use commas as thousands separators, so split on ", " followed by a digit or "CNY".
    parts = re.split(r", (?=\d|CNY)", cell)
    out = []
    for part in parts:
        for pattern, category, unit in item_patterns():
            m = pattern.fullmatch(part.strip())
            if m:
                out.append((category, int(m.group(1).replace(",", "")), unit, part.strip()))
                break
        else:
            raise ValueError(f"unrecognised item text: {part!r}")
    return out

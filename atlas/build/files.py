"""Reading the curated inputs in ``curation/`` and writing CSV outputs, the same way for every step."""
from __future__ import annotations

import csv
import io
from pathlib import Path

CURATION = Path(__file__).resolve().parent / "curation"


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file as dicts of strings ("" for an empty cell)."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def curated(name: str) -> list[dict[str, str]]:
    """Rows of one curation file (see ``curation/README.md`` for what each holds)."""
    return read_csv(CURATION / name)


def flag(text: str) -> bool:
    """A curated ``true``/``false`` cell."""
    if text not in ("true", "false"):
        raise ValueError(f"expected true or false, got {text!r}")
    return text == "true"


def optional_int(text: str) -> int | None:
    return int(text) if text else None


def render_csv(fields: list[str], rows: list[dict]) -> str:
    """CSV text with a header, ``\\n`` line ends, booleans written as ``true``/``false``."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()})
    return buf.getvalue()


def write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_csv(fields, rows), encoding="utf-8", newline="")

"""The whole data package as one ZIP, for download."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path


def package_zip(path: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for file in sorted(Path(path).rglob("*")):
            if file.is_file() and file.suffix in {".csv", ".json", ".md", ".geojson"}:
                z.write(file, arcname=str(file.relative_to(path)))
    return buf.getvalue()

"""Small builders for purpose-written Postman files."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any


def write(folder: Path, name: str, doc: Any, encoding: str = "utf-8") -> Path:
    """Writes `doc` as JSON into `folder/name` (utf-8, utf-8-sig or utf-16); returns the path."""
    path = folder / name
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if encoding == "utf-16-le":
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    else:
        path.write_text(text, encoding=encoding)
    return path


V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
V20 = "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"


def collection(*items: Any, schema: str = V21, **extra: Any) -> dict[str, Any]:
    """Returns a minimal Postman collection document holding `items`."""
    return {"info": {"name": "c", "schema": schema}, "item": list(items), **extra}


def request(name: str = "r", **req: Any) -> dict[str, Any]:
    """Returns a request item; keyword arguments go into `request`."""
    req.setdefault("url", "https://example.test/get")
    return {"name": name, "request": req}

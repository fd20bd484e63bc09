"""Checks JUnit files against Jenkins' junit-10.xsd (the schema CI servers validate with)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

XSD = Path(__file__).resolve().parent / "xsd" / "junit-10.xsd"


@cache
def _schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema10(XSD)


def is_junit(path: Path) -> bool:
    """Returns True when `path` is an XML file whose root is <testsuites> or <testsuite>."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return b"<testsuite" in head


def assert_valid_junit(path: Path) -> None:
    """Fails the test with the schema's reasons when `path` does not validate."""
    ET.parse(path)  # well-formed first: a clearer message than the schema's
    errors = [str(error).splitlines()[0] for error in _schema().iter_errors(str(path))]
    assert not errors, f"{path} does not validate against junit-10.xsd: {errors[:3]}"


def check_junit_files(*folders: Path) -> list[Path]:
    """Validates every JUnit file under `folders`; returns the files it checked."""
    seen: list[Path] = []
    for folder in dict.fromkeys(folders):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.xml")):
            if path.is_file() and is_junit(path):
                assert_valid_junit(path)
                seen.append(path)
    return seen

"""Postman collection v2.0/v2.1, environment and globals files → the runner model.

`detect` says what a parsed document is; `load_collection` / `load_environment` build the
model the run loop executes; `runner.postman.importer` writes the native JSON equivalent.
"""

from __future__ import annotations

from runner.postman.collection import load_collection
from runner.postman.detect import Kind, detect
from runner.postman.environment import load_environment

__all__ = ["Kind", "detect", "load_collection", "load_environment"]

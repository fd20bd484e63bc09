"""Turning a collection into code: `runner export pytest` (see `pytest_code`)."""

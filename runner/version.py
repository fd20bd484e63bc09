"""The package version: one place, read by the build (hatch) and by the code."""

__version__ = "0.1.0"

"""Checks on a response: queries, assertions, captures."""

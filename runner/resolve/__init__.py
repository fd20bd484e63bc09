"""Resolving a request template: variables, dynamic values, rendering to an HttpRequest."""

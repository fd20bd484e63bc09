"""Load mode: a collection's requests as Locust users (`pip install 'runner[load]'`).

Locust is the engine (users, spawn rate, statistics, CSV and HTML output, master/worker
distribution); runner supplies what each user does: one pass through the collection per
task, with runner's own rendering, token step, assertions and captures.
"""

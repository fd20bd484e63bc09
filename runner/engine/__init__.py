"""The engine: a run session, its iteration loop, the step that runs one request, its options."""

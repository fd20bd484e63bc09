"""The engine: a run session, its iteration loop, and the step that runs one request."""

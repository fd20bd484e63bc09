"""The transport: the one place that talks HTTP (requests), with --connect-to and retries."""

"""The ``Emulator`` handle for tests and the ``serve`` loop behind ``runner emulator``."""

from __future__ import annotations

import ssl
import threading
import time
from importlib import resources
from pathlib import Path
from types import TracebackType

from runner.emulator.config import EmulatorConfig
from runner.emulator.config_load import load_config
from runner.emulator.server import EmulatorServer
from runner.emulator.state import EmulatorState
from runner.emulator.stats import EmulatorStats
from runner.values import JSON

ConfigSource = dict[str, JSON] | str | Path | EmulatorConfig | None


class Emulator:
    """Entra ID, ARM and Graph on 127.0.0.1, served from a daemon thread.

    Use as a context manager, or call ``start()`` and ``stop()``.
    """

    def __init__(
        self,
        config: ConfigSource = None,
        *,
        port: int = 0,
        token_lifetime: int | None = None,
        host: str = "127.0.0.1",
        ssl_context: ssl.SSLContext | None = None,
        tls: bool = False,
    ) -> None:
        if token_lifetime is not None and token_lifetime < 1:
            raise ValueError("token_lifetime must be at least 1 second")
        self.config = load_config(config)
        self.state = EmulatorState(self.config, token_lifetime)
        self._address = (host, port)
        # With TLS it serves https, so collections that hard-code
        # https://login.microsoftonline.com run unchanged through --connect-to, and SDKs
        # (which refuse to send tokens over http) work. tls=True uses the local CA kept in
        # the user cache (runner.emulator.tls); ca_file is the file clients must trust.
        self.ca_file: Path | None = None
        if tls and ssl_context is None:
            from runner.emulator.tls import emulator_tls

            made = emulator_tls()
            ssl_context, self.ca_file = made.context, made.ca_file
        self._ssl_context = ssl_context
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Emulator:
        """Return self once the server listens (port 0 picks a free port)."""
        if self._server is None:
            self._server = EmulatorServer(self._address, self.state, self._ssl_context)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="runner-emulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        """Return the bound port (raises when not started)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running: call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Return the base URL, e.g. ``http://127.0.0.1:54321``."""
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{self._address[0]}:{self.port}"

    @property
    def token_lifetime(self) -> int:
        """Return the access token lifetime in seconds."""
        return self.state.issuer.lifetime

    @property
    def stats(self) -> EmulatorStats:
        """Return a snapshot of the counters."""
        return self.state.stats.snapshot()

    def reset(self) -> None:
        """Zero the counters and throttle counts (like ``POST /_emulator/reset``)."""
        self.state.reset()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def default_config_path() -> str:
    """Return where the bundled sample configuration (with its credentials) lives."""
    return str(resources.files("runner.emulator").joinpath("default_config.json"))


def serve(
    port: int = 0, config: str | None = None, token_lifetime: int | None = None, tls: bool = False
) -> None:
    """Serve in the foreground until Ctrl-C; print the URL (and, with TLS, the CA) first."""
    emulator = Emulator(config, port=port, token_lifetime=token_lifetime, tls=tls)
    try:
        emulator.start()
        # Printed inside the try: a Ctrl-C right after the lines still ends quietly.
        lines = [
            f"runner emulator: serving Entra ID, ARM and Graph on {emulator.url} "
            f"(sample credentials: {config or default_config_path()}); press Ctrl-C to stop"
        ]
        if emulator.ca_file is not None:
            lines.append(f"CA certificate: {emulator.ca_file}")
            lines.append(f"Trust it: {trust_line(emulator.ca_file)}")
        print("\n".join(lines), flush=True)
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


def trust_line(ca_file: Path) -> str:
    """Return the one shell line that makes Python SDKs, httpx and requests trust the CA."""
    return (
        f"export REQUESTS_CA_BUNDLE={ca_file} SSL_CERT_FILE={ca_file}"
        f"  (runner run: --ca-bundle {ca_file})"
    )

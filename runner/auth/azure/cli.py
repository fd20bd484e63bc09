"""The Azure CLI credential: `az account get-access-token`, for whoever ran `az login`.

`az` runs without a shell; its output is parsed for `accessToken` and the expiry, from
`expires_on` (epoch, newer CLIs) or `expiresOn` (local time text, every version).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime

from runner.auth.azure.common import AzureSettings, Unavailable, cache_key, label
from runner.auth.base import Token
from runner.errors import AuthError
from runner.results import EXEC, Exchange, ItemResult
from runner.secrets import MASK
from runner.transport.http import Transport
from runner.values import JSON

CLI_TIMEOUT = 60.0
NOT_FOUND = "Azure CLI not found: install it or use another credential"
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S")


@dataclass
class AzureCliSource:
    """A token from the Azure CLI's signed-in account."""

    settings: AzureSettings

    def __post_init__(self) -> None:
        # Plain attributes, as the TokenSource protocol declares them.
        self.key: tuple[str, ...] = cache_key("azure_cli", self.settings, None)
        self.label: str = label("azure_cli", self.settings, None)

    def arguments(self) -> list[str]:
        """Returns the az arguments (after `az`) that ask for this token."""
        args = ["account", "get-access-token", "--output", "json"]
        if self.settings.scope:
            args += ["--scope", self.settings.scope]
        else:
            args += ["--resource", self.settings.v1_resource()]
        if self.settings.tenant_id:
            args += ["--tenant", self.settings.tenant_id]
        return args

    def fetch(self, transport: Transport, previous: Token | None, result: ItemResult) -> Token:
        """Returns the CLI's token; raises Unavailable or AuthError with the reason."""
        executable = shutil.which("az", path=self.settings.environ.get("PATH"))
        command = "az " + " ".join(self.arguments())
        result.method, result.url = EXEC, command
        result.exchange = Exchange(EXEC, command)
        if executable is None:
            raise Unavailable(NOT_FOUND, location=self.settings.location)
        started = time.perf_counter()
        try:
            done = subprocess.run(
                [executable, *self.arguments()],
                capture_output=True,
                text=True,
                timeout=CLI_TIMEOUT,
                env=dict(self.settings.environ),
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise self.settings.fail(f"Azure CLI could not run: {exc}") from None
        finally:
            result.elapsed_ms = (time.perf_counter() - started) * 1000
        if done.returncode != 0:
            raise self.failure(done.returncode, done.stderr)
        return self.parse(done.stdout, result)

    def failure(self, code: int, stderr: str) -> AuthError:
        """Returns the error for a non-zero exit: not signed in, or az's own message."""
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        if "az login" in stderr:
            tenant = f" --tenant {self.settings.tenant_id}" if self.settings.tenant_id else ""
            return Unavailable(
                "Azure CLI: not signed in: run az login",
                location=self.settings.location,
                hint=f"run `az login{tenant}` (or `az login --service-principal ...`) first",
            )
        first = lines[0] if lines else "(no message)"
        return self.settings.fail(f"Azure CLI failed (exit {code}): {first}")

    def parse(self, stdout: str, result: ItemResult) -> Token:
        """Returns the Token in az's JSON output; raises AuthError when it has none."""
        try:
            payload: JSON = json.loads(stdout)
        except ValueError:
            payload = None
        token = payload.get("accessToken") if isinstance(payload, dict) else None
        if not isinstance(payload, dict) or not isinstance(token, str) or not token:
            raise self.settings.fail("Azure CLI printed no accessToken (is az up to date?)")
        expires = cli_expiry(payload)
        response = {
            "token_type": payload.get("tokenType", "Bearer"),
            "access_token": token,
            "expires_on": str(int(expires)),
            "tenant": payload.get("tenant"),
            "subscription": payload.get("subscription"),
        }
        if result.exchange is not None:
            shown = {**payload, "accessToken": MASK}
            result.exchange.response_body = json.dumps(shown)
        return Token(value=token, expires_at=expires, response=response)


def cli_expiry(payload: dict[str, JSON]) -> float:
    """Returns the expiry (epoch seconds): `expires_on` if present, else local `expiresOn`.

    A token whose expiry cannot be read is treated as living five minutes, so it is asked
    for again soon rather than used after it expired.
    """
    epoch = payload.get("expires_on")
    if isinstance(epoch, int | float) or (isinstance(epoch, str) and epoch.isdigit()):
        return float(epoch)
    text = str(payload.get("expiresOn") or "")
    for pattern in _LOCAL_FORMATS:
        try:
            # Naive on purpose: the CLI prints the machine's local time.
            return datetime.strptime(text, pattern).timestamp()
        except ValueError:
            continue
    return time.time() + 300

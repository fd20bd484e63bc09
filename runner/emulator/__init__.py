"""The built-in emulator: Entra ID token endpoints, ARM and Microsoft Graph on 127.0.0.1.

``Emulator`` runs it in a background thread for tests; ``serve`` runs it in the
foreground for ``runner emulator``. The configuration format is described in
``runner.emulator.config``; the bundled default is ``default_config.json``.

Endpoints: ``POST /{tenant}/oauth2/token`` and ``/oauth2/v2.0/token`` (client credentials
with a secret, certificate or federated assertion; password; refresh token; device code),
``POST /{tenant}/oauth2[/v2.0]/devicecode``, ``GET /msi/token`` (App Service) and
``GET /metadata/identity/oauth2/token`` (IMDS), ``GET /subscriptions[/{id}[/resourcegroups
[/{name}]]]`` (ARM), ``GET /v1.0/{users,me,applications,servicePrincipals}[/{id}]``
(Graph), ``GET /{tenant}/discovery/v2.0/keys`` (JWKS), and for tests
``GET /_emulator/stats`` and ``POST /_emulator/reset``.

Where it knowingly differs from the real services:

- Refresh tokens are single-use: a used one answers AADSTS70000, so clients must keep the
  newest (Entra ID rotates them too, but tolerates reuse for a while).
- A federated token's signature is not verified (its issuer's keys are out of reach);
  issuer, subject, audience and lifetime are.
- Device code polling faster than ``interval`` is not punished; ``slow_down`` comes only
  from a client configured for it.
- Throttled requests (429, see ``throttle``) count in ``stats.throttled`` only, not as
  token or API requests; the token endpoint's 429 carries AADSTS90055.
"""

from __future__ import annotations

from runner.emulator.api import Emulator, default_config_path, serve
from runner.emulator.config import EmulatorConfig
from runner.emulator.config_load import default_config_dict, load_config
from runner.emulator.stats import EmulatorStats

__all__ = [
    "Emulator",
    "EmulatorConfig",
    "EmulatorStats",
    "default_config_dict",
    "default_config_path",
    "load_config",
    "serve",
]

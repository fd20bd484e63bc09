"""The built-in emulator: Entra ID token endpoints, ARM and Microsoft Graph on 127.0.0.1.

``Emulator`` runs it in a background thread for tests; ``serve`` runs it in the
foreground for ``runner emulator``. The configuration format is described in
``runner.emulator.config``; the bundled default is ``default_config.json``.

With ``tls=True`` (``runner emulator --tls``) it serves https with a local CA kept in the
user cache (``runner.emulator.tls``). Every URL it writes uses the scheme and Host the client
used. Discovery: ``/{tenant}[/v2.0]/.well-known/openid-configuration`` (``issuer`` is the
real Microsoft issuer of that version, equal to the ``iss`` of its tokens) and
``/common/discovery/instance``. Whatever is not emulated answers 501 ``NotEmulated``.

Endpoints: ``POST /{tenant}/oauth2/token`` and ``/oauth2/v2.0/token`` (client credentials
with a secret, certificate or federated assertion; password; refresh token; device code),
``POST /{tenant}/oauth2[/v2.0]/devicecode``, ``GET /msi/token`` (App Service) and
``GET /metadata/identity/oauth2/token`` (IMDS), ``GET /subscriptions[/{id}[/resourcegroups
[/{name}]]]`` (ARM), ``PUT`` and ``DELETE`` of a resource group (the delete a long-running
operation: 202 + ``Location`` to ``/subscriptions/{id}/operationresults/{op}``), a template
deployment's PUT and GET under ``/resourcegroups/{name}/providers/Microsoft.Resources/
deployments/{name}`` (an operation too: 201 + ``Azure-AsyncOperation``),
``GET /v1.0/{users,me,applications,servicePrincipals}[/{id}]`` (Graph),
``GET /{tenant}/discovery/v2.0/keys`` (JWKS), and for tests ``GET /_emulator/stats`` and
``POST /_emulator/reset``.

Where it knowingly differs from the real services:

- Refresh tokens are single-use: a used one answers AADSTS70000, so clients must keep the
  newest (Entra ID rotates them too, but tolerates reuse for a while).
- A federated token's signature is not verified (its issuer's keys are out of reach);
  issuer, subject, audience and lifetime are.
- Device code polling faster than ``interval`` is not punished; ``slow_down`` comes only
  from a client configured for it.
- Every access token is v1-shaped (ARM and Graph are first-party resources); no app can be
  configured to accept v2 tokens. Id tokens are v2 and sign with the same key.
- ``sub`` of access tokens is the object id (Entra ID: pairwise per app).
- Client assertions must name the token URL exactly as it was called (tenant id or domain,
  as in the discovery document the client read).
- Instance discovery answers for any tenant; user realm discovery, authorize, logout and
  every other endpoint are not emulated (501).
- ARM api-versions per type are Microsoft.Resources' published list as of 2025; ``$filter``
  on resource groups supports tag name/value only (others: 501). Graph ``$filter``
  supports ``eq`` and ``startswith``; ``$search`` supports quoted ``"prop:words"`` clauses
  joined by one of AND/OR; ``$orderby`` one property.
- A resource group deletion or a deployment ends once it has been polled
  ``operations.polls`` times (default 1) or after 30 s; its polls send
  ``Retry-After: operations.retryAfter`` (default 0, for fast tests; ARM sends about 15).
  Resource group PUT and DELETE and deployments are the only ARM writes; a deployment
  deploys nothing (a template with resources, or an output that is an expression, is 501)
  and its outputs are the template's literal values. The sample app may write only
  ``rg-runner-smoke`` (Contributor there).
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

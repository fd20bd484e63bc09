"""The built-in emulator: Entra ID token endpoints, ARM and Microsoft Graph on 127.0.0.1.

``Emulator`` runs it in a background thread for tests; ``serve`` runs it in the
foreground for ``runner emulator``. The configuration format is described in
``runner.emulator.config``; the bundled default is ``default_config.json``.
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

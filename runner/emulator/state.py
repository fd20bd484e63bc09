"""Everything a running emulator holds: config, signing key, counters and stores."""

from __future__ import annotations

from runner.emulator.config import EmulatorConfig
from runner.emulator.devicestore import DeviceStore
from runner.emulator.refresh import RefreshStore
from runner.emulator.stats import StatsRecorder
from runner.emulator.throttle import Throttle
from runner.emulator.tokens import TokenIssuer


class EmulatorState:
    """Shared by all request threads; every mutable part locks itself."""

    def __init__(self, config: EmulatorConfig, token_lifetime: int | None) -> None:
        self.config = config
        self.issuer = TokenIssuer(token_lifetime)
        self.stats = StatsRecorder()
        self.throttle = Throttle(config.throttle)
        self.refresh = RefreshStore()
        self.devices = DeviceStore()

    def reset(self) -> None:
        """Zero the counters and the throttle counts."""
        self.stats.reset()
        self.throttle.reset()

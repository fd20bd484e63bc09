"""Resource groups as PUT and DELETE change them, and the deletions still running.

ARM deletes a resource group as a long-running operation: the DELETE is answered 202 with a
`Location` to poll; the group reads `provisioningState: Deleting` until the operation ends.
Here an operation ends once it has been polled `polls` times after the first answer (so
clients see it running), or after `GIVE_UP_S` for clients that never poll.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from runner.emulator.config import ResourceGroup, Subscription

GIVE_UP_S = 30.0
"""A deletion nobody polls still ends, as ARM's would, after this long."""


@dataclass
class Deletion:
    """One resource group deletion in progress."""

    subscription_id: str
    name: str
    polls_left: int
    started: float
    done: bool = False


class GroupStore:
    """The resource groups of every subscription (thread-safe), seeded from the config."""

    def __init__(self, subscriptions: tuple[Subscription, ...], polls: int) -> None:
        self._lock = threading.Lock()
        self._polls = polls
        self._groups: dict[str, dict[str, ResourceGroup]] = {
            s.id.lower(): {g.name.lower(): g for g in s.resource_groups} for s in subscriptions
        }
        self._deletions: dict[str, Deletion] = {}

    def list(self, subscription_id: str) -> list[ResourceGroup]:
        """Return the subscription's groups, oldest first."""
        with self._lock:
            self._finish_overdue()
            return list(self._groups.get(subscription_id.lower(), {}).values())

    def get(self, subscription_id: str, name: str) -> ResourceGroup | None:
        """Return the group of that name (any case), or None."""
        with self._lock:
            self._finish_overdue()
            return self._groups.get(subscription_id.lower(), {}).get(name.lower())

    def deleting(self, subscription_id: str, name: str) -> bool:
        """Return True while a deletion of the group runs."""
        with self._lock:
            return any(
                not d.done
                and d.subscription_id == subscription_id.lower()
                and d.name == name.lower()
                for d in self._deletions.values()
            )

    def put(self, subscription_id: str, group: ResourceGroup) -> bool:
        """Create or replace the group; return True when it is new."""
        with self._lock:
            groups = self._groups.setdefault(subscription_id.lower(), {})
            created = group.name.lower() not in groups
            if created:
                groups[group.name.lower()] = group
            else:  # ARM keeps the name as first written
                old = groups[group.name.lower()]
                groups[group.name.lower()] = ResourceGroup(old.name, group.location, group.tags)
            return created

    def start_deletion(self, subscription_id: str, name: str) -> str:
        """Start deleting the group (it must exist); return the operation id."""
        operation = secrets.token_urlsafe(24)
        with self._lock:
            self._deletions[operation] = Deletion(
                subscription_id.lower(), name.lower(), self._polls, time.monotonic()
            )
        return operation

    def poll(self, subscription_id: str, operation: str) -> bool | None:
        """Return True when the deletion has ended (now or before), False while it runs,
        None for an operation this subscription never started."""
        with self._lock:
            deletion = self._deletions.get(operation)
            if deletion is None or deletion.subscription_id != subscription_id.lower():
                return None
            if deletion.done:
                return True
            if deletion.polls_left > 0 and time.monotonic() - deletion.started < GIVE_UP_S:
                deletion.polls_left -= 1
                return False
            self._finish(deletion)
            return True

    def _finish(self, deletion: Deletion) -> None:
        if not deletion.done:
            self._groups.get(deletion.subscription_id, {}).pop(deletion.name, None)
            deletion.done = True

    def _finish_overdue(self) -> None:
        now = time.monotonic()
        for deletion in self._deletions.values():
            if now - deletion.started >= GIVE_UP_S:
                self._finish(deletion)

"""Resource groups and their deployments as PUT and DELETE change them, and the
long-running operations still going.

ARM deletes a resource group as a long-running operation (202 + `Location` to poll; the
group reads `provisioningState: Deleting` until it ends) and runs a template deployment as
one too (201 + `Azure-AsyncOperation`; the deployment reads `Running` until it ends). Here
an operation ends once it has been polled `polls` times after the first answer (so clients
see it running), or after `GIVE_UP_S` for clients that never poll.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from runner.emulator.config import ResourceGroup, Subscription
from runner.values import JSON

GIVE_UP_S = 30.0
"""An operation nobody polls still ends, as ARM's would, after this long."""


@dataclass
class Running:
    """One long-running operation: a group's deletion, or a deployment (`deployment` set)."""

    subscription_id: str
    group: str
    polls_left: int
    started: float
    deployment: str | None = None
    done: bool = False


@dataclass
class Deployment:
    """A template deployment: what was sent, and the operation that runs it."""

    name: str
    group: str
    mode: str
    parameters: dict[str, JSON]
    outputs: dict[str, JSON]
    operation: str
    timestamp: str
    correlation_id: str = field(default_factory=lambda: secrets.token_hex(16))


class GroupStore:
    """The resource groups of every subscription (thread-safe), seeded from the config."""

    def __init__(self, subscriptions: tuple[Subscription, ...], polls: int) -> None:
        self._lock = threading.Lock()
        self._polls = polls
        self._groups: dict[str, dict[str, ResourceGroup]] = {
            s.id.lower(): {g.name.lower(): g for g in s.resource_groups} for s in subscriptions
        }
        self._operations: dict[str, Running] = {}
        self._deployments: dict[tuple[str, str, str], Deployment] = {}

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
                not r.done
                and r.deployment is None
                and r.subscription_id == subscription_id.lower()
                and r.group == name.lower()
                for r in self._operations.values()
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
        return self._start(Running(subscription_id.lower(), name.lower(), self._polls, 0.0))

    def start_deployment(self, subscription_id: str, deployment: Deployment) -> bool:
        """Start (or restart) a deployment; return True when it is new."""
        key = (subscription_id.lower(), deployment.group.lower(), deployment.name.lower())
        running = Running(
            subscription_id.lower(), deployment.group.lower(), self._polls, 0.0, deployment.name
        )
        deployment.operation = self._start(running)
        with self._lock:
            created = key not in self._deployments
            self._deployments[key] = deployment
        return created

    def deployment(
        self, subscription_id: str, group: str, name: str
    ) -> tuple[Deployment, bool] | None:
        """Return the deployment and whether it has ended, or None."""
        with self._lock:
            self._finish_overdue()
            found = self._deployments.get((subscription_id.lower(), group.lower(), name.lower()))
            if found is None:
                return None
            return found, self._operations[found.operation].done

    def poll(self, subscription_id: str, operation: str) -> bool | None:
        """Return True when the operation has ended (now or before), False while it runs,
        None for an operation this subscription never started."""
        with self._lock:
            running = self._operations.get(operation)
            if running is None or running.subscription_id != subscription_id.lower():
                return None
            if running.done:
                return True
            if running.polls_left > 0 and time.monotonic() - running.started < GIVE_UP_S:
                running.polls_left -= 1
                return False
            self._finish(running)
            return True

    def _start(self, running: Running) -> str:
        operation = secrets.token_urlsafe(24)
        running.started = time.monotonic()
        with self._lock:
            self._operations[operation] = running
        return operation

    def _finish(self, running: Running) -> None:
        if running.done:
            return
        running.done = True
        if running.deployment is None:  # a deletion takes the group's deployments with it
            self._groups.get(running.subscription_id, {}).pop(running.group, None)
            for key in [k for k in self._deployments if k[:2] == (running.subscription_id,
                                                                    running.group)]:  # fmt: skip
                del self._deployments[key]

    def _finish_overdue(self) -> None:
        now = time.monotonic()
        for running in self._operations.values():
            if now - running.started >= GIVE_UP_S:
                self._finish(running)

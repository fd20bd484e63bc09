"""pytest plugin: every request of a collection becomes a pytest test.

    pytest --collection api.json [--environment dev.json]

Files named `*.collection.json` that pytest finds are collected the same way. The
collection runs once (captures chain requests together); each test reports its request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runner.errors import RunnerError


def pytest_addoption(parser: pytest.Parser) -> None:
    """Adds --collection, --environment and --runner-var."""
    group = parser.getgroup("runner", "runner collections")
    group.addoption(
        "--collection",
        action="append",
        default=[],
        metavar="PATH",
        help="run this runner/Postman collection as tests (repeatable)",
    )
    group.addoption("--environment", metavar="PATH", help="environment file for --collection")
    group.addoption(
        "--runner-var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="variables for --collection runs",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Returns a collector for `*.collection.json` files."""
    if file_path.name.endswith(".collection.json"):
        return CollectionFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Adds the requests of every --collection file to the tests."""
    for raw in config.getoption("collection") or []:
        node = CollectionFile.from_parent(session, path=Path(raw).resolve())
        items.extend(node.collect())


class CollectionFile(pytest.File):
    """A collection file; its requests are the tests."""

    _result: Any = None

    def collect(self) -> Iterator[RequestItem]:
        """Yields one test per request, in run order."""
        from runner.load import load_collection
        from runner.model import flatten

        collection = load_collection(self.path)
        for index, step in enumerate(flatten(collection.items)):
            name = " › ".join((*step.path, step.request.name))
            yield RequestItem.from_parent(self, name=name, index=index)

    def outcome(self) -> Any:
        """Returns the run result, running the collection on first use."""
        if self._result is None:
            from runner.api import run
            from runner.cli.commands.inputs import parse_vars

            config = self.config
            self._result = run(
                self.path,
                config.getoption("environment"),
                parse_vars(config.getoption("runner_var") or []),
            )
        return self._result


class RequestItem(pytest.Item):
    """One request of a collection run."""

    def __init__(self, *, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index

    def runtest(self) -> None:
        """Fails with the request's failed assertions or its error."""
        assert isinstance(self.parent, CollectionFile)
        results = [r for r in self.parent.outcome().results if r.kind == "request"]
        if self.index >= len(results):
            pytest.skip("not run (the run stopped earlier)")
        result = results[self.index]
        if result.skipped:
            pytest.skip(result.skip_reason or "skipped")
        mask = self.parent.outcome().mask  # secrets never show in pytest's output either
        if result.error is not None:
            text = f"{result.error}" + (f"\nhint: {result.hint}" if result.hint else "")
            # A request not sent for want of a token: show why the token step failed.
            for token in self.parent.outcome().results:
                if token.kind == "token" and token.error and f"({token.name})" in result.error:
                    text += f"\n{token.name}: {token.error}"
                    text += f"\nhint: {token.hint}" if token.hint else ""
                    break
            raise RequestFailed(mask(text))
        failed = [a for a in result.assertions if not a.passed and not a.skipped]
        if failed:
            lines = [
                a.message
                or f"{a.name}: expected {mask(repr(a.expected))}, got {mask(repr(a.actual))}"
                for a in failed
            ]
            raise RequestFailed(mask("\n".join(lines)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """Returns the failure without a Python traceback."""
        if isinstance(excinfo.value, RequestFailed | RunnerError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Returns where the test comes from."""
        return self.path, 0, self.name


class RequestFailed(Exception):
    """A request's assertions failed or it could not complete."""

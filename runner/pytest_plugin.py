"""pytest plugin: runner collections as pytest tests, and fixtures to run them from Python.

It stays out of the way until asked: every option is namespaced and nothing is collected
unless a collection is named, on the command line or in the ini file:

    pytest --runner-collection api.json --runner-environment dev.json --runner-var k=v
    # pytest.ini / pyproject [tool.pytest.ini_options]: runner_collections = tests/api/*.json

Each request of each iteration becomes a test, `api.json::Folder/Request` (`[2]` and on
for later iterations), marked `runner` and with the request's and its folders' `tags` as
markers, so `-k Folder`, `-k Request` and `-m smoke` select. A collection runs once per
pytest process (per xdist worker) with the selected requests only; captures still chain
them; one token cache serves every run of the process. A request that could not complete
is an ERROR, a failed assertion a FAILURE showing expected and actual, the request line
and the start of the response, secrets masked.

Fixtures: `runner_variables` and `runner_environment` (override them in a conftest.py or
test module), `runner_run` (run a collection from a test, returns its RunResult; a
`@pytest.mark.runner_collection("api.json")` marker names the collection it runs).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from runner.auth.base import TokenCache
    from runner.model import Step
    from runner.results import ItemResult, RunResult

_WANTED = pytest.StashKey[set[Path]]()
_VARIABLES = pytest.StashKey[dict[str, str]]()
_EXCERPT_LINES = 25


def pytest_addoption(parser: pytest.Parser) -> None:
    """Adds the --runner-* options and the runner_* ini settings."""
    group = parser.getgroup("runner", "runner collections (runner's pytest plugin)")
    group.addoption(
        "--runner-collection",
        action="append",
        default=[],
        metavar="PATH",
        help="run this runner or Postman collection as tests, one per request (repeatable)",
    )
    group.addoption(
        "--runner-environment", metavar="PATH", help="environment file for runner collections"
    )
    group.addoption("--runner-globals", metavar="PATH", help="globals file for runner collections")
    group.addoption(
        "--runner-var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable for runner collections (wins over files); repeatable",
    )
    group.addoption("--runner-data", metavar="PATH", help="CSV/JSON iteration data")
    group.addoption("--runner-iterations", type=int, metavar="N", help="iterations per collection")
    group.addoption(
        "--runner-connect-to",
        action="append",
        default=[],
        metavar="H:P:H2:P2",
        help="send requests for H:P to H2:P2, URL and Host unchanged; repeatable",
    )
    group.addoption("--runner-insecure", action="store_true", help="do not verify TLS certificates")
    parser.addini(
        "runner_collections",
        "globs of runner collections to run as tests, relative to the rootdir",
        type="linelist",
        default=[],
    )
    parser.addini(
        "runner_environment",
        "environment file for runner collections (rootdir-relative)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Registers the markers and finds the collections asked for."""
    config.addinivalue_line("markers", "runner: a request of a runner collection")
    config.addinivalue_line(
        "markers",
        "runner_collection(path, environment=None, **variables): what runner_run runs",
    )
    from runner.cli.commands.inputs import parse_vars
    from runner.errors import InputError

    try:
        config.stash[_VARIABLES] = parse_vars(config.getoption("runner_var"), "--runner-var")
    except InputError as exc:
        raise pytest.UsageError(exc.render()) from None
    wanted = _wanted(config)
    config.stash[_WANTED] = wanted
    if not wanted:
        return
    explicit = {_resolve(config, p) for p in config.getoption("runner_collection")}
    given = config.args_source == pytest.Config.ArgsSource.ARGS
    roots = [_resolve(config, a.split("::")[0]) for a in config.args]
    for path in sorted(wanted):
        # Named collections outside the paths pytest walks are added to them; those of the
        # ini setting only when no paths were given (`pytest tests/unit` stays that).
        if (path in explicit or not given) and not any(_within(path, r) for r in roots):
            config.args.append(str(path))


def _wanted(config: pytest.Config) -> set[Path]:
    """Returns the collection files named by --runner-collection and runner_collections."""
    found = {_resolve(config, raw) for raw in config.getoption("runner_collection")}
    for raw in config.getoption("runner_collection"):
        if not _resolve(config, raw).is_file():
            raise pytest.UsageError(f"--runner-collection {raw}: file not found")
    for pattern in config.getini("runner_collections"):
        found.update(
            _resolve(config, p) for p in sorted(config.rootpath.glob(pattern)) if p.is_file()
        )
    return found


def _resolve(config: pytest.Config, raw: str | Path) -> Path:
    # Absolute, not resolved: pytest walks symlinked folders under their own names.
    return Path(os.path.abspath(config.invocation_params.dir / raw))


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Returns a collector for the collection files asked for, None for every other file."""
    wanted = parent.config.stash.get(_WANTED, set())
    if wanted and file_path.suffix == ".json" and _resolve(parent.config, file_path) in wanted:
        return CollectionFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tells each collection which of its requests are still selected (after -k/-m)."""
    from runner.model import step_path

    chosen: dict[CollectionFile, set[str]] = {}
    for item in items:
        if isinstance(item, RequestItem):
            chosen.setdefault(item.collection_file, set()).add(step_path(item.step))
    for node, names in chosen.items():
        node.selected = names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Reports a request's own time (not the whole run's) as the test's duration."""
    report = yield
    if not isinstance(item, RequestItem):
        return report
    failed = call.excinfo.value if call.excinfo is not None else None
    if call.when == "setup" and isinstance(failed, RequestFailed):
        # pytest shows setup errors with a traceback; this one is the request's own error.
        report.longrepr = FailureRepr(  # type: ignore[assignment]
            item, failed.result, error=True, token=failed.token
        )
    if item.result is not None:
        if call.when == "call":
            report.duration = item.result.elapsed_ms / 1000
        elif call.when == "setup" and report.passed:
            report.duration = 0.0
    return report


@pytest.fixture(scope="session")
def runner_variables(pytestconfig: pytest.Config) -> dict[str, Any]:
    """Returns the variables every run starts with (`--runner-var`); override this fixture
    in a conftest.py or test module to change them for those tests."""
    given: dict[str, str] = pytestconfig.stash[_VARIABLES]
    return dict(given)


@pytest.fixture(scope="session")
def runner_environment(pytestconfig: pytest.Config) -> str | None:
    """Returns the environment file of the runs (`--runner-environment` or the
    `runner_environment` ini setting), or None; override to choose another."""
    given = pytestconfig.getoption("runner_environment")
    if given:
        return str(_resolve(pytestconfig, given))
    ini = pytestconfig.getini("runner_environment")
    if ini:
        return str(pytestconfig.rootpath / ini)
    return None


@pytest.fixture(scope="session")
def runner_tokens() -> TokenCache:
    """Returns the token cache every run of this pytest process shares (one token request
    per process, per xdist worker)."""
    from runner.auth.base import TokenCache

    return TokenCache()


@pytest.fixture
def runner_run(
    request: pytest.FixtureRequest,
    runner_variables: dict[str, Any],
    runner_environment: str | None,
    runner_tokens: TokenCache,
) -> Callable[..., RunResult]:
    """Returns `run(collection=None, environment=None, variables=None, **options)`: runs a
    collection as `runner.run` does, with `runner_variables`, `runner_environment` and the
    shared tokens, and returns the RunResult. Without `collection`, the test's
    `@pytest.mark.runner_collection(path, environment=None, **variables)` names it."""
    from runner.api import run

    config = request.config

    def run_collection(
        collection: Any = None,
        environment: Any = None,
        variables: dict[str, Any] | None = None,
        **options: Any,
    ) -> RunResult:
        marker = request.node.get_closest_marker("runner_collection")
        marked: dict[str, Any] = {}
        if collection is None:
            if marker is None or not marker.args:
                raise pytest.UsageError(
                    "runner_run(): name a collection, or mark the test "
                    "@pytest.mark.runner_collection('api.json')"
                )
            collection = config.rootpath / marker.args[0]
            marked = dict(marker.kwargs)
        marked_env = marked.pop("environment", None)
        if marked_env is not None:
            marked_env = config.rootpath / marked_env
        chosen_env = environment or marked_env or runner_environment
        options.setdefault("tokens", runner_tokens)
        options.setdefault("connect_to", config.getoption("runner_connect_to"))
        options.setdefault("insecure", config.getoption("runner_insecure"))
        merged = {**runner_variables, **marked, **(variables or {})}
        return run(collection, chosen_env, merged, **options)

    return run_collection


class CollectionFile(pytest.File):
    """A collection file: one test per request and iteration."""

    selected: set[str] | None = None

    def collect(self) -> Iterator[RequestItem]:
        """Yields one test per request and iteration, in run order."""
        from runner.model import flatten

        collection = _loaded(self)
        iterations = self._iterations()
        steps = flatten(collection.items)
        seen: dict[tuple[str, ...], int] = {}
        keyed: list[tuple[Step, tuple[str, ...]]] = []
        for step in steps:
            full = (*step.path, step.request.name)
            keyed.append((step, (*full, str(seen.get(full, 0)))))
            seen[full] = seen.get(full, 0) + 1
        for iteration in range(1, iterations + 1):
            for step, key in keyed:
                name = "/".join(key[:-1])
                if key[-1] != "0":
                    name += f" ({int(key[-1]) + 1})"
                if iterations > 1:
                    name += f"[{iteration}]"
                yield RequestItem.from_parent(
                    self, name=name, step=step, key=(iteration, *key), callobj=_request_test
                )

    def _iterations(self) -> int:
        count = self.config.getoption("runner_iterations")
        if count:
            return int(count)
        data = self.config.getoption("runner_data")
        if data:
            from runner.loader import load_data

            return max(len(load_data(_resolve(self.config, data))), 1)
        return 1

    def outcome(self, variables: dict[str, Any], environment: str | None, tokens: Any) -> Outcome:
        """Returns the run's results for these variables, running the collection on first use
        (again only when a test overrides the variables or environment)."""
        runs: dict[str, Outcome] = self.__dict__.setdefault("_runs", {})
        key = json.dumps([variables, environment], sort_keys=True, default=str)
        if key not in runs:
            from runner.api import run
            from runner.model import flatten, step_path

            config = self.config
            names = _with_captures(_loaded(self), self.selected or set())
            everything = {step_path(s) for s in flatten(_loaded(self).items)}
            result = run(
                _loaded(self),
                environment,
                variables,
                globals=_option_path(config, "runner_globals"),
                data=_option_path(config, "runner_data"),
                iterations=config.getoption("runner_iterations"),
                folders=sorted(names) if names and names != everything else (),
                connect_to=config.getoption("runner_connect_to"),
                insecure=config.getoption("runner_insecure"),
                tokens=tokens,
            )
            runs[key] = Outcome.of(result)
        return runs[key]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """Shows invalid input as runner does: located, with a hint, no traceback."""
        from runner.errors import RunnerError

        if isinstance(excinfo.value, RunnerError):
            return excinfo.value.render()
        return super().repr_failure(excinfo)


def _with_captures(collection: Any, paths: set[str]) -> set[str]:
    """Returns the `--folder` paths of the selected requests (`paths`) with those of the
    earlier requests whose captures they use (and so on), so a selected request still gets
    what an unselected one captures for it."""
    from runner.loader.preflight import used_names
    from runner.model import flatten, step_path

    steps = flatten(collection.items)
    wanted = {i for i, step in enumerate(steps) if step_path(step) in paths}
    pending = sorted(wanted)
    while pending:
        index = pending.pop()
        needs = used_names(steps[index], collection)
        for earlier in range(index):
            captures = {c.name for c in steps[earlier].request.captures}
            if earlier not in wanted and needs & captures:
                wanted.add(earlier)
                pending.append(earlier)
    return {step_path(steps[i]) for i in wanted}


def _loaded(node: CollectionFile) -> Any:
    cached = node.__dict__.get("_collection")
    if cached is None:
        from runner.api import load

        cached = node.__dict__["_collection"] = load(node.path)
    return cached


def _option_path(config: pytest.Config, name: str) -> Path | None:
    raw = config.getoption(name)
    return _resolve(config, raw) if raw else None


@dataclass
class Outcome:
    """A run's request results keyed by (iteration, folders…, name, occurrence)."""

    run: RunResult
    by_key: dict[tuple[Any, ...], ItemResult]

    @classmethod
    def of(cls, run: RunResult) -> Outcome:
        """Returns the outcome of `run`, each request's first result under its key."""
        seen: dict[tuple[Any, ...], int] = {}
        by_key: dict[tuple[Any, ...], ItemResult] = {}
        for result in run.requests:
            full = (result.iteration, *result.path, result.name)
            count = seen.get(full, 0)
            seen[full] = count + 1
            by_key.setdefault((*full, str(count)), result)
        return cls(run, by_key)


def _request_test(
    runner_variables: dict[str, Any], runner_environment: str | None, runner_tokens: Any
) -> None:
    """Stands for a request's test: the fixtures it names are the ones the run uses."""


class RequestItem(pytest.Function):
    """One request of one iteration of a collection run."""

    def __init__(self, *, step: Step, key: tuple[Any, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step = step
        self.key = key
        self.result: ItemResult | None = None
        self.add_marker("runner")
        for tag in step.tags:
            if tag.isidentifier():  # -m takes identifiers; every tag is a -k keyword
                self.config.addinivalue_line("markers", f"{tag}: runner tag")
                self.add_marker(tag)
        self.extra_keyword_matches.update({*step.path, step.request.name, *step.tags})

    @property
    def collection_file(self) -> CollectionFile:
        """Returns the collection this request belongs to."""
        parent = self.parent
        assert isinstance(parent, CollectionFile)
        return parent

    def setup(self) -> None:
        """Runs the collection (first request only) and errors when this one could not
        complete, as pytest reports a test whose setup failed."""
        super().setup()
        args: dict[str, Any] = self.funcargs
        outcome = self.collection_file.outcome(
            args["runner_variables"], args["runner_environment"], args["runner_tokens"]
        )
        self.result = result = outcome.by_key.get(self.key)
        if result is None:
            pytest.skip("not run (setNextRequest or the run stopped before it)")
        if result.skipped:
            pytest.skip(result.skip_reason or "skipped")
        if result.error is not None:
            # A request not sent for want of a token: show why the token step failed.
            token = next(
                (t for t in outcome.run.tokens if t.error and f"({t.name})" in result.error),
                None,
            )
            raise RequestFailed(result, error=True, token=token)

    def runtest(self) -> None:
        """Fails with the request's failed assertions."""
        if self.result is not None and self.result.failed:
            raise RequestFailed(self.result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """Returns the failure as runner shows it: expected vs actual, no Python traceback."""
        if isinstance(excinfo.value, RequestFailed):
            failed = excinfo.value
            return FailureRepr(self, failed.result, error=failed.error, token=failed.token)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Returns where the test comes from: the collection file and the request."""
        return (
            self.path,
            None,
            f"{self.name} ({self.step.request.location.file}"
            + (
                f"#{self.step.request.location.pointer})"
                if self.step.request.location.pointer
                else ")"
            ),
        )


class RequestFailed(Exception):
    """A request's assertions failed, or it could not complete (`error`)."""

    def __init__(
        self, result: ItemResult, *, error: bool = False, token: ItemResult | None = None
    ) -> None:
        super().__init__(result.error or "assertion failed")
        self.result = result
        self.error = error
        self.token = token


@dataclass
class _Crash:
    """What junitxml puts in a <failure message=…> attribute."""

    path: str
    lineno: int
    message: str


class FailureRepr:
    """A failed request as pytest shows its own failures (E lines, expected vs actual)."""

    def __init__(
        self,
        item: RequestItem,
        result: ItemResult,
        *,
        error: bool,
        token: ItemResult | None = None,
    ) -> None:
        self.lines = failure_lines(result, error=error, token=token)
        self.reprcrash = _Crash(str(item.path), 0, first_message(result, error=error))

    def toterminal(self, tw: Any) -> None:
        """Writes the failure; failure lines in red, as pytest's own `E` lines."""
        for line in self.lines:
            tw.line(line, red=line.startswith("E"), bold=line.startswith("E   "))

    def __str__(self) -> str:
        # The message first: xdist sends this text, and pytest's summary shows its first line.
        return "\n".join([self.reprcrash.message, *self.lines])


def first_message(result: ItemResult, *, error: bool) -> str:
    """Returns the one-line message runner's JUnit report gives the same request."""
    if error:
        return result.error or "error"
    failed = [a for a in result.assertions if not a.passed and not a.skipped]
    text = failed[0].message or f"{failed[0].name}: expected {failed[0].expected!r}"
    return text + (f" (and {len(failed) - 1} more)" if len(failed) > 1 else "")


def failure_lines(result: ItemResult, *, error: bool, token: ItemResult | None = None) -> list[str]:
    """Returns the lines of a failed request: the request line, each failed assertion with
    expected and actual, the hint, why its token could not be had, and the start of the
    response."""
    status = f"{result.status} {result.reason}".strip() if result.status is not None else "—"
    lines = [f"{result.method} {result.url} → {status} ({result.elapsed_ms:.0f} ms)", ""]
    if error:
        lines.append(f"E   {result.error}")
    for check in result.assertions:
        if check.passed or check.skipped:
            continue
        lines.append(f"E   {check.message or check.name}")
        lines.append(f"E     expected: {_cut(repr(check.expected))}")
        lines.append(f"E     actual:   {_cut(repr(check.actual))}")
    if result.hint:
        lines.append(f"    hint: {result.hint}")
    if token is not None:
        lines.append(f"E   {token.name}: {token.error}")
        if token.hint:
            lines.append(f"    hint: {token.hint}")
    body = result.exchange.response_body if result.exchange is not None else None
    if body:
        shown = _pretty(body).splitlines()
        lines += ["", "response:"] + ["    " + line for line in shown[:_EXCERPT_LINES]]
        if len(shown) > _EXCERPT_LINES:
            lines.append(f"    … ({len(shown) - _EXCERPT_LINES} more lines)")
    return lines


def _cut(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def _pretty(body: str) -> str:
    """Returns a JSON body indented (easier to read in a failure), any other body as is."""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body

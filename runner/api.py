"""The Python API: load and run collections from scripts and test suites.

    from runner import run
    result = run("api.json", "dev.json", {"tenantId": "contoso.onmicrosoft.com"})
    assert result.passed, result.failures

`run` behaves as `runner run` does (the command line is a thin layer on this module):
the `.env` file, globals, data rows, iterations, `connect_to`, JUnit/JSON report files,
secrets masked in every result it returns. Invalid input raises `InputError` (or
`InputErrors`, several located problems) before anything is sent; a failed assertion or a
request that could not complete is part of the result, never an exception.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field, fields, is_dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from runner.auth.base import TokenCache
from runner.errors import InputError, InputErrors, RunnerError
from runner.model import Certificate, Collection, Environment
from runner.records import record
from runner.report import Reporter, RunInfo
from runner.results import ItemResult, ManyResult, RunResult, Summary, combined
from runner.secrets import Masker
from runner.status import Terminated

if TYPE_CHECKING:
    from runner.engine.options import Interrupt, RunOptions, Selection
    from runner.report.curl import RunConnection
    from runner.transport.cert_list import CertificateRule

__all__ = [
    "Collection",
    "Environment",
    "InputError",
    "InputErrors",
    "Inputs",
    "ManyResult",
    "RunResult",
    "TokenCache",
    "get_token",
    "load",
    "load_dotenv",
    "load_inputs",
    "load_many",
    "run",
    "run_many",
]

PathLike = str | Path
OnResult = Callable[[ItemResult], None]
#: The fix for a --jobs (`jobs`) below 1.
JOBS_HINT = "--jobs 1 runs the collections in turn (the default); --jobs 2 runs two at once"


def load(collection: PathLike) -> Collection:
    """Returns the collection in the file `collection` (native, or Postman v2.0/v2.1).

    Raises:
        InputError / InputErrors: unreadable or invalid, every problem located (file,
            JSON pointer, item path) with a hint, as `runner validate` shows them.
    """
    from runner.loader import load_collection

    return load_collection(collection)


@record(hashable=False)
class Inputs:
    """Everything a run starts from, loaded and checked."""

    collection: Collection
    environment: Environment | None = None
    globals_env: Environment | None = None
    data: list[dict[str, Any]] | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: The `certificate` settings of the requests that will run, read into PEM files.
    certificates: dict[Certificate, tuple[str, str]] = field(default_factory=dict)
    #: The passwords of those certificates (secrets: never shown).
    certificate_passwords: list[str] = field(default_factory=list)


def load_dotenv(path: PathLike | bool | None = None) -> None:
    """Loads a .env file into the process environment; real variables are never overridden.

    `path` None or True: `./.env` when there is one; False: nothing; a path: that file.

    Raises:
        InputError: the named file does not exist.
    """
    if path is False:
        return
    if path is not None and path is not True:
        if not Path(path).is_file():
            raise InputError(f"--dotenv {path}: file not found")
    elif Path(".env").is_file():
        path = ".env"
    else:
        return
    from dotenv import load_dotenv as load  # only when there is a file: importing it costs ~10 ms

    load(path, override=False)


def load_inputs(
    collection: Collection | PathLike,
    environment: Environment | PathLike | None = None,
    variables: Mapping[str, Any] | None = None,
    *,
    globals: Environment | PathLike | None = None,
    global_variables: Mapping[str, Any] | None = None,
    data: Sequence[Mapping[str, Any]] | PathLike | None = None,
    dotenv: PathLike | bool | None = None,
    folders: Sequence[str] = (),
    tags: Sequence[str] = (),
    exclude_tags: Sequence[str] = (),
    grep: str | Sequence[str] = (),
    problems: Sequence[InputError] = (),
) -> Inputs:
    """Returns every input of a run, loaded and checked statically (sends nothing).

    `problems` are ones the caller already found (e.g. a malformed `--var`): all are raised
    together with what loading finds. With a selection (`folders`, `tags`, `exclude_tags`,
    `grep`: see `run`), only the selected requests are checked (`--folder Other` must not
    fail on variables of other folders).

    Raises:
        InputError / InputErrors: every problem found, located.
    """
    from runner.loader import load_collection, load_data, load_environment

    found: list[InputError] = list(problems)

    def attempt(loader: Callable[[Any], Any], value: Any) -> Any:
        if value is None or value == "":
            return None
        try:
            return loader(value)
        except InputErrors as exc:
            found.extend(exc.errors)
        except InputError as exc:
            found.append(exc)
        return None

    attempt(load_dotenv, dotenv if dotenv is not None else True)
    loaded = attempt(_given(load_collection, Collection), collection)
    if collection == "":
        found.append(
            InputError("the collection file name is empty", hint="runner run COLLECTION_FILE")
        )
    env = attempt(_given(load_environment, Environment), environment)
    globals_env = attempt(_given(load_environment, Environment), globals)
    if global_variables:  # --global-var: globals that win over the globals file's
        base = globals_env or Environment("globals", {})
        globals_env = replace(base, values={**base.values, **global_variables})
    lenient = loaded is not None and loaded.dialect == "postman"
    rows = attempt(
        lambda d: load_data(d, lenient=lenient) if isinstance(d, str | Path) else _rows(d), data
    )
    if found:
        raise InputErrors(found) if len(found) > 1 else found[0]
    inputs = Inputs(loaded, env, globals_env, rows, dict(variables or {}))
    _check_static(inputs, _selection(folders, tags, exclude_tags, grep))
    return inputs


def load_many(
    collections: Sequence[Collection | PathLike],
    environment: Environment | PathLike | None = None,
    variables: Mapping[str, Any] | None = None,
    *,
    problems: Sequence[InputError] = (),
    **given: Any,
) -> list[Inputs]:
    """Returns the inputs of each collection (`load_inputs`' keywords apply to each).

    Raises:
        InputError / InputErrors: every problem of every collection, and `problems`.
    """
    found: list[InputError] = list(problems)
    loaded: list[Inputs] = []
    for collection in collections:
        try:
            loaded.append(load_inputs(collection, environment, variables, **given))
        except InputErrors as exc:
            found.extend(exc.errors)
        except InputError as exc:
            found.append(exc)
    if found:
        raise InputErrors(found) if len(found) > 1 else found[0]
    return loaded


def _given(loader: Callable[[Any], Any], kind: type) -> Callable[[Any], Any]:
    """Returns a loader that passes already-loaded objects of `kind` through."""
    return lambda value: value if isinstance(value, kind) else loader(value)


def _rows(data: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(data, str | bytes) or not all(isinstance(row, Mapping) for row in data):
        raise InputError("data must be a file path or a list of mappings (column → value)")
    return [dict(row) for row in data]


def _selection(
    folders: Sequence[str],
    tags: Sequence[str],
    exclude_tags: Sequence[str],
    grep: str | Sequence[str],
) -> Selection:
    """Returns the Selection of the API's arguments (a lone string is one name, not letters)."""
    from runner.engine.options import Selection

    def names(value: str | Sequence[str] | None) -> tuple[str, ...]:
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else tuple(value)

    return Selection(names(folders), names(tags), names(exclude_tags), names(grep))


def _check_static(inputs: Inputs, selection: Selection) -> None:
    from runner.engine.options import select_steps
    from runner.engine.session import base_scope
    from runner.loader.preflight import client_certificates, static_problems

    scope = base_scope(inputs.collection, inputs.environment, inputs.globals_env, inputs.variables)
    columns = {k for row in inputs.data or [] for k in row}
    # Only what will run: --folder Other must not fail on variables of other folders.
    selected = select_steps(inputs.collection, selection, inputs.warnings) if selection else None
    known = dict(scope.items())
    errors, warnings = static_problems(inputs.collection, known, columns, selected)
    inputs.warnings.extend(warnings)
    if errors:
        raise InputErrors(errors) if len(errors) > 1 else errors[0]
    inputs.certificates, inputs.certificate_passwords = client_certificates(
        inputs.collection, known, columns, selected
    )


def run(
    collection: Collection | PathLike,
    environment: Environment | PathLike | None = None,
    variables: Mapping[str, Any] | None = None,
    *,
    globals: Environment | PathLike | None = None,
    global_variables: Mapping[str, Any] | None = None,
    data: Sequence[Mapping[str, Any]] | PathLike | None = None,
    dotenv: PathLike | bool | None = None,
    iterations: int | None = None,
    parallel: int = 1,
    folders: Sequence[str] = (),
    tags: Sequence[str] = (),
    exclude_tags: Sequence[str] = (),
    grep: str | Sequence[str] = (),
    bail: bool = False,
    timeout_ms: int | None = None,
    require_assertions: bool = False,
    shard: str | tuple[int, int] | None = None,
    shard_by: str = "request",
    timeout_request_ms: int | None = None,
    delay_request_ms: int = 0,
    retries: int = 0,
    retry_max_wait_ms: int | None = None,
    insecure: bool = False,
    ca_bundle: PathLike | None = None,
    cert: PathLike | None = None,
    key: PathLike | None = None,
    cert_password: str | None = None,
    cert_list: PathLike | None = None,
    connect_to: Sequence[str] | Mapping[tuple[str, int], tuple[str, int]] = (),
    follow_redirects: bool = True,
    cookies: bool = True,
    cookie_jar: PathLike | None = None,
    working_dir: PathLike | None = None,
    module_paths: Sequence[PathLike] = (),
    script_timeout_ms: int = 5000,
    junit: PathLike | None = None,
    junit_layout: str = "runner",
    json: PathLike | None = None,
    html: PathLike | None = None,
    console: TextIO | None = None,
    verbosity: int = 1,
    color: bool | str = "auto",
    curl: bool = False,
    dump_failures: bool = False,
    progress: str = "auto",
    on_result: OnResult | None = None,
    on_warning: Callable[[str], None] | None = None,
    reporters: Sequence[Reporter] = (),
    keep_results: bool = True,
    keep_exchange: bool = True,
    tokens: TokenCache | None = None,
    problems: Sequence[InputError] = (),
    outputs: Sequence[tuple[str, PathLike | None]] = (),
    then: Callable[[RunResult, Inputs], None] | None = None,
    check_only: bool = False,
    make_reporters: Callable[[Masker], Sequence[Reporter]] | None = None,
    interrupt: Interrupt | None = None,
    deadline: float | None = None,
    console_name: str | None = None,
) -> RunResult:
    """Runs `collection` as `runner run` does; returns the RunResult.

    - `collection`, `environment`, `globals`: file paths (native or Postman) or loaded
      objects; `variables` are environment values that win over the files (and over the
      data rows in a native collection), as `--var`; `global_variables` are globals that
      win over the globals file's, as `--global-var`; `data` is a CSV/JSON file or a list
      of rows; `dotenv` None loads `./.env` when present, False loads none, a path
      loads that file.
    - `folders`, `tags`, `exclude_tags`, `grep`: which requests run, as `--folder`
      (paths such as `"Users/Admin"`), `--tag`, `--exclude-tag` and `--grep` (a
      case-insensitive regular expression on "Folder/Sub/Request"); each takes a name or a
      list (any of them); they combine with AND, and a selection of nothing is invalid input.
    - `iterations`, `parallel`, `bail`, `timeout_ms` (the whole run: what is in flight
      then is cut off), `require_assertions`, `shard` (`"2/4"`), `shard_by`,
      `timeout_request_ms`, `delay_request_ms`, `retry_max_wait_ms`,
      `retries`, `insecure`, `ca_bundle`, `cert`/`key`/`cert_password` (mutual TLS),
      `cert_list` (Newman's --ssl-client-cert-list: certificates chosen by URL),
      `connect_to` (`["api.example.com:443:127.0.0.1:8443"]`),
      `follow_redirects`, `cookies` (False: `--no-cookies`), `cookie_jar` (a cookies.txt
      read before and written after the run), `working_dir`, `module_paths`,
      `script_timeout_ms`: the options of `runner run`. As there, a timeout of 0 is no
      limit (None too, for `timeout_ms` and `timeout_request_ms`), a negative one invalid.
    - `junit` / `json` / `html`: report files, written whatever happens
      (`junit_layout="newman"` for Newman's layout); `console`: a stream for the console
      report (`verbosity` 0–2, `progress` and `color` auto/always/never, `curl` each request
      as a curl command, `dump_failures` the exchange of each failed request).
    - `on_result(result)` is called for every request and token result as it completes (in
      iteration order), secrets masked; `on_warning(text)` for each warning found while
      loading (run-time warnings go to the reporters; all are in `RunResult.warnings`).
    - `tokens`: a TokenCache shared by several runs of this process, so they ask for each
      token once (runs sharing it must not overlap in time).
    - `keep_results=False` keeps memory flat on long runs (`RunResult.results` stays empty;
      use `on_result`); `keep_exchange=False` drops headers and bodies from the results.
    - `problems`: input problems the caller found, raised together with the others;
      `outputs`: other files the caller writes afterwards, `(flag, path)`, checked
      writable with the reports; `then(result, inputs)` runs after the run.
    - `check_only`: load and check everything as a run would, send nothing, return an
      empty RunResult. `make_reporters(masker)`: more reporters, made with the run's masker
      (the parts of report files shared by several runs). `interrupt`: an Interrupt
      that the main thread sets to "SIGINT"/"SIGTERM" to stop the run as that signal would
      (a run in a worker thread sees no signal); `deadline` (time.monotonic()) is when
      `timeout_ms` falls for runs sharing one; `console_name` leads the console's summary
      line (which of several collections it counts). `run_many` uses these.

    Every string in the returned results has the run's secrets replaced by `***`.

    Raises:
        InputError / InputErrors: invalid input, found before anything is sent (with
            `junit`, the file then holds one <error> testcase saying why).
    """
    suite = collection.name if isinstance(collection, Collection) else Path(collection).stem
    try:
        inputs = load_inputs(
            collection,
            environment,
            variables,
            globals=globals,
            global_variables=global_variables,
            data=data,
            dotenv=dotenv,
            folders=folders,
            tags=tags,
            exclude_tags=exclude_tags,
            grep=grep,
            problems=problems,
        )
        from runner.engine.options import RunOptions

        for name, value, least in (
            ("iterations", iterations, 1),
            ("parallel", parallel, 1),
            ("retry", retries, 0),
            ("delay_request", delay_request_ms, 0),
            ("retry_max_wait", retry_max_wait_ms, 0),
        ):
            if value is not None and value < least:
                flag = "--" + name.replace("_", "-")
                raise InputError(f"{flag} must be at least {least}, got {value}")
        check_timeouts(
            timeout=timeout_ms, timeout_request=timeout_request_ms, timeout_script=script_timeout_ms
        )
        if not insecure:
            check_ca_bundle(str(ca_bundle) if ca_bundle else None)
        for flag, report in (("--junit", junit), ("--json", json), ("--html", html), *outputs):
            if report:
                _check_writable(flag, Path(report))
        client_cert = _run_certificate(cert, key, cert_password)
        certificate_list: tuple[CertificateRule, ...] = ()
        passphrases: list[str] = []
        if cert_list:
            from runner.transport.cert_list import load_certificate_list

            certificate_list, passphrases = load_certificate_list(
                str(cert_list), str(working_dir) if working_dir else None
            )
        if cookie_jar:
            _check_cookie_jar(Path(cookie_jar), cookies)
        if isinstance(shard, str):
            from runner.engine.options import parse_shard

            shard = parse_shard(shard)
        options = RunOptions(
            iterations=iterations,
            data=inputs.data,
            parallel=parallel,
            selection=_selection(folders, tags, exclude_tags, grep),
            bail=bail,
            shard=shard,
            shard_by=shard_by,
            timeout_request_ms=timeout_request_ms,
            delay_request_ms=delay_request_ms,
            retries=retries,
            retry_max_wait_ms=retry_max_wait_ms,
            insecure=insecure,
            ca_bundle=str(ca_bundle) if ca_bundle else None,
            connect_to=_connect_to(connect_to),
            follow_redirects=follow_redirects,
            keep_results=False,  # the collector below keeps masked copies instead
            keep_exchange=keep_exchange,
            body_views=console is not None and (verbosity >= 2 or dump_failures),
            module_paths=tuple(str(p) for p in module_paths),
            script_timeout_ms=script_timeout_ms,
            working_dir=str(working_dir) if working_dir else None,
            run_timeout_ms=timeout_ms or None,  # 0: no deadline, as in Newman
            client_cert=client_cert,
            certificates=inputs.certificates,
            certificate_list=certificate_list,
            require_assertions=require_assertions,
            cookies=cookies,
            cookie_jar=str(cookie_jar) if cookie_jar else None,
            run_deadline=deadline,
            interrupt=interrupt,
        )
    except RunnerError as exc:
        _error_reports(junit, json, suite, exc)
        raise
    if check_only:
        return RunResult(inputs.collection.name, Summary())
    for warning in inputs.warnings:
        if on_warning is not None:
            on_warning(warning)
    from runner.engine.session import build_masker, run_collection
    from runner.report import file_reporters

    masker = build_masker(
        inputs.collection, inputs.environment, inputs.globals_env, inputs.variables
    )
    for password in (cert_password, *inputs.certificate_passwords, *passphrases):
        if password:
            masker.add(password)  # a certificate's password: never shown
    collector = _Collector(masker, on_result, keep_results)
    chosen: list[Reporter] = []
    if console is not None:
        from runner.report.console import ConsoleReporter

        chosen.append(
            ConsoleReporter(
                masker,
                stream=console,
                verbosity=verbosity,
                progress=progress,
                color=color,
                curl=curl,
                curl_run=_curl_run(options) if curl else None,
                dump_failures=dump_failures,
                name=console_name,
            )
        )
    files = file_reporters(junit, json, masker, junit_layout, html=html)
    if make_reporters is not None:
        files += make_reporters(masker)
    for reporter in files:  # the report files hold the loading warnings too
        for warning in inputs.warnings:
            reporter.warning(warning)
    chosen += files
    result = run_collection(
        inputs.collection,
        inputs.environment,
        globals_env=inputs.globals_env,
        variables=inputs.variables,
        options=options,
        reporters=[*chosen, *reporters, collector],
        masker=masker,
        tokens=tokens,
    )
    result.results = collector.results
    result.summary.warnings[:0] = [masker.mask(w) for w in inputs.warnings]
    if then is not None:
        then(result, inputs)
    return result


def run_many(
    collections: Sequence[Collection | PathLike],
    environment: Environment | PathLike | None = None,
    variables: Mapping[str, Any] | None = None,
    *,
    jobs: int = 1,
    globals: Environment | PathLike | None = None,
    global_variables: Mapping[str, Any] | None = None,
    data: Sequence[Mapping[str, Any]] | PathLike | None = None,
    dotenv: PathLike | bool | None = None,
    folders: Sequence[str] = (),
    tags: Sequence[str] = (),
    exclude_tags: Sequence[str] = (),
    grep: str | Sequence[str] = (),
    timeout_ms: int | None = None,
    junit: PathLike | None = None,
    junit_layout: str = "runner",
    json: PathLike | None = None,
    html: PathLike | None = None,
    console: TextIO | None = None,
    verbosity: int = 1,
    color: bool | str = "auto",
    progress: str = "auto",
    on_warning: Callable[[str], None] | None = None,
    tokens: TokenCache | None = None,
    problems: Sequence[InputError] = (),
    **options: Any,
) -> ManyResult:
    """Runs several collections as one run, as `runner run a.json b.json` does; returns a
    ManyResult (a RunResult per collection, in the order given, and the total).

    Every collection is loaded and checked before anything is sent: one invalid file raises
    InputError(s) for all of them. The environment, globals, variables, data and the
    selection (`folders`, `tags`, `exclude_tags`, `grep`) apply to each collection; each
    starts from them with its own variables (nothing one collection sets is seen by
    another); tokens are shared (`tokens`, else a cache of this run). `jobs` > 1 runs
    that many collections at once, each on its own thread, their console output held back
    and printed whole, in the order given, when each ends.
    `timeout_ms` is one deadline for all (0 or None: none). One JUnit file (a <testsuite>
    per collection), one JSON report (`collections`, and every result with the index of its
    collection) and one HTML page. Every other keyword is `run`'s (not `then`, `outputs`),
    for each run.

    Raises:
        InputError / InputErrors: invalid input, found before anything is sent.
    """
    import io
    import time

    from runner.engine.options import Interrupt
    from runner.report.many import ManyReports, SharedProgress, unique_names

    for name in (
        "then",
        "outputs",
        "check_only",
        "make_reporters",
        "interrupt",
        "deadline",
        "console_name",
    ):
        if name in options:
            raise TypeError(f"run_many() does not take {name}")
    extra = list(options.pop("reporters", ()))  # called from several threads with jobs > 1
    names = [c.name if isinstance(c, Collection) else Path(c).stem for c in collections]
    suite = ", ".join(unique_names(names)) or "runner"
    selection: dict[str, Any] = {
        "folders": folders,
        "tags": tags,
        "exclude_tags": exclude_tags,
        "grep": grep,
    }
    common: dict[str, Any] = {
        "timeout_ms": timeout_ms,
        "junit_layout": junit_layout,
        "verbosity": verbosity,
        **selection,
        **options,
    }
    try:
        found = list(problems)
        if jobs < 1:
            found.append(InputError(f"--jobs must be at least 1, got {jobs}", hint=JOBS_HINT))
        # With problems (a folder, glob or stdin that gave nothing), they are what went
        # wrong: "no collection" is only said when nothing else is.
        if not collections and not found:
            raise InputError("no collection to run", hint="runner run COLLECTION [COLLECTION…]")
        loaded = load_many(
            collections,
            environment,
            variables,
            globals=globals,
            global_variables=global_variables,
            data=data,
            dotenv=dotenv,
            problems=found,
            **selection,
        )
        first = loaded[0]
        # The options once (numbers, CA bundle, client certificate, report paths).
        run(first.collection, first.environment, first.variables, globals=first.globals_env,
            data=first.data, dotenv=False, junit=junit, json=json, html=html, check_only=True,
            **common)  # fmt: skip
    except RunnerError as exc:
        _error_reports(junit, json, suite, exc)
        raise
    names = [i.collection.name for i in loaded]
    reports = ManyReports(names, junit, json, html, junit_layout)
    # With several, each summary line says whose it is (-q prints nothing else of a run).
    labels = unique_names(names) if len(loaded) > 1 else [None] * len(loaded)
    stop = Interrupt()
    started_at, started = time.time(), time.monotonic()
    deadline = started + timeout_ms / 1000 if timeout_ms else None  # 0: none
    shared = tokens if tokens is not None else TokenCache()
    token_transport = None
    if jobs > 1 and not shared.keep_transport:
        # Runs side by side: the cache fetches through a transport of its own, not through
        # one run's (closed when that run ends).
        token_transport = _token_transport(options)
        shared.transport, shared.keep_transport = token_transport, True
    buffered = jobs > 1 and len(loaded) > 1
    live = None
    if buffered and console is not None:
        from runner.report.progress import LiveLine, live_progress_wanted
        from runner.report.terminal import use_color

        # Held back in a buffer, which is no terminal: the console decides the colour.
        tty = console.isatty() if hasattr(console, "isatty") else False
        color = use_color(color, tty) if isinstance(color, str) else color
        if verbosity >= 1 and live_progress_wanted(progress, tty):

            def draw(text: str) -> None:
                console.write(text)
                console.flush()

            live = LiveLine(draw, color)
            live.start(0)
    outputs: list[io.StringIO | None] = [None] * len(loaded)
    runs: list[RunResult | None] = [None] * len(loaded)

    def warn(name: str) -> Callable[[str], None] | None:
        if on_warning is None:
            return None
        return lambda text: on_warning(f"{name}: {text}")

    def one(index: int) -> RunResult:
        inputs = loaded[index]
        stream: TextIO | None = console
        if buffered and console is not None:
            stream = outputs[index] = io.StringIO()
        return run(
            inputs.collection,
            inputs.environment,
            inputs.variables,
            globals=inputs.globals_env,
            data=inputs.data,
            dotenv=False,
            console=stream,
            color=color,
            progress="never" if buffered else progress,
            reporters=[*extra, *([SharedProgress(live)] if live else [])],
            make_reporters=lambda masker: reports.reporters(index, masker),
            tokens=shared,
            interrupt=stop,
            deadline=deadline,
            console_name=labels[index],
            on_warning=warn(inputs.collection.name),
            **common,
        )

    printed = 0

    def show_done() -> None:
        """Prints the held-back output of the collections done, in the order given."""
        nonlocal printed
        while printed < len(loaded) and runs[printed] is not None:
            held = outputs[printed]
            text = held.getvalue() if held is not None else ""
            if printed and text and verbosity >= 1:
                text = "\n" + text  # a blank line between collections, as when run in turn
            if console is not None and text:
                if live is not None:
                    live.print(text)
                else:
                    console.write(text)
                    console.flush()
            printed += 1

    try:
        if not buffered:
            for index in range(len(loaded)):
                if index and console is not None and verbosity >= 1:
                    console.write("\n")
                try:
                    runs[index] = result = one(index)
                except KeyboardInterrupt as exc:  # outside the run loop: no result
                    stop.set("SIGTERM" if isinstance(exc, Terminated) else "SIGINT")
                    continue
                if result.summary.interrupted:  # the rest start interrupted: no request
                    stop.set(result.summary.signal or "SIGINT")
        else:
            _side_by_side(one, runs, jobs, stop, show_done)
    finally:
        if live is not None:
            live.stop()
        show_done()
        done = [r for r in runs if r is not None]
        total = combined(done, suite, (time.monotonic() - started) * 1000)
        if len(done) < len(runs):  # a collection that never got to report (Ctrl-C)
            total.summary.interrupted = True
            total.summary.signal = total.summary.signal or stop.signal or "SIGINT"
        try:
            reports.finish(total, started_at)
        finally:
            if token_transport is not None:
                shared.keep_transport = False
                token_transport.close()
    each = [r or RunResult(n, Summary(interrupted=True)) for r, n in zip(runs, names, strict=True)]
    if console is not None:
        from runner.report.console import ConsoleReporter

        ConsoleReporter(Masker(), stream=console, color=color, progress="never").overall(
            each, total
        )
    return ManyResult(each, total)


def _side_by_side(
    one: Callable[[int], RunResult],
    runs: list[RunResult | None],
    jobs: int,
    stop: Any,
    show_done: Callable[[], None],
) -> None:
    """Runs `one(index)` for every index on `jobs` threads, keeping each result in `runs`
    and calling `show_done` as they end. Ctrl-C/SIGTERM (in this, the main thread) tells the
    runs to stop; their reports are finished before this returns."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="runner-collection")
    futures = {pool.submit(one, index): index for index in range(len(runs))}
    pending = set(futures)
    failure: BaseException | None = None
    try:
        while pending:
            try:
                # A timeout keeps the main thread responsive to Ctrl-C.
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt as exc:
                stop.set("SIGTERM" if isinstance(exc, Terminated) else "SIGINT")
                continue
            for future in done:
                try:
                    runs[futures[future]] = future.result()
                except Exception as exc:  # reported after every run has finished its reports
                    failure = failure or exc
            show_done()
    finally:
        pool.shutdown(wait=True)
    if failure is not None:
        raise failure


def _token_transport(options: Mapping[str, Any]) -> Any:
    """Returns the transport tokens are fetched through when runs share a cache at once."""
    from runner.transport.http import RequestsTransport

    client_cert = _run_certificate(
        options.get("cert"), options.get("key"), options.get("cert_password")
    )
    ca_bundle = options.get("ca_bundle")
    return RequestsTransport(
        verify=False if options.get("insecure") else (str(ca_bundle) if ca_bundle else True),
        connect_to=_connect_to(options.get("connect_to", ())),
        client_cert=client_cert,
    )


def _run_certificate(
    cert: PathLike | None, key: PathLike | None, password: str | None
) -> tuple[str, str] | None:
    """Returns the (certificate PEM, key PEM) of --cert/--key/--cert-password, or None.

    Raises:
        InputError: the files cannot be read as a client certificate, or --key or
            --cert-password come without --cert.
    """
    if not cert:
        if key or password:
            raise InputError("--key and --cert-password go with --cert", hint="--cert FILE")
        return None
    from runner.transport.client_cert import client_certificate

    return client_certificate(str(cert), str(key) if key else None, password)


def _error_reports(
    junit: PathLike | None, json: PathLike | None, suite: str, exc: RunnerError
) -> None:
    """Writes the JUnit and JSON reports of a run that never started: why, in one testcase."""
    if junit and not Path(junit).is_dir():
        from runner.report.junit import write_error_junit

        # When the report path itself is the problem, `exc` says so.
        text = exc.render()
        with contextlib.suppress(OSError, ValueError):
            write_error_junit(Path(junit), suite, text.splitlines()[0], text)
    if json and not Path(json).is_dir():
        from runner.report.json_report import write_error_report

        with contextlib.suppress(OSError, ValueError):
            write_error_report(Path(json), suite, exc.render())


def get_token(
    auth: Mapping[str, Any],
    variables: Mapping[str, Any] | None = None,
    *,
    tokens: TokenCache | None = None,
    insecure: bool = False,
    ca_bundle: PathLike | None = None,
    connect_to: Sequence[str] | Mapping[tuple[str, int], tuple[str, int]] = (),
) -> str:
    """Returns an access token for a native `oauth2` or `azure` auth block, its
    `<<variables>>` taken from `variables` (and `<<$env.NAME>>` from the process), as a run
    would get it. With `tokens`, a token still valid is reused instead of asked for again.

    Raises:
        InputError: the block is not an oauth2/azure auth block.
        AuthError: the token could not be acquired (its text says why, e.g. the AADSTS code).
    """
    from runner.auth import prepare
    from runner.engine.session import base_scope
    from runner.errors import Location
    from runner.model import AuthSpec
    from runner.resolve.variables import Renderer
    from runner.transport.http import RequestsTransport

    kind = auth.get("type")
    if kind not in ("oauth2", "azure"):
        raise InputError(
            f"get_token: auth type {kind!r} does not acquire tokens",
            hint='give an auth block of type "oauth2" or "azure"',
        )
    spec = AuthSpec(str(kind), {k: v for k, v in auth.items() if k != "type"}, Location("auth"))
    here = Collection("auth", (), Path.cwd() / "auth")
    renderer = Renderer(base_scope(here, None, None, variables))
    plan = prepare(spec, renderer.text, base_dir=Path.cwd())
    assert plan.source is not None  # oauth2 and azure blocks always have a token source
    cache = tokens if tokens is not None else TokenCache()
    transport = RequestsTransport(
        verify=False if insecure else (str(ca_bundle) if ca_bundle else True),
        connect_to=_connect_to(connect_to),
    )
    cache.transport = transport
    try:
        return cache.get(plan.source, lambda _: None, 1).value
    finally:
        transport.close()


def _curl_run(options: RunOptions) -> RunConnection:
    """Returns the run's TLS and --connect-to options, as --curl repeats them."""
    from runner.report.curl import RunConnection

    verify = False if options.insecure else options.ca_bundle or True
    return RunConnection(verify, options.client_cert, options.connect_to)


def _connect_to(
    given: Sequence[str] | Mapping[tuple[str, int], tuple[str, int]],
) -> dict[tuple[str, int], tuple[str, int]]:
    if isinstance(given, Mapping):
        return dict(given)
    from runner.transport.http import parse_connect_to

    if isinstance(given, str):
        given = [given]
    return dict(parse_connect_to(spec) for spec in given)


def check_timeouts(**flags: int | None) -> None:
    """Raises InputError for a negative timeout (`timeout_request=-5` is `--timeout-request`).

    As in Newman, 0 is no limit, the same as leaving the option out.
    """
    for name, value in flags.items():
        if value is not None and value < 0:
            flag = "--" + name.replace("_", "-")
            raise InputError(
                f"{flag} must be 0 (no limit) or more milliseconds, got {value}",
                hint=f"e.g. {flag} 30000 for 30 s; leave it out or give 0 for no limit",
            )


def check_ca_bundle(flag_value: str | None) -> None:
    """Raises InputError when the CA bundle (--ca-bundle, else REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE, which requests reads) is missing or holds no PEM certificate.

    Found before anything is sent: otherwise every HTTPS request fails with urllib3's text.
    """
    import os

    where, path = "--ca-bundle", flag_value
    if path is None:
        for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            if os.environ.get(variable):
                where, path = variable, os.environ[variable]
                break
    if path is None:
        return
    if not Path(path).is_file():
        raise InputError(f"{where} {path}: file not found")
    with contextlib.suppress(OSError), open(path, "rb") as bundle:
        if b"-----BEGIN CERTIFICATE-----" in bundle.read():
            # PEM certificates: loading a system bundle into OpenSSL costs ~0.1 s at every
            # start (CI images set REQUESTS_CA_BUNDLE); only a file without one is loaded,
            # for OpenSSL's reason. A PEM file with a corrupt certificate fails at its first
            # HTTPS request instead.
            return
    import ssl

    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, UnicodeDecodeError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        if reason == "NO_CERTIFICATE_OR_CRL_FOUND":
            reason = "no certificate in it"
        raise InputError(
            f"{where} {path}: not a PEM file of CA certificates ({reason})",
            hint="give the CA certificate(s) in PEM form (-----BEGIN CERTIFICATE-----); "
            "convert a DER .cer/.crt with: openssl x509 -inform der -in ca.cer -out ca.pem",
        ) from None


def _check_writable(flag: str, path: Path) -> None:
    """Raises InputError when a report cannot be written to `path` (before anything is sent)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{flag} {path}: cannot create folder {path.parent}: {exc.strerror}"
        ) from None
    if path.is_dir():
        suffix = {"--junit": ".xml", "--html": ".html"}.get(flag, ".json")
        raise InputError(
            f"{flag} {path}: is a folder", hint=f"e.g. {flag} {path / 'report'}{suffix}"
        )


def _check_cookie_jar(path: Path, cookies: bool) -> None:
    """Raises InputError when `path` cannot serve as --cookie-jar (before anything is sent)."""
    if not cookies:
        raise InputError(
            "--cookie-jar and --no-cookies contradict each other",
            hint="--no-cookies keeps no jar; drop one of them",
        )
    if path.is_dir():
        raise InputError(
            f"--cookie-jar {path}: is a folder", hint=f"e.g. --cookie-jar {path / 'cookies.txt'}"
        )
    from runner.transport.cookies import load_jar

    load_jar(path)  # a malformed file is invalid input, found now
    _check_writable("--cookie-jar", path)


class _Collector:
    """The API's own reporter: masks each result, keeps it and hands it to `on_result`."""

    def __init__(self, masker: Masker, on_result: OnResult | None, keep: bool) -> None:
        self.masker = masker
        self.on_result = on_result
        self.keep = keep
        self.results: list[ItemResult] = []

    def start(self, info: RunInfo) -> None:
        """Nothing to do before the first request."""

    def result(self, result: ItemResult) -> None:
        """Keeps a masked copy and streams it to `on_result`."""
        if not self.keep and self.on_result is None:
            return  # `runner run`: the reporters mask what they write; no copy needed
        masked = masked_result(result, self.masker)
        if self.keep:
            self.results.append(masked)
        if self.on_result is not None:
            self.on_result(masked)

    def warning(self, message: str) -> None:
        """Run-time warnings are in the summary already."""

    def finish(self, run: RunResult) -> None:
        """Nothing to do after the last request."""


def masked_result(result: ItemResult, masker: Masker) -> ItemResult:
    """Returns a copy of `result` with every known secret replaced by `***`."""
    copy: ItemResult = _masked(result, masker)
    return copy


def _masked(value: Any, masker: Masker) -> Any:
    if isinstance(value, str):
        return masker.mask(value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _masked(getattr(value, f.name), masker) for f in fields(value) if f.init}
        for name in ("request_headers", "response_headers"):
            if name in changes:
                changes[name] = masker.mask_headers(getattr(value, name))
        return replace(value, **changes)
    if isinstance(value, dict):
        return masker.mask_value({k: _masked(v, masker) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return type(value)(_masked(v, masker) for v in value)
    return value

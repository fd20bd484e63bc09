"""Every command README.md tells a user to run works as written on a fresh machine.

The commands are read from the README at test time: each line of its ```sh/```bash/
```console blocks, each `run:`/`script:` line of its CI examples (```yaml), and each inline
`code` that starts with a program name. Every one must be classified in `CASES`:

- `Fresh`: runs as written from a fresh clone (a temporary copy of `collections/` and
  `environments/`; the README's own emulator on 127.0.0.1:8400 when it needs one);
- `StandIn`: names files the user would have (`api.json`, `dev.json`…): the test writes small
  stand-ins of those names, pointing at a local server, and runs the command as written;
- `NeverRun`: needs real Azure, a network beyond loopback, or minutes: never run, but its
  options are parsed by runner's own argument parser (or the thing it names is checked);
- `Prose`: a command named in a sentence, not one to run: the subcommand and options exist.

A command in none of them fails `test_every_readme_command_is_classified`, which says how
to classify it. Only loopback addresses are contacted.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.external import IN_CI
from support.local_server import LocalServer

from runner.cli.main import EVERY, build_parser
from runner.errors import InputError

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
PROGRAMS = (
    "runner",
    "pip",
    "python",
    "python3",
    "pytest",
    "bash",
    "cat",
    "export",
    "curl",
    "az",
    "npm",
    "npx",
    "node",
    "newman",
    "hurl",
    "bru",
    "git",
    "docker",
    "locust",
    "jq",
)
EMULATOR_PORT = 8400  # the README's `runner emulator --port 8400 &` and environments/emulator.json
TIMEOUT = 60  # seconds, for any one command
# Sample secrets of the bundled emulator (environments/emulator.json), for the README's `…`.
CLIENT_SECRET = "emulator-secret-valid-NOT-REAL"
USER_PASSWORD = "emulator-password-NOT-REAL"


# --- reading the README ------------------------------------------------------------------


def _strip_comment(line: str) -> str:
    """Returns the line without a shell comment (a `#` outside quotes, after a blank)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip()
    return line.rstrip()


def _shell_lines(block: str) -> list[str]:
    """Returns the commands of a shell block: continuations joined, comments and `$ ` gone."""
    joined = re.sub(r"\\\n\s*", " ", block)
    lines = (_strip_comment(line).strip() for line in joined.splitlines())
    return [line.removeprefix("$ ") for line in lines if line]


def _yaml_lines(block: str) -> list[str]:
    """Returns the `run:`/`script:` commands of a CI example (a folded `>` one joined)."""
    found: list[str] = []
    lines = block.splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"^(\s*)(?:- )?(?:run|script): (.*)$", line)
        if not match:
            continue
        text = match.group(2).strip()
        if text == ">":
            indent = len(match.group(1))
            folded = []
            for following in lines[index + 1 :]:
                if following.strip() and len(following) - len(following.lstrip()) <= indent + 2:
                    break
                folded.append(following.strip())
            text = " ".join(part for part in folded if part)
        found.append(text)
    return found


def readme_commands(text: str) -> list[str]:
    """Returns every command of the README text, whitespace normalised, in order, once."""
    commands: list[str] = []
    fence = re.compile(r"^( *)```(sh|bash|console|shell|yaml)\n(.*?)^\1```", re.M | re.S)
    for match in fence.finditer(text):
        if match.group(2) == "yaml":
            commands += _yaml_lines(match.group(3))
        else:
            commands += _shell_lines(match.group(3))
    prose = re.sub(r"```.*?```", "", text, flags=re.S).replace("\n", " ")
    for span in re.findall(r"`([^`]+)`", prose):
        if span.split(" ", 1)[0] in PROGRAMS and " " in span.strip():
            commands.append(span)
    normalised = (" ".join(command.split()) for command in commands)
    return list(dict.fromkeys(normalised))


# --- the classes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fresh:
    """Runs as written in a fresh clone; `expect` must be in its output, `files` left."""

    expect: tuple[str, ...]
    code: int = 0
    files: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()  # text that must NOT be in the output (what was not selected)
    emulator: bool = False  # talks to the README's emulator on 127.0.0.1:8400
    background: bool = False  # a server: wait for `expect`, then stop it
    before: tuple[str, ...] = ()  # README commands run first in the same folder
    run: str = ""  # what runs instead of the whole line, when only part of it can (why: `note`)
    placeholders: tuple[tuple[str, str], ...] = ()  # README placeholder → the value used
    note: str = ""


@dataclass(frozen=True)
class StandIn(Fresh):
    """Runs as written against stand-in files of the names it uses (see `_stand_ins`)."""


@dataclass(frozen=True)
class NeverRun:
    """Never run (`reason`); `check` proves what can be proven without running it."""

    reason: str
    check: Callable[[str], None]


@dataclass(frozen=True)
class Prose:
    """A command named in a sentence (not to be run as is): its subcommand and options exist."""

    reason: str = "named in a sentence"
    extra: dict[str, str] = field(default_factory=dict)


def parses(command: str) -> None:
    """Fails unless runner's own argument parser accepts the command's arguments."""
    words = shlex.split(command)
    assert words[0] == "runner", command
    build_parser(EVERY).parse_args(words[1:])


def parses_with(**placeholders: str) -> Callable[[str], None]:
    """Returns a check that fills the README's placeholders in, then parses."""

    def check(command: str) -> None:
        for name, value in placeholders.items():
            command = command.replace(name, value)
        parses(command)

    return check


def validates_offline(**placeholders: str) -> Callable[[str], None]:
    """Returns a check that parses the command, then `runner validate`s its collection and
    environment (sends nothing) with stand-in AZURE_* values."""

    def check(command: str) -> None:
        parses_with(**placeholders)(command)
        words = shlex.split(command)
        argv = ["runner", "validate", words[2], "-e", words[words.index("-e") + 1]]
        env = dict(
            os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        )
        env.update(
            AZURE_TENANT_ID="contoso.onmicrosoft.com",
            AZURE_CLIENT_ID="11111111-2222-3333-4444-555555555555",
            AZURE_CLIENT_SECRET="stand-in-secret",
            AZURE_SUBSCRIPTION_ID="00000000-0000-0000-0000-00000000005a",
        )
        done = subprocess.run(
            argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
        assert done.returncode == 0 and "valid: " in done.stdout, done.stdout + done.stderr

    return check


def _extra_declared(name: str) -> Callable[[str], None]:
    def check(command: str) -> None:
        text = (REPO / "pyproject.toml").read_text("utf-8")
        assert re.search(rf"^{re.escape(name)} = \[", text, re.M), f"no [{name}] extra"

    return check


def _is_file(path: str) -> Callable[[str], None]:
    def check(command: str) -> None:
        assert (REPO / path).is_file(), f"{command}: {path} is missing"

    return check


def _ci_runs(text: str) -> Callable[[str], None]:
    def check(command: str) -> None:
        assert text in (REPO / ".ci" / "run").read_text("utf-8"), f".ci/run lacks {text!r}"

    return check


def _help_works(script: str) -> Callable[[str], None]:
    def check(command: str) -> None:
        done = subprocess.run(
            [sys.executable, str(REPO / script), "--help"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stderr
        words = shlex.split(command)[2:]
        for option in (word for word in words if word.startswith("--")):
            assert option in done.stdout, f"{script} has no {option}"

    return check


AZURE = "needs a real Azure tenant"
TWO_LINES_1 = "python3 -m venv .venv && . .venv/bin/activate && pip install . && runner demo"
TWO_LINES_2 = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest -rs"
)
CONNECT_TO = (
    "runner run --connect-to login.microsoftonline.com:443:127.0.0.1:PORT --ca-bundle PATH …"
)
NIGHTLY_OIDC = (
    "runner run collections/nightly-access-check.json -e environments/azure-oidc.example.json "
    "--junit reports/junit.xml --json reports/run.json"
)
NIGHTLY_PIPELINES = (
    "runner run collections/nightly-access-check.json -e environments/azure.example.json "
    "--junit $(Build.ArtifactStagingDirectory)/junit.xml"
)
SHARD = (
    "runner run api.json -e ci.json --shard ${{ matrix.shard }}/4 --shard-by folder "
    "--junit junit-${{ matrix.shard }}.xml"
)

CASES: dict[str, Fresh | NeverRun | Prose] = {
    # The README's first two lines.
    TWO_LINES_1: Fresh(
        expect=("runner demo: emulator", "PASSED", "token requests answered by the emulator"),
        run="runner demo",
        note="`pip install .` is not run here (PyPI, a minute): the test runs in the installed "
        "environment; check the whole line by hand in a fresh venv",
    ),
    TWO_LINES_2: NeverRun(
        "installs from PyPI and runs this very suite (minutes)",
        _ci_runs("pip install -q -e '.[test]'\nRUNNER_SANDBOX_CACHE"),
    ),
    # Quick start.
    "runner emulator --port 8400 &": Fresh(
        expect=("serving Entra ID, ARM and Graph on http://127.0.0.1:8400",),
        background=True,
        note="also the fixture every `emulator=True` command talks to",
    ),
    "runner run collections/arm-resource-groups.json -e environments/emulator.json "
    "--junit out/junit.xml": Fresh(
        expect=("✔ List resource groups", "PASSED: 4 requests"),
        files=("out/junit.xml",),
        emulator=True,
    ),
    "runner validate collections/graph-users.json -e environments/emulator.json": Fresh(
        expect=("valid: Graph users",),
    ),
    "runner token collections/graph-users.json -e environments/emulator.json": Fresh(
        expect=('"access_token": "***"', "aud: https://graph.microsoft.com"),
        emulator=True,
    ),
    "runner schema collection -o collection.schema.json": Fresh(
        expect=("collection.schema.json",), files=("collection.schema.json",)
    ),
    "runner schema report -o out/report.schema.json": Fresh(
        expect=("report schema written to out/report.schema.json",),
        files=("out/report.schema.json",),
    ),
    # Postman.
    "runner run api.postman_collection.json -e dev.postman_environment.json -d rows.csv": StandIn(
        expect=("Get row", "PASSED"),
    ),
    "runner import api.postman_collection.json -o api.json": StandIn(
        expect=("api.json",), files=("api.json",)
    ),
    "runner sandbox install": NeverRun("downloads from the npm registry", parses),
    "runner sandbox list": Fresh(expect=("chai@4.4.1", "lodash")),
    "python tools/sandbox_lock.py": NeverRun(
        "resolves the libraries with npm and the npm registry", _is_file("tools/sandbox_lock.py")
    ),
    # Command line.
    "runner demo --junit out/demo.xml": Fresh(
        expect=("runner demo: emulator", "PASSED"),
        files=tuple(f"out/demo-{n}.xml" for n in range(1, 6)),  # one per bundled collection
        absent=("FAILED",),
    ),
    # Several collections in one run.
    "runner run users.json orders.json -e dev.json": StandIn(
        expect=("List users", "List orders", "TOTAL")
    ),
    "runner run tests/ -e dev.json --junit out/junit.xml": StandIn(
        expect=("Suite A", "Suite B", "TOTAL"), files=("out/junit.xml",)
    ),
    "runner run 'api/**/*.json' --jobs 4 --json out/run.json": StandIn(
        expect=("Api v1", "Api v2", "TOTAL"), files=("out/run.json",)
    ),
    "cat generated.json | runner run - smoke.json": StandIn(expect=("Generated", "Smoke", "TOTAL")),
    # From Python and pytest.
    "pytest --runner-collection collections/graph-users.json --runner-environment "
    "environments/emulator.json --runner-var emulatorUrl=http://127.0.0.1:8400": Fresh(
        expect=(" passed in ",), absent=("failed", "error"), emulator=True
    ),
    "runner export pytest collections/graph-users.json -e environments/emulator.json "
    "-o test_graph.py": Fresh(expect=("test_graph.py",), files=("test_graph.py",)),
    "emulatorUrl=http://127.0.0.1:8400 clientSecret=… userPassword=… pytest test_graph.py": StandIn(
        expect=("passed",),
        emulator=True,
        before=(
            "runner export pytest collections/graph-users.json -e environments/emulator.json "
            "-o test_graph.py",
        ),
        placeholders=(
            ("clientSecret=…", f"clientSecret={CLIENT_SECRET}"),
            ("userPassword=…", f"userPassword={USER_PASSWORD}"),
        ),
    ),
    "runner export pytest COLLECTION -o tests/test_api.py": StandIn(
        expect=("tests/test_api.py",),
        files=("tests/test_api.py",),
        placeholders=(("COLLECTION", "collections/graph-users.json"),),
    ),
    "pytest -m smoke": Prose("pytest's `-m` on the plugin's tests (tests/e2e cover it)"),
    # Reports.
    "runner run api.json -e dev.json --html report.html": StandIn(
        expect=("List admins", "PASSED"), files=("report.html",)
    ),
    # Load tests: Locust runs for a minute or waits for workers on other machines.
    "runner load api.json -e dev.json --users 20 --spawn-rate 5 --run-time 1m --csv out/load "
    "--html out/load.html": NeverRun("runs for a minute (--run-time 1m)", parses),
    "runner load api.json -e dev.json --master --expect-workers 2 --users 200 --spawn-rate 20 "
    "--run-time 5m": NeverRun("waits for two workers on other machines", parses),
    "runner load api.json -e dev.json --worker --master-host 10.0.0.5": NeverRun(
        "connects to a master at 10.0.0.5 (not loopback)", parses
    ),
    "pip install 'runner[load]'": NeverRun("installs from PyPI", _extra_declared("load")),
    # Selection.
    'runner run api.json --folder "Users/Admin"': StandIn(
        expect=("List admins",), absent=("Create user", "Ping")
    ),
    "runner run api.json --folder Users --folder Health": StandIn(
        expect=("List admins", "Create user", "Ping")
    ),
    "runner run api.json --tag smoke --exclude-tag slow": StandIn(
        expect=("List admins", "Create user"), absent=("Delete user", "Ping")
    ),
    "runner run api.json --grep '^users/.*(create|delete)'": StandIn(
        expect=("Create user", "Delete user"), absent=("List admins", "Ping")
    ),
    # CI examples: real Azure or a GitHub matrix.
    SHARD: NeverRun(
        "a GitHub Actions step (${{ matrix.shard }})", parses_with(**{"${{ matrix.shard }}": "2"})
    ),
    "pip install runner": NeverRun("installs from PyPI (a CI step)", _extra_declared("test")),
    'pip install junitparser && junitparser merge --glob "junit-*.xml" junit.xml': NeverRun(
        "a third-party tool from PyPI (a CI step)", lambda command: None
    ),
    "pip install .": NeverRun(
        "installs from PyPI (a CI step; the README's first line)", _is_file("pyproject.toml")
    ),
    NIGHTLY_OIDC: NeverRun(f"{AZURE} (workload identity in GitHub Actions)", validates_offline()),
    NIGHTLY_PIPELINES: NeverRun(
        f"{AZURE} (an Azure Pipelines variable in the path)",
        validates_offline(**{"$(Build.ArtifactStagingDirectory)": "out"}),
    ),
    # The emulator over TLS.
    "runner emulator --tls": Fresh(
        expect=(
            "serving Entra ID, ARM and Graph on https://127.0.0.1:",
            "CA certificate: ",
            "export REQUESTS_CA_BUNDLE=",
        ),
        background=True,
    ),
    "export REQUESTS_CA_BUNDLE=PATH SSL_CERT_FILE=PATH": Prose(
        "the line `runner emulator --tls` prints with PATH filled in (checked there)"
    ),
    CONNECT_TO: NeverRun(
        "a fragment (PORT, PATH, `…` for the rest) aimed at login.microsoftonline.com; "
        "tests/e2e/test_seed_token_script.py runs it for real",
        parses_with(PORT="8443", PATH="ca.pem", **{"…": "collections/graph-users.json"}),
    ),
    "curl -b/-c": Prose("curl's options, compared with --cookie-jar"),
    "hurl --cookie-jar": Prose("Hurl's option, compared with --cookie-jar"),
    "hurl --test --jobs": Prose("Hurl's options, compared with runner's several collections"),
    "bru run folder/": Prose("Bruno's CLI, compared with runner's several collections"),
    "az account get-access-token": Prose("what the azure_cli credential runs (tests/azure)"),
    # Development.
    "bash .ci/run": NeverRun("runs this very suite, ruff and mypy (minutes)", _is_file(".ci/run")),
    "runner --help": Fresh(expect=("usage: runner", "exit status:")),
    # Commands named in sentences.
    "runner run": Prose(),
    "runner run --junit": Prose(),
    "runner validate": Prose(),
    "runner import": Prose(),
    "runner export pytest": Prose(),
    "runner load": Prose(),
}


# The benchmark's figures are re-measured with changing options: any `bench.py` line is
# never run (minutes, Newman and nginx) and each of its options must be in its --help.
BENCH = re.compile(r"^python benchmarks/bench\.py( --[a-z-]+( [0-9]+)?)*$")
BENCH_CASE = NeverRun(
    "minutes of benchmarks with Newman and nginx", _help_works("benchmarks/bench.py")
)


def classify(command: str) -> Fresh | NeverRun | Prose | None:
    """Returns the class of a README command, None when it has none."""
    if BENCH.match(command):
        return BENCH_CASE
    return CASES.get(command)


# --- running ----------------------------------------------------------------------------


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _fresh_copy(folder: Path) -> Path:
    """Returns `folder` holding copies of the bundled collections and environments."""
    import shutil

    for name in ("collections", "environments"):
        shutil.copytree(REPO / name, folder / name)
    return folder


def _env(scratch: Path) -> dict[str, str]:
    """The environment a new user's shell would have, the venv's `runner` first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["XDG_CACHE_HOME"] = str(scratch / "cache")  # the TLS emulator's CA, not the user's
    env["NO_COLOR"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    return env


class _Background:
    """A shell line run in a session of its own; stopped by its process group id."""

    def __init__(self, line: str, cwd: Path, env: dict[str, str]) -> None:
        self.log = cwd / "background.log"
        with self.log.open("w", encoding="utf-8") as out:
            # `wait` keeps the shell (our child) alive while its `&` job serves.
            self.process = subprocess.Popen(
                ["bash", "-c", f"{line}\nwait"],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_for(self, texts: tuple[str, ...], seconds: float = 20) -> str:
        """Returns the output once it holds every text; fails after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            output = self.log.read_text("utf-8")
            if all(text in output for text in texts):
                return output
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the background command did not print {texts}:\n{output}")
            time.sleep(0.1)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


EMULATOR_LINE = "runner emulator --port 8400 &"


@pytest.fixture(scope="module")
def readme_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Runs the README's own `runner emulator --port 8400 &`; skips (with why) if 8400 is taken
    by something else (fails under CI=true)."""
    if not _port_free(EMULATOR_PORT):
        reason = f"127.0.0.1:{EMULATOR_PORT} is in use: the README's emulator cannot start"
        if IN_CI:  # a clean CI machine has it free: something leaked
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    folder = _fresh_copy(tmp_path_factory.mktemp("emulator"))
    started = _Background(EMULATOR_LINE, folder, _env(folder))
    try:
        case = CASES[EMULATOR_LINE]
        assert isinstance(case, Fresh)
        yield started.wait_for(case.expect)
    finally:
        started.stop()


def _stand_ins(folder: Path, base: str) -> None:
    """Writes the files the README's illustrative commands name, aimed at the local server."""

    def write(name: str, value: object) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = value if isinstance(value, str) else json.dumps(value, indent=2)
        path.write_text(text, encoding="utf-8")

    def request(name: str, path: str, method: str = "GET", **more: object) -> dict[str, object]:
        return {
            "name": name,
            "method": method,
            "url": f"<<base>>{path}",
            "assert": {"status": 200},
            **more,
        }

    def collection(name: str, *items: dict[str, object]) -> dict[str, object]:
        return {"name": name, "items": list(items)}

    write("dev.json", {"name": "dev", "variables": {"base": base}})
    write(
        "api.json",
        {
            "name": "Api",
            "variables": {"base": base},
            "items": [
                {
                    "name": "Users",
                    "items": [
                        {
                            "name": "Admin",
                            "tags": ["smoke"],
                            "items": [request("List admins", "/json")],
                        },
                        request("Create user", "/echo", "POST", tags=["smoke"]),
                        request("Delete user", "/echo", "DELETE", tags=["slow"]),
                    ],
                },
                {"name": "Health", "items": [request("Ping", "/status/200")]},
            ],
        },
    )
    write("users.json", collection("Users", request("List users", "/json")))
    write("orders.json", collection("Orders", request("List orders", "/json")))
    write("tests/a.json", collection("Suite A", request("A", "/json")))
    write("tests/b.json", collection("Suite B", request("B", "/json")))
    # The glob's collections carry their own base: the command passes no -e.
    for version in ("v1", "v2"):
        write(
            f"api/{version}/api.json",
            {
                "name": f"Api {version}",
                "variables": {"base": base},
                "items": [request(f"{version} ping", "/json")],
            },
        )
    write(
        "generated.json",
        {
            "name": "Generated",
            "variables": {"base": base},
            "items": [request("From stdin", "/json")],
        },
    )
    write(
        "smoke.json",
        {"name": "Smoke", "variables": {"base": base}, "items": [request("Smoke ping", "/json")]},
    )
    write(
        "api.postman_collection.json",
        {
            "info": {
                "name": "Postman api",
                "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
            },
            "item": [
                {
                    "name": "Get row",
                    "request": {"method": "GET", "url": "{{baseUrl}}/echo?user={{user}}"},
                    "event": [
                        {
                            "listen": "test",
                            "script": {
                                "exec": [
                                    "tests['status is 200'] = responseCode.code === 200;",
                                    "var sent = JSON.parse(responseBody).query.user[0];",
                                    "tests['row sent'] = sent === data.user;",
                                ]
                            },
                        }
                    ],
                }
            ],
        },
    )
    write(
        "dev.postman_environment.json",
        {"name": "dev", "values": [{"key": "baseUrl", "value": base, "enabled": True}]},
    )
    write("rows.csv", "user\nadele\nalex\n")


def _sh(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


def _command_line(command: str, case: Fresh) -> str:
    line = case.run or command
    for placeholder, value in case.placeholders:
        line = line.replace(placeholder, value)
    return line


RUNS = [command for command, case in CASES.items() if isinstance(case, Fresh)]


@pytest.mark.parametrize("command", RUNS)
def test_readme_command_runs(
    command: str, tmp_path: Path, server: LocalServer, request: pytest.FixtureRequest
) -> None:
    case = CASES[command]
    assert isinstance(case, Fresh)
    folder = _fresh_copy(tmp_path / "clone")
    if isinstance(case, StandIn):
        _stand_ins(folder, server.url)
    if case.emulator:
        request.getfixturevalue("readme_emulator")
    env = _env(tmp_path)
    line = _command_line(command, case)
    if command == EMULATOR_LINE:
        output, code = request.getfixturevalue("readme_emulator"), 0
    elif case.background:
        started = _Background(line, folder, env)
        try:
            output = started.wait_for(case.expect)
        finally:
            started.stop()
        code = 0
    else:
        for earlier in case.before:
            done = _sh(_command_line(earlier, CASES[earlier]), folder, env)  # type: ignore[arg-type]
            assert done.returncode == 0, f"{earlier}\n{done.stdout}{done.stderr}"
        done = _sh(line, folder, env)
        output, code = done.stdout + done.stderr, done.returncode
    shown = f"$ {line}\n(exit {code})\n{output}"
    assert code == case.code, shown
    for text in case.expect:
        assert text in output, f"expected {text!r} in:\n{shown}"
    for text in case.absent:
        assert text not in output, f"{text!r} should not have run:\n{shown}"
    for name in case.files:
        assert (folder / name).is_file(), f"{name} was not written:\n{shown}"


NEVER = [command for command, case in CASES.items() if isinstance(case, NeverRun)] + [
    command for command in readme_commands(README.read_text("utf-8")) if BENCH.match(command)
]


@pytest.mark.parametrize("command", NEVER)
def test_never_run_command_is_checked(command: str) -> None:
    case = classify(command)
    assert isinstance(case, NeverRun) and case.reason
    case.check(command)


def test_every_readme_command_is_classified() -> None:
    commands = readme_commands(README.read_text("utf-8"))
    unclassified = [command for command in commands if classify(command) is None]
    assert not unclassified, (
        "README commands no test covers; add each to CASES in "
        "tests/readme/test_readme_commands.py as Fresh (works from a fresh clone), StandIn "
        "(names the user's files: add stand-ins to _stand_ins), NeverRun (real Azure, "
        "network or minutes: say why, check its options parse) or Prose:\n"
        + "\n".join(unclassified)
    )
    stale = [command for command in CASES if command not in commands]
    assert not stale, "in CASES but no longer in README.md (remove them):\n" + "\n".join(stale)


def test_prose_mentions_name_real_subcommands_and_options() -> None:
    parser = build_parser(EVERY)
    commands = [c for c in readme_commands(README.read_text("utf-8")) if c.startswith("runner ")]
    mentions = [c for c in commands if isinstance(classify(c), Prose)]
    assert mentions  # `runner validate`, `runner run --junit`…
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    assert isinstance(subcommands, dict)
    for mention in mentions:
        words = mention.split()[1:]
        name, options = words[0], [w for w in words[1:] if w.startswith("-")]
        assert name in subcommands, f"{mention}: runner has no {name!r} command"
        known = {o for action in subcommands[name]._actions for o in action.option_strings}
        assert set(options) <= known, f"{mention}: unknown {set(options) - known}"


def test_the_reader_finds_commands_as_a_user_would() -> None:
    text = (
        "```sh\nrunner run a.json \\\n   --tag x   # why\nrunner run b.json --grep '#x' # c\n```\n"
        "```yaml\n  - run: runner validate c.json\n  - run: >\n      runner run d.json\n"
        "      --json r.json\n  - uses: x\n```\nProse `runner run e.json -n 2` and `make all`.\n"
    )
    assert readme_commands(text) == [
        "runner run a.json --tag x",
        "runner run b.json --grep '#x'",
        "runner validate c.json",
        "runner run d.json --json r.json",
        "runner run e.json -n 2",
    ]
    assert classify("runner frobnicate x.json") is None
    with pytest.raises(InputError, match=r"unrecognized arguments"):
        parses("runner run a.json --no-such-option")

"""The bundled collections, `runner demo`, `runner emulator`, the pytest plugin and the
Python API, end to end against the emulator (a few through `python -m runner`)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from token_e2e import (
    COLLECTIONS,
    EMULATOR_ENV,
    EXPIRED_SECRET,
    EXPIRING_SECRET,
    LEGACY,
    NOPERM,
    NOPERM_SECRET,
    SECRET,
    Run,
    cli,
    emulator_env,
    run_cli,
    write_json,
)

from runner.cli.commands.demo import DEMO_COLLECTIONS, bundled_dir
from runner.emulator import Emulator, default_config_dict
from runner.errors import InputError

# Collection → (token requests the emulator answers, request testcases)
BUNDLED = {
    "arm-resource-groups.json": (1, 4),
    "graph-users.json": (1, 3),
    "refresh-token.json": (2, 2),  # the password sign-in is an ordinary request
    "nightly-access-check.json": (2, 3),
    "arm-resource-group-lifecycle.json": (1, 4),  # create, deploy and delete (lro), gone
}


def _python(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_demo_passes_every_bundled_collection(tmp_path: Path) -> None:
    # As README says: --junit out.xml and --json out.json write out-1.xml … per collection.
    code, out, err = cli(
        "demo", "--junit", str(tmp_path / "demo.xml"), "--json", str(tmp_path / "demo.json")
    )
    assert code == 0, out + err
    assert err == ""
    verdicts = [line for line in out.splitlines() if line.startswith(("PASSED", "FAILED"))]
    assert len(verdicts) == len(DEMO_COLLECTIONS) == 5
    assert all(v.startswith("PASSED: ") for v in verdicts), verdicts
    assert "✘" not in out
    tokens = sum(count for count, _ in BUNDLED.values())  # 7
    assert f"token requests answered by the emulator: {tokens}" in out
    assert sorted(p.name for p in tmp_path.glob("demo-*.xml")) == [
        f"demo-{n}.xml" for n in range(1, len(DEMO_COLLECTIONS) + 1)
    ]
    assert not (tmp_path / "demo.xml").exists() and not (tmp_path / "demo.json").exists()
    for number, name in enumerate(DEMO_COLLECTIONS, start=1):  # in the order run
        report = json.loads((tmp_path / f"demo-{number}.json").read_text("utf-8"))
        assert report["source"].endswith(name), (number, report["source"])
    assert SECRET not in out


def test_demo_through_python_m_runner(tmp_path: Path) -> None:
    done = _python("-m", "runner", "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED: ") == len(DEMO_COLLECTIONS) and "FAILED" not in done.stdout


def test_bundled_dir_finds_the_demo_data_without_installing() -> None:
    collections, environments = bundled_dir("collections"), bundled_dir("environments")
    assert collections.is_dir() and environments.is_dir()
    for name in DEMO_COLLECTIONS:
        assert (collections / name).is_file(), name
    assert (environments / "emulator.json").is_file()
    # From a source checkout (editable install) they are the repository's own folders.
    assert collections.resolve() == COLLECTIONS.resolve()
    assert set(DEMO_COLLECTIONS) == {p.name for p in COLLECTIONS.glob("*.json")}


@pytest.mark.parametrize("name", list(BUNDLED))
def test_bundled_collection_against_a_separate_emulator(
    emulator: Emulator, tmp_path: Path, name: str
) -> None:
    tokens, requests_run = BUNDLED[name]
    run = run_cli(tmp_path, COLLECTIONS / name, *emulator_env(emulator))
    assert run.code == 0, run.out
    assert emulator.stats.token_requests_total == tokens
    assert emulator.stats.token_errors == {} and emulator.stats.expired_token_requests == 0
    assert len([c for c in run.cases if c.classname != "auth"]) == requests_run
    assert all(c.outcome == "pass" for c in run.cases)
    assert run.report["summary"]["exit_status"] == 0


def _legacy_only_expiring() -> dict[str, object]:
    """Returns the default emulator config where legacy-sync keeps only its rotating secret."""
    config = copy.deepcopy(default_config_dict())
    (legacy,) = [a for a in config["tenants"][0]["apps"] if a["clientId"] == LEGACY]
    legacy["secrets"] = [s for s in legacy["secrets"] if s["value"] == EXPIRING_SECRET]
    return config


def _nightly(tmp_path: Path, emulator: Emulator, days: str, secret: str = EXPIRING_SECRET) -> Run:
    return run_cli(
        tmp_path,
        COLLECTIONS / "nightly-access-check.json",
        *emulator_env(emulator),
        "--var",
        f"clientId={LEGACY}",
        "--var",
        f"clientSecret={secret}",
        "--var",
        f"secretWarningDays={days}",
    )


def test_nightly_check_fails_when_a_secret_expires_within_the_warning_days(
    tmp_path: Path,
) -> None:
    with Emulator(_legacy_only_expiring()) as emulator:
        soon = _nightly(tmp_path, emulator, "30")
        later = _nightly(tmp_path, emulator, "1")
    # The secret expires in 5 days: a failure with 30 days' warning...
    assert soon.code == 1
    case = soon.case("Secrets and certificates do not expire soon")
    assert case.outcome == "failure"
    assert "passwordCredentials[*].endDateTime" in case.message
    assert "expected after 'now+30d'" in case.message
    assert (
        "✘ jsonpath $.value[0].passwordCredentials[*].endDateTime: expected after 'now+30d'"
        in soon.out
    )
    # ...only that one: getting tokens and calling ARM and Graph worked.
    assert [c.outcome for c in soon.cases if c.name != case.name] == ["pass"] * 4
    # ...and a pass with 1 day's warning.
    assert later.code == 0, later.out
    assert EXPIRING_SECRET not in soon.everything + later.everything


def test_nightly_check_flags_an_already_expired_secret_still_registered(
    emulator: Emulator, tmp_path: Path
) -> None:
    # The default legacy-sync app also keeps a secret that expired 30 days ago.
    run = _nightly(tmp_path, emulator, "1")
    assert run.code == 1
    assert run.case("Secrets and certificates do not expire soon").outcome == "failure"


def test_nightly_check_with_an_expired_secret_errors_on_the_token(
    emulator: Emulator, tmp_path: Path
) -> None:
    run = _nightly(tmp_path, emulator, "30", EXPIRED_SECRET)
    assert run.code == 1
    assert emulator.stats.token_errors == {7000222: 2}  # ARM and Graph, each asked once
    token_cases = [c for c in run.cases if c.classname == "auth"]
    assert len(token_cases) == 2 and all(c.outcome == "error" for c in token_cases)
    assert all("AADSTS7000222" in c.message for c in token_cases)
    assert "client secret has expired" in run.out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_runner_emulator_serves_until_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "runner", "emulator", "--port", str(port), "--token-lifetime", "60"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        stdout = process.stdout
        assert stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()))
        reader.start()
        reader.join(timeout=20)
        assert lines and f"http://127.0.0.1:{port}" in lines[0], lines
        url = f"http://127.0.0.1:{port}"
        form = {
            "grant_type": "client_credentials",
            "client_id": NOPERM,
            "client_secret": NOPERM_SECRET,
            "scope": "https://graph.microsoft.com/.default",
        }
        answer = requests.post(
            f"{url}/contoso.onmicrosoft.com/oauth2/v2.0/token", data=form, timeout=10
        )
        assert answer.status_code == 200 and answer.json()["expires_in"] == 60
        stats = requests.get(f"{url}/_emulator/stats", timeout=10).json()
        assert stats["tokenRequests"]["total"] == 1
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "Ctrl-C" in lines[0]


def test_failing_run_through_python_m_runner(emulator: Emulator, tmp_path: Path) -> None:
    done = _python(
        "-m",
        "runner",
        "run",
        str(COLLECTIONS / "graph-users.json"),
        *emulator_env(emulator),
        "--var",
        "clientSecret=wrong-NOT-REAL",
        "--junit",
        str(tmp_path / "junit.xml"),
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "AADSTS7000215" in done.stdout and "not its Secret ID" in done.stdout
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("<error") == 4  # the token and the 3 requests that needed it
    assert "wrong-NOT-REAL" not in done.stdout + done.stderr + junit


def _pytest(emulator: Emulator, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return _python(
        "-m",
        "pytest",
        "-c",
        os.devnull,
        "-p",
        "no:cacheprovider",
        "-q",
        "--runner-collection",
        str(COLLECTIONS / "graph-users.json"),
        "--runner-environment",
        str(EMULATOR_ENV),
        "--runner-var",
        f"emulatorUrl={emulator.url}",
        *extra,
        cwd=tmp_path,
    )


def test_pytest_plugin_runs_each_request_as_a_test(emulator: Emulator, tmp_path: Path) -> None:
    done = _pytest(emulator, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
    assert emulator.stats.token_requests_total == 1


def test_pytest_plugin_shows_the_aadsts_explanation(emulator: Emulator, tmp_path: Path) -> None:
    done = _pytest(emulator, tmp_path, "--runner-var", "clientSecret=wrong-NOT-REAL")
    assert done.returncode == 1
    assert "3 errors" in done.stdout  # could not complete: errors, not failed assertions
    # The first request needed the token; the others needed its captures.
    assert "no token (token: " in done.stdout and "AADSTS7000215" in done.stdout
    assert "hint: the client secret is wrong" in done.stdout
    assert done.stdout.count("'List users' was to capture it and did not") == 2
    assert "wrong-NOT-REAL" not in done.stdout + done.stderr
    assert emulator.stats.token_requests_total == 1


def test_python_api_returns_results_and_raises_nothing_for_failures(emulator: Emulator) -> None:
    from runner import run

    passed = run(
        COLLECTIONS / "arm-resource-groups.json", EMULATOR_ENV, {"emulatorUrl": emulator.url}
    )
    assert passed.exit_status == 0 and passed.failures == [] and passed.errors == []
    assert [r.kind for r in passed.results] == ["token", "request", "request", "request", "request"]
    assert all(r.status == 200 for r in passed.results)

    no_role = run(
        str(COLLECTIONS / "arm-resource-groups.json"),
        str(EMULATOR_ENV),
        {"emulatorUrl": emulator.url, "clientId": NOPERM, "clientSecret": NOPERM_SECRET},
    )
    assert no_role.exit_status == 1
    # No subscription is visible to it, and listing resource groups is forbidden.
    assert [r.name for r in no_role.failures][:2] == ["List subscriptions", "List resource groups"]
    forbidden = no_role.failures[1]
    assert forbidden.status == 403 and "AuthorizationFailed" in (forbidden.hint or "")

    bad_secret = run(
        COLLECTIONS / "graph-users.json",
        EMULATOR_ENV,
        {"emulatorUrl": emulator.url, "clientSecret": "wrong-NOT-REAL"},
    )
    assert bad_secret.exit_status == 1 and len(bad_secret.errors) == 4
    token, first, *later = bad_secret.errors
    assert token.kind == "token" and "AADSTS7000215" in (token.error or "")
    assert (first.error or "").startswith("not sent: no token (token: ")
    assert all("has no value" in (r.error or "") for r in later)


def test_python_api_raises_input_error_for_an_invalid_collection(tmp_path: Path) -> None:
    from runner import run

    invalid = write_json(tmp_path, {"name": "broken", "items": [{"name": "no url"}]})
    with pytest.raises(InputError) as caught:
        run(invalid)
    assert "url" in caught.value.render()


@pytest.mark.parametrize("name", ["arm-resource-groups.json", "graph-users.json"])
def test_bundled_collection_runs_unchanged_with_the_real_azure_environment(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # environments/azure.example.json reads the credentials from AZURE_* variables; the
    # real hosts are sent to the emulator by --connect-to (plain http: it has no TLS).
    monkeypatch.setenv("AZURE_TENANT_ID", "contoso.onmicrosoft.com")
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-00000000005a")
    monkeypatch.setenv("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)
    hosts = {
        "authorityHost": "login.microsoftonline.com",
        "armHost": "management.azure.com",
        "graphHost": "graph.microsoft.com",
    }
    args = [a for var, host in hosts.items() for a in ("--var", f"{var}=http://{host}")]
    args += [
        a
        for host in hosts.values()
        for a in ("--connect-to", f"{host}:80:127.0.0.1:{emulator.port}")
    ]
    environment = COLLECTIONS.parent / "environments" / "azure.example.json"
    run = run_cli(tmp_path, COLLECTIONS / name, "-e", str(environment), *args, "--verbose")
    assert run.code == 0, run.out
    assert emulator.stats.token_requests_total == 1
    assert "POST http://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/" in run.out
    assert SECRET not in run.everything and "client_secret=***" in run.out


def test_demo_from_a_built_wheel(tmp_path: Path) -> None:
    # `pip install . && runner demo` without the source tree: the wheel must carry the
    # bundled collections and environments (pyproject's force-include), and demo find them.
    import hatchling  # noqa: F401 - a test extra: the wheel is built offline with it

    source = tmp_path / "src"
    source.mkdir()
    repo = COLLECTIONS.parent
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, source / name)
    for name in ("runner", "collections", "environments"):
        shutil.copytree(repo / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = ("-m", "pip", "--disable-pip-version-check", "-q")
    built = _python(
        *pip,
        "wheel",
        "--no-build-isolation",
        "--no-deps",
        str(source),
        "-w",
        str(wheels),
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("runner-*.whl")
    installed = _python(
        *pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel), cwd=tmp_path
    )
    assert installed.returncode == 0, installed.stderr
    shutil.rmtree(source)  # nothing may come from a source tree
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}
    probe = (
        "import runner; from runner.cli.commands.demo import bundled_dir; "
        "print(runner.__file__); print(bundled_dir('collections'))"
    )
    where = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    module, collections = where.stdout.split()
    assert Path(module).is_relative_to(site), where
    assert Path(collections) == site / "runner" / "bundled" / "collections"
    # Editors follow each bundled file's "$schema": it must resolve inside the install too.
    bundled = [*Path(collections).glob("*.json"), *Path(collections).parent.glob("env*/*.json")]
    assert len(bundled) >= 7
    for path in bundled:
        ref = json.loads(path.read_text("utf-8"))["$schema"]
        assert (path.parent / ref).resolve().is_file(), (path, ref)
    demo = subprocess.run(
        [sys.executable, "-m", "runner", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert demo.stdout.count("PASSED: ") == len(DEMO_COLLECTIONS)


def test_runner_emulator_on_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _python("-m", "runner", "emulator", "--port", str(port), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: emulator: ") and "in use" in done.stderr
    assert "Traceback" not in done.stderr

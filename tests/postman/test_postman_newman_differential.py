"""Issue 5 point 3: `runner` and Newman agree request by request on the offline corpus cases.

Both run against the same local echo servers: `runner` on the files unchanged (with
`--connect-to`), Newman (installed with npm into a git-ignored cache) on a copy whose URLs
point at the servers. Per executed request, pass/fail and the number of assertions must be
the same. Without npm, or when the install fails, this half is skipped with the reason; the
`runner` half (test_postman_corpus_runs.py) always runs.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from corpus_cases import (
    FIXTURE_CASES,
    KNOWN_DIFFERENCES,
    Case,
    external_cases,
    integration_cases,
)
from newman_tools import (
    Outcome,
    install_error,
    newman_batch,
    node_modules,
    run_runner,
    runner_outcomes,
)
from own_cases import EXPECTED, OWN_CASES
from support.echo_server import EchoServers
from support.external import missing

pytestmark = pytest.mark.external
CASES = integration_cases() + FIXTURE_CASES


@pytest.fixture(scope="module")
def modules() -> Path:
    """The node_modules holding newman (skipped without it; fails under CI=true)."""
    found = node_modules()
    if found is None:
        missing("Newman (npm newman@6)", f"is not available: {install_error()}")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def newman(
    shared_corpus: Path, modules: Path, echo: EchoServers, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, list[Outcome]]]:
    """Every case's Newman result (one Node process runs them all)."""
    return newman_batch(CASES, echo, tmp_path_factory.mktemp("newman"), modules)


@pytest.mark.parametrize("case", external_cases(CASES))
def test_runner_and_newman_agree(
    case: Case,
    echo: EchoServers,
    modules: Path,
    newman: dict[str, tuple[int, list[Outcome]]],
    tmp_path: Path,
) -> None:
    for relative, source in case.extra_files.items():
        (Path.cwd() / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, Path.cwd() / relative)
    newman_status, theirs = newman[case.name]
    known = KNOWN_DIFFERENCES.get(case.name, frozenset())
    status, output = run_runner(case, echo, tmp_path / "runner.json")
    ours = runner_outcomes(tmp_path / "runner.json")
    assert [o.name for o in ours] == [o.name for o in theirs], output
    disagreements = [
        f"{mine.name}: runner {'pass' if mine.passed else 'FAIL'} with {mine.assertions} "
        f"assertion(s), newman {'pass' if other.passed else 'FAIL'} with {other.assertions}"
        for mine, other in zip(ours, theirs, strict=True)
        if (mine.passed, mine.assertions) != (other.passed, other.assertions)
        and mine.name not in known
    ]
    assert disagreements == [], output
    if not known:
        assert (status == 0) == (newman_status == 0), output


def test_newman_itself_meets_its_documented_results_on_the_echo_server(
    newman: dict[str, tuple[int, list[Outcome]]],
) -> None:
    # Checks the stand-in: were the echo servers unlike postman-echo and Newman's harness,
    # Newman would fail suites its own tests expect to pass (corpus README).
    wrong = {
        c.name: newman[c.name][0] for c in CASES if (newman[c.name][0] == 0) != (c.exit_code == 0)
    }
    assert wrong == {}


def test_newman_gives_the_results_written_for_the_suites_own_collections(
    modules: Path, echo: EchoServers, tmp_path: Path
) -> None:
    # The expectations in own_cases.py are checked against runner by the core suite; here
    # Newman confirms them (needs Newman only, not the shared corpus).
    results = newman_batch(OWN_CASES, echo, tmp_path, modules)
    assert {name: outcomes for name, (_, outcomes) in results.items()} == EXPECTED
    assert {name: status for name, (status, _) in results.items()} == {
        c.name: c.exit_code for c in OWN_CASES
    }


def _junit_shape(path: Path) -> list[tuple[object, ...]]:
    """Returns what a Newman-layout JUnit file says, without times, ids and stack traces."""
    root = ET.parse(path).getroot()
    shape: list[tuple[object, ...]] = [("testsuites", root.get("name"), root.get("tests"))]
    for suite in root.findall("testsuite"):
        counts = tuple(suite.get(key) for key in ("name", "tests", "failures", "errors"))
        shape.append(("testsuite", *counts, bool((suite.findtext("system-err") or "").strip())))
        for case in suite.findall("testcase"):
            failure = case.find("failure")
            shape.append(
                (
                    "testcase",
                    case.get("name"),
                    case.get("classname"),
                    None if failure is None else (failure.get("type"), failure.get("message")),
                )
            )
    return shape


# Newman's message for a test that throws a non-assertion error is the error's message
# alone ("thrown"); runner's names the error type too ("TypeError: thrown").
_JUNIT_MESSAGE_DIFFERENCES = {("failures", "a thrown error"): ("TypeError: thrown", "thrown")}


@pytest.mark.parametrize("case", OWN_CASES, ids=[c.name for c in OWN_CASES])
def test_junit_newman_layout_matches_newmans_junit_reporter(
    case: Case, modules: Path, echo: EchoServers, tmp_path: Path
) -> None:
    # Newman's own `-r junit` file is the judge of `--junit-layout newman`.
    newman_batch([case], echo, tmp_path / "newman", modules, junit=True)
    theirs = _junit_shape(tmp_path / "newman" / case.name / "newman.xml")
    junit = tmp_path / "runner.xml"
    run_runner(case, echo, tmp_path / "r.json", "--junit", str(junit), "--junit-layout", "newman")
    ours = _junit_shape(junit)
    for (owner, test), (mine, newman_says) in _JUNIT_MESSAGE_DIFFERENCES.items():
        if owner == case.name:
            ours = [
                (*row[:3], (row[3][0], newman_says))
                if row[0] == "testcase" and row[1] == test and row[3] == ("AssertionFailure", mine)
                else row
                for row in ours
            ]
    assert ours == theirs


def test_own_collections_agree_with_newman_on_every_assertion_name(
    modules: Path, echo: EchoServers, tmp_path: Path
) -> None:
    # The names carry values the scripts computed (pm-reference writes what it saw into
    # them), so this compares what each sandbox saw, not only pass/fail.
    theirs = newman_batch(OWN_CASES, echo, tmp_path / "newman", modules)
    for case in OWN_CASES:
        run_runner(case, echo, tmp_path / f"{case.name}.json")
        ours = runner_outcomes(tmp_path / f"{case.name}.json")
        _, newman_says = theirs[case.name]
        assert [(o.name, o.passed, o.names) for o in ours] == [
            (o.name, o.passed, o.names) for o in newman_says
        ], case.name

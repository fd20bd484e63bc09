"""ARM and Graph errors explained under the failed assertion: a missing role, a missing
application permission, a token for the wrong audience (the emulator's real error JSON)."""

from __future__ import annotations

from pathlib import Path

from token_e2e import (
    GRAPH_DEFAULT,
    NOPERM,
    NOPERM_SECRET,
    SUBSCRIPTION,
    Run,
    collection,
    emulator_env,
    resource_groups,
    run_cli,
    users,
    v1_auth,
    v2_auth,
)

from runner.emulator import Emulator

NOPERM_VARS = ("--var", f"clientId={NOPERM}", "--var", f"clientSecret={NOPERM_SECRET}")


def _hint_under_failure(run: Run, request: str) -> str:
    """Returns the hint line printed right under the request's failed status assertion."""
    lines = run.out.splitlines()
    start = next(i for i, line in enumerate(lines) if f"✘ {request}" in line)
    failed = lines[start + 1].strip()
    assert failed.startswith("✘ ") and "200" in failed, lines[start : start + 3]
    hint = lines[start + 2].strip()
    assert hint.startswith("hint: "), lines[start : start + 3]
    return hint


def test_arm_403_names_principal_action_scope_and_suggests_a_role(
    emulator: Emulator, tmp_path: Path
) -> None:
    run = run_cli(
        tmp_path, collection(v1_auth(), resource_groups()), *emulator_env(emulator), *NOPERM_VARS
    )
    assert run.code == 1
    hint = _hint_under_failure(run, "List resource groups")
    assert hint.startswith("hint: AuthorizationFailed: ")
    assert "assign a role such as Reader" in hint
    assert "principal " in hint
    assert "action microsoft.resources/subscriptions/resourcegroups/read" in hint.lower()
    assert f"scope /subscriptions/{SUBSCRIPTION}" in hint
    case = run.case("List resource groups")
    assert case.outcome == "failure" and "403" in case.message
    assert "hint: AuthorizationFailed:" in case.text and "Reader" in case.text
    (request,) = run.requests()
    assert request["status"] == 403 and request["hint"] == hint.removeprefix("hint: ")
    # The token itself was fine: its testcase passed.
    assert [c.outcome for c in run.cases if c.classname == "auth"] == ["pass"]


def test_graph_403_names_the_application_permission_and_admin_consent(
    emulator: Emulator, tmp_path: Path
) -> None:
    run = run_cli(tmp_path, collection(v2_auth(), users()), *emulator_env(emulator), *NOPERM_VARS)
    assert run.code == 1
    hint = _hint_under_failure(run, "List users")
    assert hint.startswith("hint: Authorization_RequestDenied: ")
    assert "User.Read.All" in hint and "admin consent" in hint
    case = run.case("List users")
    assert case.outcome == "failure"
    assert "Authorization_RequestDenied" in case.text and "User.Read.All" in case.text


def test_wrong_audience_names_the_expected_audience(emulator: Emulator, tmp_path: Path) -> None:
    # A Graph token sent to ARM.
    run = run_cli(
        tmp_path, collection(v2_auth(GRAPH_DEFAULT), resource_groups()), *emulator_env(emulator)
    )
    assert run.code == 1
    hint = _hint_under_failure(run, "List resource groups")
    assert hint.startswith("hint: InvalidAuthenticationTokenAudience: ")
    assert "https://management.azure.com/" in hint  # what to ask for
    assert "wrong audience" in hint and "graph.microsoft.com" in hint  # what the token had
    (request,) = run.requests()
    assert request["status"] == 401
    # A 401 renews the token once; the second token has the same wrong audience.
    assert len(request["attempts"]) == 1 and emulator.stats.token_requests_total == 2
    assert "InvalidAuthenticationTokenAudience" in run.case("List resource groups").text


def test_no_hint_when_the_call_succeeds(emulator: Emulator, tmp_path: Path) -> None:
    run = run_cli(tmp_path, collection(v1_auth(), resource_groups()), *emulator_env(emulator))
    assert run.code == 0
    assert "hint:" not in run.out
    assert run.requests()[0]["hint"] is None

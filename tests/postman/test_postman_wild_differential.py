"""Issue 11 point 4: every suite of the shared postman-wild corpus through Newman and runner.

Each suite of `../shared/corpus/postman-wild/suites.json` (collection, environment, data
file, folders) runs through Newman 6.2.2 and through `runner run` (in-process, no
`--module-path`) on the very same files. The collections call real hosts (Binance, Adyen,
vCenter, `localhost:8080`…); both tools are pointed at the same catch-all proxy on
127.0.0.1 (`support.catchall_proxy`), which answers every request itself, so nothing but
loopback is contacted. Per request both must agree on script errors (and their messages),
assertion names in order, pass/fail, and on the exit status; a suite may differ only as
`WILD_DELIBERATE` documents. Newman runs all suites in one Node process in the background
while runner runs them here. The agreement is printed at the end of the pytest run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from agreement import judge
from corpus_cases import WILD_DELIBERATE, wild_params, wild_suites
from newman_agree import Case, NewmanRuns, runner_run, steady
from newman_tools import install_error, node_modules
from support.catchall_proxy import CatchAllProxy
from support.external import CORPUS_WILD, missing, require

pytestmark = pytest.mark.external
CORPUS_NAME = "postman-wild"


def wild_case(suite: dict[str, Any], proxy: CatchAllProxy) -> Case:
    """Returns `suite` (an entry of suites.json) as a case run through `proxy`."""

    def path(key: str) -> Path | None:
        return CORPUS_WILD / suite[key] if key in suite else None

    return Case(
        suite["name"],
        data=path("data"),
        env=proxy.environment,
        source=path("collection"),
        environment=path("environment"),
        folders=tuple(suite.get("folder", ())),
    )


@pytest.fixture(scope="module")
def newman(
    catchall: CatchAllProxy, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NewmanRuns]:
    """Every suite running through Newman in the background (skipped, with why, without the
    corpus or npm; failed under CI=true)."""
    require(CORPUS_WILD / "suites.json")
    modules = node_modules()
    if modules is None:
        missing("Newman (npm newman@6)", f"is not available: {install_error()}")
    assert modules is not None
    cases = [wild_case(s, catchall) for s in wild_suites()]
    runs = NewmanRuns(cases, catchall, tmp_path_factory.mktemp("newman-wild"), modules)
    yield runs
    runs.stop()


@pytest.mark.parametrize("suite", wild_params())
def test_runner_agrees_with_newman_on_a_wild_suite(
    suite: dict[str, Any],
    catchall: CatchAllProxy,
    newman: NewmanRuns,
    agreement_file: Path,
    tmp_path: Path,
) -> None:
    case = wild_case(suite, catchall)
    ours = steady(runner_run(case, catchall, tmp_path))
    theirs = steady(newman.run(case.name))
    assert theirs.requests, "Newman ran nothing: the stand-in is not answering"
    judge(CORPUS_NAME, ours, theirs, case.name, WILD_DELIBERATE.get(case.name))


def test_the_stand_in_saw_every_host_and_nothing_left_loopback(
    catchall: CatchAllProxy, newman: NewmanRuns, tmp_path: Path
) -> None:
    # The proxy answered the collections' real hosts (over TLS where the URL says https):
    # nothing went to them, nor was refused on the way.
    suite = next(s for s in wild_suites() if s["name"] == "binance-spot")
    before = len(catchall.log)
    run = runner_run(wild_case(suite, catchall), catchall, tmp_path)
    seen = catchall.log[before:]
    assert len(seen) == len(run.requests) == 44, run.output
    assert all(url.startswith("https://testnet.binance.vision/api/") for _, url in seen), seen
    assert not any(r.errors for r in run.requests), run.output

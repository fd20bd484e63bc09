"""How far runner agrees with Newman on the shared corpus, suite by suite, for the summary.

The differential tests `record` each suite they compare; the Postman tests' conftest prints
`summary()` at the end of the pytest run (its terminal summary, so `.ci/run` shows it) and
writes it to `corpus-agreement.txt` in pytest's base temporary folder.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus_cases import Deliberate
from newman_agree import Run, agreeing_requests, disagreements


@dataclass(frozen=True)
class Suite:
    """One suite's comparison: requests Newman ran, how many agree, and why not."""

    corpus: str
    name: str
    requests: int
    agreeing: int
    differences: tuple[str, ...] = ()
    deliberate: str = ""  # the documented reason, when the difference is a deliberate one

    @property
    def agrees(self) -> bool:
        """Returns True when every request agreed."""
        return not self.differences


RECORDED: dict[tuple[str, str], Suite] = {}


def record(suite: Suite) -> None:
    """Keeps `suite`'s comparison for the summary (the last one of a suite wins)."""
    RECORDED[(suite.corpus, suite.name)] = suite


def summary() -> list[str]:
    """Returns one line per corpus, then one per suite that does not fully agree."""
    lines = []
    for corpus in sorted({c for c, _ in RECORDED}):
        suites = [s for (c, _), s in sorted(RECORDED.items()) if c == corpus]
        agree = [s for s in suites if s.agrees]
        requests = sum(s.requests for s in suites)
        agreeing = sum(s.agreeing for s in suites)
        deliberate = [s for s in suites if not s.agrees and s.deliberate]
        lines.append(
            f"{corpus}: {len(agree)}/{len(suites)} suites, {agreeing}/{requests} requests "
            f"agree with Newman; {len(deliberate)} suite(s) differ deliberately"
        )
        for suite in suites:
            if suite.agrees:
                continue
            why = f"deliberate: {suite.deliberate}" if suite.deliberate else "NOT EXPLAINED"
            lines.append(
                f"  {suite.name}: {suite.agreeing}/{suite.requests} requests agree ({why})"
            )
            lines += [f"    {d}" for d in suite.differences[:5]]
    return lines


def judge(corpus: str, ours: Run, theirs: Run, name: str, deliberate: Deliberate | None) -> None:
    """Records how runner's run of suite `name` compares with Newman's, then fails unless
    they agree or differ exactly as the documented `deliberate` difference says."""
    differences = disagreements(ours, theirs)
    agreeing = agreeing_requests(ours, theirs)
    reason = deliberate.reason if deliberate else ""
    record(Suite(corpus, name, len(theirs.requests), agreeing, tuple(differences), reason))
    if deliberate is None:
        assert differences == [], ours.output
        return
    # A deliberate difference is checked as documented, so that it cannot hide another.
    assert differences, f"{name} now agrees with Newman: take its deliberate difference out"
    if deliberate.requests:
        assert disagreements(ours, theirs, deliberate.requests) == [], ours.output
    if deliberate.runner_status is not None:
        assert ours.status == deliberate.runner_status, ours.output
        assert deliberate.says in ours.output and not ours.requests, ours.output

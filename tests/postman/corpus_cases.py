"""The offline-runnable Postman corpus cases and what Newman's own tests expect of them.

The corpus is `../shared/corpus/postman` (found relative to the project): the external
differential. Without it every case list is one placeholder whose test skips (under
`CI=true`, fails) through the `shared_corpus` fixture, with the reason printed by `-rs`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.external import CORPUS, CORPUS_MORE, CORPUS_WILD

INTEGRATION = CORPUS / "newman-integration"
INTEGRATION_MORE = CORPUS_MORE / "newman-integration"
FIXTURES = CORPUS / "newman-fixtures"

# Run options of Newman's integration harness (`X.postman_config.json` → CLI flags).
_CONFIG_FLAGS = {
    "ignoreRedirects": lambda v: ["--ignore-redirects"] if v else [],
    "insecure": lambda v: ["--insecure"] if v else [],
    "timeoutRequest": lambda v: ["--timeout-request", str(v)],
    "timeoutScript": lambda v: ["--timeout-script", str(v)],
}


@dataclass(frozen=True)
class Case:
    """One run: a collection, its sibling files, extra flags and the expected exit status."""

    name: str
    collection: Path
    environment: Path | None = None
    globals: Path | None = None
    data: Path | None = None
    flags: tuple[str, ...] = ()
    exit_code: int = 0
    extra_files: dict[str, Path] = field(default_factory=dict)

    def args(self) -> list[str]:
        """Returns the `runner run` arguments (paths as given)."""
        out = [str(self.collection)]
        for flag, path in (("-e", self.environment), ("-g", self.globals), ("-d", self.data)):
            if path is not None:
                out += [flag, str(path)]
        return out + list(self.flags)


def _sibling(collection: Path, suffix: str) -> Path | None:
    stem = collection.name.removesuffix(".postman_collection.json")
    for candidate in sorted(collection.parent.glob(f"{stem}.postman_{suffix}*")):
        return candidate
    return None


def _flags(collection: Path) -> tuple[str, ...]:
    config = _sibling(collection, "config")
    if config is None:
        return ()
    run = json.loads(config.read_text(encoding="utf-8")).get("run", {})
    flags: list[str] = []
    for key, value in run.items():
        if key in _CONFIG_FLAGS:
            flags += _CONFIG_FLAGS[key](value)
    return tuple(flags)


# Newman resolves form-data file paths against its working directory (the repository root).
_UPLOADS = {
    "custom-http-method": {
        "test/integration/custom-http-method/upload-file.csv": INTEGRATION
        / "custom-http-method"
        / "upload-file.csv",
    },
    "tc4": {"test/integration/tc4/upload-file.json": INTEGRATION_MORE / "tc4" / "upload-file.json"},
}


def integration_cases(folder: Path = INTEGRATION) -> list[Case]:
    """Returns every integration suite run in `folder` (Newman expects zero failures)."""
    cases: list[Case] = []
    for collection in sorted(folder.rglob("*.postman_collection.json")):
        name = collection.name.removesuffix(".postman_collection.json")
        cases.append(
            Case(
                name=name,
                collection=collection,
                environment=_sibling(collection, "environment"),
                globals=_sibling(collection, "globals"),
                data=_sibling(collection, "data"),
                flags=_flags(collection),
                extra_files=_UPLOADS.get(name, {}),
            )
        )
    return cases


RUN = FIXTURES / "run"
FIXTURE_CASES = [
    Case("single-get-request", RUN / "single-get-request.json"),
    Case("single-request-failing", RUN / "single-request-failing.json", exit_code=1),
    Case("newman-report-test", RUN / "newman-report-test.json", exit_code=1),
    Case("nested-requests-report-test", RUN / "nested-requests-report-test.json"),
    Case(
        "nested-requests-fail-report-test",
        RUN / "nested-requests-fail-report-test.json",
        exit_code=1,
    ),
    Case("undefined-test-checks", RUN / "undefined-test-checks.json", exit_code=1),
    Case(
        "pmcollection-env-var",
        FIXTURES / "overrides" / "pmcollection.json",
        flags=("--var", "dummyVar=bar2"),
    ),
    Case("failing-collection", FIXTURES / "overrides" / "failing-collection.json", exit_code=1),
    Case("spaces-single-get", RUN / "spaces" / "single-get-request.json"),
    Case(
        "simple-variables-spaces",
        RUN / "spaces" / "single-get-request.json",
        environment=RUN / "spaces" / "simple-variables.json",
        globals=RUN / "spaces" / "simple-variables.json",
        data=RUN / "spaces" / "data.json",
    ),
]
"""Newman's CLI fixtures and the exit status its CLI tests expect (corpus README)."""


# Deliberate differences from Newman, documented in the README ("Differences from Newman"):
# runner sends URLs normalised by urllib3 (RFC 3986: percent-encodings upper-cased, dot
# segments removed, `[ ] ^ | %` encoded, an empty query's `?` dropped, no IPv4 shorthand
# expansion); Newman follows the WHATWG URL standard. Only these requests may differ.
URL_NORMALISATION = frozenset(
    {
        "retain ? in empty query param",
        "IP shorthands",
        "path encoding",
        "path pre-encoded",
        "query encoding",
    }
)
KNOWN_DIFFERENCES: dict[str, frozenset[str]] = {"whatwg-url": URL_NORMALISATION}


def external_cases(cases: list[Case]) -> list[Any]:
    """Returns `cases` as parameters, or one placeholder when the corpus is missing (its test
    then skips once with the reason, instead of vanishing from collection)."""
    if CORPUS.is_dir():
        return [pytest.param(c, id=c.name) for c in cases]
    return [pytest.param(None, id="corpus-missing")]


@dataclass(frozen=True)
class Deliberate:
    """A documented deliberate difference from Newman (README, "Differences from Newman")."""

    reason: str
    requests: frozenset[str] = frozenset()  # the requests that differ; empty: the whole suite
    runner_status: int | None = None  # runner's exit status when the suite is refused
    says: str = ""  # what runner's output says then


NEWMAN_DELIBERATE = {
    "whatwg-url": Deliberate(
        "URLs go on the wire normalised by urllib3 (RFC 3986); Newman follows the WHATWG URL "
        "standard, and this suite checks the raw bytes",
        requests=URL_NORMALISATION,
    ),
    "multi-level-folders-v1": Deliberate(
        "a collection in Postman's v1 format is refused with the fix (re-export as v2.1), "
        "exit status 2; Newman still runs v1",
        runner_status=2,
        says="Postman collection format v1 is not supported",
    ),
}
"""Newman's own suites (postman/, postman-more/) where runner differs on purpose, and why."""

RANDOM_NAMES = {"super-sandbox-test": re.compile(r"(?<=: )\S+$")}
"""Suites whose assertion names embed values that are random on every run: that part of
the name is left out of the comparison."""

WILD_DELIBERATE = {
    "portman-content-tests": Deliberate(
        "a Postman script with a JavaScript syntax error (a `const` without initializer in "
        "'List leads') is refused before anything is sent, exit status 2; Newman sends every "
        "request and reports the script error on the one whose script it is",
        runner_status=2,
        says="JavaScript syntax error",
    ),
}
"""The postman-wild suites where runner differs from Newman on purpose, and why."""


def wild_suites() -> list[dict[str, Any]]:
    """Returns the suites of postman-wild/suites.json ([] without the corpus)."""
    listing = CORPUS_WILD / "suites.json"
    if not listing.is_file():
        return []
    suites: list[dict[str, Any]] = json.loads(listing.read_text(encoding="utf-8"))
    return suites


def wild_params() -> list[Any]:
    """Returns the suites as parameters, or one placeholder when the corpus is missing."""
    suites = wild_suites()
    if suites:
        return [pytest.param(s, id=s["name"]) for s in suites]
    return [pytest.param(None, id="postman-wild-missing")]

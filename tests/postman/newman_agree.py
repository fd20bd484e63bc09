"""Purpose-written collections run through `runner` and Newman 6.2.2, compared request by request.

Each case is a collection under `tests/postman/semantics/` (plus optional data file, flags
and environment variables such as `HTTP_PROXY`). Newman runs every case in one Node process
(starting it costs more than a small collection); `runner` runs each through its CLI,
in-process, with no `--module-path`. Per executed request both must agree on its name, its
assertions (name and pass/fail, in order), whether it had an error, and each script error's
message; the exit statuses must agree too.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newman_tools import CONNECT_TO, _rules
from support.echo_server import EchoServers

from runner.cli import main

FOLDER = Path(__file__).resolve().parent / "semantics"


@dataclass(frozen=True)
class Case:
    """One collection of `FOLDER`, with its data file, extra flags and environment."""

    name: str
    data: str | None = None
    flags: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def collection(self) -> Path:
        """Returns the collection file's path."""
        return FOLDER / f"{self.name}.postman_collection.json"


@dataclass(frozen=True)
class Seen:
    """One executed request: name, assertions [(name, passed)], errors (script/request)."""

    name: str
    assertions: tuple[tuple[str, bool], ...]
    errors: tuple[tuple[str, str], ...]  # (kind: script/request, or '' for runner; message)

    @property
    def passed(self) -> bool:
        """Returns True when nothing failed or errored."""
        return not self.errors and all(ok for _, ok in self.assertions)


@dataclass(frozen=True)
class Run:
    """What one tool did with one case: exit status and the executed requests."""

    status: int
    requests: tuple[Seen, ...]
    output: str = ""


DRIVER = r"""
const newman = require(process.argv[2]);
const jobs = require(process.argv[3]);
const fs = require('fs');
function messages(scripts) {
  return (scripts || []).filter(s => s.error)
    .map(s => ['script', s.error.message || String(s.error)]);
}
function seen(e) {
  const errors = messages(e.prerequestScript).concat(
    e.requestError ? [['request', e.requestError.message || String(e.requestError)]] : [],
    messages(e.testScript));
  const assertions = (e.assertions || []).map(a => [a.assertion, !a.error]);
  return {name: e.item.name || 'Untitled request', assertions, errors};
}
// An item is listed again for each extra exchange (a sendRequest's, whose request error
// is the item's too), each listing with the item's assertions; cursor.ref is one run of
// the item: merge the listings' errors.
function merged(executions) {
  const byRef = new Map();
  for (const e of executions) {
    const one = seen(e);
    const had = byRef.get(e.cursor.ref);
    if (!had) { byRef.set(e.cursor.ref, one); continue; }
    for (const err of one.errors) {
      if (!had.errors.some(x => x[0] === err[0] && x[1] === err[1])) { had.errors.push(err); }
    }
  }
  return Array.from(byRef.values());
}
const base = Object.assign({}, process.env);
function next(i) {
  if (i >= jobs.length) { return; }
  const job = jobs[i];
  for (const k of Object.keys(process.env)) { if (!(k in base)) { delete process.env[k]; } }
  Object.assign(process.env, job.env);
  newman.run(job.options, (err, summary) => {
    const result = err ? {error: String(err)} : {
      failures: summary.run.failures.length,
      requests: merged(summary.run.executions)
    };
    fs.writeFileSync(job.result, JSON.stringify(result));
    next(i + 1);
  });
}
next(0);
"""


def newman_runs(
    cases: list[Case], echo: EchoServers, folder: Path, modules: Path
) -> dict[str, Run]:
    """Returns every case's Newman run (one Node process for all of them)."""
    jobs = []
    for case in cases:
        options: dict[str, Any] = {
            "collection": str(case.collection),
            "reporters": [],
            "workingDir": str(FOLDER),
        }
        if case.data:
            options["iterationData"] = str(FOLDER / case.data)
        flags = list(case.flags)
        while flags:
            flag = flags.pop(0)
            if flag == "--timeout-request":
                options["timeoutRequest"] = int(flags.pop(0))
            elif flag == "--timeout-script":
                options["timeoutScript"] = int(flags.pop(0))
            elif flag == "--insecure":
                options["insecure"] = True
        result = folder / f"{case.name}.result.json"
        jobs.append({"options": options, "result": str(result), "env": dict(case.env)})
    (folder / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    (folder / "driver.js").write_text(DRIVER, encoding="utf-8")
    (folder / "connect-to.js").write_text(CONNECT_TO, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(folder),
        "NODE_EXTRA_CA_CERTS": echo.ca_file,
        "NODE_OPTIONS": f"--require {folder / 'connect-to.js'}",
        "ECHO_CONNECT_TO": json.dumps(_rules(echo)),
    }
    done = subprocess.run(
        ["node", str(folder / "driver.js"), str(modules / "newman"), str(folder / "jobs.json")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
        env=env,
        check=False,
    )
    runs = {}
    for case, job in zip(cases, jobs, strict=True):
        path = Path(str(job["result"]))
        if not path.exists():
            raise AssertionError(f"newman did not finish {case.name}: {done.stderr[-2000:]}")
        found = json.loads(path.read_text(encoding="utf-8"))
        if "error" in found:
            raise AssertionError(f"newman failed on {case.name}: {found['error']}")
        requests = tuple(
            Seen(
                r["name"],
                tuple((a, ok) for a, ok in r["assertions"]),
                tuple((kind, message) for kind, message in r["errors"]),
            )
            for r in found["requests"]
        )
        runs[case.name] = Run(1 if found["failures"] else 0, requests)
    return runs


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Sets `values` in os.environ for the block (runner runs in-process)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def runner_run(case: Case, echo: EchoServers, out: Path) -> Run:
    """Returns `runner run`'s result on `case` (in-process, as a user runs it)."""
    report = out / f"{case.name}.json"
    argv = ["run", str(case.collection), "--json", str(report), "--ca-bundle", echo.ca_file]
    if case.data:
        argv += ["-d", str(FOLDER / case.data)]
    argv += list(case.flags)
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    stdout, stderr = io.StringIO(), io.StringIO()
    with environment(case.env):
        status = main(argv, stdout=stdout, stderr=stderr)
    results = json.loads(report.read_text(encoding="utf-8"))["results"]
    requests = tuple(
        Seen(
            r["name"],
            tuple((a["name"], bool(a["passed"])) for a in r["assertions"]),
            (("", str(r["error"])),) if r.get("error") else (),
        )
        for r in results
        if r.get("kind", "request") == "request" and not r.get("skipped")
    )
    return Run(status, requests, stdout.getvalue() + stderr.getvalue())


def disagreements(ours: Run, theirs: Run) -> list[str]:
    """Returns how `runner`'s run differs from Newman's (empty when they agree)."""
    out = []
    if [r.name for r in ours.requests] != [r.name for r in theirs.requests]:
        return [
            f"requests run: runner {[r.name for r in ours.requests]}, "
            f"newman {[r.name for r in theirs.requests]}"
        ]
    for mine, other in zip(ours.requests, theirs.requests, strict=True):
        if mine.assertions != other.assertions:
            out.append(f"{mine.name}: runner {mine.assertions}, newman {other.assertions}")
        if bool(mine.errors) != bool(other.errors):
            out.append(f"{mine.name}: runner errors {mine.errors}, newman {other.errors}")
        text = " ".join(message for _, message in mine.errors)
        # Each script error's message is in runner's error (request errors are worded by
        # each tool its own way).
        missing = [m for kind, m in other.errors if kind == "script" and m not in text]
        if missing:
            out.append(f"{mine.name}: runner's error {text!r} does not say {missing}")
    if (ours.status == 0) != (theirs.status == 0):
        out.append(f"exit status: runner {ours.status}, newman {theirs.status}")
    return out

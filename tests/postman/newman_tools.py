"""Running corpus cases through `runner` (in-process) and through Newman, and comparing them.

Newman is installed with npm into `benchmarks/.cache/postman-tests` (git-ignored). `runner`
gets no `--module-path`: the libraries Newman's sandbox has built in (lodash, ajv...) come
from runner's own pinned library cache, as they do for a user. Newman has no
`--connect-to`, so a small preload script gives Node the same rule: connections meant for
postman-echo.com:443, localhost:4041… go to the echo servers, with the TLS server name
unchanged. Both tools thus run the very same files.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus_cases import Case
from support.echo_server import EchoServers

from runner.cli import main

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "benchmarks" / ".cache" / "postman-tests"
PACKAGES = ("newman@6.2.2",)
_install_error: list[str] = []


@dataclass(frozen=True)
class Outcome:
    """One executed request: its name, whether everything passed, and how many assertions."""

    name: str
    passed: bool
    assertions: int
    names: tuple[str, ...] = field(default=(), compare=False)  # the assertions' names


def node_modules() -> Path | None:
    """Returns the cache's node_modules once newman is there (installs it once)."""
    folder = CACHE / "node_modules"
    if (folder / ".bin" / "newman").exists():
        return folder
    if _install_error:
        return None
    npm = shutil.which("npm")
    if npm is None:
        _install_error.append("npm is not installed")
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        # Fail fast without a network instead of npm's minutes of retries.
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--fetch-retries=0",
            "--fetch-timeout=30000",
            "--prefix",
            str(CACHE),
            *PACKAGES,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0 or not (folder / ".bin" / "newman").exists():
        _install_error.append(f"npm install failed: {done.stderr.strip()[-300:]}")
        return None
    return folder


def install_error() -> str:
    """Returns why Newman is not available (after `node_modules()` returned None)."""
    return _install_error[0] if _install_error else "newman not installed"


def run_runner(case: Case, echo: EchoServers, out: Path, *extra: str) -> tuple[int, str]:
    """Runs `case` through `runner run` in-process, as a user would (no --module-path),
    with its JSON report in `out` and `extra` arguments; returns (exit status, console
    output)."""
    argv = ["run", *case.args(), "--json", str(out), "--ca-bundle", echo.ca_file, *extra]
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    stdout, stderr = io.StringIO(), io.StringIO()
    status = main(argv, stdout=stdout, stderr=stderr)
    return status, stdout.getvalue() + stderr.getvalue()


def runner_outcomes(report: Path) -> list[Outcome]:
    """Returns the request outcomes of a `runner --json` report, in run order."""
    results = json.loads(report.read_text(encoding="utf-8"))["results"]
    return [
        Outcome(
            r["name"],
            r["outcome"] == "passed",
            len(r["assertions"]),
            tuple(a["name"] for a in r["assertions"]),
        )
        for r in results
        if r.get("kind", "request") == "request" and not r.get("skipped")
    ]


# One Node process runs every case through Newman's library API, one after the other:
# starting Newman costs more than running a small collection.
CONNECT_TO = r"""
const net = require('net');
const tls = require('tls');
const rules = JSON.parse(process.env.ECHO_CONNECT_TO);
function redirect(options) {
  const target = rules[`${options.host}:${options.port}`];
  if (!target) { return options; }
  const servername = options.servername || options.host;
  return Object.assign({}, options, {host: target[0], port: target[1], servername});
}
function wrap(module, name) {
  const original = module[name];
  module[name] = function (options, ...rest) {
    return original.call(this, typeof options === 'object' ? redirect(options) : options, ...rest);
  };
}
wrap(net, 'connect');
wrap(net, 'createConnection');
wrap(tls, 'connect');
"""

DRIVER = r"""
const newman = require(process.argv[2]);
const jobs = require(process.argv[3]);
const fs = require('fs');
function outcome(e) {
  const assertions = e.assertions || [];
  const scripts = (e.testScript || []).concat(e.prerequestScript || []);
  const failed = assertions.some(a => a.error) || Boolean(e.requestError) ||
    scripts.some(s => s.error);
  // An item without a name is "Untitled request" in runner.
  return {name: e.item.name || 'Untitled request', passed: !failed, assertions: assertions.length,
          names: assertions.map(a => a.assertion)};
}
// Newman lists an execution again for each extra HTTP exchange it made for the item (a
// digest or sendRequest round trip); the cursor's ref identifies one run of an item.
function unique(executions) {
  const seen = new Set();
  return executions.filter(e => !seen.has(e.cursor.ref) && seen.add(e.cursor.ref));
}
function next(i) {
  if (i >= jobs.length) { return; }
  const job = jobs[i];
  newman.run(job.options, (err, summary) => {
    const result = err ? {error: String(err)} : {
      failures: summary.run.failures.length,
      outcomes: unique(summary.run.executions).map(outcome)
    };
    fs.writeFileSync(job.result, JSON.stringify(result));
    next(i + 1);
  });
}
next(0);
"""


def newman_batch(
    cases: list[Case], echo: EchoServers, folder: Path, modules: Path, *, junit: bool = False
) -> dict[str, tuple[int, list[Outcome]]]:
    """Runs `cases` through Newman; returns (exit status, outcomes) for each case.

    The exit status is Newman's CLI rule: 1 when the run had any failure. With `junit`,
    Newman's own JUnit reporter also writes `folder/<case>/newman.xml`.
    """
    jobs = []
    for case in cases:
        work = folder / case.name
        work.mkdir(parents=True)
        for relative, source in case.extra_files.items():
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, work / relative)
        options = _options(case, work)
        if junit:
            options["reporters"] = ["junit"]
            options["reporter"] = {"junit": {"export": str(work / "newman.xml")}}
        jobs.append({"options": options, "result": str(work / "result.json")})
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
    subprocess.run(
        ["node", str(folder / "driver.js"), str(modules / "newman"), str(folder / "jobs.json")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=folder,
        env=env,
        check=False,
    )
    results = {}
    for case, job in zip(cases, jobs, strict=True):
        found = json.loads(Path(str(job["result"])).read_text(encoding="utf-8"))
        outcomes = [
            Outcome(o["name"], o["passed"], o["assertions"], tuple(o["names"]))
            for o in found["outcomes"]
        ]
        results[case.name] = (1 if found["failures"] else 0, outcomes)
    return results


def _rules(echo: EchoServers) -> dict[str, list[str | int]]:
    """Returns the `--connect-to` rules as {"host:port": [address, port]} for the preload."""
    rules: dict[str, list[str | int]] = {}
    for rule in echo.connect_to:
        host, port, address, target = rule.split(":")
        rules[f"{host}:{port}"] = [address, int(target)]
    return rules


def _options(case: Case, work: Path) -> dict[str, Any]:
    """Returns newman.run() options for `case`, with `work` as the working directory."""
    options: dict[str, Any] = {
        "collection": str(case.collection),
        "workingDir": str(work),
        "reporters": [],
    }
    for key, path in (
        ("environment", case.environment),
        ("globals", case.globals),
        ("iterationData", case.data),
    ):
        if path is not None:
            options[key] = str(path)
    args = list(case.flags)
    while args:
        flag = args.pop(0)
        if flag == "--var":
            key, _, value = args.pop(0).partition("=")
            options.setdefault("envVar", []).append({"key": key, "value": value})
        elif flag == "--timeout-request":
            options["timeoutRequest"] = int(args.pop(0))
        elif flag == "--timeout-script":
            options["timeoutScript"] = int(args.pop(0))
        elif flag == "--ignore-redirects":
            options["ignoreRedirects"] = True
        elif flag == "--insecure":
            options["insecure"] = True
    return options

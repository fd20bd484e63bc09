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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from corpus_cases import Case
from support.loopback import loopback_only

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


def run_runner(case: Case, echo: StandIn, out: Path, *extra: str) -> tuple[int, str]:
    """Runs `case` through `runner run` in-process, as a user would (no --module-path),
    with its JSON report in `out` and `extra` arguments; returns (exit status, console
    output)."""
    argv = ["run", *case.args(), "--json", str(out), "--ca-bundle", echo.ca_file, *extra]
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    stdout, stderr = io.StringIO(), io.StringIO()
    with loopback_only():
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


# One Node process runs every job through Newman's library API, one after the other:
# starting Newman costs more than running a small collection.
CONNECT_TO = r"""
const net = require('net');
const tls = require('tls');
const rules = JSON.parse(process.env.ECHO_CONNECT_TO || '{}');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
function redirect(options) {
  const target = rules[`${options.host}:${options.port}`];
  if (!target) { return options; }
  const servername = options.servername || options.host;
  return Object.assign({}, options, {host: target[0], port: target[1], servername});
}
function wrap(module, name) {
  const original = module[name];
  module[name] = function (options, ...rest) {
    let target = typeof options === 'object' ? redirect(options) : options;
    // Tests contact loopback only: a connection to anything else (no name is even looked
    // up) goes to a closed loopback port instead, and fails as a request error.
    const outward = typeof target === 'object' && !target.socket && !target.path &&
      !LOOPBACK.has(target.host || 'localhost');
    if (outward) {
      target = Object.assign({}, target, {host: '127.0.0.1', port: 9});
    }
    return original.call(this, target, ...rest);
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
function messages(scripts) {
  return (scripts || []).filter(s => s.error)
    .map(s => ['script', s.error.message || String(s.error)]);
}
function seen(e) {
  const errors = messages(e.prerequestScript).concat(
    e.requestError ? [['request', e.requestError.message || String(e.requestError)]] : [],
    messages(e.testScript));
  const assertions = (e.assertions || []).map(a => [a.assertion, !a.error]);
  // An item without a name is "Untitled request" in runner.
  return {name: e.item.name || 'Untitled request', assertions, errors};
}
// An item is listed again for each extra exchange (a digest or sendRequest round trip,
// whose request error is the item's too), each listing with the item's assertions;
// cursor.ref is one run of the item: merge the listings' errors.
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
  Object.assign(process.env, job.env || {});
  newman.run(job.options, (err, summary) => {
    const result = err ? {error: String(err)} : {
      failures: summary.run.failures.length,
      requests: merged(summary.run.executions)
    };
    // Written whole, then renamed: a reader waiting for the file never sees half of it.
    fs.writeFileSync(job.result + '.part', JSON.stringify(result));
    fs.renameSync(job.result + '.part', job.result);
    next(i + 1);
  });
}
next(0);
"""


class StandIn(Protocol):
    """Where both tools send their requests: the CA to trust and the `--connect-to` rules."""

    @property
    def ca_file(self) -> str: ...

    @property
    def connect_to(self) -> list[str]: ...


def newman_options(
    collection: Path,
    working_dir: Path,
    *,
    environment: Path | None = None,
    globals: Path | None = None,
    data: Path | None = None,
    folders: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Returns newman.run() options: the files, and runner's CLI `flags` in Newman's terms."""
    options: dict[str, Any] = {
        "collection": str(collection),
        "workingDir": str(working_dir),
        "reporters": [],
    }
    for key, path in (("environment", environment), ("globals", globals), ("iterationData", data)):
        if path is not None:
            options[key] = str(path)
    if folders:
        options["folder"] = list(folders)
    args = list(flags)
    while args:
        flag = args.pop(0)
        if flag in ("--var", "--env-var", "--global-var"):
            key, _, value = args.pop(0).partition("=")
            scope = "globalVar" if flag == "--global-var" else "envVar"
            options.setdefault(scope, []).append({"key": key, "value": value})
        elif flag == "--timeout-request":
            options["timeoutRequest"] = int(args.pop(0))
        elif flag == "--timeout-script":
            options["timeoutScript"] = int(args.pop(0))
        elif flag == "--ignore-redirects":
            options["ignoreRedirects"] = True
        elif flag == "--insecure":
            options["insecure"] = True
    return options


@dataclass
class NewmanJobs:
    """A Node process running Newman jobs (started by `start_newman`), one after the other."""

    process: subprocess.Popen[bytes]
    files: list[Path]
    stderr: Path
    timeout: float
    started: float = field(default_factory=time.monotonic)

    def result(self, index: int) -> dict[str, Any]:
        """Returns job `index`'s result, {failures, requests: [{name, assertions, errors}]},
        waiting only until that job is done (the jobs after it may still be running)."""
        path = self.files[index]
        while not path.exists() and self.process.poll() is None:
            if time.monotonic() - self.started > self.timeout:
                self.process.kill()
            time.sleep(0.05)
        if not path.exists():
            stderr = self.stderr.read_text(encoding="utf-8", errors="replace")
            raise AssertionError(f"newman did not finish job {index}: {stderr[-2000:]}")
        result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if "error" in result:
            raise AssertionError(f"newman failed on job {index}: {result['error']}")
        return result

    def stop(self) -> None:
        """Waits briefly for the Node process to exit, then ends it (a test stopped waiting)."""
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def results(self) -> list[dict[str, Any]]:
        """Returns every job's result (waits for all of them)."""
        return [self.result(index) for index in range(len(self.files))]


def start_newman(
    jobs: list[dict[str, Any]],
    target: StandIn,
    folder: Path,
    modules: Path,
    timeout: float = 600,
) -> NewmanJobs:
    """Starts one Node process running `jobs` ({"options", "env"}) one after the other,
    connecting through `target`'s rules and trusting its CA; returns at once."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for index, job in enumerate(jobs):
        files.append(folder / f"{index}.result.json")
        job["result"] = str(files[-1])
    (folder / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    (folder / "driver.js").write_text(DRIVER, encoding="utf-8")
    (folder / "connect-to.js").write_text(CONNECT_TO, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(folder),
        "NODE_EXTRA_CA_CERTS": target.ca_file,
        "NODE_OPTIONS": f"--require {folder / 'connect-to.js'}",
        "ECHO_CONNECT_TO": json.dumps(_rules(target)),
    }
    stderr = folder / "stderr.txt"
    with stderr.open("wb") as errors:  # a file, not a pipe: Node never blocks on a full pipe
        process = subprocess.Popen(
            ["node", str(folder / "driver.js"), str(modules / "newman"), str(folder / "jobs.json")],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            cwd=folder,
            env=env,
        )
    return NewmanJobs(process, files, stderr, timeout)


def newman_batch(
    cases: list[Case], echo: StandIn, folder: Path, modules: Path, *, junit: bool = False
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
        options = newman_options(
            case.collection,
            work,
            environment=case.environment,
            globals=case.globals,
            data=case.data,
            flags=case.flags,
        )
        if junit:
            options["reporters"] = ["junit"]
            options["reporter"] = {"junit": {"export": str(work / "newman.xml")}}
        jobs.append({"options": options})
    started = start_newman(jobs, echo, folder, modules)
    found = started.results()
    started.stop()
    results = {}
    for case, result in zip(cases, found, strict=True):
        outcomes = [
            Outcome(
                r["name"],
                not r["errors"] and all(ok for _, ok in r["assertions"]),
                len(r["assertions"]),
                tuple(name for name, _ in r["assertions"]),
            )
            for r in result["requests"]
        ]
        results[case.name] = (1 if result["failures"] else 0, outcomes)
    return results


def _rules(echo: StandIn) -> dict[str, list[str | int]]:
    """Returns the `--connect-to` rules as {"host:port": [address, port]} for the preload."""
    rules: dict[str, list[str | int]] = {}
    for rule in echo.connect_to:
        host, port, address, target = rule.split(":")
        rules[f"{host}:{port}"] = [address, int(target)]
    return rules

"""Start-up stays lean: a one-request run imports only what it needs, and a CA bundle named
by REQUESTS_CA_BUNDLE is not loaded into OpenSSL at every start (that alone cost ~0.1-0.2 s).
Times are measured by benchmarks/, not here: these tests check what is done, not how fast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.local_server import LocalServer

# Imported by no one-request native run: each is paid by every start otherwise.
NOT_AT_START = (
    *("jsonschema", "uuid", "platform", "difflib", "concurrent.futures", "py_mini_racer"),
    # Nor by a collection without scripts, Postman input, Azure auth or an HTML report.
    *("runner.scripts", "runner.postman", "runner.auth.azure", "runner.report.html", "jinja2"),
)
# `runner --help` needs none of the run machinery.
NOT_FOR_HELP = ("requests", "jsonschema_rs", "runner.api", "runner.loader", "runner.model")


def _one_request(tmp_path: Path, server: LocalServer) -> Path:
    doc = {
        "name": "start",
        "items": [
            {
                "name": "one",
                "url": f"{server.url}/json",
                "assert": {"status": 200, "jsonpath": {"$.total": {"equals": 2}}},
            }
        ],
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc))
    return path


def _run_and_list_modules(path: Path, env: dict[str, str]) -> tuple[str, set[str]]:
    code = (
        "import io, sys; from runner.cli import main; out = io.StringIO(); "
        f"status = main(['run', {str(path)!r}], stdout=out); "
        "print(status, out.getvalue().splitlines()[-1]); print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    first, modules = done.stdout.splitlines()
    return first, set(modules.split())


def test_a_one_request_run_imports_only_what_it_needs(tmp_path, server):
    env = {k: v for k, v in os.environ.items() if not k.endswith("CA_BUNDLE")}
    first, modules = _run_and_list_modules(_one_request(tmp_path, server), env)
    assert first.startswith("0 PASSED: 1 request, 2 assertions"), first
    assert "jsonschema_rs" in modules  # the document was validated, by the compiled validator
    assert sorted(m for m in NOT_AT_START if m in modules) == []


def test_a_pem_ca_bundle_from_the_environment_is_not_loaded_at_start(tmp_path, server):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    env = dict(os.environ, REQUESTS_CA_BUNDLE=str(bundle))
    path = _one_request(tmp_path, server)
    code = (
        "import io, ssl; from runner.cli import main\n"
        "def refuse(*a, **k): raise AssertionError('CA bundle loaded at start')\n"
        "ssl.create_default_context = refuse\n"
        f"print(main(['run', {str(path)!r}], stdout=io.StringIO()))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "0", done.stderr[-1500:]


def test_help_imports_no_run_machinery():
    code = (
        "import io, sys, contextlib; from runner.cli import main\n"
        "sys.argv = ['runner', '--help']  # main() reads the process's own command line\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main()\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    modules = set(done.stdout.split())
    assert "runner.cli.main" in modules
    assert sorted(m for m in NOT_FOR_HELP if m in modules) == []

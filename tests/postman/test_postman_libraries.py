"""Issue 11 point 1: the libraries of Postman's sandbox, with no npm step for the user.

Scripts use lodash (`_` is lodash 3, `require('lodash')` lodash 4, as in Postman), CryptoJS,
moment, tv4, ajv, chai, cheerio, xml2js, csv-parse, postman-collection, uuid, atob/btoa and
the Node built-ins; runner fetches the pinned npm tarballs into its cache on first need.
Expected values are computed here in Python, not copied from a run. The session's shared
cache (tests/conftest.py) is filled by the real download; the tests with an empty cache
exercise the fetch and its integrity check (real registry, a loopback mirror, a mirror that
serves a tampered tarball, and no registry at all).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from corpus_cases import Case
from newman_tools import install_error, newman_batch, node_modules, run_runner, runner_outcomes
from postman_helpers import collection, item, results, run_cli, script_errors, write
from support.echo_server import EchoServers
from support.external import missing

from runner.cli import main
from runner.scripts.libraries import lock, tarball_url

REPO = Path(__file__).resolve().parents[2]


SIGNED = hmac.new(b"secret", b"GET\n/get", hashlib.sha256).digest()
EPOCH_DAY = datetime(2024, 2, 29, 13, 5, tzinfo=UTC)


LIBRARIES = collection(
    item(
        "crypto",
        "var sig = CryptoJS.HmacSHA256('GET\\n/get', 'secret');",
        "pm.test(CryptoJS.enc.Base64.stringify(sig), () => {});",
        "pm.test(CryptoJS.MD5('a').toString(), () => {});",
        "pm.test(require('crypto-js').SHA1('a').toString(), () => {});",
    ),
    item(
        "lodash",
        "var rows = pm.response.json().args;",
        "pm.test(_.pluck([{a: 1}, {a: 2}], 'a').join(), () => {});",  # lodash 3's API
        "var lo = require('lodash');",
        "pm.test(lo.chain(rows).keys().sortBy().map(k => k + '=' + rows[k]).join('&')"
        ".value(), () => {});",
        "pm.test(lo.VERSION + ' ' + _.VERSION, () => {});",
    ),
    item(
        "moment",
        "var moment = require('moment');",
        "pm.test(moment.utc('2024-02-29T13:05:00Z').format('dddd D MMM YYYY HH:mm'), () => {});",
        "pm.test(moment.utc('2024-02-29').add(1, 'day').format('YYYY-MM-DD'), () => {});",
    ),
    item(
        "schemas",
        "var schema = {type: 'object', required: ['args'], "
        "properties: {args: {type: 'object', properties: {n: {type: 'integer'}}}}};",
        "pm.test('tv4 ' + tv4.validate(pm.response.json(), schema), () => {});",
        "var Ajv = require('ajv'); var ajv = new Ajv();",
        "pm.test('ajv ' + ajv.validate(schema, pm.response.json()) + ' ' + "
        "ajv.errorsText(), () => {});",
        "pm.test('ajv ok', () => pm.expect(ajv.validate({type: 'object'}, {})).to.be.true);",
    ),
    item(
        "chai and friends",
        "var chai = require('chai');",
        "pm.test('chai', () => chai.expect({a: [1, 2]}).to.deep.equal({a: [1, 2]}));",
        "pm.test('chai fails', () => chai.expect(1).to.equal(2));",
        "var $ = cheerio.load('<ul><li class=\"x\">one</li><li>two</li></ul>');",
        "pm.test('cheerio ' + $('li').length + ' ' + $('.x').text(), () => {});",
        "require('xml2js').parseString('<a><b>1</b><b>2</b></a>', (e, r) => "
        "pm.test('xml2js ' + JSON.stringify(r), () => {}));",
        "var rows = require('csv-parse/lib/sync')('id,name\\n1,\"a, b\"', {columns: true});",
        "pm.test('csv ' + JSON.stringify(rows), () => {});",
        "var sdk = require('postman-collection');",
        "pm.test('sdk ' + new sdk.Url('http://h.test/p/q?x=1').getPath(), () => {});",
        "pm.test('uuid ' + /^[0-9a-f-]{36}$/.test(require('uuid').v4()), () => {});",
        "pm.test('atob ' + require('atob')(require('btoa')('hi')), () => {});",
    ),
    item(
        "node built-ins",
        "var url = require('url');",
        "pm.test('url ' + url.parse('http://h.test:81/a/b?c=d#e').pathname, () => {});",
        "pm.test('qs ' + require('querystring').stringify({a: 1, b: 'x y'}), () => {});",
        "pm.test('path ' + require('path').join('/a', '../b', 'c'), () => {});",
        "pm.test('util ' + require('util').format('%s=%d', 'n', 3), () => {});",
        "var B = require('buffer').Buffer;",
        "pm.test('buffer ' + B.from('héllo').toString('base64'), () => {});",
        "pm.test('global ' + (Buffer === B) + ' ' + Buffer.from([1, 2, 3, 4]).readUInt32BE(0)"
        ", () => {});",
        "var E = require('events'); var e = new E(); var got = [];",
        "e.on('x', v => got.push(v)); e.emit('x', 7);",
        "pm.test('events ' + got, () => {});",
        "pm.test('punycode ' + require('punycode').toASCII('mañana.test'), () => {});",
        "var SD = require('string_decoder').StringDecoder;",
        "pm.test('decoder ' + new SD('utf8').write(B.from([0xc3, 0xa9])), () => {});",
        "pm.test('assert', () => require('assert').deepStrictEqual({a: 1}, {a: 1}));",
        "pm.test('stream ' + typeof require('stream').Transform, () => {});",
        "pm.test('timers ' + typeof require('timers').setTimeout, () => {});",
    ),
)


def test_postman_libraries_work_with_no_install(echo: EchoServers, tmp_path: Path) -> None:
    status, output, report = run_cli(tmp_path, LIBRARIES, echo)
    assert script_errors(report) == [], output
    got = results(report)
    assert got["crypto"] == [
        (base64.b64encode(SIGNED).decode(), True),
        (hashlib.md5(b"a").hexdigest(), True),
        (hashlib.sha1(b"a").hexdigest(), True),
    ]
    assert got["lodash"] == [("1,2", True), ("n=3&user=ada", True), ("4.17.21 3.10.2", True)]
    assert got["moment"] == [
        (EPOCH_DAY.strftime("%A %-d %b %Y %H:%M"), True),
        ("2024-03-01", True),
    ]
    # The echo server's args are strings: "3" is not an integer for either validator.
    assert got["schemas"] == [
        ("tv4 false", True),
        ("ajv false data.args.n should be integer", True),
        ("ajv ok", True),
    ]
    assert got["chai and friends"] == [
        ("chai", True),
        ("chai fails", False),
        ("cheerio 2 one", True),
        ('xml2js {"a":{"b":["1","2"]}}', True),
        ('csv [{"id":"1","name":"a, b"}]', True),
        ("sdk /p/q", True),
        ("uuid true", True),
        ("atob hi", True),
    ]
    assert got["node built-ins"] == [
        ("url /a/b", True),
        ("qs a=1&b=x%20y", True),
        ("path /b/c", True),
        ("util n=3", True),
        ("buffer " + base64.b64encode("héllo".encode()).decode(), True),
        (f"global true {int.from_bytes(bytes([1, 2, 3, 4]), 'big')}", True),
        ("events 7", True),
        ("punycode xn--maana-pta.test", True),
        ("decoder é", True),
        ("assert", True),
        ("stream function", True),
        ("timers function", True),
    ]
    assert status == 1  # the one failing chai assertion


def test_a_plain_script_loads_no_library(
    echo: EchoServers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lazy: a script that mentions no library (and asserts without pm.expect, which is
    # chai) must not make runner touch the cache at all.
    empty = tmp_path / "cache"
    monkeypatch.setenv("RUNNER_SANDBOX_CACHE", str(empty))
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    check = "if (pm.response.code !== 200) throw new Error(pm.response.status);"
    doc = collection(item("plain", f"pm.test('status', () => {{ {check} }});"))
    status, output, report = run_cli(tmp_path, doc, echo)
    assert status == 0, output
    assert results(report) == {"plain": [("status", True)]}
    assert not empty.exists()


# --- the fetch: a loopback registry ----------------------------------------------------


@dataclass
class Registry:
    """A loopback stand-in for an npm registry: path -> tarball bytes; logs requests."""

    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def crypto_js_tarball() -> bytes:
    """The published crypto-js tarball, downloaded once from the npm registry."""
    name, version = "crypto-js", lock().modules["crypto-js"].split("@")[1]
    with urllib.request.urlopen(tarball_url(lock().registry, name, version), timeout=60) as r:
        data: bytes = r.read()
    return data


@pytest.fixture
def registry() -> Iterator[Registry]:
    """A registry on 127.0.0.1 that serves what the test puts in `files` (404 otherwise)."""
    state = Registry()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.seen.append(self.path)
            body = state.files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    yield state
    server.shutdown()
    server.server_close()


CRYPTO_PATH = "/crypto-js/-/crypto-js-3.3.0.tgz"
HMAC_ITEM = item("hmac", "pm.test(CryptoJS.SHA256('a').toString(), () => {});")


def tampered(tarball: bytes) -> bytes:
    """Returns a valid tarball like `tarball` whose core.js says something else."""
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as src,
        tarfile.open(fileobj=out, mode="w:gz") as dst,
    ):
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else b""  # type: ignore[union-attr]
            if member.name.endswith("/core.js"):
                data = b"module.exports = {evil: true};\n"
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out.getvalue()


@pytest.fixture
def mirror(registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    """The loopback registry as npm_config_registry, with an empty cache in tmp_path/cache."""
    monkeypatch.setenv("RUNNER_SANDBOX_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("npm_config_registry", registry.url)
    return registry


def test_a_registry_mirror_is_used_and_its_tarball_verified(
    echo: EchoServers, tmp_path: Path, mirror: Registry, crypto_js_tarball: bytes
) -> None:
    registry = mirror
    registry.files[CRYPTO_PATH] = crypto_js_tarball
    status, output, report = run_cli(tmp_path, collection(HMAC_ITEM), echo)
    assert status == 0, output
    assert results(report) == {"hmac": [(hashlib.sha256(b"a").hexdigest(), True)]}
    assert registry.seen == [CRYPTO_PATH]
    marker = tmp_path / "cache" / "crypto-js@3.3.0" / ".runner-integrity"
    assert marker.read_text().strip() == lock().packages["crypto-js@3.3.0"]["integrity"]
    # Cached now: a second run asks the registry nothing.
    status, output, _ = run_cli(tmp_path, collection(HMAC_ITEM), echo)
    assert status == 0 and registry.seen == [CRYPTO_PATH], output


def test_a_tampered_tarball_is_refused(
    echo: EchoServers, tmp_path: Path, mirror: Registry, crypto_js_tarball: bytes
) -> None:
    registry = mirror
    registry.files[CRYPTO_PATH] = tampered(crypto_js_tarball)
    cache = tmp_path / "cache"
    status, output, report = run_cli(tmp_path, collection(HMAC_ITEM), echo)
    assert status == 1
    (error,) = script_errors(report)
    assert "crypto-js@3.3.0 from " + registry.url + CRYPTO_PATH[1:] in error
    assert "does not match its pinned integrity" in error
    assert "runner sandbox install" in error
    assert not (cache / "crypto-js@3.3.0").exists()
    assert "Traceback" not in output
    # The install command says the same and exits 1.
    out, err = io.StringIO(), io.StringIO()
    code = main(["sandbox", "install", "--registry", registry.url], stdout=out, stderr=err)
    assert code == 1
    first = sorted(lock().packages)[0]
    assert err.getvalue().startswith(f"  fetching {first}\n"), err.getvalue()
    assert f"downloading {first} from {registry.url}" in err.getvalue()
    assert "HTTP 404" in err.getvalue() and "hint: check access to the registry" in err.getvalue()


def test_offline_with_an_empty_cache_names_the_command_to_run(
    echo: EchoServers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNNER_SANDBOX_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")  # nothing listens
    doc = collection(
        item("needs lodash", "pm.test(String(_.sum([1, 2])), () => {});"),
        item("needs moment", "var m = require('moment'); pm.test('m', () => {});"),
        item("plain", "pm.test('still runs', () => {});"),
        item("asserts", "pm.test('status', () => pm.response.to.have.status(200));"),
    )
    status, output, report = run_cli(tmp_path, doc, echo)
    assert status == 1
    errors = script_errors(report)
    assert len(errors) == 2, output
    assert "lodash3@3.10.2" in errors[0] and "moment@2.30.1" in errors[1]
    # pm.expect is chai (a pinned library too): the test that asserts fails saying why.
    [asserts] = [r for r in report["results"] if r["name"] == "asserts"]
    [(passed, message)] = [(a["passed"], a["message"]) for a in asserts["assertions"]]
    assert not passed and message.startswith("status: Error: pm.expect needs chai: ")
    assert "chai@4.4.1" in message
    for error in [*errors, message]:
        assert "http://127.0.0.1:9/" in error
        assert "run `runner sandbox install` once with network access" in error
    assert results(report)["plain"] == [("still runs", True)]


# --- the commands ----------------------------------------------------------------------


def test_sandbox_install_fetches_and_verifies_every_pinned_package() -> None:
    # The session cache (tests/conftest.py): .ci/run has filled it with this very command;
    # anything missing is downloaded from the registry and verified now.
    out, err = io.StringIO(), io.StringIO()
    assert main(["sandbox", "install"], stdout=out, stderr=err) == 0, err.getvalue()
    total = len(lock().packages)
    assert out.getvalue().startswith(f"{total} packages in ")
    cache = Path(os.environ["RUNNER_SANDBOX_CACHE"])
    for key, entry in lock().packages.items():
        marker = cache / key / ".runner-integrity"
        assert marker.read_text().strip() == entry["integrity"], key
    listing = io.StringIO()
    assert main(["sandbox", "list"], stdout=listing, stderr=err) == 0
    assert "moment                 moment@2.30.1/min/moment.min.js  [cached]" in listing.getvalue()
    assert "lodash3                lodash3@3.10.2 (global _)  [cached]" in listing.getvalue()


def test_sandbox_without_an_action_is_a_usage_error() -> None:
    err = io.StringIO()
    assert main(["sandbox"], stdout=io.StringIO(), stderr=err) == 2
    assert "ACTION" in err.getvalue()


def test_a_fresh_pip_install_runs_cryptojs_lodash_and_moment(
    echo: EchoServers, tmp_path: Path
) -> None:
    # `pip install .` and nothing else: a wheel installed into an empty folder, an empty
    # library cache, the real npm registry. The libraries arrive on first need, verified.
    import hatchling  # noqa: F401 - a test extra: the wheel is built offline with it

    source = tmp_path / "src"
    for name in ("pyproject.toml", "README.md"):
        source.mkdir(exist_ok=True)
        shutil.copy(REPO / name, source / name)
    for name in ("runner", "collections", "environments"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    build = [*pip, "wheel", "--no-build-isolation", "--no-deps", str(source), "-w", str(wheels)]
    built = subprocess.run(build, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("runner-*.whl")
    install = [*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)]
    done = subprocess.run(install, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    shutil.rmtree(source)
    doc = collection(
        item(
            "signed",
            "var sig = CryptoJS.HmacSHA256('GET\\n/get', 'secret').toString(CryptoJS.enc.Base64);",
            "var moment = require('moment');",
            "pm.test(sig + ' ' + _.first([7, 8]) + ' ' + moment.utc(0).format('YYYY'), () => {});",
        )
    )
    path = write(tmp_path, "c.postman_collection.json", doc)
    cache = tmp_path / "user-cache"
    env = {k: v for k, v in os.environ.items() if k not in ("RUNNER_SANDBOX_CACHE",)}
    env.update({"PYTHONPATH": str(site), "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"})
    env.pop("npm_config_registry", None)
    report = tmp_path / "report.json"
    argv = [sys.executable, "-m", "runner", "run", str(path), "--ca-bundle", echo.ca_file]
    argv += ["--json", str(report)]
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    ran = subprocess.run(
        argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    expected = f"{base64.b64encode(SIGNED).decode()} 7 1970"
    assert results(json.loads(report.read_text("utf-8"))) == {"signed": [(expected, True)]}
    fetched = sorted(p.name for p in (cache / "runner" / "sandbox").iterdir())
    assert fetched == ["crypto-js@3.3.0", "lodash3@3.10.2", "moment@2.30.1"]


def test_newman_agrees_on_every_library(echo: EchoServers, tmp_path: Path) -> None:
    # The same collection through Newman 6.2.2 (its sandbox's own bundled libraries): every
    # request has the same assertion names, in order, and the same pass/fail.
    modules = node_modules()
    if modules is None:
        missing("Newman (npm newman@6)", f"is not available: {install_error()}")
    case = Case("libraries", write(tmp_path, "libs.postman_collection.json", LIBRARIES))
    newman_status, theirs = newman_batch([case], echo, tmp_path / "newman", modules)[case.name]
    status, output = run_runner(case, echo, tmp_path / "runner.json")
    ours = runner_outcomes(tmp_path / "runner.json")
    assert [(o.name, o.names, o.passed) for o in ours] == [
        (o.name, o.names, o.passed) for o in theirs
    ], output
    assert status == newman_status == 1


def test_parallel_iterations_fetch_a_library_once_and_share_it(
    echo: EchoServers, tmp_path: Path, mirror: Registry, crypto_js_tarball: bytes
) -> None:
    # Four engines race for the same missing package: all pass, one verified copy is left.
    mirror.files[CRYPTO_PATH] = crypto_js_tarball
    doc = collection(HMAC_ITEM)
    status, output, report = run_cli(tmp_path, doc, echo, "-n", "4", "--parallel", "4")
    assert status == 0, output
    passed = [a["passed"] for r in report["results"] for a in r["assertions"]]
    assert passed == [True] * 4
    cache = tmp_path / "cache"
    assert sorted(p.name for p in cache.iterdir()) == ["crypto-js@3.3.0"]
    assert 1 <= len(mirror.seen) <= 4


def test_an_unwritable_cache_is_a_clear_script_error(
    echo: EchoServers,
    tmp_path: Path,
    mirror: Registry,
    crypto_js_tarball: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (Tests run as root, so a file where the cache folder should be stands for no access.)
    mirror.files[CRYPTO_PATH] = crypto_js_tarball
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("RUNNER_SANDBOX_CACHE", str(blocker / "cache"))
    status, output, report = run_cli(tmp_path, collection(HMAC_ITEM), echo)
    assert status == 1
    (error,) = script_errors(report)
    assert f"crypto-js@3.3.0: cannot write the cache {blocker / 'cache'}" in error, output
    assert "runner sandbox install" in error

"""Digest, OAuth 1.0 and Hawk end to end: a Postman collection through `runner run`, the real
transport (auth applied as the request is sent) and the echo server that verifies them."""

from __future__ import annotations

import io
import json
import shlex
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

from postman_helpers import collection, results, run_cli
from support.echo_parts import OAUTH1_RSA_CONSUMER, PASSWORD, oauth1_rsa_key
from support.echo_server import EchoServers
from support.external import require_tool
from support.pki import private_pem

from runner.auth.extra import KEYS_READ
from runner.cli import main

STATUS_200 = ['pm.test("verified", () => pm.response.to.have.status(200));']


def _kv(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": v} for k, v in params.items()]


def _oauth1(params: dict[str, Any]) -> dict[str, Any]:
    return {"type": "oauth1", "oauth1": _kv(params)}


def _item(name: str, url: str, auth: dict[str, Any], **request: Any) -> dict[str, Any]:
    return {
        "name": name,
        "event": [{"listen": "test", "script": {"exec": STATUS_200}}],
        "request": {"method": "GET", "url": url, "auth": auth, **request},
    }


OAUTH1 = {
    "consumerKey": "RKCGzna7bv9YD57c",
    "consumerSecret": "{{oauthSecret}}",
    "signatureMethod": "HMAC-SHA1",
    "version": "1.0",
    "addParamsToHeader": True,
}
HAWK = {
    "authId": "dh37fgj492je",
    "authKey": "{{hawkKey}}",
    "algorithm": "sha256",
    "extraData": "skjdfklsjhdflkjhsdf",
}
VARIABLES = [
    {"key": "oauthSecret", "value": "D+EdQ-gs$-%@2Nu7"},
    {"key": "hawkKey", "value": "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn"},
]


def test_digest_oauth1_and_hawk_through_the_cli(tmp_path: Path, echo: EchoServers) -> None:
    digest = {"username": "postman", "password": "password", "algorithm": "MD5"}
    form = {"mode": "urlencoded", "urlencoded": [{"key": "f", "value": "v w"}]}
    doc = collection(
        _item("digest", f"{echo.http}/digest-auth", {"type": "digest", "digest": _kv(digest)}),
        _item(
            "oauth1 header", f"{echo.http}/oauth1?a=1", {"type": "oauth1", "oauth1": _kv(OAUTH1)}
        ),
        _item(
            "oauth1 query, form body",
            f"{echo.http}/oauth1",
            _oauth1({**OAUTH1, "addParamsToHeader": False}),
            method="POST",
            body=form,
        ),
        _item("hawk", f"{echo.http}/auth/hawk", {"type": "hawk", "hawk": _kv(HAWK)}),
        variable=VARIABLES,
    )
    status, output, report = run_cli(tmp_path, doc, echo)
    assert status == 0, output
    assert results(report) == {
        name: [("verified", True)]
        for name in ("digest", "oauth1 header", "oauth1 query, form body", "hawk")
    }
    # The signing secrets never show.
    assert "D+EdQ-gs$-%@2Nu7" not in output and "werxhqb98rpaxn39848x" not in output


def test_wrong_credentials_fail_the_check_not_the_run(tmp_path: Path, echo: EchoServers) -> None:
    digest = {"username": "postman", "password": "wrong", "algorithm": "MD5"}
    bad_hawk = {**HAWK, "authKey": "not-the-key"}
    doc = collection(
        _item("digest", f"{echo.http}/digest-auth", {"type": "digest", "digest": _kv(digest)}),
        _item("hawk", f"{echo.http}/auth/hawk", {"type": "hawk", "hawk": _kv(bad_hawk)}),
        variable=VARIABLES,
    )
    status, output, report = run_cli(tmp_path, doc, echo)
    assert status == 1, output
    assert results(report) == {"digest": [("verified", False)], "hawk": [("verified", False)]}
    assert [r["status"] for r in report["results"]] == [401, 401]


def test_digest_oauth1_and_hawk_in_a_native_collection(tmp_path: Path, echo: EchoServers) -> None:
    """A native collection takes the three types with the keys the README lists (what
    `runner import` writes), and the echo server verifies each as sent."""
    ok = {"status": 200}
    oauth1 = {"type": "oauth1", "consumerKey": OAUTH1["consumerKey"]}
    oauth1 |= {"consumerSecret": "<<oauthSecret>>", "signatureMethod": "HMAC-SHA256"}
    hawk = {"type": "hawk", "authId": HAWK["authId"], "authKey": "<<hawkKey>>"}
    hawk |= {"algorithm": "sha256", "extraData": "some-app-data", "includePayloadHash": True}
    doc = {
        "name": "native",
        "variables": {v["key"]: v["value"] for v in VARIABLES},
        "items": [
            {
                "name": "digest",
                "url": f"{echo.http}/digest-auth",
                "auth": {"type": "digest", "username": "postman", "password": "password"},
                "assert": ok,
            },
            {"name": "oauth1 header", "url": f"{echo.http}/oauth1?a=1", "auth": oauth1},
            {
                "name": "oauth1 form body",
                "method": "POST",
                "url": f"{echo.http}/oauth1",
                "body": {"form": {"f": "v w"}},
                "auth": {**oauth1, "addParamsToHeader": False},
            },
            {"name": "hawk", "method": "POST", "url": f"{echo.http}/auth/hawk",
             "body": {"json": {"a": 1}}, "auth": hawk},
            {
                "name": "digest, wrong password",
                "url": f"{echo.http}/digest-auth",
                "auth": {"type": "digest", "username": "postman", "password": "wrong"},
            },
        ],
    }  # fmt: skip
    for item in doc["items"][1:4]:
        item["assert"] = ok
    doc["items"][4]["assert"] = {"status": 401}
    path = tmp_path / "native.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = tmp_path / "report.json"
    status, output = _run_native(path, report, echo)
    assert status == 0, output
    results = json.loads(report.read_text("utf-8"))["results"]
    assert [(r["name"], r["outcome"], r["status"]) for r in results] == [
        ("digest", "passed", 200),
        ("oauth1 header", "passed", 200),
        ("oauth1 form body", "passed", 200),
        ("hawk", "passed", 200),
        ("digest, wrong password", "passed", 401),
    ]
    assert "D+EdQ-gs$-%@2Nu7" not in output and "werxhqb98rpaxn39848x" not in output


def test_curl_of_a_digest_request_is_curls_own_digest(tmp_path: Path, echo: EchoServers) -> None:
    """--curl repeats digest auth as `--digest -u 'user:***'` (curl answers the challenge
    itself), in a Postman and a native collection; with the password given back, the real
    curl gets past the echo server's challenge. --verbose lists no redirect for it."""
    url = f"{echo.http}/digest-auth"
    digest = {"username": "postman", "password": "{{digestPassword}}", "algorithm": "MD5"}
    doc = collection(
        _item("digest", url, {"type": "digest", "digest": _kv(digest)}),
        variable=[{"key": "digestPassword", "value": PASSWORD}],
    )
    status, output, _ = run_cli(tmp_path, doc, echo, "--curl")
    assert status == 0, output
    native = {
        "name": "native",
        "variables": {"digestPassword": PASSWORD},
        "items": [
            {
                "name": "digest",
                "url": url,
                "auth": {"type": "digest", "username": "postman", "password": "<<digestPassword>>"},
                "assert": {"status": 200},
            }
        ],
    }
    path = tmp_path / "native.json"
    path.write_text(json.dumps(native), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["run", str(path), "--curl", "--verbose"], stdout=out, stderr=err) == 0
    # The challenge answered on the way (a 401) is no redirect, and the answer is the
    # response to the request as shown.
    assert "↪" not in out.getvalue() and "401" not in out.getvalue(), out.getvalue()
    lines = (output + out.getvalue()).splitlines()
    commands = [line.strip()[2:] for line in lines if line.strip().startswith("$ curl")]
    common = f"curl {url} --digest -u 'postman:***' -H 'User-Agent: runner/0.1.0' -H 'Accept: */*'"
    assert commands == [f"{common} -L --referer ';auto'", f"{common} -L"]
    assert f":{PASSWORD}" not in output + out.getvalue() + err.getvalue()
    curl = require_tool("curl", "it judges that the printed digest command authenticates")
    for command, password, answer in [
        (commands[0], PASSWORD, 200),
        (commands[1], PASSWORD, 200),
        (commands[1], "wrong", 401),  # the server does judge the password
    ]:
        words = shlex.split(command.replace(":***", f":{password}"))
        words[0:1] = [curl, "-s", "-o", "/dev/null", "-w", "%{http_code}"]
        done = subprocess.run(words, capture_output=True, text=True, timeout=30, check=False)
        assert done.stdout == str(answer), (command, done.stderr)


def _rsa(method: str, key: str = "{{rsaKey}}", **more: Any) -> dict[str, Any]:
    """Returns a Postman oauth1 block signing with `method` and the RSA consumer's key."""
    params = {"consumerKey": OAUTH1_RSA_CONSUMER, "signatureMethod": method, "privateKey": key}
    return _oauth1({**params, "token": "access-1", **more})


def test_oauth1_rsa_signatures_verify_with_the_public_key(
    tmp_path: Path, echo: EchoServers
) -> None:
    """RSA-SHA1 (and Postman's RSA-SHA256 and RSA-SHA512) sign with privateKey, in the
    header or the query with a form body: the echo server checks each signature with the
    consumer's public key (oauthlib's server-side verify), in a Postman and a native
    collection; a key that is not the consumer's is refused there."""
    private, _ = oauth1_rsa_key()
    other = private_pem(traditional=True)  # BEGIN RSA PRIVATE KEY: read too
    form = {"mode": "urlencoded", "urlencoded": [{"key": "f", "value": "v w"}]}
    doc = collection(
        _item("RSA-SHA1 header", f"{echo.http}/oauth1?a=1", _rsa("RSA-SHA1")),
        _item(
            "RSA-SHA256 query, form body",
            f"{echo.http}/oauth1",
            _rsa("RSA-SHA256", addParamsToHeader=False),
            method="POST",
            body=form,
        ),
        _item("RSA-SHA512 header", f"{echo.http}/oauth1", _rsa("rsa-sha512")),
        _item("another key", f"{echo.http}/oauth1", _rsa("RSA-SHA1", "{{otherKey}}")),
        variable=[
            {"key": "rsaKey", "value": private},
            {"key": "otherKey", "value": other},
        ],
    )
    status, output, report = run_cli(tmp_path, doc, echo)
    assert status == 1, output
    assert results(report) == {
        "RSA-SHA1 header": [("verified", True)],
        "RSA-SHA256 query, form body": [("verified", True)],
        "RSA-SHA512 header": [("verified", True)],
        "another key": [("verified", False)],
    }
    native = {
        "name": "native",
        "variables": {"rsaKey": private},
        "items": [
            {
                "name": "RSA-SHA1",
                "url": f"{echo.http}/oauth1?a=1",
                "auth": {
                    "type": "oauth1",
                    "consumerKey": OAUTH1_RSA_CONSUMER,
                    "signatureMethod": "RSA-SHA1",
                    "privateKey": "<<rsaKey>>",
                },
                "assert": {"status": 200},
            }
        ],
    }
    path = tmp_path / "native.json"
    path.write_text(json.dumps(native), encoding="utf-8")
    native_status, native_output = _run_native(path, tmp_path / "native-report.json", echo)
    assert native_status == 0, native_output
    # No line of either key shows (a PEM's middle lines are its secret part).
    for pem in (private, other):
        for line in pem.splitlines()[1:-1]:
            assert line not in output + native_output


def test_oauth1_rsa_without_a_usable_private_key_is_refused_before_sending(
    tmp_path: Path,
) -> None:
    """An RSA signatureMethod with no privateKey, or one that is no unencrypted PEM RSA
    key, stops the run with exit 2 before anything is sent: the file, the pointer to the
    auth and what to set; never the key itself."""
    encrypted = private_pem(password=b"pass-phrase")
    not_rsa = private_pem("ec")
    closed = "http://127.0.0.1:9"  # nothing listens: a request sent would be refused
    auth = {"type": "oauth1", "consumerKey": "c", "signatureMethod": "RSA-SHA1"}
    native = {
        "name": "native",
        "variables": {"encrypted": encrypted},
        "items": [
            {"name": "none", "url": f"{closed}/a", "auth": auth},
            {"name": "encrypted", "url": f"{closed}/b",
             "auth": {**auth, "privateKey": "<<encrypted>>"}},
            {"name": "not RSA", "url": f"{closed}/c",
             "auth": {**auth, "signatureMethod": "RSA-SHA256", "privateKey": not_rsa}},
        ],
    }  # fmt: skip
    path = tmp_path / "native.json"
    path.write_text(json.dumps(native), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["run", str(path)], stdout=out, stderr=err) == 2
    problems = [line for line in err.getvalue().splitlines() if line.startswith("error: /")]
    assert problems == [
        f"error: {path}#/items/0/auth/privateKey (none): OAuth 1.0 signature method RSA-SHA1 signs "
        "with privateKey, which is empty",
        f"error: {path}#/items/1/auth/privateKey (encrypted): OAuth 1.0 privateKey cannot sign "
        "RSA-SHA1: it is encrypted",
        f"error: {path}#/items/2/auth/privateKey (not RSA): OAuth 1.0 privateKey cannot sign "
        "RSA-SHA256: it is not an RSA key",
    ], err.getvalue()
    assert "hint: set privateKey to the consumer's RSA private key as PEM text" in err.getvalue()
    shown = out.getvalue() + err.getvalue()
    assert "Traceback" not in shown
    for pem in (encrypted, not_rsa):
        assert all(line not in shown for line in pem.splitlines()[1:-1])
    doc = collection(
        _item("garbled", f"{closed}/d", _rsa("RSA-SHA1", "-----BEGIN PRIVATE KEY-----\nxyz")),
    )
    postman = tmp_path / "rsa.postman_collection.json"
    postman.write_text(json.dumps(doc), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["run", str(postman)], stdout=out, stderr=err) == 2
    assert (
        f"{postman}#/item/0/request/auth (garbled): OAuth 1.0 privateKey cannot sign RSA-SHA1: "
        "it is not a PEM private key"
    ) in err.getvalue(), err.getvalue()


def test_an_imported_digest_or_hawk_auth_runs_as_native(tmp_path: Path, echo: EchoServers) -> None:
    """Postman exports keys it has no value for (`{"key": "realm", "type": "string"}`):
    `runner import` leaves them out, since the native format takes no null, and the native
    file it writes validates and runs."""
    digest = [
        {"key": "algorithm", "value": "MD5", "type": "string"},
        {"key": "password", "value": "password", "type": "string"},
        {"key": "username", "value": "postman", "type": "string"},
        {"key": "realm", "type": "string"},
        {"key": "saveHelperData", "type": "any"},
        {"key": "showPassword", "value": False, "type": "boolean"},
    ]
    hawk = [{"key": k, "value": v} for k, v in HAWK.items()]
    hawk += [{"key": "timestamp", "type": "string"}, {"key": "user", "value": ""}]
    doc = collection(
        _item("digest", f"{echo.http}/digest-auth", {"type": "digest", "digest": digest}),
        _item("hawk", f"{echo.http}/auth/hawk", {"type": "hawk", "hawk": hawk}),
        variable=VARIABLES,
    )
    postman = tmp_path / "api.postman_collection.json"
    postman.write_text(json.dumps(doc), encoding="utf-8")
    native = tmp_path / "api.json"
    out, err = io.StringIO(), io.StringIO()
    assert main(["import", str(postman), "-o", str(native)], stdout=out, stderr=err) == 0
    auths = [item["auth"] for item in json.loads(native.read_text("utf-8"))["items"]]
    assert auths[0] == {
        "type": "digest",
        **{"algorithm": "MD5", "password": "password", "username": "postman"},
        "showPassword": False,
    }
    assert "timestamp" not in auths[1] and auths[1]["user"] == ""
    status, output = _run_native(native, tmp_path / "report.json", echo)
    assert status == 0, output
    # Postman's own keys (showPassword, digest's algorithm, Hawk's user) are no typos.
    assert "does not use" not in output, output


def test_a_key_a_native_digest_oauth1_or_hawk_auth_does_not_use_is_a_warning(
    tmp_path: Path,
) -> None:
    """These types accept any key (what a Postman export holds), so a misspelt one would
    silently go unsent: validate warns, with what was meant, and still exits 0."""
    doc = {
        "name": "c",
        "auth": {"type": "hawk", "authId": "i", "authKey": "k", "extra": "x"},
        "items": [
            {"name": "d", "url": "http://127.0.0.1:9/a",
             "auth": {"type": "digest", "usernam": "u", "password": "p", "qop": "auth"}},
            {"name": "o", "url": "http://127.0.0.1:9/b",
             "auth": {"type": "oauth1", "consumerKey": "k", "consumerSecret": "s",
                      "tokenSecrett": "t", "version": "1.0"}},
            {"name": "h1", "url": "http://127.0.0.1:9/c"},
            {"name": "h2", "url": "http://127.0.0.1:9/d"},
        ],
    }  # fmt: skip
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(path)], stdout=out, stderr=err) == 0, err.getvalue()
    warnings = [line for line in err.getvalue().splitlines() if "does not use" in line]
    assert warnings == [
        f"warning: {path}#/items/0/auth/usernam (d): auth type 'digest' does not use "
        "'usernam', so it is not sent; did you mean 'username'?",
        f"warning: {path}#/items/1/auth/tokenSecrett (o): auth type 'oauth1' does not use "
        "'tokenSecrett', so it is not sent; did you mean 'tokenSecret'?",
        # The collection's auth, used by two requests: one warning.
        f"warning: {path}#/auth/extra: auth type 'hawk' does not use 'extra', so it is not "
        "sent; did you mean 'extraData'?",
    ]
    # The keys runner reads are the ones the collection schema names (editors offer them).
    schema = json.loads(
        resources.files("runner.schemas").joinpath("collection.schema.json").read_text("utf-8")
    )
    named = set(schema["$defs"]["auth"]["properties"])
    assert [k for keys in KEYS_READ.values() for k in keys if k not in named] == []


def _run_native(path: Path, report: Path, echo: EchoServers) -> tuple[int, str]:
    """Runs the native collection `path` against the echo servers; returns (status, output)."""
    argv = ["run", str(path), "--json", str(report), "--ca-bundle", echo.ca_file]
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdout=out, stderr=err)
    return status, out.getvalue() + err.getvalue()

"""Request decoding and auth verification for the echo server (digest, OAuth 1.0)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

USER, PASSWORD, REALM = "postman", "password", "Users"
OAUTH1_SECRETS = {"RKCGzna7bv9YD57c": "D+EdQ-gs$-%@2Nu7"}
HAWK_CREDENTIALS = {
    "dh37fgj492je": {
        "id": "dh37fgj492je",
        "key": "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn",
        "algorithm": "sha256",
    },
}
Reply = tuple[int, dict[str, str], bytes]


def json_reply(status: int, value: Any, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, body


def args(query: str) -> dict[str, Any]:
    """Returns query/form pairs; a repeated key becomes a list, as postman-echo shows it."""
    found: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in found:
            prior = found[key]
            found[key] = [*prior, value] if isinstance(prior, list) else [prior, value]
        else:
            found[key] = value
    return found


def multipart(ctype: str, body: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
    form: dict[str, Any] = {}
    files: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename:
            mime = part.get_content_type()
            files[filename] = f"data:{mime};base64," + base64.b64encode(payload).decode()
        else:
            form[str(name)] = payload.decode("utf-8", "replace")
    return form, files


def _auth_params(header: str, scheme: str) -> dict[str, str]:
    if not header.lower().startswith(scheme.lower() + " "):
        return {}
    pairs = re.findall(r'([\w-]+)\s*=\s*(?:"([^"]*)"|([^\s,]*))', header[len(scheme) + 1 :])
    return {k: quoted or bare for k, quoted, bare in pairs}


def digest_ok(method: str, header: str) -> bool:
    p = _auth_params(header, "Digest")
    if p.get("username") != USER or p.get("realm") != REALM or "response" not in p:
        return False
    ha1 = hashlib.md5(f"{USER}:{REALM}:{PASSWORD}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{p.get('uri', '')}".encode()).hexdigest()
    if p.get("qop"):
        parts = [ha1, p.get("nonce", ""), p.get("nc", ""), p.get("cnonce", ""), p["qop"], ha2]
    else:
        parts = [ha1, p.get("nonce", ""), ha2]
    return hmac.compare_digest(hashlib.md5(":".join(parts).encode()).hexdigest(), p["response"])


def _enc(value: str) -> str:
    return quote(value, safe="~-._")


OAUTH1_RSA_CONSUMER = "rsa-consumer"
"""The consumer whose RSA-SHA* signatures /oauth1 verifies with `oauth1_rsa_key()`'s
public key."""


@functools.cache
def oauth1_rsa_key() -> tuple[str, str]:
    """Returns (private key PEM, public key PEM) of the RSA consumer, made once per process."""
    from cryptography.hazmat.primitives import serialization

    from support.pki import private_pem

    private = private_pem()
    key = serialization.load_pem_private_key(private.encode(), password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


def _rsa_ok(method: str, url: str, header: str, form: dict[str, Any], signed: str) -> bool:
    """Returns True when oauthlib's own server-side check accepts the RSA signature `signed`
    of the request, with the RSA consumer's public key (the parameters as oauthlib reads
    them from the query, the form body and the Authorization header)."""
    from oauthlib.common import Request
    from oauthlib.oauth1.rfc5849 import signature

    verify = {
        "RSA-SHA1": signature.verify_rsa_sha1,
        "RSA-SHA256": signature.verify_rsa_sha256,
        "RSA-SHA512": signature.verify_rsa_sha512,
    }.get(signed)
    if verify is None:
        return False
    headers = {"Authorization": header} if header else {}
    request = Request(url, method, list(form.items()), headers)
    found = signature.collect_parameters(
        uri_query=urlsplit(url).query,
        body=list(form.items()),
        headers=headers,
        exclude_oauth_signature=False,
    )
    request.params = [(k, v) for k, v in found if k != "oauth_signature"]
    request.signature = dict(found).get("oauth_signature", "")
    return bool(verify(request, oauth1_rsa_key()[1]))


def oauth1_ok(method: str, url: str, header: str, form: dict[str, Any]) -> tuple[bool, str]:
    split = urlsplit(url)
    oauth = {k: unquote(v) for k, v in _auth_params(header, "OAuth").items()}
    params = [(k, v) for k, v in parse_qsl(split.query, keep_blank_values=True)]
    if not oauth:  # the parameters may travel in the query string instead
        oauth = {k: v for k, v in params if k.startswith("oauth_")}
    signed = oauth.get("oauth_signature_method", "")
    if signed.startswith("RSA-"):
        known = oauth.get("oauth_consumer_key") == OAUTH1_RSA_CONSUMER
        return known and _rsa_ok(method, url, header, form, signed), ""
    params = [(k, v) for k, v in params if k != "oauth_signature"]
    params += [
        (k, v)
        for k, v in oauth.items()
        if k not in ("realm", "oauth_signature") and (k, v) not in params
    ]
    params += [(k, str(v)) for k, v in form.items()]
    norm = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in params))
    base_url = f"{split.scheme}://{split.netloc.lower()}{split.path}"
    base = "&".join([method.upper(), _enc(base_url), _enc(norm)])
    secret = OAUTH1_SECRETS.get(oauth.get("oauth_consumer_key", ""), "")
    key = f"{_enc(secret)}&".encode()  # postman-echo's demo consumer has no token secret
    algo = oauth.get("oauth_signature_method", "HMAC-SHA1")
    if algo == "PLAINTEXT":
        expected = key.decode()
    else:
        digest = hashlib.sha256 if algo == "HMAC-SHA256" else hashlib.sha1
        expected = base64.b64encode(hmac.new(key, base.encode(), digest).digest()).decode()
    return hmac.compare_digest(expected, oauth.get("oauth_signature", "")), base

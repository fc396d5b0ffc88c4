"""`maskforms` (what `--mask` hides) and `maskfilter` (hiding it in a stream), as printed by real encoders."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from awscli_gitpod.maskfilter import MASK, MaskFilter, Masks
from awscli_gitpod.maskforms import MIN_LENGTH, mask_forms, names_a_secret

PASSWORD = 'pa"ss/wörd&<x> +%'  # quotes, slash, non-ASCII, HTML and URL specials
RDS = {
    "engine": "postgres",
    "username": "admin",
    "password": "hunter2",  # short, but under a key that names a secret
    "host": "app.cluster-abc123.eu-west-1.rds.amazonaws.com",
    "port": 5432,
    "dbname": "app",
}


def masked(secret_texts: list[str], output: bytes, chunk: int = 0) -> bytes:
    """`output` as `secrets exec --mask` passes it on, fed whole or in `chunk`-byte reads."""
    mask_filter = MaskFilter(Masks(mask_forms(secret_texts)))
    if not chunk:
        return mask_filter.feed(output) + mask_filter.finish()
    pieces = [mask_filter.feed(output[i : i + chunk]) for i in range(0, len(output), chunk)]
    return b"".join(pieces) + mask_filter.finish()


def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.mark.parametrize(
    "printed",
    [
        PASSWORD,
        json.dumps(PASSWORD)[1:-1],  # Python's default: \u00f6
        json.dumps(PASSWORD, ensure_ascii=False)[1:-1],  # JavaScript's JSON.stringify
        json.dumps(PASSWORD)[1:-1].replace("/", "\\/"),  # PHP's json_encode
        json.dumps(PASSWORD, ensure_ascii=False)[1:-1]  # Go's encoding/json
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026"),
        quote(PASSWORD, safe=""),
        quote(PASSWORD),
        quote_plus(PASSWORD),
        quote(PASSWORD, safe="!~*'()"),  # encodeURIComponent
        base64.b64encode(PASSWORD.encode()).decode(),
        base64.urlsafe_b64encode(PASSWORD.encode()).decode().rstrip("="),
    ],
)
def test_a_value_is_masked_in_every_encoding_programs_print(printed: str) -> None:
    line = f"connecting with {printed}!\n".encode()
    assert masked([PASSWORD], line) == b"connecting with " + MASK + b"!\n"


@pytest.mark.parametrize("prefix", ["", "u", "us", "user", "admin:"])
def test_base64_is_masked_inside_a_longer_base64_text(prefix: str) -> None:
    # `Authorization: Basic base64(user:password)`: the password's base64 depends on what comes first.
    header = base64.b64encode(f"{prefix}{PASSWORD}\n".encode())
    out = masked([PASSWORD], b"Authorization: Basic " + header + b"\n")
    assert MASK in out
    # At most the characters that mix the value with its neighbours remain: under 4 of them at each end.
    assert len(out) - len(b"Authorization: Basic \n" + MASK) <= len(base64.b64encode(prefix.encode())) + 4


def test_surrounding_whitespace_and_line_ends() -> None:
    value = "first-line-of-it\nsecond-line-of-it\n"
    assert masked([value], b"x=" + value.strip().encode() + b".") == b"x=" + MASK + b"."
    assert masked([value], value.replace("\n", "\r\n").encode()) == MASK
    assert masked(["a\r\nb\r\n"], b"<a\nb\n>") == b"<" + MASK + b">"


def test_each_long_line_of_a_pem_key_but_not_its_boundaries() -> None:
    pem = private_key_pem()
    lines = pem.splitlines()
    assert masked([pem], lines[5].encode() + b"\n") == MASK + b"\n"
    assert masked([pem], lines[0].encode()) == lines[0].encode()  # -----BEGIN PRIVATE KEY-----
    assert masked([pem], lines[-1].encode()) == lines[-1].encode()
    assert masked([pem], pem.encode()) == MASK
    # The key as a JSON string (a service account file, a Kubernetes secret in JSON).
    assert masked([pem], json.dumps({"key": pem}).encode()) == b'{"key": "' + MASK + b'"}'


def test_short_lines_of_a_multi_line_value_are_left_alone() -> None:
    value = "{\n  token-value-is-long\n}\n"
    assert masked([value], b"{\n}\n") == b"{\n}\n"
    assert masked([value], b"got token-value-is-long\n") == b"got " + MASK + b"\n"


def test_json_leaves_long_ones_and_those_under_secret_keys() -> None:
    secret = json.dumps(RDS)
    out = masked([secret], f"{RDS['username']}:{RDS['password']}@{RDS['host']}:5432 {RDS['engine']}".encode())
    # The password however short; the host, long enough to be a secret; not `admin`, `postgres`, 5432.
    assert out == b"admin:" + MASK + b"@" + MASK + b":5432 postgres"
    nested = json.dumps({"db": {"primary": {"password": "x1"}}, "hosts": ["first-host-0123", "short"]})
    assert masked([nested], b"x1 first-host-0123 short") == MASK + b" " + MASK + b" short"
    listed = json.dumps({"api_tokens": ["t1", "t2"]})  # the nearest key names what a list holds
    assert masked([listed], b"t1 t2 t3") == MASK + b" " + MASK + b" t3"


def test_the_password_of_a_json_secret_in_a_connection_url() -> None:
    secret = json.dumps({"username": "app", "password": "p@ss/w:rd"})
    url = f"postgres://app:{quote('p@ss/w:rd', safe='')}@db:5432/app"
    assert masked([secret], url.encode()) == b"postgres://app:" + MASK + b"@db:5432/app"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("password", True),
        ("DB_PASSWORD", True),
        ("dbPassword", True),
        ("db_pass", True),
        ("apiKey", True),
        ("API_KEY", True),
        ("client_secret", True),
        ("access-token", True),
        ("pin", True),
        ("private_key_id", True),
        ("username", False),
        ("host", False),
        ("bypass", False),
        ("monkey", False),
        ("mapping", False),
        ("author", False),
    ],
)
def test_keys_that_name_a_secret(key: str, expected: bool) -> None:
    assert names_a_secret(key) is expected


def test_what_is_never_masked() -> None:
    secret = json.dumps({"password": 12345678, "enabled": True, "note": None, "region": "eu-west-1"})
    assert masked([secret], b"12345678 true null eu-west-1") == b"12345678 true null eu-west-1"
    assert mask_forms(["", " \n"]) == frozenset()
    assert masked(["", " \n"], b"  \n text \n") == b"  \n text \n"  # nothing to mask: passed as it is
    assert len("eu-west-1") < MIN_LENGTH


def test_masks_split_across_every_read_boundary() -> None:
    pem = private_key_pem()
    output = f"before {pem.splitlines()[7]} middle {json.dumps(pem)} after\n".encode()
    expected = b"before " + MASK + b' middle "' + MASK + b'" after\n'
    for chunk in (1, 2, 3, 7, 64, 1000):
        assert masked([pem], output, chunk) == expected


def test_thousands_of_nested_strings_still_compile() -> None:
    # Each string one byte longer than the last: too deep for a trie-shaped regex, so it falls back.
    masks = Masks([b"a" * length for length in range(1, 1200)])
    mask_filter = MaskFilter(masks)
    assert mask_filter.feed(b"x" + b"a" * 1500 + b"y") + mask_filter.finish() == b"x" + MASK * 2 + b"y"

"""What Go's `encoding/json` and the JWT parsers of the real CLIs print, for the stand-ins' output."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

# Go's encoder escapes these inside strings by default (HTML safety); it leaves other non-ASCII as it is.
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def marshal_indent(value: object, indent: str, struct: bool = False) -> str:
    """`json.MarshalIndent(value, "", indent)`: map keys sorted (a `struct` keeps its fields' order), HTML
    characters escaped, UTF-8 kept.

    The characters escaped can only occur inside strings, so replacing them in the whole text is safe."""
    text = json.dumps(value, indent=indent, sort_keys=not struct, ensure_ascii=False)
    for character, escaped in _GO_ESCAPES.items():
        text = text.replace(character, escaped)
    return text


def unmarshal_error(text: str) -> str:
    """The message of `json.Unmarshal` failing on `text` (only its first offence, as Go reports it)."""
    stripped = text.lstrip()
    if not stripped:
        return "unexpected end of JSON input"
    if stripped[0] not in '{["-0123456789tfn':
        return f"invalid character {stripped[0]!r} looking for beginning of value"
    return "invalid character after top-level value"


def _segment(part: str, what: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(f"token is malformed: could not base64 decode {what}") from None
    try:
        decoded = json.loads(raw)
    except ValueError:
        reason = unmarshal_error(raw.decode(errors="replace"))
        raise ValueError(f"token is malformed: could not JSON decode {what}: {reason}") from None
    if not isinstance(decoded, dict):
        raise ValueError(f"token is malformed: could not JSON decode {what}")
    return decoded


def parse_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) as golang-jwt v5's `Parser.ParseUnverified` reads them, or ValueError with its
    message. An empty token (what `gp` parses when minting failed) has one segment."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("token is malformed: token contains an invalid number of segments")
    header = _segment(parts[0], "header")
    claims = _segment(parts[1], "claim")
    if not isinstance(header.get("alg"), str):
        raise ValueError("token is unverifiable: signing method (alg) is unspecified")
    return header, claims


def parse_compact_jws(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) as go-jose's `jwt.ParseSigned` reads them (the Ona CLI's parser), or ValueError."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("go-jose/go-jose: compact JWS format must have three parts")
    try:
        return _segment(parts[0], "header"), _segment(parts[1], "claim")
    except ValueError:
        raise ValueError("go-jose/go-jose: invalid compact JWS format") from None

"""String and ARN matching of one request value against one condition value (IAM User Guide, "Condition
operators"): StringEquals exact and case-sensitive, `*` and `?` literal; StringLike `*` any run and `?` one
character over the whole value; ArnLike the same inside each of the six colon-separated parts.

A value that came out of a policy variable is matched as its text. Whether a `*` or `?` inside it is a
wildcard under StringLike or ArnLike the docs do not say: both readings are tried, and the answer is
uncertain only when they differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from awscli_gitpod.policy.truth import Truth
from awscli_gitpod.policy.variables import POLICY, VALUE, Resolved

_WILD = {"*": ".*", "?": "."}
Token = tuple[str, bool]  # one character, and whether it is a wildcard


def _tokens(value: Resolved, substituted_wildcards: bool) -> list[Token]:
    tokens: list[Token] = []
    for piece in value.pieces or ():
        live = piece.kind == POLICY or (piece.kind == VALUE and substituted_wildcards)
        tokens += [(char, live and char in _WILD) for char in piece.text]
    return tokens


def _regex(tokens: list[Token], ignore_case: bool = False) -> re.Pattern[str]:
    text = "".join(_WILD[char] if wild else re.escape(char) for char, wild in tokens)
    return re.compile(text, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _ambiguous(value: Resolved) -> bool:
    return any(
        piece.kind == VALUE and ("*" in piece.text or "?" in piece.text) for piece in value.pieces or ()
    )


def _both_readings(value: Resolved, matcher: Callable[[list[Token]], bool]) -> Truth:
    first = matcher(_tokens(value, False))
    if not _ambiguous(value):
        return first
    return first if first == matcher(_tokens(value, True)) else None


def string_equals(request: str, value: Resolved, ignore_case: bool = False) -> Truth:
    if value.pieces is None:
        return None if value.uncertain else False  # a null value equals nothing
    if ignore_case:
        return request.casefold() == value.text.casefold()
    return request == value.text


def string_like(request: str, value: Resolved) -> Truth:
    if value.pieces is None:
        return None if value.uncertain else False
    return _both_readings(value, lambda tokens: _regex(tokens).fullmatch(request) is not None)


def _arn_parts(tokens: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if token == (":", False) and len(parts) < 6:
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def arn_like(request: str, value: Resolved) -> Truth:
    if value.pieces is None:
        return None if value.uncertain else False
    wanted = request.split(":", 5)
    if len(wanted) != 6 or len(_arn_parts(_tokens(value, False))) != 6:
        return None  # the docs define ARN matching part by part only; this is not an ARN

    def matches(tokens: list[Token]) -> bool:
        parts = _arn_parts(tokens)
        return len(parts) == 6 and all(
            _regex(part).fullmatch(text) is not None for part, text in zip(parts, wanted)
        )

    return _both_readings(value, matches)

"""Condition operators as IAM evaluates them against the keys of one request.

Rules (IAM User Guide, "Condition element" and "multivalued context keys"):
- several values for one key: OR (a negated operator is true when the request matches none of them);
- several keys, several operators: AND (the caller combines `KeyResult`s);
- a missing key: positive operators false, negated operators true, `...IfExists` true, `ForAllValues` true,
  `ForAnyValue` false;
- `ForAnyValue`: some request value satisfies the operator; `ForAllValues`: every request value does.
Key names compare case-insensitively; values follow the operator (`IgnoreCase` or not).
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

from awscli_gitpod.policy.document import as_list, like

SET_OPERATORS = ("ForAnyValue", "ForAllValues")
_COMPARISONS = ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
# base operator -> (its positive form, negated?)
_BASES: dict[str, tuple[str, bool]] = {
    "StringEquals": ("StringEquals", False),
    "StringNotEquals": ("StringEquals", True),
    "StringEqualsIgnoreCase": ("StringEqualsIgnoreCase", False),
    "StringNotEqualsIgnoreCase": ("StringEqualsIgnoreCase", True),
    "StringLike": ("StringLike", False),
    "StringNotLike": ("StringLike", True),
    "Bool": ("Bool", False),
    "BinaryEquals": ("BinaryEquals", False),
    "IpAddress": ("IpAddress", False),
    "NotIpAddress": ("IpAddress", True),
    "ArnEquals": ("ArnLike", False),
    "ArnLike": ("ArnLike", False),
    "ArnNotEquals": ("ArnLike", True),
    "ArnNotLike": ("ArnLike", True),
    "Null": ("Null", False),
}
for _kind in ("Numeric", "Date"):
    for _comparison in _COMPARISONS:
        _positive = "Equals" if _comparison == "NotEquals" else _comparison
        _BASES[f"{_kind}{_comparison}"] = (f"{_kind}{_positive}", _comparison == "NotEquals")
STRING_OPERATORS = frozenset(name for name in _BASES if name.startswith("String"))


@dataclass(frozen=True)
class Operator:
    written: str  # as in the policy, e.g. `ForAnyValue:StringLikeIfExists`
    base: str  # without set prefix and IfExists: `StringLike`
    positive: str  # the positive form of `base`: `StringNotLike` -> `StringLike`
    negated: bool
    set_operator: str | None  # `ForAnyValue`, `ForAllValues` or None
    if_exists: bool

    @property
    def is_string(self) -> bool:
        return self.base in STRING_OPERATORS


def parse_operator(written: str) -> Operator | None:
    """The operator a condition block names, or None when IAM does not know it (a malformed policy)."""
    set_operator, _, rest = written.rpartition(":")
    if set_operator and set_operator not in SET_OPERATORS:
        return None
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    base = rest[: -len("IfExists")] if if_exists else rest
    if base not in _BASES or (base == "Null" and (if_exists or set_operator)):
        return None
    positive, negated = _BASES[base]
    return Operator(written, base, positive, negated, set_operator or None, if_exists)


def policy_values(raw: Any) -> list[str] | None:
    """The values a condition lists, as IAM reads them (numbers and booleans as text); None if malformed."""
    values = as_list(raw)
    if not all(isinstance(value, (str, int, float, bool)) for value in values):
        return None
    return [str(value).lower() if isinstance(value, bool) else str(value) for value in values]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> float | None:
    number = _number(text)
    if number is not None:
        return number  # epoch seconds
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


def _ordered(convert: Callable[[str], float | None], comparison: str) -> Callable[[str, str], bool]:
    def compare(request: str, policy: str) -> bool:
        left, right = convert(request), convert(policy)
        if left is None or right is None:
            return False
        return {
            "Equals": left == right,
            "LessThan": left < right,
            "LessThanEquals": left <= right,
            "GreaterThan": left > right,
            "GreaterThanEquals": left >= right,
        }[comparison]

    return compare


def _in_network(request: str, policy: str) -> bool:
    try:
        return ipaddress.ip_address(request) in ipaddress.ip_network(policy, strict=False)
    except ValueError:
        return False


_MATCHERS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda request, policy: request == policy,
    "StringEqualsIgnoreCase": lambda request, policy: request.casefold() == policy.casefold(),
    "StringLike": lambda request, policy: like(policy, request),
    "ArnLike": lambda request, policy: like(policy, request),
    "Bool": lambda request, policy: request.lower() == policy.lower(),
    "BinaryEquals": lambda request, policy: request == policy,
    "IpAddress": _in_network,
}
for _kind, _convert in (("Numeric", _number), ("Date", _date)):
    for _comparison in _COMPARISONS:
        if _comparison != "NotEquals":
            _MATCHERS[f"{_kind}{_comparison}"] = _ordered(_convert, _comparison)


def value_matches(operator: Operator, request: str, values: Sequence[str]) -> bool:
    """Whether one request value satisfies the positive form of `operator` for some policy value (OR)."""
    matcher = _MATCHERS[operator.positive]
    return any(matcher(request, value) for value in values)


def evaluate_key(operator: Operator, values: Sequence[str], request: Sequence[str] | None) -> bool:
    """One operator on one key. `request` is None (or empty) when the request has no such key."""
    missing = not request
    if operator.base == "Null":
        # `Null: true` asks for the key to be absent, `false` for it to be present.
        return any((value.lower() == "true") == missing for value in values)
    if missing:
        return (
            operator.if_exists
            or operator.set_operator == "ForAllValues"
            or (operator.negated and operator.set_operator is None)
        )
    assert request is not None  # noqa: S101 (narrowed by `missing`)

    def satisfied(item: str) -> bool:
        return value_matches(operator, item, values) != operator.negated

    if operator.set_operator == "ForAllValues":
        return all(satisfied(item) for item in request)
    if operator.set_operator == "ForAnyValue":
        return any(satisfied(item) for item in request)
    # A plain operator on a key with several values: positive when any value matches, negated when none do.
    if operator.negated:
        return all(satisfied(item) for item in request)
    return any(satisfied(item) for item in request)

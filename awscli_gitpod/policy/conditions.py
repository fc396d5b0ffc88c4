"""Condition operators as IAM evaluates them against one key of the request context.

Rules (IAM User Guide, "Condition operators", "Creating a condition with multiple keys or values"):
- several values for one key: OR (a negated operator is true when the request matches none of them);
- several keys, several operators: AND (the caller combines the results);
- a missing key: positive operators false, negated operators true, `...IfExists` true, `ForAllValues` true,
  `ForAnyValue` false; `Null` tests presence itself;
- `ForAnyValue`: some request value satisfies the operator; `ForAllValues`: every request value does.
Key names compare case-insensitively; values follow the operator (`IgnoreCase` or not).

Where the docs leave the answer open the result is None (see `truth`): an operator family the docs do not
list for the key ("Works with string operators" for every web-identity key), a value whose format the
operator's section does not define (`operands`), a key whose value is not known here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from awscli_gitpod.policy import matching, operands
from awscli_gitpod.policy.context import ARN, BINARY, BOOL, DATE, IP, NUMERIC, STRING, ContextValue
from awscli_gitpod.policy.document import as_list
from awscli_gitpod.policy.truth import Truth, all3, any3, not3
from awscli_gitpod.policy.variables import Resolved, literal

SET_OPERATORS = ("ForAnyValue", "ForAllValues")
NULL = "Null"
_COMPARISONS = ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
# base operator -> (its positive form, negated?, family)
_BASES: dict[str, tuple[str, bool, str]] = {
    "StringEquals": ("StringEquals", False, STRING),
    "StringNotEquals": ("StringEquals", True, STRING),
    "StringEqualsIgnoreCase": ("StringEqualsIgnoreCase", False, STRING),
    "StringNotEqualsIgnoreCase": ("StringEqualsIgnoreCase", True, STRING),
    "StringLike": ("StringLike", False, STRING),
    "StringNotLike": ("StringLike", True, STRING),
    "Bool": ("Bool", False, BOOL),
    "BinaryEquals": ("BinaryEquals", False, BINARY),
    "IpAddress": ("IpAddress", False, IP),
    "NotIpAddress": ("IpAddress", True, IP),
    "ArnEquals": ("ArnLike", False, ARN),  # "ArnEquals and ArnLike behave identically"
    "ArnLike": ("ArnLike", False, ARN),
    "ArnNotEquals": ("ArnLike", True, ARN),
    "ArnNotLike": ("ArnLike", True, ARN),
    NULL: (NULL, False, NULL),
}
for _kind, _family in (("Numeric", NUMERIC), ("Date", DATE)):
    for _comparison in _COMPARISONS:
        _positive = "Equals" if _comparison == "NotEquals" else _comparison
        _BASES[f"{_kind}{_comparison}"] = (f"{_kind}{_positive}", _comparison == "NotEquals", _family)
STRING_OPERATORS = frozenset(name for name, (_, _, family) in _BASES.items() if family == STRING)


@dataclass(frozen=True)
class Operator:
    written: str  # as in the policy, e.g. `ForAnyValue:StringLikeIfExists`
    base: str  # without set prefix and IfExists: `StringLike`
    positive: str  # the positive form of `base`: `StringNotLike` -> `StringLike`
    negated: bool
    set_operator: str | None  # `ForAnyValue`, `ForAllValues` or None
    if_exists: bool
    family: str  # String, Numeric, Date, Bool, Binary, IpAddress, Arn or Null

    @property
    def is_string(self) -> bool:
        return self.family == STRING


def parse_operator(written: str) -> Operator | None:
    """The operator a condition block names, or None when IAM does not know it (it refuses the policy)."""
    set_operator, _, rest = written.rpartition(":")
    if set_operator and set_operator not in SET_OPERATORS:
        return None
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    base = rest[: -len("IfExists")] if if_exists else rest
    if base not in _BASES:
        return None
    positive, negated, family = _BASES[base]
    return Operator(written, base, positive, negated, set_operator or None, if_exists, family)


def policy_values(raw: Any) -> list[str] | None:
    """The values a condition lists, as IAM reads them (numbers and booleans as text); None if malformed."""
    values = as_list(raw)
    if not values or not all(isinstance(value, (str, int, float, bool)) for value in values):
        return None
    return [str(value).lower() if isinstance(value, bool) else str(value) for value in values]


@dataclass(frozen=True)
class KeyResult:
    truth: Truth
    uncertain: str | None = None  # why, when truth is None
    unknown: bool = False  # uncertain only because the key's value is not known here (the caller may know)


_FORMATS = {
    NUMERIC: "an integer or decimal number",
    DATE: "a W3C ISO 8601 date or epoch seconds",
    BOOL: "true or false",
    IP: "an IP address or CIDR range",
    BINARY: "base64",
}


def _typed(operator: Operator, request: str, value: str, notes: list[str]) -> Truth:
    comparison = operator.positive[len(operator.family) :] or "Equals"
    if operator.family == NUMERIC:
        answer = operands.compare_numbers(request, value, comparison)
    elif operator.family == DATE:
        answer = operands.compare_dates(request, value, comparison)
    elif operator.family == BOOL:
        answer = operands.compare_booleans(request, value)
    elif operator.family == IP:
        answer = operands.in_network(request, value)
    else:
        answer = operands.binary_equals(request, value)
    if answer is None:
        variable = " (policy variables do not work here: it is literal text)" if "${" in value else ""
        notes.append(
            f"`{value}` or the request's `{request}` is not {_FORMATS[operator.family]}, the only form the "
            f"IAM docs define for {operator.family} operators{variable}"
        )
    return answer


def _match(operator: Operator, request: str, value: Resolved, notes: list[str]) -> Truth:
    """Whether one request value satisfies the positive form of `operator` for one policy value."""
    if value.uncertain:
        notes.append(value.uncertain)
        return None
    if operator.family == STRING:
        if operator.positive == "StringLike":
            answer = matching.string_like(request, value)
        else:
            answer = matching.string_equals(request, value, operator.positive == "StringEqualsIgnoreCase")
        if answer is None:
            notes.append(
                f"`{value.written}` puts in a value holding `*` or `?`: the docs do not say it is a wildcard"
            )
        return answer
    if operator.family == ARN:
        answer = matching.arn_like(request, value)
        if answer is None:
            notes.append(
                f"`{request}` or `{value.written}` has not the six parts the IAM docs match ARN operators by"
            )
        return answer
    return _typed(operator, request, value.text, notes)


def _null(operator: Operator, values: Sequence[str], found: ContextValue | None) -> KeyResult:
    if operator.if_exists or operator.set_operator:
        return KeyResult(None, "the IAM docs define Null without IfExists or a set operator")
    if found is not None and found.present is None:
        return KeyResult(None, "IAM may or may not set this key")
    missing = found is None or found.present is False or (found.values is not None and not found.values)
    # `Null: true` asks for the key to be absent, `false` for it to be present; values are OR-ed.
    wanted = [operands.boolean(value) for value in values]
    truth = any3(None if item is None else item == missing for item in wanted)
    why = "Null takes true (the key is absent) or false (present), nothing else" if truth is None else None
    return KeyResult(truth, why)


def evaluate_key(
    operator: Operator,
    values: Sequence[str],
    found: ContextValue | None,
    resolve: Callable[[str], Resolved] = literal,
) -> KeyResult:
    """One operator on one key. `found` is the key's entry in the request context, None when absent;
    `resolve` substitutes the policy variables of string and ARN values (identity when they are off)."""
    if operator.base == NULL:
        return _null(operator, values, found)
    if found is None or found.present is False or (found.values is not None and not found.values):
        return KeyResult(
            operator.if_exists
            or operator.set_operator == "ForAllValues"
            or (operator.negated and operator.set_operator is None)
        )
    if found.present is None:
        return KeyResult(None, f"IAM may or may not set this key ({found.source})", unknown=True)
    if operator.family not in found.families:
        families = " and ".join(sorted(found.families))
        return KeyResult(
            None,
            f"the IAM docs list only {families} operators for this key; {operator.family} is not defined",
        )
    if found.values is None:
        return KeyResult(None, f"its value is {found.source}", unknown=True)
    notes: list[str] = []
    if operator.family == BOOL and any("${" in value for value in values) and resolve is not literal:
        why = "the IAM docs disagree on variables in Bool conditions (operators page: yes, variables: no)"
        return KeyResult(None, why)
    resolved = [resolve(value) if operator.family in (STRING, ARN) else literal(value) for value in values]

    def satisfied(item: str) -> Truth:
        matched = any3(_match(operator, item, value, notes) for value in resolved)
        return not3(matched) if operator.negated else matched

    if operator.set_operator == "ForAllValues" or (operator.negated and operator.set_operator is None):
        truth = all3(satisfied(item) for item in found.values)
    else:  # ForAnyValue, or a plain positive operator: some value of the key matches
        truth = any3(satisfied(item) for item in found.values)
    return KeyResult(truth, notes[0] if truth is None and notes else None)

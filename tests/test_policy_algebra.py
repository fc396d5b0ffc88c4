"""Properties of the evaluator's algebra against a small reference written here from the IAM User Guide's
rules ("Condition operators", "Creating a condition with multiple keys or values", "Variables and tags").

The reference is deliberately naive: a recursive wildcard matcher and the documented rules spelled out one by
one. `evaluate` must agree with it on every generated policy and token, end to end.
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from awscli_gitpod.policy.engine import evaluate
from tests.policy_cases import claims, key, policy, statement

FAST = settings(max_examples=300, deadline=None)
LITERAL_STAR = "\x00"  # `${*}` after substitution: a star that is not a wildcard


@functools.cache
def like(pattern: str, text: str) -> bool:
    """StringLike: `*` any run, `?` one character, the whole text, case-sensitive."""
    if not pattern:
        return not text
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        return like(rest, text) or (bool(text) and like(pattern, text[1:]))
    if head == "?":
        return bool(text) and like(rest, text[1:])
    wanted = "*" if head == LITERAL_STAR else head
    return bool(text) and text[0] == wanted and like(rest, text[1:])


def matches(base: str, value: str, item: str) -> bool:
    if base == "StringLike":
        return like(value, item)
    if base == "StringEqualsIgnoreCase":
        return value.casefold() == item.casefold()
    return value == item


def reference(
    base: str, negated: bool, set_operator: str, if_exists: bool, values: list[str], request: Any
) -> bool:
    """One condition, rule by rule."""
    if not request:  # "If the key ... is not present in the request context, the values do not match"
        if if_exists:  # "If the key is not present, evaluate the condition element as true"
            return True
        if set_operator == "ForAllValues:":  # vacuously true for an empty or missing set
            return True
        if set_operator == "ForAnyValue:":
            return False
        return negated  # negated operators are true on a missing key
    hits = [any(matches(base, value, item) for value in values) for item in request]  # OR across values
    if set_operator == "ForAllValues:":  # every request value satisfies it
        return all(hit != negated for hit in hits)
    if set_operator == "ForAnyValue:":  # at least one request value satisfies it
        return any(hit != negated for hit in hits)
    return not any(hits) if negated else any(hits)  # negated: matches none of the values


bases = st.sampled_from(["StringEquals", "StringLike", "StringEqualsIgnoreCase"])
patterns = st.lists(st.text(alphabet="aAb*?", max_size=4), min_size=1, max_size=3)
texts = st.text(alphabet="aAb*", max_size=4)


def negate(base: str) -> str:
    return base.replace("String", "StringNot", 1)


@FAST
@given(
    bases,
    st.booleans(),
    st.sampled_from(["", "ForAnyValue:", "ForAllValues:"]),
    st.booleans(),
    patterns,
    st.none() | st.lists(texts, max_size=3),
)
def test_operators_on_a_multivalued_key(
    base: str, negated: bool, set_operator: str, if_exists: bool, values: list[str], amr: list[str] | None
) -> None:
    operator = set_operator + (negate(base) if negated else base) + ("IfExists" if if_exists else "")
    token = claims(amr=amr) if amr is not None else claims()
    decision = evaluate(policy(statement({operator: {key("amr"): values}})), token)
    assert decision.certain
    assert decision.allowed == reference(base, negated, set_operator, if_exists, values, amr)


@FAST
@given(bases, patterns, st.none() | texts)
def test_negation_is_the_complement_on_a_present_key_and_true_on_a_missing_one(
    base: str, values: list[str], sub: str | None
) -> None:
    positive = evaluate(policy(statement({base: {key("sub"): values}})), claims(sub)).allowed
    negative = evaluate(policy(statement({negate(base): {key("sub"): values}})), claims(sub)).allowed
    if sub is None:
        assert (positive, negative) == (False, True)
    else:
        assert negative == (not positive)


@FAST
@given(bases, st.booleans(), patterns, st.none() | texts)
def test_if_exists_changes_only_the_missing_key(
    base: str, negated: bool, values: list[str], sub: str | None
) -> None:
    operator = negate(base) if negated else base
    plain = evaluate(policy(statement({operator: {key("sub"): values}})), claims(sub)).allowed
    lenient = evaluate(policy(statement({operator + "IfExists": {key("sub"): values}})), claims(sub)).allowed
    assert lenient == (True if sub is None else plain)


@FAST
@given(patterns, st.lists(texts, min_size=1, max_size=3))
def test_set_operators_are_dual(values: list[str], amr: list[str]) -> None:
    """ForAllValues:StringNotLike is true exactly when ForAnyValue:StringLike is false (De Morgan)."""
    for_all_not = evaluate(
        policy(statement({"ForAllValues:StringNotLike": {key("amr"): values}})), claims(amr=amr)
    )
    for_any = evaluate(policy(statement({"ForAnyValue:StringLike": {key("amr"): values}})), claims(amr=amr))
    assert for_all_not.allowed == (not for_any.allowed)


AZP = key("azp")
PIECES = ["a", "b", "*", f"${{{AZP}}}", f"${{{AZP}, 'b'}}", "${*}", "${$}"]


def substitute(pieces: list[str], azp: str | None) -> str | None:
    """The value IAM compares: each variable replaced, None when one has no value ("effectively null")."""
    out = []
    for piece in pieces:
        if piece == f"${{{AZP}}}":
            if azp is None:
                return None
            out.append(azp)
        elif piece == f"${{{AZP}, 'b'}}":
            out.append("b" if azp is None else azp)
        elif piece == "${*}":
            out.append(LITERAL_STAR)
        elif piece == "${$}":
            out.append("$")
        else:
            out.append(piece)
    return "".join(out)


@FAST
@given(
    st.sampled_from(["StringEquals", "StringLike", "StringNotEquals", "StringNotLike"]),
    st.lists(st.lists(st.sampled_from(PIECES), max_size=4), min_size=1, max_size=2),
    st.none() | st.text(alphabet="ab", max_size=2),
    st.text(alphabet="ab*$", max_size=4),
)
def test_variable_substitution(operator: str, values: list[list[str]], azp: str | None, sub: str) -> None:
    written = ["".join(pieces) for pieces in values]
    token = claims(sub, azp=azp) if azp is not None else claims(sub)
    decision = evaluate(policy(statement({operator: {key("sub"): written}})), token)
    resolved = [substitute(pieces, azp) for pieces in values]
    base = operator.replace("Not", "")
    if base == "StringEquals":  # wildcards are literal there; `${*}` is a star either way
        resolved = [None if value is None else value.replace(LITERAL_STAR, "*") for value in resolved]
    hit = any(value is not None and matches(base, value, sub) for value in resolved)
    assert decision.certain
    assert decision.allowed == (not hit if "Not" in operator else hit)


@FAST
@given(bases, patterns, texts)
def test_an_explicit_deny_beats_an_allow(base: str, values: list[str], sub: str) -> None:
    allow = statement({base: {key("sub"): values}})
    deny = statement({base: {key("sub"): values}}, effect="Deny")
    alone = evaluate(policy(allow), claims(sub))
    both = evaluate(policy(allow, deny), claims(sub))
    assert not both.allowed
    assert both.outcome == ("ExplicitDeny" if alone.allowed else "ImplicitDeny")

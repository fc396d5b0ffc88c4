"""Policy variables in trust policies, per the IAM User Guide, "IAM policy elements: Variables and tags"."""

from __future__ import annotations

from typing import Any

import pytest

from awscli_gitpod.policy.decision import ALLOWED, IMPLICIT_DENY, UNCERTAIN
from awscli_gitpod.policy.engine import evaluate
from tests.policy_cases import REPO, claims, key, statement

SUB, AZP = key("sub"), key("azp")


def versioned(condition: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    document: dict[str, Any] = {"Statement": [statement(condition)]}
    if version is not None:
        document["Version"] = version
    return document


# (name, condition, claims, outcome)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    # "When the policy is evaluated, the policy variables are replaced with values that come from the
    # conditional context keys passed in the request."
    ("a key as variable", {"StringEquals": {SUB: f"${{{AZP}}}"}}, claims("x", azp="x"), ALLOWED),
    ("a different value", {"StringEquals": {SUB: f"${{{AZP}}}"}}, claims("x", azp="y"), IMPLICIT_DENY),
    (
        "inside a pattern",
        {"StringLike": {SUB: f"https://github.com/${{{AZP}}}/*"}},
        claims(REPO, azp="gitpod-io"),
        ALLOWED,
    ),
    # "Key names are case-insensitive."
    ("key name case", {"StringEquals": {SUB: f"${{{AZP.upper()}}}"}}, claims("x", azp="x"), ALLOWED),
    # "Policy variables with no value": "the value is effectively null ... StringEquals or StringLike do not
    # match"; "Inverted condition operators like StringNotEquals ... do match against a null value".
    ("no value: positive", {"StringEquals": {SUB: f"${{{AZP}}}"}}, claims("x"), IMPLICIT_DENY),
    ("no value: negated", {"StringNotEquals": {SUB: f"${{{AZP}}}"}}, claims("x"), ALLOWED),
    ("no value among others", {"StringEquals": {SUB: [f"${{{AZP}}}", "x"]}}, claims("x"), ALLOWED),
    ("no value: Like", {"StringLike": {SUB: f"${{{AZP}}}*"}}, claims("x"), IMPLICIT_DENY),
    # "Specifying default values": `${key, 'default'}` when the key has no value.
    ("a default", {"StringEquals": {SUB: f"${{{AZP}, 'x'}}"}}, claims("x"), ALLOWED),
    (
        "a default, key present",
        {"StringEquals": {SUB: f"${{{AZP}, 'x'}}"}},
        claims("x", azp="y"),
        IMPLICIT_DENY,
    ),
    # "Special characters": ${*} ${?} ${$} are those characters, not wildcards.
    ("${*} is a literal star", {"StringLike": {SUB: "a${*}"}}, claims("ab"), IMPLICIT_DENY),
    ("${*} matches a star", {"StringLike": {SUB: "a${*}"}}, claims("a*"), ALLOWED),
    ("${?} and ${$}", {"StringEquals": {SUB: "${?}${$}"}}, claims("?$"), ALLOWED),
    # "You can't use a multivalued condition key as a variable": what IAM then does is not said.
    ("a multivalued key", {"StringEquals": {SUB: f"${{{key('amr')}}}"}}, claims("a", amr=["a"]), UNCERTAIN),
    # A global key works as a variable too ("any single-valued condition key").
    ("a global key", {"StringEquals": {SUB: "${aws:SecureTransport}"}}, claims("true"), ALLOWED),
    # A key whose value only the caller knows: uncertain.
    ("an unknown value", {"StringEquals": {SUB: "${aws:RequestedRegion}"}}, claims("eu-west-1"), UNCERTAIN),
    # Not settled: is a `*` inside a substituted value a wildcard? Only when the readings differ.
    ("a star from the request", {"StringLike": {SUB: f"${{{AZP}}}"}}, claims("abc", azp="a*"), UNCERTAIN),
    ("a star, same either way", {"StringLike": {SUB: f"${{{AZP}}}"}}, claims("a*", azp="a*"), ALLOWED),
    # Only string and ARN operators take variables; Numeric ones read the text literally (not a number).
    ("Numeric takes none", {"NumericEquals": {"aws:EpochTime": "${aws:EpochTime}"}}, claims(), UNCERTAIN),
    # The docs disagree on Bool ("Condition operators": yes; "Variables and tags": no).
    ("Bool is disputed", {"Bool": {"aws:SecureTransport": "${aws:SecureTransport}"}}, claims(), UNCERTAIN),
]


@pytest.mark.parametrize(("name", "condition", "token", "outcome"), CASES, ids=[case[0] for case in CASES])
def test_substituted_under_2012_10_17(
    name: str, condition: dict[str, Any], token: dict[str, Any], outcome: str
) -> None:
    decision = evaluate(versioned(condition), token)
    assert decision.outcome == outcome, decision.explanation


@pytest.mark.parametrize("version", [None, "2008-10-17"])
def test_literal_text_under_an_older_or_no_version(version: str | None) -> None:
    """ "If you don't include the Version element ... variables like ${aws:username} are treated as literal
    strings in the policy." """
    condition = {"StringEquals": {SUB: f"${{{AZP}}}"}}
    assert not evaluate(versioned(condition, version), claims("x", azp="x")).allowed
    assert evaluate(versioned(condition, version), claims(f"${{{AZP}}}")).allowed
    assert evaluate(versioned({"StringLike": {SUB: "a${*}"}}, version), claims("a${b}")).allowed

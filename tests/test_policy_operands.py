"""Non-string operators, type mismatches and value formats: the documented rule where the IAM User Guide has
one ("Condition operators", and each key's "Works with ... operators"), Uncertain where it has none."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from awscli_gitpod.policy import operands
from awscli_gitpod.policy.decision import ALLOWED, IMPLICIT_DENY, UNCERTAIN
from awscli_gitpod.policy.engine import evaluate
from tests.policy_cases import claims, key, policy, statement

NOW = 1893456000  # 2030-01-01T00:00:00Z
TOKEN = claims(exp=NOW * 2)


def outcome(
    condition: dict[str, Any], token: dict[str, Any] = TOKEN, context: dict[str, Any] | None = None
) -> str:
    token = {**token, "exp": NOW * 2}  # never expired at NOW
    return evaluate(policy(statement(condition)), token, now=NOW, context=context).outcome


@pytest.mark.parametrize(
    ("condition", "token", "expected"),
    [
        # "Available keys for AWS web identity federation": aud, sub, amr, azp each "Works with string
        # operators". Other families on them are not defined: uncertain, even when the text looks right.
        ({"NumericEquals": {key("sub"): "1"}}, claims("1"), UNCERTAIN),
        ({"NumericLessThan": {key("sub"): "1"}}, claims("https://github.com/o/r"), UNCERTAIN),
        ({"DateGreaterThan": {key("sub"): "2020-01-01"}}, claims("2021-01-01"), UNCERTAIN),
        ({"Bool": {key("sub"): "true"}}, claims("true"), UNCERTAIN),
        ({"ArnLike": {key("sub"): "arn:aws:iam::*:role/x"}}, claims("arn:aws:iam::1:role/x"), UNCERTAIN),
        ({"IpAddress": {key("sub"): "10.0.0.0/8"}}, claims("10.1.1.1"), UNCERTAIN),
        # The missing-key rule holds for every operator ("If the key ... is not present ... the condition is
        # false"; negated: true; IfExists: true), so a missing claim settles it.
        ({"NumericEquals": {key("azp"): "1"}}, TOKEN, IMPLICIT_DENY),
        ({"NumericNotEquals": {key("azp"): "1"}}, TOKEN, ALLOWED),
        ({"DateLessThanIfExists": {key("azp"): "2020-01-01"}}, TOKEN, ALLOWED),
        # A string operator on a Bool or Date key: aws:SecureTransport "Works with Boolean operators" only.
        ({"StringEquals": {"aws:SecureTransport": "true"}}, TOKEN, UNCERTAIN),
    ],
)
def test_operator_families_per_key(condition: dict[str, Any], token: dict[str, Any], expected: str) -> None:
    assert outcome(condition, token) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # Numeric: "an integer or decimal value".
        ({"NumericLessThan": {"aws:EpochTime": str(NOW + 1)}}, ALLOWED),
        ({"NumericLessThan": {"aws:EpochTime": f"{NOW}.5"}}, ALLOWED),
        ({"NumericGreaterThanEquals": {"aws:EpochTime": NOW}}, ALLOWED),
        ({"NumericEquals": {"aws:EpochTime": f"{NOW}"}}, ALLOWED),
        ({"NumericNotEquals": {"aws:EpochTime": f"{NOW}"}}, IMPLICIT_DENY),
        ({"NumericLessThan": {"aws:EpochTime": "1.9e9"}}, UNCERTAIN),
        ({"NumericLessThan": {"aws:EpochTime": "0x7fffffff"}}, UNCERTAIN),
        ({"NumericLessThan": {"aws:EpochTime": "1_900_000_000"}}, UNCERTAIN),
        ({"NumericLessThan": {"aws:EpochTime": " 1900000000"}}, UNCERTAIN),
        ({"NumericLessThan": {"aws:EpochTime": "Infinity"}}, UNCERTAIN),
        # OR across values: a documented value that matches settles it, whatever the others are.
        ({"NumericLessThan": {"aws:EpochTime": ["1e99", str(NOW + 1)]}}, ALLOWED),
        # Date: "W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time".
        ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:01Z"}}, ALLOWED),
        ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00.5Z"}}, ALLOWED),
        ({"DateEquals": {"aws:CurrentTime": "2030-01-01T00:00Z"}}, ALLOWED),
        ({"DateEquals": {"aws:CurrentTime": "2029-12-31T19:00:00-05:00"}}, ALLOWED),
        ({"DateEquals": {"aws:CurrentTime": "2030-01-01"}}, ALLOWED),
        ({"DateEquals": {"aws:CurrentTime": "2030-01"}}, ALLOWED),
        ({"DateLessThan": {"aws:CurrentTime": str(NOW + 1)}}, ALLOWED),
        ({"DateLessThan": {"aws:CurrentTime": "2030-01-01 00:00:01"}}, UNCERTAIN),
        ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:01"}}, UNCERTAIN),  # no zone designator
        ({"DateLessThan": {"aws:CurrentTime": "2030-13-01"}}, UNCERTAIN),
        ({"DateLessThan": {"aws:CurrentTime": "01/02/2030"}}, UNCERTAIN),
        # Four digits are both a year and epoch seconds: uncertain only when the readings disagree.
        ({"DateGreaterThan": {"aws:CurrentTime": "2000"}}, ALLOWED),
        ({"DateEquals": {"aws:CurrentTime": "2030"}}, UNCERTAIN),
        # Bool: "comparing a key to true or false".
        ({"Bool": {"aws:SecureTransport": "TRUE"}}, ALLOWED),
        ({"Bool": {"aws:SecureTransport": "yes"}}, UNCERTAIN),
        # IpAddress: CIDR, "If you specify an IP address without the associated routing prefix, IAM uses the
        # default prefix value of /32".
        ({"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, ALLOWED),
        ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, IMPLICIT_DENY),
        ({"IpAddress": {"aws:SourceIp": "not-an-address"}}, UNCERTAIN),
    ],
)
def test_value_formats(condition: dict[str, Any], expected: str) -> None:
    assert outcome(condition, context={"aws:SourceIp": "203.0.113.7"}) == expected


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        # ARN operators: "Each of the six colon-delimited components of the ARN is checked separately and each
        # can include multi-character match wildcards (*) or single-character match wildcards (?)."
        ("arn:aws:iam::*:role/deploy", "arn:aws:iam::123456789012:role/deploy", ALLOWED),
        ("arn:aws:iam::123456789012:role/*", "arn:aws:iam::123456789012:role/a/b", ALLOWED),
        # The guide's example: StringLike would match across the colons, ArnLike does not.
        (
            "arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
            IMPLICIT_DENY,
        ),
        ("arn:aws:iam::123456789012:role/?", "arn:aws:iam::123456789012:role/ab", IMPLICIT_DENY),
        # "Case-sensitive matching of the ARN."
        ("arn:aws:iam::123456789012:role/Deploy", "arn:aws:iam::123456789012:role/deploy", IMPLICIT_DENY),
        # Not six parts: the docs define no result.
        ("*", "arn:aws:iam::123456789012:role/deploy", UNCERTAIN),
    ],
)
def test_arn_operators(pattern: str, arn: str, expected: str) -> None:
    condition = {"ArnLike": {"aws:SourceArn": pattern}}
    assert outcome(condition, context={"aws:SourceArn": arn}) == expected
    negated = {ALLOWED: IMPLICIT_DENY, IMPLICIT_DENY: ALLOWED, UNCERTAIN: UNCERTAIN}[expected]
    assert outcome({"ArnNotLike": {"aws:SourceArn": pattern}}, context={"aws:SourceArn": arn}) == negated


def test_instants() -> None:
    assert operands.instants("1970-01-01T00:00:01Z") == [Decimal(1)]
    assert operands.instants("1970-01-01T01:00:00+01:00") == [Decimal(0)]
    assert operands.instants("1970") == [Decimal(0), Decimal(1970)]
    assert operands.instants("1970-01-01T00:00:00+25:00") == []
    assert operands.number("-2.50") == Decimal("-2.5")
    assert operands.number("2.") is None

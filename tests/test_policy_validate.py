"""Policies IAM refuses to store are answered "IAM rejects this policy", whatever else they allow.

Each case cites the IAM User Guide rule it follows ("Grammar of the IAM JSON policy language" and the
"IAM JSON policy elements" pages), with the message IAM answers where it is known.
"""

from __future__ import annotations

from typing import Any

import pytest

from awscli_gitpod.policy.decision import ALLOWED, INVALID
from awscli_gitpod.policy.engine import evaluate
from awscli_gitpod.policy.validate import problems
from tests.policy_cases import ARN, ASSUME, REPO, claims, key, policy, statement

SOUND = statement({"StringEquals": {key("sub"): REPO}})

REFUSED: list[tuple[str, Any, str]] = [
    # NotPrincipal: "You cannot use the NotPrincipal element in ... an IAM role trust policy."
    (
        "NotPrincipal",
        policy(SOUND, statement(NotPrincipal={"Federated": ARN})),
        "NotPrincipal is not allowed",
    ),
    # Grammar notes: "The principal_block element is required in ... trust policies for IAM roles."
    (
        "no Principal",
        policy(SOUND, {"Effect": "Allow", "Action": ASSUME}),
        "Missing required field Principal",
    ),
    # Grammar: principal_block = ("*" | <principal_map>): a plain ARN string is neither.
    ("Principal a plain ARN", policy(SOUND, statement(principal=ARN)), "Principal must be an object"),
    # CreateRole refuses the string "*" in a role trust policy (its own answer, quoted by the AWS CDK).
    ("Principal the string *", policy(SOUND, statement(principal="*")), '"STAR":"*"'),
    # Principal: "You cannot use a wildcard to match part of a principal name or ARN."
    (
        "a wildcard inside a principal ARN",
        policy(SOUND, statement(principal={"AWS": "arn:aws:iam::*:root"})),
        'Invalid principal in policy: "AWS":"arn:aws:iam::*:root"',
    ),
    (
        "an unknown principal type",
        policy(SOUND, statement(principal={"Aws": "*"})),
        'principal in policy: "Aws"',
    ),
    # Condition operators: the operator must be one IAM defines.
    (
        "an unknown operator",
        policy(SOUND, statement({"StringEqualz": {key("sub"): REPO}})),
        "StringEqualz is not an IAM condition operator",
    ),
    # Grammar: <condition_value_list> = [<condition_value>, ...] of strings, numbers, Booleans.
    ("an empty value list", policy(SOUND, statement({"StringEquals": {key("sub"): []}})), "has no values"),
    ("a null value list", policy(SOUND, statement({"StringEquals": {key("sub"): None}})), "has no values"),
    (
        "an object as value",
        policy(SOUND, statement({"StringLike": {key("sub"): {"a": 1}}})),
        "must be strings",
    ),
    # Grammar: <effect_block> = "Effect" : ("Allow" | "Deny"); IAM refuses other letter case in its legacy
    # parser.
    ("an unknown Effect", policy(SOUND, statement(effect="Permit")), "Effect must be Allow or Deny"),
    ("a lower-case Effect", policy(SOUND, statement(effect="allow")), "The policy failed legacy parsing"),
    ("no Effect", policy(SOUND, {"Principal": {"Federated": ARN}, "Action": ASSUME}), "Effect must be"),
    # Action: "Statements must include either an Action or NotAction element."
    (
        "no Action",
        policy(SOUND, {"Effect": "Allow", "Principal": {"Federated": ARN}}),
        "must contain actions",
    ),
    # Grammar notes, action_string: "a service namespace, a colon, and the name of an action. Action names
    # can include wildcards": none in the namespace.
    ("a wildcard in the service prefix", policy(SOUND, statement(action="s?s:*")), "Vendor s?s is not valid"),
    ("no service prefix", policy(SOUND, statement(action="AssumeRole")), "must be prefaced by a vendor"),
    ("two colons", policy(SOUND, statement(action="sts:Assume:Role")), "only one colon"),
    # A trust policy grants only AWS STS actions.
    (
        "a non-STS action",
        policy(SOUND, statement(action="s3:GetObject")),
        "only specify STS AssumeRole actions",
    ),
    # A trust policy is attached to its role: it has no Resource.
    ("a Resource", policy(SOUND, statement(Resource="*")), "Has prohibited field Resource."),
    # Grammar: <version_block> = "Version" : ("2008-10-17" | "2012-10-17").
    ("an unknown Version", {"Version": "2012-10-18", "Statement": [SOUND]}, "Version '2012-10-18'"),
    # Grammar: <statement_block> = "Statement" : [ <statement>, ... ] with at least one statement.
    ("no statements", {"Version": "2012-10-17", "Statement": []}, "at least one statement"),
    ("not a policy", [], "a policy is a JSON object"),
    (
        "an unknown statement element",
        policy(SOUND, statement(Conditions={})),
        "Conditions is not a statement",
    ),
    # Sid: "For IAM policies, basic alphanumeric characters (A-Z,a-z,0-9) are the only allowed characters".
    ("a Sid with a dash", policy(SOUND, statement(Sid="Gitpod-Workspaces")), "must be alpha-numeric"),
    ("two equal Sids", policy(statement(Sid="A"), statement(Sid="A")), "must be unique"),
]


@pytest.mark.parametrize(("name", "document", "fragment"), REFUSED, ids=[case[0] for case in REFUSED])
def test_iam_rejects_the_policy_and_says_why(name: str, document: Any, fragment: str) -> None:
    decision = evaluate(document, claims())
    assert decision.outcome == INVALID
    assert not decision.allowed
    assert decision.reason.startswith("IAM rejects this policy: ")
    assert fragment in decision.reason
    assert decision.problems and decision.smallest_fix


def test_a_valid_allow_elsewhere_does_not_win() -> None:
    """The refusal is of the whole document: IAM never stores it, so no statement of it allows anything."""
    sound = policy(SOUND)
    assert evaluate(sound, claims()).outcome == ALLOWED
    assert (
        evaluate(policy(SOUND, statement(NotPrincipal={"AWS": "*"}, effect="Deny")), claims()).outcome
        == INVALID
    )


@pytest.mark.parametrize(
    "document",
    [
        policy(SOUND),
        {"Statement": SOUND},  # no Version: IAM reads it as 2008-10-17
        {"Version": "2008-10-17", "Id": "x", "Statement": [SOUND]},
        policy(statement({"StringEquals": {key("aud"): 5, key("sub"): [REPO, True]}})),  # quotes optional
        policy(statement(action=["sts:AssumeRole*", "sts:TagSession"])),  # wildcards in the action name
        policy(statement(principal={"AWS": ["123456789012", "arn:aws:iam::123456789012:root", "*"]})),
        policy(statement({"StringEqualz": {}})),  # an unknown operator without keys tests nothing
        policy(statement(principal={"Federated": "arn:aws:iam::${AWS::AccountId}:oidc-provider/x"})),
    ],
)
def test_what_iam_stores(document: Any) -> None:
    assert problems(document) == []


def test_every_reason_is_listed_with_its_place() -> None:
    document = policy(statement(effect="allow", action="s3:*"), statement(NotPrincipal={"Federated": ARN}))
    found = [(problem.path, problem.message) for problem in problems(document)]
    assert (("Statement", 0, "Effect"), "The policy failed legacy parsing") in found
    assert (("Statement", 0, "Action"), "AssumeRole policy may only specify STS AssumeRole actions.") in found
    assert (("Statement", 1, "NotPrincipal"), "NotPrincipal is not allowed in a trust policy") in found
    assert len(evaluate(document, claims()).problems) == 3

"""The request context of an AssumeRoleWithWebIdentity call: the global keys IAM always sets, session tags,
values only the caller knows, the service prefix of actions, and issuers that end in a slash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from awscli_gitpod.cli import main as cli_main
from awscli_gitpod.policy.decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, UNCERTAIN
from awscli_gitpod.policy.document import action_matches
from awscli_gitpod.policy.engine import evaluate
from tests.policy_cases import ASSUME, REPO, claims, key, policy, statement

JAN_2030 = 1893456000  # 2030-01-01T00:00:00Z
LATER = JAN_2030 * 2  # the expiry of a token that outlives every `now` below


def only(condition: dict[str, Any]) -> dict[str, Any]:
    """A sound statement (sub pinned) with `condition` added."""
    merged = {operator: dict(keys) for operator, keys in condition.items()}
    merged.setdefault("StringEquals", {})[key("sub")] = REPO
    return policy(statement(merged))


# (name, condition, now, context, outcome); each global key's rule is from "AWS global condition context
# keys" (its Availability and "Works with" lines) unless said otherwise.
CASES: list[tuple[str, dict[str, Any], float | None, dict[str, Any] | None, str]] = [
    # aws:SecureTransport: "always included in the request context"; clients call STS over HTTPS.
    ("SecureTransport true", {"Bool": {"aws:SecureTransport": "true"}}, None, None, ALLOWED),
    ("SecureTransport false", {"Bool": {"aws:SecureTransport": False}}, None, None, IMPLICIT_DENY),
    # aws:ViaAWSService: always included; false when the principal calls directly.
    ("ViaAWSService false", {"Bool": {"aws:ViaAWSService": "false"}}, None, None, ALLOWED),
    # aws:CurrentTime: always included; date operators ("Date condition operators").
    (
        "before a date",
        {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
        JAN_2030 - 1,
        None,
        ALLOWED,
    ),
    (
        "after a date",
        {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
        JAN_2030,
        None,
        IMPLICIT_DENY,
    ),
    (
        "an offset date",
        {"DateLessThan": {"aws:CurrentTime": "2030-01-01T01:00:00+01:00"}},
        JAN_2030,
        None,
        IMPLICIT_DENY,
    ),
    # aws:EpochTime: always included; "Works with date operators or numeric operators".
    ("EpochTime numeric", {"NumericLessThan": {"aws:EpochTime": JAN_2030}}, JAN_2030 - 1, None, ALLOWED),
    ("EpochTime date", {"DateGreaterThanEquals": {"aws:EpochTime": "2030-01-01"}}, JAN_2030, None, ALLOWED),
    # aws:RequestedRegion: always included, but its value is the caller's: uncertain until given.
    ("region unknown", {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, None, None, UNCERTAIN),
    (
        "region given",
        {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        None,
        {"aws:requestedregion": "eu-west-1"},
        ALLOWED,
    ),
    (
        "another region given",
        {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        None,
        {"aws:RequestedRegion": "us-east-1"},
        IMPLICIT_DENY,
    ),
    # aws:SourceIp: "included in the request context, except when the requester uses a VPC endpoint".
    ("SourceIp may be absent", {"Null": {"aws:SourceIp": "false"}}, None, None, UNCERTAIN),
    (
        "SourceIp given",
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        None,
        {"aws:SourceIp": "203.0.113.7"},
        ALLOWED,
    ),
    ("SourceIp absent", {"Null": {"aws:SourceIp": "true"}}, None, {"aws:SourceIp": None}, ALLOWED),
    # IAM and STS keys: sts:RoleSessionName is "present ... when the principal assumes the role using ... any
    # AWS STS AssumeRole API operation"; the name is the caller's.
    ("session name unknown", {"StringLike": {"sts:RoleSessionName": "ws-*"}}, None, None, UNCERTAIN),
    (
        "session name given",
        {"StringLike": {"sts:RoleSessionName": "ws-*"}},
        None,
        {"sts:RoleSessionName": "ws-1"},
        ALLOWED,
    ),
    # aws:PrincipalArn: "included ... for all signed requests"; this call is unsigned.
    ("no PrincipalArn", {"Null": {"aws:PrincipalArn": "true"}}, None, None, ALLOWED),
    # aws:TokenIssueTime: only "when the principal uses temporary credentials".
    (
        "no TokenIssueTime",
        {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01"}},
        None,
        None,
        IMPLICIT_DENY,
    ),
]


@pytest.mark.parametrize(("name", "condition", "now", "context", "outcome"), CASES, ids=[c[0] for c in CASES])
def test_global_keys(
    name: str, condition: dict[str, Any], now: float | None, context: dict[str, Any] | None, outcome: str
) -> None:
    decision = evaluate(only(condition), claims(exp=LATER), now=now, context=context)
    assert decision.outcome == outcome, decision.explanation
    assert decision.certain == (outcome != UNCERTAIN)


def test_the_current_time_is_the_default() -> None:
    """Without `now`, aws:CurrentTime is the time of the evaluation (and the expiry is not checked)."""
    assert evaluate(only({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}), claims()).allowed
    assert not evaluate(only({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}), claims()).allowed


def test_an_uncertain_deny_makes_the_answer_uncertain() -> None:
    """Evaluation logic: an explicit Deny beats any Allow, so a Deny that may apply leaves the answer open."""
    document = policy(statement(), statement({"StringEquals": {"aws:UserAgent": "curl"}}, effect="Deny"))
    decision = evaluate(document, claims())
    assert decision.outcome == UNCERTAIN and not decision.allowed
    assert "aws:UserAgent" in decision.reason and decision.uncertain
    assert "context={'aws:UserAgent'" in (decision.smallest_fix or "")
    assert evaluate(document, claims(), context={"aws:UserAgent": "curl"}).outcome == EXPLICIT_DENY
    assert evaluate(document, claims(), context={"aws:UserAgent": "botocore"}).outcome == ALLOWED


TAGS: dict[str, Any] = {
    "principal_tags": {"team": ["payments"], "Env": ["dev"]},
    "transitive_tag_keys": ["team"],
}


@pytest.mark.parametrize(
    ("condition", "outcome"),
    [
        # "Passing session tags in AWS STS": each tag becomes aws:RequestTag/<key>; tag keys are not
        # case-sensitive; aws:TagKeys and sts:TransitiveTagKeys are multivalued.
        ({"StringEquals": {"aws:RequestTag/team": "payments"}}, ALLOWED),
        ({"StringEquals": {"aws:RequestTag/env": "dev"}}, ALLOWED),
        ({"StringEquals": {"aws:RequestTag/team": "other"}}, IMPLICIT_DENY),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "Env"]}}, ALLOWED),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, IMPLICIT_DENY),
        ({"ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": "team"}}, ALLOWED),
    ],
)
def test_session_tags_from_the_token(condition: dict[str, Any], outcome: str) -> None:
    document = policy(statement(condition, action=[ASSUME, "sts:TagSession"]))
    decision = evaluate(document, {**claims(), "https://aws.amazon.com/tags": TAGS})
    assert decision.actions == (ASSUME, "sts:TagSession")
    assert decision.outcome == outcome, decision.explanation


def test_source_identity_from_the_token() -> None:
    """sts:SourceIdentity is present once a source identity is set while assuming the role."""
    document = policy(
        statement({"StringEquals": {"sts:SourceIdentity": "alice"}}, action=[ASSUME, "sts:SetSourceIdentity"])
    )
    assert evaluate(document, claims(**{"https://aws.amazon.com/source_identity": "alice"})).allowed
    assert not evaluate(document, claims(**{"https://aws.amazon.com/source_identity": "bob"})).allowed


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        # "Action": the prefix and the action name are case-insensitive; wildcards in the action name.
        ("sts:AssumeRoleWith*", ASSUME, True),
        ("STS:assumerolewithwebidentity", ASSUME, True),
        ("sts:Assume?oleWithWebIdentity", ASSUME, True),
        ("*", ASSUME, True),
        # The service prefix is literal: a wildcard there names no service.
        ("s?s:*", ASSUME, False),
        ("*:AssumeRoleWithWebIdentity", ASSUME, False),
        ("st*:AssumeRoleWithWebIdentity", ASSUME, False),
        ("sts", ASSUME, False),
    ],
)
def test_service_prefixes_are_literal(pattern: str, action: str, matches: bool) -> None:
    assert action_matches(pattern, action) == matches


TRAILING = "issuer.example.com/"  # the provider of iss `https://issuer.example.com/`
TRAILING_ARN = f"arn:aws:iam::123456789012:oidc-provider/{TRAILING}"


def trailing_policy(sub: str = REPO) -> dict[str, Any]:
    condition = {"StringEquals": {f"{TRAILING}:aud": "sts.amazonaws.com", f"{TRAILING}:sub": sub}}
    return policy(statement(condition, principal={"Federated": TRAILING_ARN}))


def test_a_trailing_slash_stays_in_the_provider_and_its_keys() -> None:
    """The provider URL is the token's iss; the ARN and the condition keys are named after it, slash kept."""
    token = claims(iss=f"https://{TRAILING}")
    assert evaluate(trailing_policy(), token).allowed
    assert evaluate(trailing_policy(), token, provider_arn=TRAILING_ARN).allowed
    denied = evaluate(trailing_policy("https://github.com/o/other"), token)
    assert denied.outcome == IMPLICIT_DENY
    assert "rename" not in (denied.smallest_fix or "")
    assert "sub is" in (denied.smallest_fix or "")


def test_policy_check_keeps_the_slash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(trailing_policy()))
    assert cli_main(["policy", "check", str(path), "--sub", REPO, "--iss", f"https://{TRAILING}"]) == 0
    assert cli_main(["policy", "check", str(path), "--sub", REPO]) == 0  # iss from the policy's provider
    assert "rename" not in capsys.readouterr().out

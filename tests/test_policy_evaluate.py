"""`evaluate()` against IAM's rules for AssumeRoleWithWebIdentity: one table of policy x claims -> outcome."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awscli_gitpod.policy.decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, REJECTED
from awscli_gitpod.policy.engine import evaluate
from tests.policy_cases import ARN, ASSUME, ISSUER, REPO, claims, key, pinned, policy, statement

TAGS: dict[str, Any] = {"https://aws.amazon.com/tags": {"principal_tags": {"team": ["a"]}}}
AUD = {"StringEquals": {key("aud"): "sts.amazonaws.com"}}


def cond(operator: str, claim: str, values: Any) -> dict[str, Any]:
    return {operator: {key(claim): values}}


CASES: list[tuple[str, Any, dict[str, Any], str]] = [
    # The vendor guide's two examples.
    ("guide exact: the repo", pinned(REPO), claims(REPO), ALLOWED),
    ("guide exact: a branch URL", pinned(REPO), claims(f"{REPO}/tree/feature"), IMPLICIT_DENY),
    ("guide exact: another repo", pinned(REPO), claims("https://github.com/gitpod-io/other"), IMPLICIT_DENY),
    (
        "guide like: a PR of the org",
        pinned("https://github.com/gitpod-io/*", "StringLike"),
        claims("https://github.com/gitpod-io/website/pull/1"),
        ALLOWED,
    ),
    (
        "guide like: a neighbouring org",
        pinned("https://github.com/gitpod-io/*", "StringLike"),
        claims("https://github.com/gitpod-io-evil/x"),
        IMPLICIT_DENY,
    ),
    # AWS documentation: amr is multivalued (ForAnyValue:StringLike "authenticated", the Cognito example).
    (
        "doc amr ForAnyValue",
        policy(statement({"ForAnyValue:StringLike": {key("amr"): "authenticated"}})),
        claims(amr=["authenticated", "pwd"]),
        ALLOWED,
    ),
    (
        "doc amr ForAnyValue, no amr",
        policy(statement({"ForAnyValue:StringLike": {key("amr"): "authenticated"}})),
        claims(),
        IMPLICIT_DENY,
    ),
    (
        "doc amr ForAllValues, no amr",
        policy(statement({"ForAllValues:StringEquals": {key("amr"): ["a", "b"]}})),
        claims(),
        ALLOWED,
    ),
    (
        "doc amr ForAllValues subset",
        policy(statement({"ForAllValues:StringEquals": {key("amr"): ["a", "b"]}})),
        claims(amr=["a"]),
        ALLOWED,
    ),
    (
        "doc amr ForAllValues extra",
        policy(statement({"ForAllValues:StringEquals": {key("amr"): ["a", "b"]}})),
        claims(amr=["a", "c"]),
        IMPLICIT_DENY,
    ),
    # String operators: case, wildcards, negation.
    (
        "StringEquals is case-sensitive",
        pinned(REPO),
        claims(REPO.replace("gitpod-io", "Gitpod-IO")),
        IMPLICIT_DENY,
    ),
    (
        "StringEqualsIgnoreCase",
        policy(statement(cond("StringEqualsIgnoreCase", "sub", REPO))),
        claims(REPO.upper()),
        ALLOWED,
    ),
    ("StringEquals: * is literal", pinned("https://github.com/gitpod-io/*"), claims(REPO), IMPLICIT_DENY),
    (
        "StringEquals: literal * equal",
        pinned("https://github.com/gitpod-io/*"),
        claims("https://github.com/gitpod-io/*"),
        ALLOWED,
    ),
    ("StringLike: whole string", pinned(REPO, "StringLike"), claims(f"{REPO}/tree/x"), IMPLICIT_DENY),
    (
        "StringLike: case-sensitive",
        pinned("https://github.com/gitpod-io/*", "StringLike"),
        claims("https://github.com/GITPOD-IO/x"),
        IMPLICIT_DENY,
    ),
    ("StringLike: ? is one char", pinned(f"{REPO}/pull/?", "StringLike"), claims(f"{REPO}/pull/7"), ALLOWED),
    (
        "StringLike: ? not two",
        pinned(f"{REPO}/pull/?", "StringLike"),
        claims(f"{REPO}/pull/17"),
        IMPLICIT_DENY,
    ),
    ("StringLike: * crosses /", pinned(f"{REPO}/tree/*", "StringLike"), claims(f"{REPO}/tree/a/b"), ALLOWED),
    (
        "StringNotEquals: other value",
        policy(statement(cond("StringNotEquals", "sub", "https://github.com/evil/x"))),
        claims(REPO),
        ALLOWED,
    ),
    (
        "StringNotEquals: listed value",
        policy(statement(cond("StringNotEquals", "sub", REPO))),
        claims(REPO),
        IMPLICIT_DENY,
    ),
    (
        "StringNotEquals: missing key",
        policy(statement(cond("StringNotEquals", "sub", REPO))),
        claims(None),
        ALLOWED,
    ),
    (
        "StringNotEqualsIgnoreCase",
        policy(statement(cond("StringNotEqualsIgnoreCase", "sub", REPO.upper()))),
        claims(REPO),
        IMPLICIT_DENY,
    ),
    (
        "StringNotLike: no match",
        policy(statement(cond("StringNotLike", "sub", "https://github.com/evil/*"))),
        claims(REPO),
        ALLOWED,
    ),
    (
        "StringNotLike: match",
        policy(statement(cond("StringNotLike", "sub", "https://github.com/gitpod-io/*"))),
        claims(REPO),
        IMPLICIT_DENY,
    ),
    (
        "StringNotLike: none of several",
        policy(statement(cond("StringNotLike", "sub", ["https://a/*", REPO]))),
        claims(REPO),
        IMPLICIT_DENY,
    ),
    # Missing keys, IfExists, Null.
    ("positive on missing key", pinned(REPO), claims(None), IMPLICIT_DENY),
    (
        "IfExists on missing key",
        policy(statement(cond("StringEqualsIfExists", "sub", REPO))),
        claims(None),
        ALLOWED,
    ),
    (
        "IfExists on wrong value",
        policy(statement(cond("StringEqualsIfExists", "sub", REPO))),
        claims("https://x/y/z"),
        IMPLICIT_DENY,
    ),
    (
        "StringLikeIfExists present",
        policy(statement(cond("StringLikeIfExists", "sub", "https://github.com/gitpod-io/*"))),
        claims(REPO),
        ALLOWED,
    ),
    ("Null false, present", policy(statement(cond("Null", "sub", "false"))), claims(REPO), ALLOWED),
    ("Null false, missing", policy(statement(cond("Null", "sub", "false"))), claims(None), IMPLICIT_DENY),
    ("Null true, present", policy(statement(cond("Null", "sub", "true"))), claims(REPO), IMPLICIT_DENY),
    ("Null true, missing", policy(statement(cond("Null", "sub", True))), claims(None), ALLOWED),
    # Multivalued aud.
    ("StringEquals on several auds", policy(statement(AUD)), claims(aud=("x", "sts.amazonaws.com")), ALLOWED),
    ("aud as a string", policy(statement(AUD)), claims(aud="sts.amazonaws.com"), ALLOWED),
    (
        "ForAnyValue aud",
        policy(statement(cond("ForAnyValue:StringEquals", "aud", "sts.amazonaws.com"))),
        claims(aud=("x", "sts.amazonaws.com")),
        ALLOWED,
    ),
    (
        "ForAllValues aud, one foreign",
        policy(statement(cond("ForAllValues:StringEquals", "aud", "sts.amazonaws.com"))),
        claims(aud=("sts.amazonaws.com", "x")),
        IMPLICIT_DENY,
    ),
    (
        "ForAllValues:StringNotEquals clean",
        policy(statement(cond("ForAllValues:StringNotEquals", "aud", "evil"))),
        claims(aud=("a", "b")),
        ALLOWED,
    ),
    (
        "ForAllValues:StringNotEquals hit",
        policy(statement(cond("ForAllValues:StringNotEquals", "aud", "evil"))),
        claims(aud=("a", "evil")),
        IMPLICIT_DENY,
    ),
    (
        "ForAnyValue:StringNotEquals all listed",
        policy(statement(cond("ForAnyValue:StringNotEquals", "aud", "sts.amazonaws.com"))),
        claims(),
        IMPLICIT_DENY,
    ),
    (
        "ForAnyValue:StringNotEquals one other",
        policy(statement(cond("ForAnyValue:StringNotEquals", "aud", "sts.amazonaws.com"))),
        claims(aud=("sts.amazonaws.com", "x")),
        ALLOWED,
    ),
    (
        "ForAnyValueIfExists missing",
        policy(statement(cond("ForAnyValue:StringLikeIfExists", "amr", "x"))),
        claims(),
        ALLOWED,
    ),
    (
        "azp",
        policy(statement(cond("StringEquals", "azp", "sts.amazonaws.com"))),
        claims(azp="sts.amazonaws.com"),
        ALLOWED,
    ),
    ("sub that is a list is no key", pinned(REPO), claims([REPO, "x"]), IMPLICIT_DENY),  # type: ignore[arg-type]
    # OR across values, AND across keys and operators.
    ("OR across values", pinned(["https://a/b", REPO]), claims(REPO), ALLOWED),
    ("AND across keys", pinned(REPO), claims(REPO, aud=("other",)), IMPLICIT_DENY),
    ("AND across operators", pinned("https://x/*", "StringLike"), claims(REPO), IMPLICIT_DENY),
    # Key names.
    (
        "key names are case-insensitive",
        policy(statement({"StringEquals": {key("SUB").upper(): REPO}})),
        claims(REPO),
        ALLOWED,
    ),
    (
        "key prefix of another provider",
        policy(statement({"StringEquals": {"api.gitpod.io/idp:sub": REPO}})),
        claims(REPO),
        IMPLICIT_DENY,
    ),
    (
        "negated key of another provider",
        policy(statement({"StringNotEquals": {"api.gitpod.io/idp:sub": REPO}})),
        claims(REPO),
        ALLOWED,
    ),
    (
        "a claim IAM never passes",
        policy(statement(cond("StringEquals", "repository", f"{REPO}.git"))),
        claims(REPO, repository=f"{REPO}.git"),
        IMPLICIT_DENY,
    ),
    # "AWS global condition context keys": aws:PrincipalArn is "included ... for all signed requests", and
    # AssumeRoleWithWebIdentity is an unsigned call.
    (
        "a global key never present",
        policy(statement({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}})),
        claims(),
        IMPLICIT_DENY,
    ),
    # Actions.
    ("Action sts:*", policy(statement(action="sts:*")), claims(), ALLOWED),
    ("Action *", policy(statement(action="*")), claims(), ALLOWED),
    ("Action sts:AssumeRole*", policy(statement(action="sts:AssumeRole*")), claims(), ALLOWED),
    (
        "Action names ignore case",
        policy(statement(action="STS:assumerolewithwebidentity")),
        claims(),
        ALLOWED,
    ),
    ("Action sts:AssumeRole", policy(statement(action="sts:AssumeRole")), claims(), IMPLICIT_DENY),
    (
        "Action list without it",
        policy(statement(action=["sts:AssumeRole", "sts:TagSession"])),
        claims(),
        IMPLICIT_DENY,
    ),
    ("NotAction leaves it", policy(statement(NotAction="sts:AssumeRole")), claims(), ALLOWED),
    ("NotAction names it", policy(statement(NotAction="sts:AssumeRoleWith*")), claims(), IMPLICIT_DENY),
    ("tags need TagSession", policy(statement()), claims(**TAGS), IMPLICIT_DENY),
    (
        "tags with TagSession",
        policy(statement(action=["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])),
        claims(**TAGS),
        ALLOWED,
    ),
    (
        "source identity needs SetSourceIdentity",
        policy(statement()),
        claims(**{"https://aws.amazon.com/source_identity": "me"}),
        IMPLICIT_DENY,
    ),
    # Principals.
    (
        "Federated list",
        policy(statement(principal={"Federated": ["arn:aws:iam::1:oidc-provider/x", ARN]})),
        claims(),
        ALLOWED,
    ),
    (
        "another provider",
        policy(statement(principal={"Federated": ARN.replace("services.", "api.")})),
        claims(),
        IMPLICIT_DENY,
    ),
    ("Principal AWS *", policy(statement(principal={"AWS": "*"})), claims(), ALLOWED),
    (
        "a service principal",
        policy(statement(principal={"Service": "ec2.amazonaws.com"})),
        claims(),
        IMPLICIT_DENY,
    ),
    # Effects.
    (
        "Deny beats Allow",
        policy(statement(), statement(cond("StringLike", "sub", "https://github.com/*"), effect="Deny")),
        claims(),
        EXPLICIT_DENY,
    ),
    (
        "Deny whose condition fails",
        policy(statement(), statement(cond("StringLike", "sub", "https://x/*"), effect="Deny")),
        claims(),
        ALLOWED,
    ),
    ("Deny alone", policy(statement(effect="Deny")), claims(), EXPLICIT_DENY),
    ("a single statement object", {"Version": "2012-10-17", "Statement": statement()}, claims(), ALLOWED),
    # Before the policy: a token without aud never reaches it.
    ("no aud claim", policy(statement()), {"iss": ISSUER, "sub": REPO}, REJECTED),
]


@pytest.mark.parametrize(("name", "document", "token_claims", "outcome"), CASES, ids=[c[0] for c in CASES])
def test_decides_as_iam_does(name: str, document: Any, token_claims: dict[str, Any], outcome: str) -> None:
    decision = evaluate(document, token_claims)
    assert decision.outcome == outcome, decision.reason
    assert decision.allowed == (outcome == ALLOWED)
    assert (decision.smallest_fix is None) == decision.allowed
    json.dumps(decision.to_dict())  # machine-readable as it is


@pytest.mark.parametrize(
    ("known", "token_claims", "now", "failed"),
    [
        (
            {"https://other.example/idp": ["sts.amazonaws.com"]},
            claims(),
            None,
            "No OpenIDConnect provider found",
        ),
        ({ARN: ["other-client"]}, claims(), None, "Incorrect token audience"),
        ({ISSUER: []}, claims(exp=1000), 1000 + 301, "Token expired"),
        (None, claims(exp=1000), 1000 + 301, "Token expired"),
        (None, claims(), 5.0, "Token expired"),  # no exp at all
    ],
)
def test_sts_rejects_before_the_policy(
    known: dict[str, list[str]] | None, token_claims: dict[str, Any], now: float | None, failed: str
) -> None:
    decision = evaluate(policy(statement()), token_claims, known_providers=known, now=now)
    assert decision.outcome == REJECTED
    assert failed in decision.reason
    assert decision.smallest_fix


@pytest.mark.parametrize(
    ("known", "now"),
    [({ARN: ["sts.amazonaws.com"]}, None), ({ISSUER + "/": []}, None), (None, 1000 + 300)],
)
def test_sts_checks_that_pass(known: dict[str, list[str]] | None, now: float | None) -> None:
    decision = evaluate(policy(statement()), claims(exp=1000), known_providers=known, now=now)
    assert decision.allowed, decision.reason
    assert all(check.ok for check in decision.checks)


def test_the_provider_arn_names_the_account() -> None:
    other_account = ARN.replace("123456789012", "999999999999")
    assert evaluate(policy(statement()), claims(), provider_arn=ARN).allowed
    assert not evaluate(policy(statement()), claims(), provider_arn=other_account).allowed


def test_a_port_in_the_issuer_is_part_of_the_key_prefix() -> None:
    provider = "127.0.0.1:8443/idp"
    arn = f"arn:aws:iam::123456789012:oidc-provider/{provider}"
    document = policy(statement({"StringEquals": {f"{provider}:sub": REPO}}, principal={"Federated": arn}))
    assert evaluate(document, claims(iss=f"http://{provider}"), provider_arn=arn).allowed


@pytest.mark.parametrize(
    ("document", "token_claims", "fragment"),
    [
        (
            pinned(REPO),
            claims(f"{REPO}/tree/x"),
            f"sub is a branch URL {REPO}/tree/x while the policy pins {REPO}: "
            f"add {REPO}/tree/* with StringLike",
        ),
        (pinned(REPO), claims(f"{REPO}/pull/4"), f"add {REPO}/pull/* with StringLike"),
        (
            pinned("https://gitlab.com/g/r"),
            claims("https://gitlab.com/g/r/-/tree/main/"),
            "add https://gitlab.com/g/r/-/tree/* with StringLike",
        ),
        (
            pinned("https://bitbucket.org/o/r"),
            claims("https://bitbucket.org/o/r/pull-requests/2"),
            "add https://bitbucket.org/o/r/pull-requests/*",
        ),
        (pinned(REPO), claims(REPO.upper()), "only in letter case"),
        (pinned("https://github.com/gitpod-io/*"), claims(REPO), "move it under StringLike"),
        (
            pinned(REPO),
            claims("https://github.com/else/x"),
            "sub is https://github.com/else/x, which none of",
        ),
        (pinned(REPO), claims(REPO, aud=("other",)), "mint it with --audience sts.amazonaws.com"),
        (
            policy(statement({"StringEquals": {"api.gitpod.io/idp:sub": REPO}})),
            claims(),
            f"rename the condition key api.gitpod.io/idp:sub to {key('sub')}",
        ),
        (policy(statement(cond("StringEquals", "org_id", "x"))), claims(), "IAM never passes `org_id`"),
        (
            policy(statement({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}})),
            claims(),
            "drop the condition on aws:PrincipalArn: IAM sets no such key in this request",
        ),
        (
            policy(statement(principal={"Federated": ARN.replace("services.", "api.")})),
            claims(),
            "before September 2023",
        ),
        (
            policy(statement(principal={"Federated": "arn:aws:iam::123456789012:oidc-provider/x.example"})),
            claims(),
            f"set Principal.Federated to {ARN}",
        ),
        (
            policy(statement(action="sts:AssumeRole")),
            claims(),
            "add sts:AssumeRoleWithWebIdentity to the Action",
        ),
        (policy(statement()), claims(**TAGS), "add sts:TagSession to the Action"),
        (policy(statement(), statement(effect="Deny")), claims(), "statement 1 is a Deny that matches"),
        (
            policy(statement(cond("StringLike", "sub", "https://x/*"), effect="Deny")),
            claims(),
            f"add an Allow statement for Principal.Federated {ARN} and Action {ASSUME}",
        ),
        (
            policy(statement(cond("StringNotEquals", "sub", REPO))),
            claims(),
            "which StringNotEquals [" + REPO + "] excludes",
        ),
    ],
)
def test_smallest_fix_names_the_change(
    document: dict[str, Any], token_claims: dict[str, Any], fragment: str
) -> None:
    decision = evaluate(document, token_claims)
    assert not decision.allowed
    assert decision.smallest_fix is not None
    assert fragment in decision.smallest_fix


def test_the_closest_statement_is_the_one_explained() -> None:
    document = policy(
        statement(principal={"Service": "ec2.amazonaws.com"}, action="sts:AssumeRole"),
        pinned(REPO)["Statement"][0],
    )
    decision = evaluate(document, claims(f"{REPO}/tree/x"))
    assert decision.smallest_fix is not None and decision.smallest_fix.startswith("in statement 1:")
    failing = [c for c in decision.statements[1].conditions if not c.matched]
    assert [c.key for c in failing] == [key("sub")]
    assert failing[0].request == (f"{REPO}/tree/x",)

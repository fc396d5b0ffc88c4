"""`policy lint` judges every statement that lets someone assume the role, whatever its action, and reports
what IAM would refuse as an error; GP015 speaks only when session tagging is granted without a need shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from awscli_gitpod.policy.generate import Request, trust_policy
from awscli_gitpod.policy.lint import lint_text
from tests.policy_cases import ARN, ASSUME, REPO, policy, statement
from tests.test_policy_validate import REFUSED

CORPUS = Path(__file__).parent / "data" / "policies"
PROVIDER = "gitpod.example.com/idp"  # a dedicated installation: no GP013 to get in the way
PINNED = {"StringEquals": {f"{PROVIDER}:aud": "sts.amazonaws.com", f"{PROVIDER}:sub": REPO}}


def web(condition: dict[str, Any] | None = None, principal: Any = None, **extra: Any) -> dict[str, Any]:
    """A statement for the workspaces of one repository, its conditions replaced by `condition` if given."""
    principal = principal or {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{PROVIDER}"}
    return statement(PINNED if condition is None else condition, principal=principal, **extra)


SOUND = web()
FOREIGN_ROOT = "arn:aws:iam::999999999999:root"


def rules(document: Any, severities: tuple[str, ...] = ("error", "warning")) -> list[str]:
    return sorted(
        f.rule.id
        for f in lint_text("p.json", json.dumps(document, indent=2))
        if f.rule.severity in severities
    )


def aws(
    principal: Any, action: Any = "sts:AssumeRole", condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    return statement(condition, principal={"AWS": principal}, action=action)


# Principal: "We strongly recommend that you do not use a wildcard (*) in the Principal element ... with an
# Allow effect unless you intend to grant public or anonymous access ... especially true for IAM role trust
# policies, because they allow other principals to become a principal in your account."
ANYONE: list[tuple[str, dict[str, Any], str]] = [
    ("AWS * with AssumeRole", policy(SOUND, aws("*")), "GP012"),
    ("AWS * among others", policy(SOUND, aws(["arn:aws:iam::123456789012:root", "*"])), "GP012"),
    ("AWS * through sts:AssumeRole*", policy(SOUND, aws("*", "sts:AssumeRole*")), "GP012"),
    ("AWS * through sts:*", policy(SOUND, aws("*", "sts:*")), "GP012"),
    (
        "AWS * through NotAction",
        policy(SOUND, statement(principal={"AWS": "*"}, NotAction="sts:TagSession")),
        "GP012",
    ),
    ("AWS * through AssumeRoleWithSAML", policy(SOUND, aws("*", "sts:AssumeRoleWithSAML")), "GP012"),
    ("the string *", policy(SOUND, statement(principal="*", action="sts:AssumeRole")), "GP012"),
    # Conditions that hold for anyone do not scope it (negated, IfExists, only wildcards, an external ID).
    (
        "a negated org condition",
        policy(SOUND, aws("*", condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}})),
        "GP012",
    ),
    (
        "an IfExists org condition",
        policy(SOUND, aws("*", condition={"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}})),
        "GP012",
    ),
    (
        "a wildcard org condition",
        policy(SOUND, aws("*", condition={"StringLike": {"aws:PrincipalOrgID": "*"}})),
        "GP012",
    ),
    (
        "an external ID for anyone",
        policy(SOUND, aws("*", condition={"StringEquals": {"sts:ExternalId": "x"}})),
        "GP012",
    ),
    # Any identity provider.
    ("Federated *", policy(web(principal={"Federated": "*"})), "GP012"),
    # Anyone with an account at a public identity provider (IAM User Guide, "Available keys for AWS web
    # identity federation": aud/app_id name your application there).
    ("Google without aud", policy(statement(principal={"Federated": "accounts.google.com"})), "GP019"),
    (
        "Cognito with only amr",
        policy(
            statement(
                {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}},
                principal={"Federated": "cognito-identity.amazonaws.com"},
            )
        ),
        "GP019",
    ),
    ("Login with Amazon", policy(statement(principal={"Federated": "www.amazon.com"})), "GP019"),
    # Another account without a condition that scopes it ("How to use an external ID when granting access
    # to your AWS resources to a third party").
    ("a foreign :root", policy(SOUND, aws(FOREIGN_ROOT)), "GP018"),
    ("a foreign account ID", policy(SOUND, aws("999999999999")), "GP018"),
    (
        "a foreign :root, negated",
        policy(SOUND, aws(FOREIGN_ROOT, condition={"StringNotEquals": {"sts:ExternalId": "x"}})),
        "GP018",
    ),
    # sts:AssumeRole* granted to a web identity.
    ("AssumeRole* to a provider", policy(web(action="sts:AssumeRole*")), "GP011"),
    (
        "AssumeRole to a provider",
        policy(web(action=[ASSUME, "sts:AssumeRole"])),
        "GP011",
    ),
]


@pytest.mark.parametrize(("name", "document", "rule"), ANYONE, ids=[case[0] for case in ANYONE])
def test_every_shape_that_lets_others_assume(name: str, document: dict[str, Any], rule: str) -> None:
    assert rule in rules(document)


SCOPED: list[tuple[str, dict[str, Any]]] = [
    (
        "AWS * in our organization",
        policy(SOUND, aws("*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})),
    ),
    (
        "AWS * for one role ARN",
        policy(SOUND, aws("*", condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::1:role/x"}})),
    ),
    (
        "a foreign :root with an external ID",
        policy(SOUND, aws(FOREIGN_ROOT, condition={"StringEquals": {"sts:ExternalId": "4c1b"}})),
    ),
    ("a foreign named role", policy(SOUND, aws("arn:aws:iam::999999999999:role/deployer"))),
    ("our own :root", policy(SOUND, aws("arn:aws:iam::123456789012:root"))),
    ("an account we cannot tell", policy(aws(FOREIGN_ROOT))),  # no provider shows the role's account
    (
        "a service",
        policy(SOUND, statement(principal={"Service": "ec2.amazonaws.com"}, action="sts:AssumeRole")),
    ),
    (
        "a Deny for anyone",
        policy(
            SOUND, aws("*", condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}}) | {"Effect": "Deny"}
        ),
    ),
    ("only session tags for anyone", policy(SOUND, aws("*", "sts:TagSession"))),
    (
        "Google pinned",
        policy(
            statement(
                {"StringEquals": {"accounts.google.com:aud": "my-client.apps"}},
                principal={"Federated": "accounts.google.com"},
            )
        ),
    ),
]


@pytest.mark.parametrize(("name", "document"), SCOPED, ids=[case[0] for case in SCOPED])
def test_no_false_alarm_when_scoped(name: str, document: dict[str, Any]) -> None:
    assert rules(document) == []


POLICIES = [case for case in REFUSED if isinstance(case[1], dict)]  # a JSON array is no policy file


@pytest.mark.parametrize(("name", "document", "fragment"), POLICIES, ids=[case[0] for case in POLICIES])
def test_a_policy_iam_refuses_is_an_error(name: str, document: Any, fragment: str) -> None:
    findings = [f for f in lint_text("p.json", json.dumps(document, indent=2)) if f.rule.id == "GP016"]
    assert findings and all(f.rule.severity == "error" for f in findings)
    assert any(fragment in f.message for f in findings)


def test_a_refusal_points_at_its_line() -> None:
    text = json.dumps(policy(SOUND, statement(NotPrincipal={"Federated": ARN})), indent=2)
    (finding,) = [f for f in lint_text("p.json", text) if f.rule.id == "GP016"]
    assert '"NotPrincipal"' in text.splitlines()[finding.line - 1]


# --- GP015 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [["sts:*"], "*", ["sts:AssumeRoleWith*", "sts:Tag*"]],
)
def test_gp015_when_a_wildcard_also_grants_tagging(action: Any) -> None:
    assert "GP015" in rules(policy(web(action=action)), ("info",))


def test_gp015_through_notaction() -> None:
    assert "GP015" in rules(policy(web(NotAction="sts:AssumeRole")), ("info",))


@pytest.mark.parametrize(
    "document",
    [
        policy(web(action=[ASSUME, "sts:TagSession"])),  # named: on purpose
        policy(SOUND, web(action="sts:TagSession")),  # its own statement
        policy(
            statement({**PINNED, "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, action="sts:*")
        ),  # the tags are constrained
        policy(SOUND),  # not granted at all: the ordinary case
    ],
)
def test_no_gp015_when_the_need_is_shown_or_nothing_is_granted(document: dict[str, Any]) -> None:
    assert "GP015" not in rules(document, ("info",))


def test_gp015_is_silent_on_ordinary_policies() -> None:
    """Every secure and vendor policy of the corpus, and every policy `generate` writes."""
    texts = [
        (path.name, path.read_text())
        for folder in ("secure", "vendor")
        for path in sorted((CORPUS / folder).iterdir())
    ]
    for request in (
        Request("123456789012", "https://services.gitpod.io/idp", repo="https://github.com/o/r"),
        Request(
            "123456789012", "https://services.gitpod.io/idp", repo="https://github.com/o/r", branches=["main"]
        ),
        Request("123456789012", "https://app.gitpod.io", ona_org="o", project="p"),
        Request("123456789012", "https://app.gitpod.io", ona_org="o"),
    ):
        texts.append(("generated.json", json.dumps(trust_policy(request), indent=2)))
    hints = [f.text() for name, text in texts for f in lint_text(name, text) if f.rule.id == "GP015"]
    assert len(texts) > 10 and hints == []

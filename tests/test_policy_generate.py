"""`policy generate`: the narrowest sub scope, in every output format, and what it refuses."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from awscli_gitpod.cli import main as cli_main
from awscli_gitpod.policy.generate import Request, trust_policy
from awscli_gitpod.policy.lint import lint_text
from awscli_gitpod.policy.render import render

DEDICATED = "https://gitpod.example.com/idp"
ORG = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"


def sub_condition(policy: dict[str, Any]) -> tuple[str, list[str]]:
    for operator, keys in policy["Statement"][0]["Condition"].items():
        for key, values in keys.items():
            if key.endswith(":sub"):
                return operator, values if isinstance(values, list) else [values]
    raise AssertionError("no sub condition")


@pytest.mark.parametrize(
    ("request_", "operator", "values"),
    [
        (
            Request("123456789012", DEDICATED, repo="https://github.com/o/r.git/"),
            "StringLike",
            ["https://github.com/o/r", "https://github.com/o/r/tree/*", "https://github.com/o/r/pull/*"],
        ),
        (
            Request("123456789012", DEDICATED, repo="https://gitlab.com/g/sub/r"),
            "StringLike",
            [
                "https://gitlab.com/g/sub/r",
                "https://gitlab.com/g/sub/r/-/tree/*",
                "https://gitlab.com/g/sub/r/-/merge_requests/*",
            ],
        ),
        (
            Request("123456789012", DEDICATED, repo="https://bitbucket.org/o/r"),
            "StringLike",
            [
                "https://bitbucket.org/o/r",
                "https://bitbucket.org/o/r/src/*",
                "https://bitbucket.org/o/r/pull-requests/*",
            ],
        ),
        (
            Request(
                "123456789012", DEDICATED, repo="https://git.example.com/o/r", scm="gitlab", branches=["main"]
            ),
            "StringEquals",
            ["https://git.example.com/o/r/-/tree/main", "https://git.example.com/o/r/-/tree/main/"],
        ),
        (
            Request(
                "123456789012", DEDICATED, repo="https://github.com/o/r", branches=["main", "release/1.x"]
            ),
            "StringEquals",
            ["https://github.com/o/r/tree/main", "https://github.com/o/r/tree/release/1.x"],
        ),
        (
            Request("123456789012", "https://app.gitpod.io", ona_org=ORG, project="p1"),
            "StringLike",
            [
                f"org:{ORG}/prj:p1/env:*",
                f"organization_id:{ORG}:project_id:p1",
                f"organization_id:{ORG}:project_id:p1:*",
            ],
        ),
        (
            Request("123456789012", "https://app.gitpod.io", ona_org=ORG),
            "StringLike",
            [
                f"org:{ORG}/prj:*",
                f"org:{ORG}/env:*",
                f"organization_id:{ORG}:project_id:*",
                f"organization_id:{ORG}:environment_id:*",
            ],
        ),
    ],
)
def test_sub_scope(request_: Request, operator: str, values: list[str]) -> None:
    policy = trust_policy(request_)
    statement = policy["Statement"][0]
    provider = request_.issuer.split("://")[1]
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{provider}"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"][f"{provider}:aud"] == "sts.amazonaws.com"
    assert sub_condition(policy) == (operator, values)
    assert not any(value.endswith(("/r*", "r*")) for value in values)  # never a bare prefix


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (Request("12345", DEDICATED, repo="https://github.com/o/r"), "account ID"),
        (
            Request("123456789012", "http://gitpod.example.com/idp", repo="https://github.com/o/r"),
            "issuer URL",
        ),
        (Request("123456789012", DEDICATED, repo="https://github.com/o"), "repository URL"),
        (Request("123456789012", DEDICATED, repo="https://github.com/o/r*"), "plain repository URL"),
        (
            Request("123456789012", DEDICATED, repo="https://github.com/o/r", branches=["feat*"]),
            "branch name",
        ),
        (Request("123456789012", DEDICATED, repo="https://github.com/o/r", branches=["a..b"]), "branch name"),
        (Request("123456789012", DEDICATED), "--repo URL, or --ona-org"),
        (
            Request("123456789012", DEDICATED, repo="https://github.com/o/r", project="p"),
            "--project needs --ona-org",
        ),
        (Request("123456789012", "https://app.gitpod.io", ona_org="org/x"), "Ona organization ID"),
        (Request("123456789012", "https://app.gitpod.io", repo="https://github.com/o/r"), "use --ona-org"),
    ],
)
def test_refuses(request_: Request, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        trust_policy(request_)


POLICY = trust_policy(Request("123456789012", DEDICATED, repo="https://github.com/o/r"))


@pytest.mark.parametrize(
    ("output_format", "path"),
    [("json", "p.json"), ("cloudformation", "t.yaml"), ("terraform-json", "main.tf.json")],
)
def test_every_machine_format_lints_clean_and_holds_the_policy(output_format: str, path: str) -> None:
    text = render(POLICY, output_format)
    assert [f.text() for f in lint_text(path, text) if f.rule.severity != "info"] == []
    if output_format == "cloudformation":
        document = yaml.safe_load(text)["Resources"]["GitpodWorkspaceRole"]["Properties"][
            "AssumeRolePolicyDocument"
        ]
        assert document == POLICY
    elif output_format == "json":
        assert json.loads(text) == POLICY


def test_terraform_hcl() -> None:
    text = render(
        trust_policy(Request("123456789012", DEDICATED, repo="https://github.com/o/r", branches=["${x}"])),
        "terraform",
    )
    assert text.startswith('data "aws_iam_policy_document" "gitpod_workspaces" {\n  statement {\n')
    assert '      variable = "gitpod.example.com/idp:sub"\n' in text
    assert '"https://github.com/o/r/tree/$${x}"' in text  # escaped: Terraform would interpolate it
    assert text.count("{") == text.count("}")


def _unsigned_token(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def test_issuer_from_the_workspace_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(
        _unsigned_token(
            {"iss": "https://services.gitpod.example.com/idp", "sub": "x", "aud": ["sts.amazonaws.com"]}
        )
    )
    monkeypatch.setenv("PATH", str(tmp_path))  # no gp, gitpod or ona: the token file is used
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("AWS_GITPOD_DISABLE_PLUGINS", "*")
    assert (
        cli_main(["policy", "generate", "--account", "123456789012", "--repo", "https://github.com/o/r"]) == 0
    )
    policy = json.loads(capsys.readouterr().out)
    arn = policy["Statement"][0]["Principal"]["Federated"]
    assert arn == "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp"


@pytest.mark.parametrize(
    "args",
    [
        ["--account", "1", "--issuer", DEDICATED, "--repo", "https://github.com/o/r"],
        [
            "--account",
            "123456789012",
            "--issuer",
            DEDICATED,
            "--repo",
            "https://github.com/o/r",
            "--ona-org",
            "o",
        ],
        [
            "--account",
            "123456789012",
            "--issuer",
            DEDICATED,
            "--repo",
            "https://github.com/o/r",
            "--format",
            "xml",
        ],
    ],
)
def test_cli_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["policy", "generate", *args]) == 2
    assert capsys.readouterr().err.startswith("aws-gitpod: error: ")


def test_cli_warns_on_a_multi_tenant_installation(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "--account",
        "123456789012",
        "--issuer",
        "https://services.gitpod.io/idp",
        "--repo",
        "https://github.com/o/r",
    ]
    assert cli_main(["policy", "generate", *args]) == 0
    captured = capsys.readouterr()
    assert "GP013" in captured.err
    assert json.loads(captured.out)["Statement"][0]["Principal"]["Federated"].endswith(
        "/services.gitpod.io/idp"
    )


# Ona V3: "Organizations can append fields" to `sub` (terraform-provider-ona `custom_claim_fields`:
# creator_email, runner_name, environment_initializers.context_url...), and their values may hold colons.
V3_PROJECT = f"organization_id:{ORG}:project_id:p1"


@pytest.mark.parametrize(
    ("sub", "allowed"),
    [
        (V3_PROJECT, True),
        (f"{V3_PROJECT}:environment_id:e1", True),
        (
            f"{V3_PROJECT}:creator_email:dev@example.com:environment_initializers.context_url:https://github.com/o/r",
            True,
        ),
        (f"organization_id:{ORG}:project_id:p10", False),  # a project whose ID only starts alike
        (f"organization_id:{ORG}:project_id:p1-evil:creator_name:x", False),
        (f"organization_id:{ORG}:project_id:p2:creator_name:x:project_id:p1", False),  # a spelled-out project
        (f"organization_id:{ORG}:environment_id:e1:creator_name:project_id:p1", False),  # no project at all
        ("organization_id:other:project_id:p1", False),
        (f"org:{ORG}/prj:p1/env:e1", True),  # V2 stays covered
        (f"org:{ORG}/prj:p2/env:e1", False),
    ],
)
def test_an_ona_project_policy_survives_appended_sub_fields(sub: str, allowed: bool) -> None:
    from awscli_gitpod.policy.engine import evaluate

    policy = trust_policy(Request("123456789012", "https://app.gitpod.io", ona_org=ORG, project="p1"))
    claims = {"iss": "https://app.gitpod.io", "aud": "sts.amazonaws.com", "sub": sub}
    assert evaluate(policy, claims).allowed == allowed
    assert [f.text() for f in lint_text("p.json", render(policy, "json")) if f.rule.severity != "info"] == []

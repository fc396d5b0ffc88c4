"""`lint-gitpod-yml`: static AWS credentials and static-key logins in .gitpod.yml, Ona automation files and
devcontainer.json, and aws-gitpod in an Ona prebuild that does not say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awscli_gitpod.cli import main as cli_main
from awscli_gitpod.policy.gitpodyml import RULES, lint_text, main

DATA = Path(__file__).parent / "data" / "gitpodyml"
SECRET = "Zq8vR2mTn5LkP0wYx3Bc7Df9GhJ1sA4eU6iO2pQr"  # 40 characters, shaped like a secret key, not one


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "leaky.gitpod.yml",
            [
                "GY001:5:env",
                "GY002:6:env",
                "GY004:7:env",
                "GY003:10:before",
                "GY004:11:before",
                "GY005:13:init",
                "GY001:15:",
            ],
        ),
        ("ona.gitpod.yml", ["GY005:2:prebuild", "GY002:3:command"]),
        ("clean.gitpod.yml", []),
        ("broken.gitpod.yml", ["GY006:3:"]),
        # A secret in a service's command; an undeclared prebuild task; the vendor's login. The declared
        # prebuild task and the postDevcontainerStart one are fine.
        ("ona/automations.yaml", ["GY002:5:service database", "GY007:10:task warm", "GY005:21:task login"]),
        (
            "devcontainer/devcontainer.json",
            [
                "GY001:6:devcontainer containerEnv",
                "GY002:7:devcontainer containerEnv",
                "GY007:9:devcontainer onCreateCommand",
                "GY005:11:devcontainer postStartCommand",
            ],
        ),
        ("devcontainer/broken/devcontainer.json", ["GY006:5:"]),
    ],
)
def test_files(name: str, expected: list[str]) -> None:
    path = DATA / name
    findings = lint_text(str(path), path.read_text())
    assert [f"{f.rule.id}:{f.line}:{f.where.removeprefix('tasks ')}" for f in findings] == expected


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        (f"tasks:\n  - env:\n      aws_secret_key: {SECRET}\n", ["GY002"]),
        (f"tasks:\n  - env:\n      MY_SECRET_ACCESS_KEY: '{SECRET}'\n", ["GY002"]),
        (f"tasks:\n  - env:\n      OTHER_TOKEN: {SECRET}\n", []),  # no AWS secret-key name beside it
        (f"tasks:\n  - env:\n      AWS_SECRET_ACCESS_KEY: {SECRET}x\n", []),  # 41 characters
        (f"notes: AWS_SECRET_ACCESS_KEY={SECRET}\n", []),  # outside the tasks
        ("notes: AKIAJ3MZQXWSPK4B7XYZ\n", ["GY001"]),  # key IDs are reported anywhere
        ("tasks:\n  - init: echo AKIAJ3MZQXWSPK4B7XYZ1\n", []),  # too long to be a key ID
        ("tasks:\n  - init: echo AROAJ3MZQXWSPK4B7XYZ\n", []),  # a role ID is not a secret
        ("tasks:\n  - init: echo AKIAIOSFODNN7EXAMPLE\n", []),
        ("tasks:\n  - command: aws configure set --profile p aws_secret_access_key x\n", ["GY003"]),
        ("tasks:\n  - command: aws configure set profile.p.aws_secret_access_key x\n", ["GY003"]),
        ("tasks:\n  - command: aws configure set aws_access_key_id x\n", []),
        ("tasks:\n  - command: export AWS_SESSION_TOKEN=abc\n", ["GY004"]),
        ("tasks:\n  - env:\n      AWS_SESSION_TOKEN: $FROM_VARIABLE\n", []),
        ("tasks:\n  - init: gp idp login aws --role-arn arn:aws:iam::1:role/x -p dev\n", ["GY005"]),
        ("tasks:\n  - init: ona idp login aws\n", ["GY005"]),
        ("tasks:\n  - init: gp idp token --audience sts.amazonaws.com\n", []),
        ("tasks: 3\n", []),
        ("- just\n- a list\n", []),
        ("", []),
    ],
)
def test_patterns(text: str, rules: list[str]) -> None:
    assert [f.rule.id for f in lint_text(".gitpod.yml", text)] == rules


def test_the_login_suggestion_keeps_the_flags() -> None:
    (finding,) = lint_text(".gitpod.yml", "tasks:\n  - init: gp idp login aws --role-arn R -p dev -d 900\n")
    assert "use `aws-gitpod login --role-arn R -p dev -d 900` (same flags)" in finding.message
    (json_line,) = lint_text(
        "devcontainer.json", '{"postCreateCommand": "gp idp login aws --role-arn R -p d"}'
    )
    assert "use `aws-gitpod login --role-arn R -p d` (same flags)" in json_line.message


@pytest.mark.parametrize(
    ("command", "triggered_by", "rules"),
    [
        ("aws-gitpod creds --role R", "prebuild", ["GY007"]),
        ("aws gitpod login --role-arn R", "[manual, prebuild]", ["GY007"]),
        ("aws-gitpod secrets get x --output f", "[prebuild]", ["GY007"]),
        ("AWS_GITPOD_PREBUILD=1 aws-gitpod creds", "[prebuild]", []),
        ("aws-gitpod creds --role R", "[postEnvironmentStart]", []),
        ("aws-gitpod-helper creds", "[prebuild]", []),
        ("echo AKIAJ3MZQXWSPK4B7XYZ", "[manual]", ["GY001"]),
    ],
)
def test_ona_automations(command: str, triggered_by: str, rules: list[str]) -> None:
    text = f"tasks:\n  t:\n    command: {command}\n    triggeredBy: {triggered_by}\n"
    assert [f.rule.id for f in lint_text(".ona/automations.yaml", text)] == rules
    assert lint_text(".ona/automations.yaml", "tasks:\n  t: 3\nservices: [1]\n") == []


def test_a_file_with_a_tasks_map_is_read_as_ona_automations_whatever_its_name() -> None:
    text = "tasks:\n  t:\n    command: aws-gitpod creds --role R\n    triggeredBy: [prebuild]\n"
    assert [f.where for f in lint_text("ci/ona-tasks.yml", text)] == ["task t"]


def test_devcontainer_json_is_json_with_comments() -> None:
    text = '{\n  // "x": "AKIAJ3MZQXWSPK4B7XYZ"\n  "u": "http://a//b", /* c */\n}\n'
    (finding,) = lint_text(".devcontainer/devcontainer.json", text)
    assert (finding.rule.id, finding.line) == ("GY001", 2)  # a key ID is reported even in a comment
    assert [f.rule.id for f in lint_text(".devcontainer.json", "[1, 2]")] == ["GY006"]


def test_never_prints_the_secret(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(DATA / "leaky.gitpod.yml"), str(DATA / "ona.gitpod.yml")]) == 1
    out = capsys.readouterr().out
    assert SECRET not in out
    assert "AKIAJ3MZQXWSPK4B7XYZ" not in out


@pytest.mark.parametrize(
    ("name", "code"), [("clean.gitpod.yml", 0), ("leaky.gitpod.yml", 1), ("missing.yml", 2)]
)
def test_exit_codes(name: str, code: int) -> None:
    assert main([str(DATA / name)]) == code
    assert cli_main(["policy", "lint-gitpod-yml", str(DATA / name)]) == code


def test_accepting_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gitpod.yml").write_text("tasks:\n  - init: gp idp login aws --role-arn R\n")
    accept = {
        "accept": [{"rule": "GY005", "path": ".gitpod.yml", "reason": "until aws-gitpod is installed here"}]
    }
    (tmp_path / ".aws-gitpod-lint.json").write_text(json.dumps(accept))
    assert main([".gitpod.yml", "--format", "json"]) == 0
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert finding["accepted"] == "until aws-gitpod is installed here"


def test_rule_table_is_stable() -> None:
    assert {rule.id: rule.name for rule in RULES.values()} == {
        "GY000": "unused-acceptance",
        "GY001": "aws-access-key-id",
        "GY002": "aws-secret-access-key",
        "GY003": "aws-configure-set-secret",
        "GY004": "static-session-token",
        "GY005": "gp-idp-login-aws",
        "GY006": "malformed-gitpod-yml",
        "GY007": "prebuild-writes",
    }

"""`policy check`: a decision with reasons from a token, claims or a sub, as text or JSON."""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from awscli_gitpod.cli import main as cli_main
from tests.policy_cases import ISSUER, REPO, pinned

CORPUS = Path(__file__).parent / "data" / "policies"


def token(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'id-1'})}.{part(claims)}.c2ln"


@pytest.fixture
def policy_file(tmp_path: Path) -> str:
    path = tmp_path / "trust-policy.json"
    path.write_text(json.dumps(pinned(REPO), indent=2))
    return str(path)


def check(*args: str) -> int:
    return cli_main(["policy", "check", *args])


@pytest.mark.parametrize(
    ("args", "code", "fragments"),
    [
        (["--sub", REPO], 0, ["Allowed (Allowed): statement 0 allows sts:AssumeRoleWithWebIdentity"]),
        (
            ["--sub", f"{REPO}/tree/x"],
            1,
            [
                "Denied (ImplicitDeny)",
                "  FAIL StringEquals services.gitpod.io/idp:sub: sub is " + REPO + "/tree/x; StringEquals",
                "  ok   StringEquals services.gitpod.io/idp:aud: aud is sts.amazonaws.com",
                "smallest fix: in statement 0: sub is a branch URL",
            ],
        ),
        (["--sub", REPO, "--aud", "other"], 1, ["mint it with --audience sts.amazonaws.com"]),
        (["--sub", REPO, "--iss", "https://api.gitpod.io/idp"], 1, ["FAIL Principal"]),
        (
            ["--sub", REPO, "--known-provider", "https://other.example"],
            1,
            ["RejectedBeforePolicy", "No OpenIDConnect provider found in your account for " + ISSUER],
        ),
        (["--sub", REPO, "--known-provider", f"{ISSUER}=sts.amazonaws.com"], 0, ["ok   audience"]),
    ],
)
def test_text(
    policy_file: str, args: list[str], code: int, fragments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(policy_file, *args) == code
    out = capsys.readouterr().out
    for fragment in fragments:
        assert fragment in out


def test_json_for_machines(policy_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(policy_file, "--sub", f"{REPO}/pull/2", "--json") == 1
    decision = json.loads(capsys.readouterr().out)
    assert decision["allowed"] is False
    assert decision["outcome"] == "ImplicitDeny"
    assert decision["statements"][0]["applies"] == {"sts:AssumeRoleWithWebIdentity": False}
    failing = [c for c in decision["statements"][0]["conditions"] if not c["matched"]]
    assert [c["key"] for c in failing] == ["services.gitpod.io/idp:sub"]
    assert f"{REPO}/pull/*" in decision["smallest_fix"]


def test_claims_file_in_token_decode_shape(
    policy_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = tmp_path / "claims.json"
    claims.write_text(
        json.dumps(
            {
                "Header": {"alg": "RS256"},
                "Payload": {"iss": ISSUER, "aud": ["sts.amazonaws.com"], "sub": REPO},
            }
        )
    )
    assert check(policy_file, "--claims", str(claims)) == 0


@pytest.mark.parametrize(("lifetime", "code"), [(3600, 0), (-400, 1)])
def test_token_expiry_is_checked(
    policy_file: str,
    lifetime: int,
    code: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    jwt = token(
        {"iss": ISSUER, "aud": ["sts.amazonaws.com"], "sub": REPO, "exp": int(time.time()) + lifetime}
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(jwt + "\n"))  # `--token -`: never on a command line
    assert check(policy_file, "--token", "-") == code
    if code:
        assert "Token expired" in capsys.readouterr().out


def test_every_policy_of_a_template(capsys: pytest.CaptureFixture[str]) -> None:
    template = str(CORPUS / "secure" / "cloudformation.yaml")
    assert check(template, "--sub", "https://github.com/o/r/tree/main") == 1  # the Lambda role denies
    out = capsys.readouterr().out
    assert "Resources.AppRole: Allowed" in out
    assert "Resources.FunctionRole: Denied" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.json", "--sub", "x"], "cannot read"),
        ([str(CORPUS / "insecure" / "not-json.json"), "--sub", "x"], "not-json.json:4: invalid JSON"),
        ([str(CORPUS / "secure" / "terraform.tf.json"), "--token", "not-a-jwt"], "--token: not a JWT"),
    ],
)
def test_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(*args) == 2
    assert message in capsys.readouterr().err


def test_no_policy_in_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.json").write_text('{"name": 1}')
    assert check(str(tmp_path / "x.json"), "--sub", "x") == 2
    assert "holds no trust policy" in capsys.readouterr().err


def test_without_claims_it_checks_this_workspace_token(
    policy_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(
        token({"iss": ISSUER, "aud": ["sts.amazonaws.com"], "sub": f"{REPO}/pull/9", "exp": 2**40})
    )
    monkeypatch.setenv("PATH", str(tmp_path))  # no gp, gitpod or ona: the token file is the source
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("AWS_GITPOD_DISABLE_PLUGINS", "*")
    assert check(policy_file) == 1
    out = capsys.readouterr().out
    assert f"sub={REPO}/pull/9" in out
    assert "ok   expiry" in out

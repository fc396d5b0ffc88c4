"""`aws-gitpod token`: raw, decoded and verified, against the local issuer through the stand-in CLIs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import jwt

from awscli_gitpod import errors
from awscli_gitpod.testing.issuer import Issuer

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace


def test_raw_token_is_one_line_for_pipes(workspace_env: Workspace, issuer: Issuer) -> None:
    result = workspace_env.run("aws-gitpod", "token")
    assert result.returncode == 0, result.stderr
    token = result.stdout.removesuffix("\n")
    assert "\n" not in token
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == issuer.url
    assert claims["aud"] == ["sts.amazonaws.com"]
    assert claims["sub"] == workspace_env.subject


def test_decode_prints_header_and_claims_but_no_signature(workspace_env: Workspace, issuer: Issuer) -> None:
    result = workspace_env.run("aws-gitpod", "token", "--decode", "--audience", "my-aud")
    assert result.returncode == 0, result.stderr
    decoded = json.loads(result.stdout)
    assert list(decoded) == ["Header", "Payload"]
    assert decoded["Header"] == {"alg": "RS256", "kid": issuer.kid}
    assert decoded["Payload"]["aud"] == ["my-aud"]
    assert decoded["Payload"]["workspace_id"] == workspace_env.env["GITPOD_WORKSPACE_ID"]
    assert result.stdout.count(".") < 10  # no compact JWT anywhere


def test_verify_reports_each_check(workspace_env: Workspace) -> None:
    result = workspace_env.run("aws-gitpod", "token", "--verify")
    assert result.returncode == errors.OK, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "token from gp"
    checks = [line.split(":")[0] for line in lines[1:]]
    assert checks == [
        "ok   format",
        "ok   expiry",
        "ok   issued-at",
        "ok   audience",
        "ok   issuer",
        "ok   discovery",
        "ok   jwks",
        "ok   signature",
    ]


def test_verify_names_the_failing_check(workspace_env: Workspace, issuer: Issuer) -> None:
    issuer.set_unavailable(True)
    result = workspace_env.run("aws-gitpod", "token", "--verify")
    assert result.returncode == errors.CHECK_FAILED
    assert "FAIL discovery: " in result.stdout

    issuer.set_unavailable(False)
    token_file = workspace_env.home / "token"
    token_file.write_text(issuer.mint(audience="something-else"))
    result = workspace_env.run("aws-gitpod", "token", "--verify", "--token-file", str(token_file))
    assert result.returncode == errors.CHECK_FAILED
    assert "FAIL audience: aud [something-else] lacks sts.amazonaws.com" in result.stdout


def test_verify_catches_a_bad_signature_and_an_expired_token(
    workspace_env: Workspace, issuer: Issuer
) -> None:
    token_file = workspace_env.home / "token"
    token_file.write_text(issuer.mint(sign_with_foreign_key=True))
    result = workspace_env.run("aws-gitpod", "token", "--verify", "--token-file", str(token_file))
    assert result.returncode == errors.CHECK_FAILED
    assert "FAIL signature: does not verify" in result.stdout

    token_file.write_text(issuer.mint(lifetime=-3600))
    result = workspace_env.run("aws-gitpod", "token", "--verify", "--token-file", str(token_file))
    assert result.returncode == errors.CHECK_FAILED
    assert "FAIL expiry: expired" in result.stdout
    assert "ok   signature" in result.stdout


def test_verify_with_decode_keeps_stdout_json(workspace_env: Workspace) -> None:
    result = workspace_env.run("aws-gitpod", "token", "--decode", "--verify")
    assert result.returncode == 0
    assert json.loads(result.stdout)["Header"]["alg"] == "RS256"
    assert "ok   signature" in result.stderr

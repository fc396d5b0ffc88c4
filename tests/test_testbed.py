"""The test bed itself, through real HTTP and real subprocesses: if it lies, every other test lies."""

from __future__ import annotations

import configparser
import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import boto3
import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from awscli_gitpod.testing.aws import AwsServer, fetch_calls, remote_inject
from awscli_gitpod.testing.issuer import DEFAULT_CONTEXT_URL, Issuer, build_claims
from awscli_gitpod.testing.standins import install_standins

if TYPE_CHECKING:
    # For annotations only: importing the plugin module before pytest loads it as a plugin
    # would keep pytest from rewriting it (PytestAssertRewriteWarning).
    from awscli_gitpod.testing.fixtures import Workspace

JWT_PATTERN = re.compile(r"^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$")
NO_RETRIES = Config(signature_version=UNSIGNED, retries={"mode": "standard", "total_max_attempts": 1})


def sts_client(aws_server: AwsServer, config: Config = NO_RETRIES) -> Any:
    return boto3.client("sts", endpoint_url=aws_server.endpoint_url, region_name="eu-west-1", config=config)


def assume(aws_server: AwsServer, role_arn: str, token: str, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": "gitpodio-myapp-1700000000",
        "WebIdentityToken": token,
        **extra,
    }
    response: dict[str, Any] = sts_client(aws_server).assume_role_with_web_identity(**params)
    return response


def error_code(aws_server: AwsServer, role_arn: str, token: str, **extra: Any) -> str:
    with pytest.raises(ClientError) as raised:
        assume(aws_server, role_arn, token, **extra)
    return str(raised.value.response["Error"]["Code"])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 (local test URL)
        return json.loads(reply.read())


# --- issuer ------------------------------------------------------------------------------------


def test_discovery_and_jwks_verify_a_minted_token(issuer: Issuer) -> None:
    discovery = get_json(issuer.url + "/.well-known/openid-configuration")
    assert discovery["issuer"] == issuer.url
    assert discovery["jwks_uri"] == issuer.url + "/keys"
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]

    token = issuer.mint(audience=["sts.amazonaws.com", "other"], scope="openid")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "kid": issuer.kid}  # no `typ`, like Gitpod
    assert re.fullmatch(r"id-[0-9a-f]{64}", header["kid"])
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="sts.amazonaws.com", issuer=issuer.url)
    assert claims["aud"] == ["sts.amazonaws.com", "other"]
    assert claims["azp"] == "sts.amazonaws.com"
    assert claims["sub"] == claims["context"] == DEFAULT_CONTEXT_URL
    assert claims["repository"] == DEFAULT_CONTEXT_URL + ".git"
    assert claims["scope"] == "openid"
    assert claims["exp"] - claims["iat"] == 3600
    assert issuer.hits("discovery") == 1
    assert issuer.hits("keys") == 1


def test_the_ona_issuer_verifies_through_its_own_jwks_uri(ona_issuer: Issuer) -> None:
    discovery = get_json(ona_issuer.url + "/.well-known/openid-configuration")
    token = ona_issuer.mint(environment_id="e1")
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token, key.key, algorithms=["RS256"], audience="sts.amazonaws.com", issuer=ona_issuer.url
    )
    assert claims["sub"].endswith("/env:e1")
    with pytest.raises(urllib.error.HTTPError):
        get_json(ona_issuer.url + "/keys")  # Classic's path is not Ona's


def test_single_audience_is_still_an_array_and_scope_only_when_asked(issuer: Issuer) -> None:
    claims = jwt.decode(issuer.mint(), options={"verify_signature": False})
    assert claims["aud"] == ["sts.amazonaws.com"]
    assert "scope" not in claims


def test_identity_fields_feed_derived_claims_and_others_replace_claims(issuer: Issuer) -> None:
    token = issuer.mint(context_url="https://github.com/o/r/pull/1", email=None, extra="x", exp=123, now=100)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == claims["context"] == "https://github.com/o/r/pull/1"
    assert claims["repository"] == "https://github.com/o/r.git"
    assert "email" not in claims
    assert claims["extra"] == "x"
    assert (claims["iat"], claims["exp"]) == (100, 123)
    with pytest.raises(ValueError, match="unknown token shape"):
        build_claims("nope", "i")
    with pytest.raises(TypeError, match="workspace_id"):
        issuer.mint(workspace_id=None)


def test_rotation_and_foreign_key_break_verification(issuer: Issuer) -> None:
    old = issuer.mint()
    forged = issuer.mint(sign_with_foreign_key=True)
    assert jwt.get_unverified_header(forged)["kid"] == issuer.kid
    jwks = jwt.PyJWKClient(issuer.url + "/keys", cache_jwk_set=False, cache_keys=False)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            forged,
            jwks.get_signing_key_from_jwt(forged).key,
            algorithms=["RS256"],
            audience="sts.amazonaws.com",
        )
    old_kid = issuer.kid
    new_kid = issuer.rotate_key()
    assert new_kid != old_kid
    assert [key["kid"] for key in get_json(issuer.url + "/keys")["keys"]] == [new_kid]
    with pytest.raises(jwt.PyJWKClientError):
        jwks.get_signing_key_from_jwt(old)


def test_http_mint_endpoint_and_counter(issuer: Issuer) -> None:
    request = urllib.request.Request(  # noqa: S310 (local test URL)
        issuer.token_endpoint,
        data=json.dumps(
            {"shape": "ona-v2", "audience": ["a", "b"], "claims": {"x": 1, "scope": "s"}}
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310 (local test URL)
        token = json.loads(reply.read())["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == ["a", "b"]
    assert (claims["x"], claims["scope"]) == (1, "s")
    assert claims["sub"].startswith("org:")
    assert issuer.minted == 1
    assert issuer.hits("token") == 1


def test_unavailable_issuer_answers_503(issuer: Issuer) -> None:
    issuer.set_unavailable(True)
    with pytest.raises(urllib.error.HTTPError) as raised:
        get_json(issuer.url + "/keys")
    assert raised.value.code == 503


# --- stand-ins ---------------------------------------------------------------------------------


def test_gp_idp_token_prints_a_jwt_with_workspace_claims(workspace_env: Workspace) -> None:
    result = workspace_env.run(
        "gp", "idp", "token", "--audience", "sts.amazonaws.com", "--audience", "b", "--scope", "s3"
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    assert JWT_PATTERN.match(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["workspace_id"] == workspace_env.env["GITPOD_WORKSPACE_ID"]
    assert claims["sub"] == workspace_env.subject
    assert claims["aud"] == ["sts.amazonaws.com", "b"]
    assert claims["scope"] == "s3"
    assert claims["iss"] == workspace_env.issuer_url


def test_log_records_invocations_but_never_tokens(workspace_env: Workspace) -> None:
    token = workspace_env.run("gp", "idp", "token", "--audience", "sts.amazonaws.com").stdout
    workspace_env.run("gp", "idp", "token")
    records = workspace_env.log.records("gp")
    assert [r["argv"] for r in records] == [
        ["idp", "token", "--audience", "sts.amazonaws.com"],
        ["idp", "token"],
    ]
    assert all({"program", "argv", "pid", "time"} <= set(r) for r in records)
    assert token.strip()
    text = workspace_env.log.path.read_text()
    assert token.strip() not in text
    assert "eyJ" not in text


def test_ona_standins_mint_ona_tokens(ona_env: Workspace) -> None:
    assert not (ona_env.bin_dir / "gp").exists()
    assert [name for name in ona_env.env if name.startswith("GITPOD_")] == ["GITPOD_ENVIRONMENT_ID"]
    for program in ("gitpod", "ona"):
        result = ona_env.run(program, "idp", "token", "--audience", "sts.amazonaws.com", "--decode")
        assert result.returncode == 0, result.stderr
        claims = json.loads(result.stdout)["Claims"]
        assert claims["sub"] == ona_env.subject
        assert claims["sub"].endswith("/env:" + ona_env.env["GITPOD_ENVIRONMENT_ID"])
        assert claims["iss"] == ona_env.issuer_url


def test_claims_env_and_shape_env(workspace_env: Workspace) -> None:
    env = {
        **workspace_env.env,
        "AWS_GITPOD_TESTBED_CLAIMS": '{"sub": "custom", "email": null}',
        "AWS_GITPOD_TESTBED_SHAPE": "classic",
    }
    result = subprocess.run(
        ["gp", "idp", "token", "--audience", "a", "--decode"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    payload = json.loads(result.stdout)["Payload"]
    assert payload["sub"] == "custom"
    assert "email" not in payload


MALFORMED = "token is malformed: token contains an invalid number of segments\n"


@pytest.mark.parametrize(
    ("program", "mode", "check"),
    [
        ("gp", "fail", lambda r: r.returncode == 1 and r.stderr == MALFORMED and not r.stdout),
        ("ona", "fail", lambda r: r.returncode == 1 and r.stderr.startswith("Error: ") and not r.stdout),
        ("gp", "garbage", lambda r: r.returncode == 1 and r.stderr == MALFORMED),  # gp parses what it gets
        ("ona", "garbage", lambda r: r.returncode == 0 and r.stdout.strip() == "this-is-not-a-jwt"),
        ("gp", "slow=0.3", lambda r: r.returncode == 0 and JWT_PATTERN.match(r.stdout.strip())),
        ("gp", "slow=6", lambda r: r.returncode == 1 and r.stderr == MALFORMED),  # past gp's 5 s deadline
    ],
)
def test_failure_modes(
    standin_bin: Path, workspace_env: Workspace, program: str, mode: str, check: Any
) -> None:
    env = {**workspace_env.env, "AWS_GITPOD_TESTBED_MODE": mode}
    started = time.monotonic()
    result = subprocess.run(
        [str(standin_bin / program), "idp", "token", "--audience", "a"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert check(result), (result.returncode, result.stdout, result.stderr)
    if mode.startswith("slow="):
        assert time.monotonic() - started >= min(5.0, float(mode.partition("=")[2]))


def test_hang_mode_outlives_a_timeout(workspace_env: Workspace) -> None:
    env = {**workspace_env.env, "AWS_GITPOD_TESTBED_MODE": "hang"}
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(
            ["gp", "idp", "token", "--audience", "a"], env=env, capture_output=True, timeout=1, check=False
        )


def test_no_issuer_means_no_supervisor(workspace_env: Workspace) -> None:
    env = {k: v for k, v in workspace_env.env.items() if k != "AWS_GITPOD_TESTBED_ISSUER"}
    result = subprocess.run(["gp", "info"], env=env, capture_output=True, text=True, check=False, timeout=30)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "failed getting workspace info from supervisor: rpc error: code = Unavailable"
    )


def test_install_standins_writes_executables(tmp_path: Any) -> None:
    scripts = install_standins(tmp_path, python="/usr/bin/env python3", names=("gp",))
    assert list(scripts) == ["gp"]
    assert scripts["gp"].read_text().startswith("#!/usr/bin/env python3\n")
    assert scripts["gp"].stat().st_mode & 0o111
    with pytest.raises(ValueError, match="no stand-in"):
        install_standins(tmp_path, names=("aws",))


# --- STS -----------------------------------------------------------------------------------------


def test_assume_role_with_web_identity_succeeds(issuer: Issuer, aws_server: AwsServer, role_arn: str) -> None:
    response = assume(aws_server, role_arn, issuer.mint())
    credentials = response["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert response["SubjectFromWebIdentityToken"] == DEFAULT_CONTEXT_URL
    assert response["Audience"] == "sts.amazonaws.com"
    assert response["Provider"].endswith(":oidc-provider/" + issuer.url.split("://")[1])
    role_name = role_arn.rsplit("/", 1)[1]
    caller = boto3.client(
        "sts",
        endpoint_url=aws_server.endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    ).get_caller_identity()
    assert caller["Arn"] == (f"arn:aws:sts::123456789012:assumed-role/{role_name}/gitpodio-myapp-1700000000")
    assert aws_server.calls("AssumeRoleWithWebIdentity") == 1
    assert aws_server.calls("AssumeRoleWithWebIdentity", service="sts") == 1
    assert aws_server.calls("GetCallerIdentity") == 1
    assert fetch_calls(aws_server.endpoint_url)["sts:AssumeRoleWithWebIdentity"] == 1


TOKENS: dict[str, Callable[[Issuer], str]] = {
    "good": lambda issuer: issuer.mint(),
    "foreign_key": lambda issuer: issuer.mint(sign_with_foreign_key=True),
    "garbage": lambda issuer: "not-a-jwt",
    "expired": lambda issuer: issuer.mint(now=int(time.time()) - 3600 - 301),
    "within_skew": lambda issuer: issuer.mint(now=int(time.time()) - 3600 - 200),
    "unknown_issuer": lambda issuer: issuer.mint(iss="http://127.0.0.1:9/no-provider"),
    "wrong_audience": lambda issuer: issuer.mint(audience=["not-sts"]),
}


@pytest.mark.parametrize(
    ("token_kind", "arn_suffix", "extra", "code", "status", "message"),
    [
        ("foreign_key", "", {}, "InvalidIdentityToken", 400, "signature is invalid"),
        ("garbage", "", {}, "InvalidIdentityToken", 400, "not a valid JWT"),
        ("expired", "", {}, "ExpiredTokenException", 400, "Token expired"),
        ("unknown_issuer", "", {}, "InvalidIdentityToken", 400, "No OpenIDConnect provider found"),
        ("wrong_audience", "", {}, "InvalidIdentityToken", 400, "Incorrect token audience"),
        ("good", "-missing", {}, "AccessDenied", 403, "Not authorized to perform sts:Assume"),
        ("good", "", {"RoleSessionName": "has space"}, "ValidationError", 400, "roleSessionName"),
        ("good", "", {"DurationSeconds": 7200}, "ValidationError", 400, "MaxSessionDuration"),
    ],
)
def test_sts_rejects_like_real_sts(
    issuer: Issuer,
    aws_server: AwsServer,
    role_arn: str,
    token_kind: str,
    arn_suffix: str,
    extra: dict[str, Any],
    code: str,
    status: int,
    message: str,
) -> None:
    with pytest.raises(ClientError) as raised:
        assume(aws_server, role_arn + arn_suffix, TOKENS[token_kind](issuer), **extra)
    assert raised.value.response["Error"]["Code"] == code
    assert message in raised.value.response["Error"]["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert aws_server.calls("AssumeRoleWithWebIdentity") == 1


def test_sts_allows_five_minutes_of_clock_skew(issuer: Issuer, aws_server: AwsServer, role_arn: str) -> None:
    assert assume(aws_server, role_arn, TOKENS["within_skew"](issuer))["Credentials"]


def test_trust_policy_hook_sees_the_policy_and_can_deny(
    issuer: Issuer, aws_server: AwsServer, role_arn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[dict[str, Any], dict[str, Any], str]] = []

    def deny(policy: dict[str, Any], claims: dict[str, Any], provider_arn: str) -> bool:
        seen.append((policy, claims, provider_arn))
        return False

    monkeypatch.setattr(aws_server.middleware, "trust_policy", deny)
    with pytest.raises(ClientError) as raised:
        assume(aws_server, role_arn, issuer.mint())
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    [(policy, claims, provider_arn)] = seen
    statement = policy["Statement"][0]
    assert statement["Principal"]["Federated"] == provider_arn
    provider = provider_arn.split(":oidc-provider/")[1]
    assert statement["Condition"]["StringEquals"][f"{provider}:sub"] == claims["sub"]


def test_unreachable_issuer_is_an_idp_communication_error(
    issuer: Issuer, aws_server: AwsServer, role_arn: str
) -> None:
    token = issuer.mint()
    issuer.set_unavailable(True)
    assert error_code(aws_server, role_arn, token) == "IDPCommunicationError"
    assert issuer.hits("discovery") == 1


def test_injected_faults_surface_as_client_errors(
    issuer: Issuer, aws_server: AwsServer, role_arn: str
) -> None:
    aws_server.inject("AssumeRoleWithWebIdentity", code="IDPRejectedClaim", message="nope")
    with pytest.raises(ClientError) as raised:
        assume(aws_server, role_arn, issuer.mint())
    assert raised.value.response["Error"] == {
        "Type": "Sender",
        "Code": "IDPRejectedClaim",
        "Message": "nope",
    }
    # times=1: the next call goes through
    assert assume(aws_server, role_arn, issuer.mint())["Credentials"]
    aws_server.inject("AssumeRoleWithWebIdentity", status=503, times=None)
    with pytest.raises(ClientError) as unavailable:
        assume(aws_server, role_arn, issuer.mint())
    assert unavailable.value.response["Error"]["Code"] == "ServiceUnavailable"
    assert unavailable.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert aws_server.calls("AssumeRoleWithWebIdentity") == 3


def test_botocore_retries_a_transient_fault(issuer: Issuer, aws_server: AwsServer, role_arn: str) -> None:
    aws_server.inject("AssumeRoleWithWebIdentity", code="IDPCommunicationError", times=1)
    retrying = sts_client(aws_server, Config(signature_version=UNSIGNED))
    response = retrying.assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="retry", WebIdentityToken=issuer.mint()
    )
    assert response["Credentials"]
    assert aws_server.calls("AssumeRoleWithWebIdentity") == 2


def test_delay_and_remote_injection(issuer: Issuer, aws_server: AwsServer, role_arn: str) -> None:
    remote_inject(aws_server.endpoint_url, "AssumeRoleWithWebIdentity", delay=0.5)
    started = time.monotonic()
    assert assume(aws_server, role_arn, issuer.mint())["Credentials"]
    assert time.monotonic() - started >= 0.5


def test_json_protocol_fault_and_reset(aws_server: AwsServer) -> None:
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=aws_server.endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )
    aws_server.inject("GetSecretValue", code="DecryptionFailure", message="kms says no")
    with pytest.raises(ClientError) as raised:
        secrets.get_secret_value(SecretId="any")
    assert raised.value.response["Error"]["Code"] == "DecryptionFailure"
    assert aws_server.calls("GetSecretValue", service="secretsmanager") == 1
    aws_server.inject("GetSecretValue", code="DecryptionFailure")
    aws_server.reset()
    assert aws_server.calls("GetSecretValue") == 0
    with pytest.raises(ClientError) as missing:  # the fault is gone: moto answers
        secrets.get_secret_value(SecretId="any")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- the baseline: `gp idp login aws` with the real AWS CLI v1 ----------------------------------


def read_credentials(workspace: Workspace) -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(workspace.aws_credentials_file)
    return parser


def test_gp_idp_login_aws_writes_static_keys(
    workspace_env: Workspace, aws_server: AwsServer, role_arn: str
) -> None:
    result = workspace_env.run("gp", "idp", "login", "aws", "--role-arn", role_arn, "-p", "ws")
    assert result.returncode == 0, result.stdout + result.stderr
    section = read_credentials(workspace_env)["ws"]
    assert set(section) == {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}
    assert section["aws_access_key_id"].startswith("ASIA")
    assert aws_server.calls("AssumeRoleWithWebIdentity") == 1
    assert workspace_env.log.count("gp") == 1

    caller = workspace_env.run("aws", "sts", "get-caller-identity", "--profile", "ws")
    assert caller.returncode == 0, caller.stderr
    session = json.loads(caller.stdout)["Arn"].rsplit("/", 1)[1]
    assert re.fullmatch(re.escape(workspace_env.env["GITPOD_WORKSPACE_ID"]) + r"-\d{10}", session)


def test_gp_idp_login_aws_reports_sts_errors(
    workspace_env: Workspace, monkeypatch: pytest.MonkeyPatch, role_arn: str
) -> None:
    env = {**workspace_env.env, "IDP_AWS_ROLE_ARN": role_arn + "-missing"}
    result = subprocess.run(
        ["gp", "idp", "login", "aws"], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 1
    assert "AccessDenied" in result.stderr
    assert not workspace_env.aws_credentials_file.exists()


def test_gp_idp_login_aws_breaks_when_output_is_not_json(workspace_env: Workspace, role_arn: str) -> None:
    # The flaw this project fixes: gp parses `aws sts ...` output as JSON whatever the user set.
    env = {**workspace_env.env, "AWS_DEFAULT_OUTPUT": "text"}
    result = subprocess.run(
        ["gp", "idp", "login", "aws", "--role-arn", role_arn],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert re.fullmatch(r"invalid character '.' looking for beginning of value\n", result.stderr)
    assert "ASIA" not in result.stderr  # nor are the credentials echoed back


def test_gitpod_idp_login_aws(ona_env: Workspace, role_arn: str) -> None:
    result = ona_env.run(
        "gitpod", "idp", "login", "aws", "--role-arn", role_arn, "--role-session-name", "ona-session"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert read_credentials(ona_env)["default"]["aws_session_token"]

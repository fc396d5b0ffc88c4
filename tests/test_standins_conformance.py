"""The stand-ins and the test issuer against what the real products print and sign.

Each expected output is written down once, here, from the real products' public source and docs (Gitpod
Classic: gitpod-io/gitpod `components/gitpod-cli/cmd` on cobra 1.8.1 and golang-jwt v5, and
`components/public-api-server` for the IdP; Ona: ona.com's OIDC and AWS guides). A stand-in that drifts from
them fails here, and so does a change to this record, which must then cite its source.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jwt
import pytest

from awscli_gitpod.testing.issuer import DEFAULT_ORG_ID, DEFAULT_PROJECT_ID, DEFAULT_USER_ID, Issuer
from awscli_gitpod.testing.tokenshapes import DEFAULT_RUNNER_ID, Identity, build_claims

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

SUPERVISOR_DOWN = (
    "failed getting workspace info from supervisor: rpc error: code = Unavailable desc = connection error: "
    'desc = "transport: Error while dialing: dial tcp 127.0.0.1:22999: connect: connection refused"\n'
)
# (argv, environment changes, the documented stdout, stderr and exit code). `None` removes a variable;
# `AWS_GITPOD_TESTBED_ISSUER: None` leaves no supervisor to answer, as outside a running workspace.
NO_SUPERVISOR: dict[str, str | None] = {"AWS_GITPOD_TESTBED_ISSUER": None}
GP_DOCUMENTED: list[tuple[list[str], dict[str, str | None], tuple[str, str, int]]] = [
    # idp-token.go: the minting error is overwritten by the parse of the empty token.
    (
        ["idp", "token", "--audience", "sts.amazonaws.com"],
        NO_SUPERVISOR,
        ("", "token is malformed: token contains an invalid number of segments\n", 1),
    ),
    (
        ["idp", "token", "--audience", "sts.amazonaws.com"],
        {"AWS_GITPOD_TESTBED_MODE": "fail"},  # the supervisor answers, the IdP refuses
        ("", "token is malformed: token contains an invalid number of segments\n", 1),
    ),
    (
        ["idp", "token", "--audience", "sts.amazonaws.com", "--decode"],
        {"AWS_GITPOD_TESTBED_MODE": "garbage"},
        ("", "token is malformed: token contains an invalid number of segments\n", 1),
    ),
    # cobra: required flags are checked after gp's PersistentPreRun has silenced the usage.
    (["idp", "token"], {}, ("", 'required flag(s) "audience" not set\n', 1)),
    # idp-login-aws.go, in its order: the role, the duration, then the supervisor.
    (["idp", "login", "aws"], {}, ("", "missing --role-arn or IDP_AWS_ROLE_ARN env var\n", 1)),
    (
        ["idp", "login", "aws", "--role-arn", "arn:aws:iam::123456789012:role/r", "-d", "0"],
        {},
        ("", "invalid --duration-seconds: 0, must be a positive integer\n", 1),
    ),
    (
        ["idp", "login", "aws", "--duration-seconds=-5"],
        {"IDP_AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/r"},
        ("", "invalid --duration-seconds: -5, must be a positive integer\n", 1),
    ),
    # `--scope` is a persistent flag of `gp idp login`: valid before `aws`.
    (
        ["idp", "login", "--scope", "s", "aws", "--role-arn", "arn:aws:iam::123456789012:role/r", "-d", "0"],
        {},
        ("", "invalid --duration-seconds: 0, must be a positive integer\n", 1),
    ),
    (
        ["idp", "login", "aws", "--role-arn", "arn:aws:iam::123456789012:role/r"],
        NO_SUPERVISOR,
        ("", SUPERVISOR_DOWN, 1),
    ),
    (["info"], NO_SUPERVISOR, ("", SUPERVISOR_DOWN, 1)),
    # root.go prints the bare error of an unknown command (cobra's own output is silenced).
    (["bogus"], {}, ("", 'unknown command "bogus" for "gp"\n', 1)),
]


def run(
    workspace: Workspace, program: str, argv: list[str], changes: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(workspace.env)
    for name, value in (changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [program, *argv], env=env, cwd=workspace.home, capture_output=True, text=True, check=False, timeout=60
    )


@pytest.mark.parametrize(("argv", "changes", "documented"), GP_DOCUMENTED)
def test_gp_prints_what_gp_prints(
    workspace_env: Workspace,
    argv: list[str],
    changes: dict[str, str | None],
    documented: tuple[str, str, int],
) -> None:
    result = run(workspace_env, "gp", argv, changes)
    assert (result.stdout, result.stderr, result.returncode) == documented


def test_gp_flag_errors_print_the_usage_first_and_no_error_prefix(workspace_env: Workspace) -> None:
    unknown = run(workspace_env, "gp", ["idp", "token", "--audience", "a", "--bogus"])
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("Usage:\n  gp idp token [flags]\n\nFlags:\n")
    assert unknown.stderr.endswith("\n\nunknown flag: --bogus\n")
    assert "Error:" not in unknown.stderr
    missing = run(workspace_env, "gp", ["idp", "token", "--audience"])
    assert missing.stderr.endswith("\nflag needs an argument: --audience\n")
    bad_int = run(workspace_env, "gp", ["idp", "login", "aws", "-d", "x"])
    assert bad_int.stderr.startswith("Usage:\n  gp idp login aws [flags]\n")
    assert "Global Flags:\n      --scope string" in bad_int.stderr  # inherited from `gp idp login`
    invalid = (
        'invalid argument "x" for "-d, --duration-seconds" flag: '
        'strconv.ParseInt: parsing "x": invalid syntax'
    )
    assert bad_int.stderr.endswith(f"\n{invalid}\n")


def test_gp_groups_and_help_print_help_on_stdout(workspace_env: Workspace) -> None:
    group = run(workspace_env, "gp", ["idp"])
    assert (group.returncode, group.stderr) == (0, "")
    assert group.stdout.startswith(
        "Interact with Gitpod's OIDC identity provider\n\nUsage:\n  gp idp [command]\n"
    )
    assert "  login       Login to a service for which trust has been established\n" in group.stdout
    helped = run(workspace_env, "gp", ["idp", "token", "--help"])
    assert helped.returncode == 0 and "\nUsage:\n  gp idp token [flags]\n" in helped.stdout


# The claims of every field fixed, so that gp's whole output can be written down.
FIXED_CLASSIC = {
    "iat": 1700000000,
    "exp": 1700003600,
    "auth_time": 1700000000,
    "c_hash": "Yz9j",
    "name": "Zoë <dev> & co",
    "email": "zoe@example.com",
    "workspace_id": "gitpodio-app-x1",
    "context_url": "https://github.com/acme/app/pull/7",
    "organization_id": "",
}
GP_DECODED = """{
  "Header": {
    "alg": "RS256",
    "kid": "KID"
  },
  "Payload": {
    "aud": [
      "sts.amazonaws.com",
      "second"
    ],
    "auth_time": 1700000000,
    "azp": "sts.amazonaws.com",
    "c_hash": "Yz9j",
    "context": "https://github.com/acme/app/pull/7",
    "email": "zoe@example.com",
    "exp": 1700003600,
    "iat": 1700000000,
    "iss": "ISSUER",
    "name": "Zoë \\u003cdev\\u003e \\u0026 co",
    "org_id": "",
    "repository": "https://github.com/acme/app.git",
    "scope": "openid",
    "sub": "https://github.com/acme/app/pull/7",
    "user_id": "USER",
    "workspace_id": "gitpodio-app-x1"
  }
}
"""


def test_gp_decode_is_go_marshal_indent_of_header_and_payload(
    workspace_env: Workspace, issuer: Issuer
) -> None:
    fixed = {**workspace_env.env, "AWS_GITPOD_TESTBED_CLAIMS": json.dumps(FIXED_CLASSIC)}
    fixed.pop("GITPOD_WORKSPACE_CONTEXT_URL")
    fixed.pop("GITPOD_WORKSPACE_ID")
    result = subprocess.run(
        [
            "gp",
            "idp",
            "token",
            "--audience",
            "sts.amazonaws.com",
            "--audience=second",
            "--scope",
            "openid",
            "--decode",
        ],
        env=fixed,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    expected = (
        GP_DECODED.replace("KID", issuer.kid).replace("ISSUER", issuer.url).replace("USER", DEFAULT_USER_ID)
    )
    assert (result.stdout, result.stderr, result.returncode) == (expected, "", 0)


def test_gp_token_is_one_line(workspace_env: Workspace) -> None:
    result = run(workspace_env, "gp", ["idp", "token", "--audience", "sts.amazonaws.com"])
    token = result.stdout.removesuffix("\n")
    assert result.returncode == 0 and token.count(".") == 2 and "\n" not in token


def test_gp_info_answers_in_a_running_workspace(workspace_env: Workspace) -> None:
    result = run(workspace_env, "gp", ["info", "--json"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["workspace_id"] == workspace_env.env["GITPOD_WORKSPACE_ID"]


# ona.com/docs/ona/integrations/aws: `ona idp token --decode --audience sts.amazonaws.com` (a V2 token).
ONA_DECODED = """{
\t"Claims": {
\t\t"aud": "sts.amazonaws.com",
\t\t"exp": 1740517845,
\t\t"iat": 1740514245,
\t\t"iss": "ISSUER",
\t\t"org": "ORG",
\t\t"sub": "org:ORG/prj:PROJECT/env:ENVIRONMENT"
\t},
\t"Header": [
\t\t{
\t\t\t"KeyID": "k0",
\t\t\t"JSONWebKey": null,
\t\t\t"Algorithm": "RS256",
\t\t\t"Nonce": "",
\t\t\t"ExtraHeaders": null
\t\t}
\t]
}
"""


@pytest.mark.parametrize("program", ["ona", "gitpod"])
def test_ona_decode_is_go_joses_claims_and_header_list(
    ona_env: Workspace, ona_issuer: Issuer, program: str
) -> None:
    fixed = {"AWS_GITPOD_TESTBED_CLAIMS": json.dumps({"iat": 1740514245, "exp": 1740517845})}
    result = run(ona_env, program, ["idp", "token", "--decode", "--audience", "sts.amazonaws.com"], fixed)
    expected = (
        ONA_DECODED.replace("ISSUER", ona_issuer.url)
        .replace("ORG", DEFAULT_ORG_ID)
        .replace("PROJECT", DEFAULT_PROJECT_ID)
        .replace("ENVIRONMENT", ona_env.env["GITPOD_ENVIRONMENT_ID"])
    )
    assert (result.stdout, result.stderr, result.returncode) == (expected, "", 0)


def test_ona_mints_as_the_user_after_login_and_as_the_environment_again_after_context_use(
    ona_env: Workspace,
) -> None:
    def subject() -> str:
        result = run(ona_env, "ona", ["idp", "token", "--decode", "--audience", "sts.amazonaws.com"])
        assert result.returncode == 0, result.stderr
        return str(json.loads(result.stdout)["Claims"]["sub"])

    assert subject() == ona_env.subject
    assert run(ona_env, "ona", ["login", "--token", "pat-not-a-real-one"]).returncode == 0
    assert subject() == f"org:{DEFAULT_ORG_ID}/user:{DEFAULT_USER_ID}"
    assert run(ona_env, "gitpod", ["config", "context", "use", "environment"]).returncode == 0
    assert subject() == ona_env.subject


def test_ona_refuses_scope_as_an_unknown_flag(ona_env: Workspace) -> None:
    # Whether the Ona CLI takes --scope is unverified; the product never passes it to the Ona CLI.
    result = run(ona_env, "ona", ["idp", "token", "--audience", "a", "--scope", "s"])
    assert result.returncode == 1 and result.stderr.startswith("Error: unknown flag: --scope\n")


# --- the issuer's token shapes -------------------------------------------------------------------

CLASSIC_CLAIMS = {
    "iss", "sub", "aud", "azp", "iat", "auth_time", "exp", "name", "email", "user_id", "org_id",
    "workspace_id", "context", "repository", "c_hash",
}  # fmt: skip


def header_and_claims(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def test_classic_tokens(issuer: Issuer) -> None:
    header, claims = header_and_claims(issuer.mint("classic"))
    assert header == {"alg": "RS256", "kid": issuer.kid}  # no typ
    assert set(claims) == CLASSIC_CLAIMS  # no email_verified for a user outside an SSO organization
    assert claims["aud"] == ["sts.amazonaws.com"] and claims["azp"] == "sts.amazonaws.com"
    assert claims["exp"] - claims["iat"] == 3600 and claims["auth_time"] == claims["iat"]
    assert claims["sub"] == claims["context"]
    sso = header_and_claims(issuer.mint("classic-sso"))[1]
    assert sso["email_verified"] is True
    scoped = header_and_claims(issuer.mint("classic", audience=["a", "b"], scope="openid"))[1]
    assert (scoped["aud"], scoped["azp"], scoped["scope"]) == (["a", "b"], "a", "openid")
    no_context = header_and_claims(issuer.mint("classic", context_url=None))[1]
    assert no_context["sub"] == no_context["context"] == "no-context" and "repository" not in no_context


def test_classic_keyed_subject() -> None:
    identity = Identity(organization_id="", user_id="u1", context_url="https://gitlab.com/g/s/p/-/tree/main/")
    keyed = build_claims("classic-keyed", "i", identity=identity)
    assert keyed["sub"] == "org_id::user_id:u1:context:https://gitlab.com/g/s/p/-/tree/main/"
    custom = build_claims(
        "classic", "i", identity=identity, sub_keys=["workspace_id", "repository", "email_verified"]
    )
    assert (
        custom["sub"]
        == f"workspace_id:{identity.workspace_id}:repository:https://gitlab.com/g/s/p.git:email_verified:"
    )


def test_classic_kid_is_the_sha256_of_the_modulus_and_the_keys_are_at_iss_keys(issuer: Issuer) -> None:
    assert issuer.jwks_uri == issuer.url + "/keys"
    (key,) = issuer.jwks()["keys"]
    modulus = base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4))
    assert key["kid"] == "id-" + hashlib.sha256(modulus).hexdigest() == issuer.kid
    assert {key["use"], key["alg"], key["kty"]} == {"sig", "RS256", "RSA"}
    discovery = issuer.discovery()
    assert discovery["token_endpoint"] == discovery["userinfo_endpoint"] == issuer.url + "/not-supported"
    assert discovery["jwks_uri"] == issuer.jwks_uri


def test_ona_v2_tokens(ona_issuer: Issuer) -> None:
    header, claims = header_and_claims(ona_issuer.mint("ona-v2", environment_id="e1"))
    assert header == {"alg": "RS256", "kid": "k0"}
    assert set(claims) == {"aud", "exp", "iat", "iss", "org", "sub"}
    assert claims["aud"] == "sts.amazonaws.com"  # a plain string
    assert claims["sub"] == f"org:{DEFAULT_ORG_ID}/prj:{DEFAULT_PROJECT_ID}/env:e1"
    assert ona_issuer.url.count("/") == 2  # https://app.gitpod.io has no path
    outside_project = header_and_claims(ona_issuer.mint("ona-v2", project_id=None, environment_id="e1"))[1]
    assert outside_project["sub"] == f"org:{DEFAULT_ORG_ID}/env:e1"
    user = header_and_claims(ona_issuer.mint("ona-v2-user"))[1]
    assert user["sub"] == f"org:{DEFAULT_ORG_ID}/user:{DEFAULT_USER_ID}"
    runner = header_and_claims(ona_issuer.mint("ona-v2-runner"))[1]
    assert runner["sub"] == f"org:{DEFAULT_ORG_ID}/rnr:{DEFAULT_RUNNER_ID}"
    assert set(user) == set(runner) == set(claims)


def test_ona_v3_tokens() -> None:
    identity = Identity(environment_id="e1", context_url="https://github.com/org/repo")
    claims = build_claims("ona-v3", "https://app.gitpod.io", identity=identity)
    assert claims["aud"] == ["sts.amazonaws.com"]
    assert claims["sub"] == f"organization_id:{DEFAULT_ORG_ID}:project_id:{DEFAULT_PROJECT_ID}"
    assert claims["environment_initializers"] == [
        {
            "git": {"remote_uri": "https://github.com/org/repo.git"},
            "context_url": "https://github.com/org/repo",
        }
    ]
    assert {
        "creator_principal",
        "creator_id",
        "creator_email",
        "creator_name",
        "creator_idp",
        "creator_idp_claims",
    } <= set(claims)
    assert (claims["environment_id"], claims["organization_id"], claims["runner_id"]) == (
        "e1",
        DEFAULT_ORG_ID,
        DEFAULT_RUNNER_ID,
    )
    assert "context_url" not in claims  # only inside the initializers
    extra = build_claims(
        "ona-v3", "i", identity=identity, sub_keys=["creator_email", "environment_initializers.context_url"]
    )
    assert extra["sub"] == (
        f"organization_id:{DEFAULT_ORG_ID}:project_id:{DEFAULT_PROJECT_ID}"
        f":creator_email:{identity.email}:environment_initializers.context_url:https://github.com/org/repo"
    )
    no_project = build_claims("ona-v3", "i", identity=Identity(project_id=None, environment_id="e1"))
    assert no_project["sub"] == f"organization_id:{DEFAULT_ORG_ID}:environment_id:e1"
    assert "project_id" not in no_project


def test_ona_discovery_points_at_its_own_keys(ona_issuer: Issuer) -> None:
    discovery = ona_issuer.discovery()
    assert discovery["issuer"] == ona_issuer.url and discovery["jwks_uri"] == ona_issuer.jwks_uri
    assert ona_issuer.jwks_uri != ona_issuer.url + "/keys"
    assert [key["kid"] for key in ona_issuer.jwks()["keys"]] == ["k0"]

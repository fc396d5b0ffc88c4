"""`aws-gitpod secrets` on SSM Parameter Store (`ssm:`): the real CLI against moto's SSM over HTTP, with the
test bed's fault injection for the errors moto does not produce."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from awscli_gitpod import errors
from awscli_gitpod.testing.aws import AwsServer, admin_client
from awscli_gitpod.testing.sts_checks import ACCOUNT_ID
from tests.test_secrets_e2e import NASTY, RDS, RDS_PASSWORD, Secrets, assert_failed, cli, ok

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

GET = "GetParameter"
BATCH = "GetParameters"
BY_PATH = "GetParametersByPath"


class Parameters:
    """Parameters created for one test, under a unique top level (moto lives for the whole session)."""

    def __init__(self, endpoint_url: str, region: str = "eu-west-1") -> None:
        self.client = admin_client(endpoint_url, "ssm", region)
        self.region = region
        self.root = f"/t{uuid.uuid4().hex[:8]}"

    def put(self, name: str, value: str | dict[str, Any], kind: str = "SecureString") -> str:
        full = f"{self.root}/{name}"
        text = value if isinstance(value, str) else json.dumps(value)
        self.client.put_parameter(Name=full, Value=text, Type=kind, Overwrite=True)
        return full

    def arn(self, full: str) -> str:
        return f"arn:aws:ssm:{self.region}:{ACCOUNT_ID}:parameter{full}"


@pytest.fixture
def parameters(aws_server: AwsServer) -> Parameters:
    return Parameters(aws_server.endpoint_url)


@pytest.fixture
def env(workspace_env: Workspace) -> dict[str, str]:
    """The workspace's environment with moto's dummy keys: the AWS chain, no --role."""
    return dict(workspace_env.env, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")


def exported(env: dict[str, str], *args: str) -> dict[str, str]:
    document: dict[str, str] = json.loads(ok(cli(env, "export", *args, "--format", "json")))
    return document


# --- get ----------------------------------------------------------------------------------------


def test_get_prints_a_parameter_exactly(env: dict[str, str], parameters: Parameters) -> None:
    secure = parameters.put("app/nasty", NASTY)
    plain = parameters.put("app/plain", "no newline", kind="String")
    assert ok(cli(env, "get", f"ssm:{secure}")) == NASTY.encode()  # SecureString, decrypted
    assert ok(cli(env, "get", f"ssm:{plain}")) == b"no newline"
    rds = parameters.put("app/rds", RDS)
    assert ok(cli(env, "get", f"ssm:{rds}", "--key", "password")) == RDS_PASSWORD.encode()


def test_get_a_version_and_a_label(env: dict[str, str], parameters: Parameters) -> None:
    name = parameters.put("rotating", "v1-old")
    parameters.put("rotating", "v2-current")
    parameters.client.label_parameter_version(Name=name, ParameterVersion=1, Labels=["previous"])
    assert ok(cli(env, "get", f"ssm:{name}")) == b"v2-current"
    assert ok(cli(env, "get", f"ssm:{name}:1")) == b"v1-old"
    assert ok(cli(env, "get", f"ssm:{name}:previous")) == b"v1-old"
    lines = assert_failed(cli(env, "get", f"ssm:{name}:9"), errors.SECRETS_FAILED, "no such version or label")
    assert len(lines) == 1


def test_get_a_missing_parameter_is_one_line_naming_it(env: dict[str, str], parameters: Parameters) -> None:
    missing = f"ssm:{parameters.root}/missing"
    lines = assert_failed(cli(env, "get", missing), errors.SECRETS_FAILED)
    assert lines == [
        f"aws-gitpod: error: {missing}: not found in eu-west-1 (ParameterNotFound); check the name (names "
        "are case-sensitive, and hierarchical ones start with /) and --region"
    ]


def test_get_refuses_paths_and_secret_versions(env: dict[str, str], aws_server: AwsServer) -> None:
    assert_failed(cli(env, "get", "ssm:/app/"), errors.USAGE, "reads one parameter by name")
    assert_failed(cli(env, "get", "ssm:"), errors.USAGE, "reads one parameter by name")
    assert_failed(
        cli(env, "get", "ssm:/app/x", "--version-stage", "AWSPREVIOUS"), errors.USAGE, "ssm:/app/x:"
    )
    assert aws_server.all_calls() == {}


# --- export by name -----------------------------------------------------------------------------


def test_export_by_name(env: dict[str, str], parameters: Parameters) -> None:
    password = parameters.put("app/db/password", NASTY)
    rds = parameters.put("app/rds", RDS)
    version = parameters.put("app/api-key", "key-1")
    assert exported(env, f"ssm:{password}", f"PG=ssm:{rds}#host", f"ssm:{version}:1", f"ssm:{rds}#port") == {
        "PASSWORD": NASTY,
        "PG": "db.internal",
        "API_KEY": "key-1",  # the last path segment, without the selector
        "PORT": "5432",
    }
    assert exported(env, f"ssm:{rds}", "--expand-json", "--prefix", "DB_")["DB_PASSWORD"] == RDS_PASSWORD


def test_names_are_read_ten_a_call(
    env: dict[str, str], parameters: Parameters, aws_server: AwsServer
) -> None:
    names = [parameters.put(f"p{index:02d}", f"value-{index}") for index in range(25)]
    aws_server.reset_calls()
    out = exported(env, *(f"ssm:{name}" for name in names))
    assert out == {f"P{index:02d}": f"value-{index}" for index in range(25)}
    assert (aws_server.calls(BATCH), aws_server.calls(GET)) == (3, 0)


def test_a_denied_batch_reads_each_parameter_and_names_the_denied_one(
    env: dict[str, str], parameters: Parameters, aws_server: AwsServer
) -> None:
    names = [parameters.put(f"p{index:02d}", f"value-{index}") for index in range(12)]
    aws_server.reset_calls()
    aws_server.inject(BATCH, code="AccessDeniedException", status=400, times=None)
    assert exported(env, *(f"ssm:{name}" for name in names)) == {
        f"P{index:02d}": f"value-{index}" for index in range(12)
    }
    assert (aws_server.calls(BATCH), aws_server.calls(GET)) == (1, 12), "a denied batch is not tried again"
    aws_server.inject(GET, code="AccessDeniedException", status=400, message="not authorized", times=1)
    lines = assert_failed(cli(env, "export", *(f"ssm:{name}" for name in names[:3])), errors.SECRETS_FAILED)
    assert lines == [
        f"aws-gitpod: error: ssm:{names[0]}: access denied (AccessDeniedException); the credentials need "
        "ssm:GetParameter and ssm:GetParameters on it, and kms:Decrypt on the KMS key of a SecureString; "
        "nothing was exported"
    ]


def test_missing_parameters_in_a_batch_are_each_reported(
    env: dict[str, str], parameters: Parameters, aws_server: AwsServer
) -> None:
    secrets = Secrets(aws_server.endpoint_url)
    good = parameters.put("good", "top-secret")
    secret = secrets.create("token", "top-secret")
    missing = [f"ssm:{parameters.root}/missing-{index}" for index in range(2)]
    aws_server.reset_calls()
    lines = assert_failed(
        cli(env, "export", f"ssm:{good}", missing[0], secret, f"{secrets.prefix}/gone", missing[1]),
        errors.SECRETS_FAILED,
    )
    assert [line.split(": ")[2] for line in lines] == [
        missing[0],
        f"{secrets.prefix}/gone",
        missing[1],
        "3 secrets could not be used; nothing was exported",
    ]
    assert (aws_server.calls(BATCH), aws_server.calls(GET)) == (1, 0)


def test_an_arn_is_read_in_its_own_region(env: dict[str, str], aws_server: AwsServer) -> None:
    elsewhere = Parameters(aws_server.endpoint_url, region="us-west-2")
    name = elsewhere.put("app/token", "top-secret")
    assert ok(cli(env, "get", f"ssm:{elsewhere.arn(name)}")) == b"top-secret"
    assert exported(env, f"ssm:{elsewhere.arn(name)}") == {"TOKEN": "top-secret"}
    assert_failed(cli(env, "get", f"ssm:{name}"), errors.SECRETS_FAILED, "not found in eu-west-1")


# --- export by path -----------------------------------------------------------------------------


def test_a_path_is_every_parameter_below_it_named_by_its_relative_path(
    env: dict[str, str], parameters: Parameters
) -> None:
    parameters.put("app/db/password", RDS_PASSWORD)
    parameters.put("app/db/host", "db.internal", kind="String")
    parameters.put("app/feature.flags/new-ui", "on", kind="String")
    parameters.put("app/hosts", "a,b", kind="StringList")
    parameters.put("app/1st", "first", kind="String")
    parameters.put("other/ignored", "not under the path")
    path = f"ssm:{parameters.root}/app/"
    expected = {
        "DB_HOST": "db.internal",
        "DB_PASSWORD": RDS_PASSWORD,
        "FEATURE_FLAGS_NEW_UI": "on",
        "HOSTS": "a,b",
        "_1ST": "first",
    }
    assert exported(env, path) == expected
    assert exported(env, path, "--prefix", "APP_")["APP_1ST"] == "first"
    assert exported(env, f"CFG={path}")["CFG_DB_PASSWORD"] == RDS_PASSWORD


def test_a_path_is_read_ten_a_page(
    env: dict[str, str], parameters: Parameters, aws_server: AwsServer
) -> None:
    for index in range(25):
        parameters.put(f"many/level{index % 3}/p{index:02d}", f"value-{index}")
    aws_server.reset_calls()
    out = exported(env, f"ssm:{parameters.root}/many/")
    assert out == {f"LEVEL{index % 3}_P{index:02d}": f"value-{index}" for index in range(25)}
    assert aws_server.calls(BY_PATH) == 3
    assert aws_server.all_calls().keys() == {"ssm:GetParametersByPath"}


def test_path_clashes_name_both_parameters(env: dict[str, str], parameters: Parameters) -> None:
    dashed = parameters.put("app/db-password", "top-secret")
    nested = parameters.put("app/db/password", "top-secret")
    lines = assert_failed(
        cli(env, "export", f"ssm:{parameters.root}/app/"),
        errors.USAGE,
        f"DB_PASSWORD would come from both ssm:{dashed} and ssm:{nested}",
    )
    assert len(lines) == 1


def test_a_path_with_json_values_expands_under_each_name(env: dict[str, str], parameters: Parameters) -> None:
    parameters.put("svc/db", RDS)
    assert exported(env, f"ssm:{parameters.root}/svc/", "--expand-json")["DB_PASSWORD"] == RDS_PASSWORD


def test_an_empty_path_is_an_error(env: dict[str, str], parameters: Parameters) -> None:
    assert_failed(
        cli(env, "export", f"ssm:{parameters.root}/nothing/"), errors.SECRETS_FAILED, "no parameters under"
    )


def test_bad_parameter_specs_fail_before_any_call(env: dict[str, str], aws_server: AwsServer) -> None:
    assert_failed(cli(env, "export", "ssm:"), errors.USAGE, "no parameter name or path")
    assert_failed(cli(env, "export", "ssm:app/"), errors.USAGE, "starts with '/', e.g. ssm:/app/")
    assert_failed(cli(env, "export", "ssm:/app/#key"), errors.USAGE, "a path ending in '/' is many")
    assert aws_server.all_calls() == {}


def test_an_unhealthy_service_and_rejected_credentials(
    env: dict[str, str], parameters: Parameters, aws_server: AwsServer
) -> None:
    parameters.put("app/x", "top-secret")
    path = f"ssm:{parameters.root}/app/"
    aws_server.inject(BY_PATH, code="InternalServerError", status=500, times=None)
    assert_failed(
        cli(env, "export", path), errors.AWS_UNAVAILABLE, "Parameter Store in eu-west-1 is unavailable"
    )
    aws_server.clear_faults()
    aws_server.inject(BY_PATH, code="UnrecognizedClientException", status=400, times=1)
    assert_failed(cli(env, "export", path), errors.AWS_DENIED, "rejected the credentials")


def test_with_role_the_workspace_token_reads_parameters(
    workspace_env: Workspace, role_arn: str, parameters: Parameters, aws_server: AwsServer
) -> None:
    name = parameters.put("app/token", "top-secret")
    out = ok(cli(workspace_env.env, "export", f"ssm:{name}", "--role", role_arn))
    assert out == b"export TOKEN='top-secret'\n"
    assert aws_server.calls("AssumeRoleWithWebIdentity") == 1


# --- exec ---------------------------------------------------------------------------------------


def test_exec_masks_secure_strings_not_configuration(env: dict[str, str], parameters: Parameters) -> None:
    parameters.put("app/password", "hunter2-but-longer")
    parameters.put("app/region", "eu-central-1", kind="String")
    printer = "import os; print(os.environ['PASSWORD'], os.environ['REGION'])"
    result = cli(env, "exec", "--mask", f"ssm:{parameters.root}/app/", "--", "python", "-c", printer)
    assert (result.returncode, result.stdout) == (0, b"**** eu-central-1\n")

"""`secretspec`, `secretstore.explain` and `parameterstore.explain`: SPEC grammar, variable naming,
per-secret and per-parameter messages."""

from __future__ import annotations

import json

import pytest

from awscli_gitpod import errors
from awscli_gitpod.parameterstore import Parameter, ParameterRequest, relative_name
from awscli_gitpod.parameterstore import explain as explain_parameter
from awscli_gitpod.secretspec import (
    SecretProblem,
    Spec,
    Variable,
    check_collisions,
    name_for_secret,
    parse_spec,
    path_variables,
    variables,
)
from awscli_gitpod.secretstore import explain, region_of

RDS = json.dumps({"username": "admin", "password": "pa'ss", "port": 5432, "ssl": True, "extra": {"a": 1}})


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("prod/db", Spec("prod/db", "prod/db")),
        ("DB=prod/db", Spec("DB=prod/db", "prod/db", name="DB")),
        ("prod/db#password", Spec("prod/db#password", "prod/db", key="password")),
        ("PW=prod/db#pass#word", Spec("PW=prod/db#pass#word", "prod/db", name="PW", key="pass#word")),
        ("X=a=b", Spec("X=a=b", "a=b", name="X")),
        (
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf",
            Spec(
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf",
            ),
        ),
    ],
)
def test_parse_spec(text: str, spec: Spec) -> None:
    assert parse_spec(text) == spec


@pytest.mark.parametrize(
    ("text", "secret_id", "name", "key", "is_path"),
    [
        ("ssm:/app/db/password", "/app/db/password", None, None, False),
        ("PW=ssm:/app/db#password", "/app/db", "PW", "password", False),
        ("ssm:/app/db:3", "/app/db:3", None, None, False),
        ("ssm:flat-name", "flat-name", None, None, False),
        ("ssm:/app/", "/app/", None, None, True),
        ("CFG=ssm:/", "/", "CFG", None, True),
        (
            "ssm:arn:aws:ssm:eu-west-1:123456789012:parameter/app/x",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/app/x",
            None,
            None,
            False,
        ),
    ],
)
def test_parse_parameter_specs(
    text: str, secret_id: str, name: str | None, key: str | None, is_path: bool
) -> None:
    spec = parse_spec(text)
    assert (spec.parameter, spec.secret_id, spec.name, spec.key, spec.is_path) == (
        True,
        secret_id,
        name,
        key,
        is_path,
    )
    assert spec.source == "ssm:" + secret_id


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("prod/x=y", "for a secret whose name contains '=', write NAME=prod/x=y"),
        ("my-db=prod/db", "'my-db' is not a valid variable name"),
        ("DB=", "no secret name or ARN"),
        ("#key", "no secret name or ARN"),
        ("prod/db#", "nothing after '#'"),
    ],
)
def test_bad_specs_are_usage_errors(text: str, fragment: str) -> None:
    with pytest.raises(errors.Failure) as caught:
        parse_spec(text)
    assert caught.value.exit_code == errors.USAGE
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("secret_name", "prefix", "expected"),
    [
        ("prod/db-url", "", "DB_URL"),
        ("api.key", "", "API_KEY"),
        ("team/app/3rd-party", "", "_3RD_PARTY"),
        ("team/app/3rd-party", "APP_", "APP_3RD_PARTY"),
        ("plain", "", "PLAIN"),
        ("trailing/", "", "_"),
    ],
)
def test_names_derived_from_secret_names(secret_name: str, prefix: str, expected: str) -> None:
    assert name_for_secret(secret_name, prefix) == expected


def test_a_plain_secret_is_one_variable_even_when_it_holds_json() -> None:
    assert variables(parse_spec("prod/rds"), "prod/rds", RDS) == [Variable("RDS", RDS, "prod/rds")]
    assert variables(parse_spec("X=prod/rds"), "prod/rds", RDS)[0].name == "X"


def test_expansion_names_keys_and_renders_non_strings_as_json() -> None:
    found = variables(parse_spec("prod/rds"), "prod/rds", RDS, expand_json=True, prefix="DB_")
    assert [(v.name, v.value, v.source) for v in found] == [
        ("DB_USERNAME", "admin", "prod/rds#username"),
        ("DB_PASSWORD", "pa'ss", "prod/rds#password"),
        ("DB_PORT", "5432", "prod/rds#port"),
        ("DB_SSL", "true", "prod/rds#ssl"),
        ("DB_EXTRA", '{"a":1}', "prod/rds#extra"),
    ]
    named = variables(parse_spec("PG=prod/rds"), "prod/rds", RDS, expand_json=True, prefix="IGNORED_")
    assert named[0].name == "PG_USERNAME"


def test_expansion_leaves_secrets_that_are_not_objects_whole() -> None:
    for text in ("not json", "[1, 2]", '"a string"'):
        assert variables(parse_spec("a/b"), "a/b", text, expand_json=True) == [Variable("B", text, "a/b")]


def test_one_key() -> None:
    assert variables(parse_spec("prod/rds#password"), "prod/rds", RDS) == [
        Variable("PASSWORD", "pa'ss", "prod/rds#password")
    ]
    assert variables(parse_spec("PGPORT=prod/rds#port"), "prod/rds", RDS)[0] == Variable(
        "PGPORT", "5432", "prod/rds#port"
    )


def test_problems_name_keys_never_values() -> None:
    with pytest.raises(SecretProblem) as caught:
        variables(parse_spec("prod/rds#nope"), "prod/rds", RDS)
    assert "no key 'nope' (its keys: extra, password, port, ssl, username)" in str(caught.value)
    assert "pa'ss" not in str(caught.value)
    with pytest.raises(SecretProblem, match="not a JSON object") as caught:
        variables(parse_spec("prod/token#x"), "prod/token", "tok-123456")
    assert "tok-123456" not in str(caught.value)
    with pytest.raises(SecretProblem, match="binary"):
        variables(parse_spec("prod/cert"), "prod/cert", None)


def test_collisions_name_both_sources() -> None:
    check_collisions([Variable("A", "1", "x/a"), Variable("B", "2", "y/b")])
    with pytest.raises(errors.Failure) as caught:
        check_collisions([Variable("A", "1", "x/a"), Variable("B", "2", "y/b"), Variable("A", "3", "z/a#k")])
    assert caught.value.exit_code == errors.USAGE
    assert caught.value.message.startswith("A would come from both x/a and z/a#k;")


@pytest.mark.parametrize(
    ("code", "message", "fragment"),
    [
        (
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.",
            "not found in eu-west-1",
        ),
        ("AccessDeniedException", "User: arn:... is not authorized", "secretsmanager:GetSecretValue"),
        ("DecryptionFailure", "KMS", "kms:Decrypt"),
        ("InvalidRequestException", "marked for deletion.", "scheduled for deletion"),
        ("InvalidRequestException", "something else", "InvalidRequestException: something else"),
        ("Weird", "line one\nline two", "Weird: line two"),
    ],
)
def test_each_failure_is_one_actionable_line(code: str, message: str, fragment: str) -> None:
    failure = explain("prod/db", code, message, "eu-west-1")
    assert failure.explanation.startswith("prod/db: ")
    assert fragment in failure.explanation
    assert "\n" not in failure.explanation


def test_a_parameter_path_names_variables_by_their_relative_path() -> None:
    path = "/app/"
    read = [
        Parameter("/app/db/password", "pw"),
        Parameter("/app/feature.flag", "on"),
        Parameter("/app/9x", "n"),
    ]
    pairs = [(relative_name(parameter, path), parameter.value) for parameter in read]
    assert [(v.name, v.source) for v in path_variables(parse_spec("ssm:/app/"), pairs)] == [
        ("DB_PASSWORD", "ssm:/app/db/password"),
        ("FEATURE_FLAG", "ssm:/app/feature.flag"),
        ("_9X", "ssm:/app/9x"),
    ]
    assert path_variables(parse_spec("ssm:/app/"), pairs, prefix="APP_")[2].name == "APP_9X"
    assert path_variables(parse_spec("CFG=ssm:/app/"), pairs)[0].name == "CFG_DB_PASSWORD"
    nested = path_variables(parse_spec("ssm:/app/"), [("db", RDS)], expand_json=True)
    assert [(v.name, v.source) for v in nested][:2] == [
        ("DB_USERNAME", "ssm:/app/db#username"),
        ("DB_PASSWORD", "ssm:/app/db#password"),
    ]


def test_a_parameter_named_by_selector_or_arn_is_named_by_its_last_segment() -> None:
    assert variables(parse_spec("ssm:/app/db:3"), "/app/db", "v")[0].name == "DB"
    arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/app/api-key"
    assert variables(parse_spec(f"ssm:{arn}"), arn, "v") == [Variable("API_KEY", "v", f"ssm:{arn}")]


@pytest.mark.parametrize(
    ("request_name", "code", "fragment"),
    [
        ("/app/x", "ParameterNotFound", "not found in eu-west-1 (ParameterNotFound)"),
        ("/app/x:4", "ParameterVersionNotFound", "no such version or label"),
        ("/app/", "NothingUnderPath", "no parameters under /app/ in eu-west-1"),
        ("/app/x", "AccessDeniedException", "ssm:GetParameter and ssm:GetParameters on it"),
        ("/app/", "AccessDeniedException", "ssm:GetParametersByPath on it"),
        ("/app/x", "InvalidKeyId", "kms:Decrypt"),
        ("/app/x", "ValidationException", "ValidationException: line two"),
    ],
)
def test_each_parameter_failure_is_one_actionable_line(request_name: str, code: str, fragment: str) -> None:
    failure = explain_parameter(ParameterRequest(request_name), code, "line one\nline two", "eu-west-1")
    assert failure.explanation.startswith(f"ssm:{request_name}: ")
    assert fragment in failure.explanation
    assert "\n" not in failure.explanation


def test_arns_name_their_region() -> None:
    assert (
        region_of("arn:aws:secretsmanager:us-west-2:123456789012:secret:x-AbCdEf", "eu-west-1") == "us-west-2"
    )
    assert region_of("prod/db", "eu-west-1") == "eu-west-1"
    assert region_of("arn:aws:secretsmanager:", "eu-west-1") == "eu-west-1"

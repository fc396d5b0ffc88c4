"""The one botocore client factory: regional STS, unsigned where asked, attempts counted as botocore
counts them, timeouts from the budget; and the one reader of AWS error responses."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from awscli_gitpod import awsadmin, awsclient, errors
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.regions import resolve_region
from awscli_gitpod.sts import _client


@pytest.fixture(autouse=True)
def no_endpoint_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_STS_REGIONAL_ENDPOINTS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1", "ap-southeast-2"])
def test_the_workspace_exchange_is_regional_unsigned_and_not_retried_by_botocore(region: str) -> None:
    client = _client(region, 30)
    assert client.meta.endpoint_url == f"https://sts.{region}.amazonaws.com"
    assert client.meta.config.signature_version is UNSIGNED
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 1}


def test_admin_calls_make_three_attempts_in_all() -> None:
    # botocore's `max_attempts: 3` would be four attempts; `total_max_attempts` counts the first one too.
    client = awsadmin.client(awsclient.session(), "iam", "eu-west-1")
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert client.meta.config.signature_version != UNSIGNED


def test_explicit_credentials_sign_the_calls() -> None:
    credentials = Credentials("ASIAEXAMPLE", "secret", "token", 0)
    client = awsclient.client("secretsmanager", "eu-west-1", budget=30, credentials=credentials)
    frozen = client._request_signer._credentials.get_frozen_credentials()
    assert (frozen.access_key, frozen.secret_key, frozen.token) == ("ASIAEXAMPLE", "secret", "token")


@pytest.mark.parametrize(
    ("budget", "expected"), [(45, (5.0, 15.0)), (8, (2.0, 8 / 3)), (2, (1.0, 1.0)), (0.1, (1.0, 1.0))]
)
def test_timeouts_are_slices_of_the_budget(budget: float, expected: tuple[float, float]) -> None:
    assert awsclient.timeouts(budget) == pytest.approx(expected)
    client = awsclient.client("sts", "eu-west-1", budget=budget, unsigned=True)
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == pytest.approx(expected)


def test_a_missing_profile_is_a_usage_error_unless_the_call_is_unsigned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "not-there")
    with pytest.raises(errors.UsageError, match="'not-there' does not exist"):
        awsclient.session()
    assert awsclient.session(missing_profile_ok=True).profile is None


def test_the_error_reader() -> None:
    response: Any = {
        "Error": {"Code": "AccessDenied", "Message": "no"},
        "ResponseMetadata": {"HTTPStatusCode": 403},
    }
    error = ClientError(response, "AssumeRoleWithWebIdentity")
    assert awsclient.aws_error(error) == awsclient.AwsError("AccessDenied", "no", 403)
    assert awsclient.error_code(error) == "AccessDenied"
    assert awsclient.aws_error(ValueError("not AWS")) is None


def test_region_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert resolve_region(None) == "us-east-1"
    assert resolve_region(None, "ap-south-1") == "ap-south-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert resolve_region(None, "ap-south-1") == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert resolve_region(None) == "eu-west-3"
    assert resolve_region("sa-east-1") == "sa-east-1"

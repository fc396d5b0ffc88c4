"""The STS client botocore builds for us: unsigned, regional, and no retries of its own."""

from __future__ import annotations

import pytest
from botocore import UNSIGNED

from awscli_gitpod.exchange import resolve_region
from awscli_gitpod.sts import _client


@pytest.fixture(autouse=True)
def no_endpoint_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_STS_REGIONAL_ENDPOINTS", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1", "ap-southeast-2"])
def test_the_regional_endpoint_is_used(region: str) -> None:
    client = _client(region, timeout=30)
    assert client.meta.endpoint_url == f"https://sts.{region}.amazonaws.com"
    assert client.meta.config.signature_version is UNSIGNED
    assert client.meta.config.retries["total_max_attempts"] == 1


def test_region_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert resolve_region(None) == "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert resolve_region(None) == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert resolve_region(None) == "eu-west-3"
    assert resolve_region("sa-east-1") == "sa-east-1"

"""Whose token it is, and when it is not the workspace's own, on the claims of every real token shape."""

from __future__ import annotations

import pytest

from awscli_gitpod.builtin.session_name import session_name
from awscli_gitpod.claims import claims_of_document, workspace_id
from awscli_gitpod.principal import Principal, describe_principal, mismatch, principal_of
from awscli_gitpod.testing.tokenshapes import (
    DEFAULT_ENVIRONMENT_ID,
    DEFAULT_RUNNER_ID,
    DEFAULT_USER_ID,
    DEFAULT_WORKSPACE_ID,
    Identity,
    build_claims,
)

ONA_ENVIRONMENT = {"GITPOD_ENVIRONMENT_ID": DEFAULT_ENVIRONMENT_ID}
CLASSIC_WORKSPACE = {"GITPOD_WORKSPACE_ID": DEFAULT_WORKSPACE_ID}


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("classic", Principal("workspace", DEFAULT_WORKSPACE_ID)),
        ("classic-keyed", Principal("workspace", DEFAULT_WORKSPACE_ID)),
        ("ona-v2", Principal("environment", DEFAULT_ENVIRONMENT_ID)),
        ("ona-v2-user", Principal("user", DEFAULT_USER_ID)),
        ("ona-v2-runner", Principal("runner", DEFAULT_RUNNER_ID)),
        ("ona-v3", Principal("environment", DEFAULT_ENVIRONMENT_ID)),
    ],
)
def test_principal_of_every_shape(shape: str, expected: Principal) -> None:
    assert principal_of(build_claims(shape, "https://issuer")) == expected


def test_principal_of_other_claims() -> None:
    assert principal_of({"sub": "repo:acme/app:ref:refs/heads/main"}) is None
    assert principal_of({"sub": "org:o"}) == Principal("", "")


@pytest.mark.parametrize("shape", ["ona-v2", "ona-v3"])
def test_the_environments_own_token_is_no_mismatch(shape: str) -> None:
    assert mismatch(build_claims(shape, "i"), ONA_ENVIRONMENT) is None
    assert mismatch(build_claims("classic", "i"), CLASSIC_WORKSPACE) is None
    assert mismatch(build_claims("ona-v2-user", "i"), {}) is None  # a user token on a laptop is no mismatch


def test_a_user_token_in_an_environment_says_how_to_get_the_environments_back() -> None:
    found = mismatch(build_claims("ona-v2-user", "i"), ONA_ENVIRONMENT)
    assert found is not None
    assert found.what.startswith("the token is an Ona user token (sub org:")
    assert "`ona login --token`" in found.what
    assert found.fix == "`ona config context use environment` makes the ona CLI mint as the environment again"


def test_runner_and_foreign_tokens_are_named() -> None:
    runner = mismatch(build_claims("ona-v2-runner", "i"), ONA_ENVIRONMENT)
    assert runner is not None and runner.what.startswith("the token is an Ona runner token (sub org:")
    other = mismatch(build_claims("ona-v3", "i", identity=Identity(environment_id="e2")), ONA_ENVIRONMENT)
    assert other is not None and other.what == (
        f"the token is environment e2's, not this environment's ({DEFAULT_ENVIRONMENT_ID})"
    )
    stale = mismatch(build_claims("classic", "i", identity=Identity(workspace_id="w2")), CLASSIC_WORKSPACE)
    assert stale is not None and stale.what.startswith("the token is workspace w2's")


def test_describe_principal_adds_the_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = build_claims("ona-v2-user", "https://app.gitpod.io")
    monkeypatch.delenv("GITPOD_ENVIRONMENT_ID", raising=False)
    assert (
        describe_principal(claims) == f"iss=https://app.gitpod.io aud=sts.amazonaws.com sub={claims['sub']}"
    )
    monkeypatch.setenv("GITPOD_ENVIRONMENT_ID", DEFAULT_ENVIRONMENT_ID)
    assert describe_principal(claims).endswith(
        "; `ona config context use environment` makes the ona CLI mint as the environment again"
    )


def test_session_names_name_the_workspace_whatever_the_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITPOD_WORKSPACE_ID", raising=False)
    monkeypatch.setenv("GITPOD_ENVIRONMENT_ID", "env-from-the-environment")
    assert workspace_id(build_claims("ona-v2", "i")) == DEFAULT_ENVIRONMENT_ID
    assert workspace_id(build_claims("ona-v3", "i")) == DEFAULT_ENVIRONMENT_ID
    assert workspace_id(build_claims("ona-v2-user", "i")) is None
    assert session_name(build_claims("ona-v2-user", "i"), {}, 7) == "env-from-the-environment-7"
    assert session_name(build_claims("classic", "i"), {}, 7) == f"{DEFAULT_WORKSPACE_ID}-7"


@pytest.mark.parametrize(
    "document",
    [
        {"Header": {"alg": "RS256", "kid": "id-1"}, "Payload": {"sub": "s", "aud": ["a"]}},  # gp, aws-gitpod
        {"Claims": {"sub": "s", "aud": ["a"]}, "Header": [{"KeyID": "k0", "JSONWebKey": None}]},  # ona
        {"sub": "s", "aud": ["a"]},  # bare claims
        {"Payload": {"sub": "s", "aud": ["a"]}},
    ],
)
def test_claims_of_document_reads_both_decode_shapes(document: object) -> None:
    assert claims_of_document(document) == {"sub": "s", "aud": ["a"]}


def test_claims_of_document_refuses_what_holds_no_claims() -> None:
    assert claims_of_document([1]) is None
    assert claims_of_document({"Claims": "x", "Header": []}) is None
    # A claims object that merely has a claim called Claims stays a claims object.
    assert claims_of_document({"Claims": {}, "sub": "s"}) == {"Claims": {}, "sub": "s"}

"""The exchange's retry policy, unit-tested with a fake clock and a scripted STS: no real sleeps.

One end-to-end test per failure class stays in test_creds_e2e.py, against the test bed's STS.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from awscli_gitpod import errors
from awscli_gitpod.clock import Clock
from awscli_gitpod.retry import RetryPolicy
from awscli_gitpod.sts import AssumeRoleRequest, assume_role

REQUEST = AssumeRoleRequest("arn:aws:iam::123456789012:role/r", "eu-west-1", "ws-1")
EXPIRES = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
GRANTED = {
    "Credentials": {
        "AccessKeyId": "ASIAEXAMPLE",
        "SecretAccessKey": "secret",
        "SessionToken": "session",
        "Expiration": EXPIRES,
    },
    "AssumedRoleUser": {"Arn": "arn:aws:sts::123456789012:assumed-role/r/ws-1"},
}


class FakeClock(Clock):
    """Time that passes only when slept through."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def aws_failure(code: str, status: int = 400) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": f"{code} happened"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "AssumeRoleWithWebIdentity")


class ScriptedSts:
    """An STS client answering each call with the next step: an exception to raise, or a response."""

    def __init__(self, *steps: Exception | dict[str, Any]) -> None:
        self.steps = list(steps)
        self.tokens: list[str] = []

    def assume_role_with_web_identity(self, **parameters: Any) -> dict[str, Any]:
        self.tokens.append(parameters["WebIdentityToken"])
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def counting_minter() -> tuple[Callable[[], str], list[str]]:
    minted: list[str] = []

    def mint() -> str:
        minted.append(f"token-{len(minted) + 1}")
        return minted[-1]

    return mint, minted


def policy(clock: FakeClock, attempts: int = 5) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=attempts, clock=clock, uniform=lambda low, high: high
    )  # worst-case jitter


def test_pauses_double_up_to_the_cap() -> None:
    retry = policy(FakeClock())
    assert [retry.pause(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_the_jitter_is_drawn_between_zero_and_the_backoff() -> None:
    drawn: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        drawn.append((low, high))
        return low

    retry = RetryPolicy(uniform=uniform)
    assert retry.pause(3) == 0
    assert drawn == [(0, 2.0)]


@pytest.mark.parametrize(
    "failure",
    [
        aws_failure("IDPCommunicationError"),
        aws_failure("Throttling"),
        aws_failure("InternalFailure", 500),
        aws_failure("InternalError", 500),
        aws_failure("SomethingNew", 503),
        EndpointConnectionError(endpoint_url="https://sts.eu-west-1.amazonaws.com"),
    ],
)
def test_transient_failures_are_retried_after_a_pause(failure: Exception) -> None:
    clock = FakeClock()
    sts = ScriptedSts(failure, failure, GRANTED)
    mint, minted = counting_minter()
    credentials = assume_role(REQUEST, mint, deadline=clock.now + 45, policy=policy(clock), client=sts)
    assert credentials.access_key_id == "ASIAEXAMPLE"
    assert clock.sleeps == [0.5, 1.0]
    assert minted == ["token-1"], "a transient failure is no reason to mint again"


def test_attempts_run_out() -> None:
    clock = FakeClock()
    sts = ScriptedSts(*[aws_failure("Throttling")] * 3)
    with pytest.raises(errors.Failure) as raised:
        assume_role(REQUEST, counting_minter()[0], clock.now + 45, policy(clock, attempts=3), client=sts)
    assert raised.value.exit_code == errors.AWS_UNAVAILABLE
    assert "after 3 attempts (Throttling: Throttling happened)" in raised.value.message
    assert len(sts.tokens) == 3 and len(clock.sleeps) == 2


def test_no_retry_starts_whose_pause_would_end_past_the_deadline() -> None:
    clock = FakeClock()
    sts = ScriptedSts(*[aws_failure("Throttling")] * 5)
    with pytest.raises(errors.Failure) as raised:
        assume_role(REQUEST, counting_minter()[0], clock.now + 1.2, policy(clock), client=sts)
    assert raised.value.exit_code == errors.AWS_UNAVAILABLE
    assert clock.sleeps == [0.5]  # a second pause of 1.0 would end at 1.5 > 1.2
    assert clock.now <= 1000 + 1.2


@pytest.mark.parametrize("code", ["InvalidIdentityToken", "ExpiredTokenException"])
def test_a_rejected_token_is_retried_once_with_a_fresh_one(code: str) -> None:
    clock = FakeClock()
    sts = ScriptedSts(aws_failure(code), GRANTED)
    assume_role(REQUEST, counting_minter()[0], clock.now + 45, policy(clock), client=sts)
    assert sts.tokens == ["token-1", "token-2"] and clock.sleeps == []


def test_a_token_rejected_twice_is_denied() -> None:
    clock = FakeClock()
    sts = ScriptedSts(aws_failure("InvalidIdentityToken"), aws_failure("InvalidIdentityToken"))
    with pytest.raises(errors.Failure) as raised:
        assume_role(REQUEST, counting_minter()[0], clock.now + 45, policy(clock), client=sts)
    assert raised.value.exit_code == errors.AWS_DENIED
    assert len(sts.tokens) == 2


@pytest.mark.parametrize(
    ("code", "exit_code"),
    [
        ("AccessDenied", errors.AWS_DENIED),
        ("IDPRejectedClaim", errors.AWS_DENIED),
        ("ValidationError", errors.AWS_REJECTED_REQUEST),
        ("MalformedPolicyDocument", errors.AWS_REJECTED_REQUEST),
        ("PackedPolicyTooLarge", errors.AWS_REJECTED_REQUEST),
        ("RegionDisabledException", errors.AWS_REJECTED_REQUEST),
    ],
)
def test_final_errors_fail_at_once(code: str, exit_code: int) -> None:
    clock = FakeClock()
    sts = ScriptedSts(aws_failure(code))
    with pytest.raises(errors.Failure) as raised:
        assume_role(REQUEST, counting_minter()[0], clock.now + 45, policy(clock), client=sts)
    assert raised.value.exit_code == exit_code
    assert len(sts.tokens) == 1 and clock.sleeps == []

"""AssumeRoleWithWebIdentity through botocore, with the failure policy of a credential process.

Transient failures (the issuer unreachable from AWS, throttling, 5xx, connection errors) are retried with
jittered backoff inside the time budget. A rejected token is retried once with a freshly minted one, since
it may simply have expired on the way. Everything else fails at once: retrying a trust-policy mismatch only
makes it take minutes to fail.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from awscli_gitpod import errors
from awscli_gitpod.claims import MalformedToken, decode_unverified, describe
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.process import redact

TRANSIENT_CODES = {
    "IDPCommunicationError",
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalError",
}
STALE_TOKEN_CODES = {"InvalidIdentityToken", "ExpiredTokenException"}
DENIED_CODES = {"AccessDenied", "IDPRejectedClaim", *STALE_TOKEN_CODES}
MAX_TRANSIENT_ATTEMPTS = 5


@dataclass(frozen=True)
class AssumeRoleRequest:
    role_arn: str
    region: str
    session_name: str
    duration_seconds: int | None = None
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()


def _client(region: str, timeout: float) -> Any:
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import ProfileNotFound

    session = botocore.session.get_session()
    try:
        session.get_scoped_config()
    except ProfileNotFound:
        # AWS_PROFILE may name the very profile `login` is about to create; an unsigned call needs none.
        session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    # The global endpoint would send a workspace in Frankfurt through us-east-1.
    session.set_config_variable("sts_regional_endpoints", "regional")
    # Each attempt gets a slice of the budget, so a last attempt cannot run far past the deadline.
    config = Config(
        signature_version=UNSIGNED,
        region_name=region,
        connect_timeout=max(1.0, min(5.0, timeout / 4)),
        read_timeout=max(1.0, min(10.0, timeout / 4)),
        retries={"total_max_attempts": 1, "mode": "standard"},  # our own policy below
        user_agent_extra="awscli-gitpod",
    )
    return session.create_client("sts", region_name=region, config=config)


def _token_description(token: str) -> str:
    try:
        return describe(decode_unverified(token)[1])
    except MalformedToken:
        return "an undecodable token"


def assume_role(request: AssumeRoleRequest, mint_token: Callable[[], str], deadline: float) -> Credentials:
    """Exchange a token from `mint_token` for credentials before the monotonic `deadline`."""
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    token = mint_token()
    client = _client(request.region, deadline - time.monotonic())
    parameters: dict[str, Any] = {
        "RoleArn": request.role_arn,
        "RoleSessionName": request.session_name,
    }
    if request.duration_seconds is not None:
        parameters["DurationSeconds"] = request.duration_seconds
    if request.policy is not None:
        parameters["Policy"] = request.policy
    if request.policy_arns:
        parameters["PolicyArns"] = [{"arn": arn} for arn in request.policy_arns]

    transient_failures = 0
    reminted = False
    while True:
        try:
            response = client.assume_role_with_web_identity(WebIdentityToken=token, **parameters)
            return _credentials(response)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", "Unknown"))
            message = redact(str(error.response.get("Error", {}).get("Message", "")))
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            if code in STALE_TOKEN_CODES and not reminted:
                reminted = True
                token = mint_token()
                continue
            if code in TRANSIENT_CODES or status >= 500:
                reason = f"{code}: {message}"
            else:
                raise _final_failure(request, token, code, message) from None
        except ParamValidationError as error:
            raise errors.UsageError(f"invalid STS request: {error}") from None
        except BotoCoreError as error:
            reason = str(error)
        transient_failures += 1
        pause = random.uniform(0, min(4.0, 0.25 * 2**transient_failures))  # noqa: S311 - jitter
        if transient_failures >= MAX_TRANSIENT_ATTEMPTS or time.monotonic() + pause >= deadline:
            raise errors.Failure(
                f"STS in {request.region} is unavailable after {transient_failures} attempts "
                f"({reason}); retry later",
                errors.AWS_UNAVAILABLE,
            )
        time.sleep(pause)


def _final_failure(request: AssumeRoleRequest, token: str, code: str, message: str) -> errors.Failure:
    who = _token_description(token)
    if code in DENIED_CODES:
        return errors.Failure(
            f"STS refused to let the workspace assume {request.role_arn}: {code}: {message} "
            f"(token {who}); {errors.DIAGNOSE_HINT.format(role_arn=request.role_arn)}",
            errors.AWS_DENIED,
        )
    return errors.Failure(
        f"STS rejected the request for {request.role_arn}: {code}: {message}",
        errors.AWS_REJECTED_REQUEST,
    )


def _credentials(response: dict[str, Any]) -> Credentials:
    issued = response["Credentials"]
    role_arn = str(response.get("AssumedRoleUser", {}).get("Arn", ""))
    arn_parts = role_arn.split(":")
    return Credentials(
        access_key_id=issued["AccessKeyId"],
        secret_access_key=issued["SecretAccessKey"],
        session_token=issued["SessionToken"],
        expires=int(issued["Expiration"].timestamp()),
        account_id=arn_parts[4] if len(arn_parts) > 4 else "",
        assumed_role_arn=role_arn,
    )

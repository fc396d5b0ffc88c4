"""AssumeRoleWithWebIdentity through botocore, with the failure policy of a credential process.

Transient failures (the issuer unreachable from AWS, throttling, 5xx, connection errors, and replies that
cannot be read: cut short, garbled, not XML) are retried with jittered backoff inside the time budget, each
attempt's connect and read timeouts cut from the time left. A rejected token is retried once with a freshly
minted one, since it may simply have expired on the way. Everything else fails at once: retrying a
trust-policy mismatch only makes it take minutes to fail.

Messages name the failure's class and AWS's own error code and message, never any other part of a reply:
an unreadable reply may hold part of a secret key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from awscli_gitpod import awsclient, errors
from awscli_gitpod.claims import MalformedToken, decode_unverified
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.principal import describe_principal
from awscli_gitpod.redaction import redact
from awscli_gitpod.retry import DEFAULT_POLICY, RetryPolicy

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


@dataclass(frozen=True)
class AssumeRoleRequest:
    role_arn: str
    region: str
    session_name: str
    duration_seconds: int | None = None
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()

    def parameters(self) -> dict[str, Any]:
        """The AssumeRoleWithWebIdentity parameters, but the token."""
        parameters: dict[str, Any] = {"RoleArn": self.role_arn, "RoleSessionName": self.session_name}
        if self.duration_seconds is not None:
            parameters["DurationSeconds"] = self.duration_seconds
        if self.policy is not None:
            parameters["Policy"] = self.policy
        if self.policy_arns:
            parameters["PolicyArns"] = [{"arn": arn} for arn in self.policy_arns]
        return parameters


def _client(region: str, budget: float, session: Any = None) -> Any:
    # One attempt per call: the loop below is the retry policy.
    return awsclient.client("sts", region, budget=budget, attempts=1, unsigned=True, aws_session=session)


class _Unreadable(Exception):
    """STS answered, but with something that is not an AssumeRoleWithWebIdentity result."""


def _token_description(token: str) -> str:
    try:
        return describe_principal(decode_unverified(token)[1])
    except MalformedToken:
        return "an undecodable token"


def assume_role(
    request: AssumeRoleRequest,
    mint_token: Callable[[], str],
    deadline: float,
    policy: RetryPolicy = DEFAULT_POLICY,
    client: Any = None,
) -> Credentials:
    """Exchange a token from `mint_token` for credentials before the monotonic `deadline`.

    `client` is an STS client to use instead of a fresh one (tests hand in a scripted one).
    """
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
    from botocore.parsers import ResponseParserError

    token = mint_token()
    session = None if client is not None else awsclient.session(missing_profile_ok=True)
    parameters = request.parameters()
    transient_failures = 0
    reminted = False
    while True:
        # A fresh client per attempt: its timeouts are slices of what is left, not of the whole budget.
        sts = (
            client
            if client is not None
            else _client(request.region, deadline - policy.clock.monotonic(), session)
        )
        try:
            response = sts.assume_role_with_web_identity(WebIdentityToken=token, **parameters)
            return _credentials(response)
        except (ResponseParserError, _Unreadable):
            # botocore's message quotes the reply: name the class only.
            reason = "the reply could not be read (cut short, garbled, or not an STS answer)"
        except ClientError as error:
            found = awsclient.aws_error(error) or awsclient.AwsError("Unknown", "", 0)
            message = redact(found.message)
            if found.code in STALE_TOKEN_CODES and not reminted:
                reminted = True
                token = mint_token()
                continue
            if found.code in TRANSIENT_CODES or found.status >= 500:
                reason = f"{found.code}: {message}"
            else:
                raise _final_failure(request, token, found.code, message) from None
        except ParamValidationError as error:
            raise errors.UsageError(f"invalid STS request: {error}") from None
        except BotoCoreError as error:
            reason = f"{type(error).__name__}: {redact(str(error))}"
        transient_failures += 1
        if not policy.wait_before_retry(transient_failures, deadline):
            raise errors.Failure(
                f"STS in {request.region} is unavailable after {transient_failures} attempts "
                f"({reason}); retry later",
                errors.AWS_UNAVAILABLE,
            )


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
    try:
        issued = response["Credentials"]
        role_arn = str(response.get("AssumedRoleUser", {}).get("Arn", ""))
        arn_parts = role_arn.split(":")
        credentials = Credentials(
            access_key_id=str(issued["AccessKeyId"]),
            secret_access_key=str(issued["SecretAccessKey"]),
            session_token=str(issued["SessionToken"]),
            expires=int(issued["Expiration"].timestamp()),
            account_id=arn_parts[4] if len(arn_parts) > 4 else "",
            assumed_role_arn=role_arn,
        )
    except (KeyError, TypeError, AttributeError, ValueError, OverflowError):
        raise _Unreadable from None
    if not all((credentials.access_key_id, credentials.secret_access_key, credentials.session_token)):
        raise _Unreadable
    return credentials

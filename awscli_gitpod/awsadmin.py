"""IAM and STS with the caller's own credentials (the normal AWS chain), for `setup` and `doctor`.

Unlike the workspace exchange (unsigned STS), these calls are signed by whoever runs the command: an admin's
`--profile`, `AWS_PROFILE`, environment keys... botocore resolves them. Clients come from
`awscli_gitpod.awsclient`, like every other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from awscli_gitpod import awsclient, errors
from awscli_gitpod.awsclient import error_code
from awscli_gitpod.redaction import redact
from awscli_gitpod.regions import resolve_region

# Codes that mean "these credentials may not do this", as opposed to "this request is wrong".
DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
}


@dataclass(frozen=True)
class Caller:
    """Who the credentials belong to (GetCallerIdentity)."""

    account: str
    arn: str

    @property
    def partition(self) -> str:
        parts = self.arn.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else "aws"


# Bounded, so that a command run outside AWS (no route, IMDS probes) says so in seconds, not minutes.
BUDGET_SECONDS = 45.0


def client(aws_session: Any, service: str, region: str | None = None) -> Any:
    """A client of `service` signed by `aws_session` (`awsclient.session(profile)`)."""
    return awsclient.client(service, resolve_region(region), budget=BUDGET_SECONDS, aws_session=aws_session)


def describe(error: BaseException) -> str:
    """One line: the AWS code and message, or botocore's own; never a credential."""
    found = awsclient.aws_error(error)
    if found is not None:
        return redact(f"{found.code}: {found.message}")
    return redact(f"{type(error).__name__}: {error}")


def is_credentials_problem(error: BaseException) -> bool:
    """No usable credentials in the chain: nothing was even sent to AWS."""
    from botocore.exceptions import CredentialRetrievalError, NoCredentialsError, PartialCredentialsError

    return isinstance(error, (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError))


def failure(error: BaseException, doing: str) -> errors.Failure:
    """A botocore error while `doing` something, as a Failure with the matching exit code."""
    code = error_code(error)
    if is_credentials_problem(error):
        return errors.Failure(
            f"no usable AWS credentials to {doing} ({describe(error)}): pass --profile with an admin "
            "profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            errors.USAGE,
        )
    if code in DENIED_CODES:
        return errors.Failure(
            f"AWS refused to {doing}: {describe(error)}; use credentials allowed to manage IAM roles and "
            "OIDC providers (--profile)",
            errors.AWS_DENIED,
        )
    if code is not None:
        return errors.Failure(
            f"AWS rejected the request to {doing}: {describe(error)}", errors.AWS_REJECTED_REQUEST
        )
    return errors.Failure(
        f"AWS is unreachable to {doing}: {describe(error)}; retry later", errors.AWS_UNAVAILABLE
    )


@contextlib.contextmanager
def calling(doing: str) -> Iterator[None]:
    """Turn a botocore error inside the block into `failure(error, doing)`."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise failure(error, doing) from None


def caller(aws_session: Any, region: str | None = None) -> Caller:
    with calling("identify the caller (sts:GetCallerIdentity)"):
        identity = client(aws_session, "sts", region).get_caller_identity()
    return Caller(account=str(identity["Account"]), arn=str(identity["Arn"]))

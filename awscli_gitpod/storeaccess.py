"""How `secrets` reaches AWS Secrets Manager and SSM Parameter Store, and the failures that stop a whole read.

Both stores are read the same way: with explicit credentials (from `--role`), else with the profile or
AWS's usual chain; in `--region`, else `AWS_REGION` / `AWS_DEFAULT_REGION`, else the profile's region, else
us-east-1; and a resource given by ARN in the ARN's own region. A failure of one secret or parameter is the
store module's to explain; what is said here stops every read: the credentials were rejected (exit 4), the
service stayed unavailable after botocore's retries (exit 6), or there are no credentials, no such profile
or no connection.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from awscli_gitpod import awsclient, errors
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.redaction import last_line, redact
from awscli_gitpod.regions import resolve_region

# The caller's credentials, not a secret, are the problem: no point reading the others one by one.
CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
    }
)
_Request = TypeVar("_Request")
UNAVAILABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "InternalServiceError",  # Secrets Manager's
        "InternalServerError",  # Parameter Store's
        "InternalFailure",
        "ServiceUnavailable",
    }
)


@dataclass(frozen=True)
class Connection:
    """How to reach a store: explicit credentials (from `--role`), else the profile or AWS's chain."""

    region: str | None = None
    profile: str | None = None
    credentials: Credentials | None = field(default=None, repr=False)
    timeout: float = 45.0


def session(connection: Connection) -> Any:
    # With the role's own credentials no profile is needed: an AWS_PROFILE naming none must not stop us.
    return awsclient.session(connection.profile, missing_profile_ok=connection.credentials is not None)


def default_region(connection: Connection, aws_session: Any) -> str:
    """--region, else AWS_REGION / AWS_DEFAULT_REGION (as for `creds`), else the profile's, else us-east-1."""
    configured = aws_session.get_config_variable("region")
    return resolve_region(connection.region, str(configured) if configured else None)


def region_of(identifier: str, service: str, default: str) -> str:
    """The region an ARN of `service` names (`arn:aws:ssm:eu-west-1:...`), else `default`."""
    parts = identifier.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] == service and parts[3]:
        return parts[3]
    return default


def by_region(
    connection: Connection, service: str, requests: Sequence[_Request], identifier: Callable[[_Request], str]
) -> Iterator[tuple[str, Any, list[_Request]]]:
    """The distinct requests grouped by the region each is read in (its ARN's, else the default), each group
    with a client of `service` there; nothing at all (no session, no region lookup) for no requests."""
    unique = list(dict.fromkeys(requests))
    if not unique:
        return
    aws_session = session(connection)
    default = default_region(connection, aws_session)
    groups: dict[str, list[_Request]] = {}
    for request in unique:
        groups.setdefault(region_of(identifier(request), service, default), []).append(request)
    for region, group in groups.items():
        made = awsclient.client(
            service,
            region,
            budget=connection.timeout,
            aws_session=aws_session,
            credentials=connection.credentials,
        )
        yield region, made, group


def error_details(error: BaseException) -> awsclient.AwsError:
    return awsclient.aws_error(error) or awsclient.AwsError("Unknown", "", 0)


def raise_if_service_failure(found: awsclient.AwsError, store: str, region: str, action: str) -> None:
    """A Failure when the error is about the credentials or the service (`store`, e.g. "Secrets Manager"),
    not about the one secret or parameter asked for."""
    code, status = found.code, found.status
    detail = last_line(redact(found.message)) if found.message else ""
    if code in CREDENTIAL_CODES:
        raise errors.Failure(
            f"{store} in {region} rejected the credentials ({code}: {detail}); check --profile "
            "or the AWS_* variables, or use --role",
            errors.AWS_DENIED,
        )
    if code in UNAVAILABLE_CODES or status >= 500:
        raise errors.Failure(
            f"{store} in {region} is unavailable ({action}: {code}) after retries; retry later",
            errors.AWS_UNAVAILABLE,
        )


def raise_for_botocore(error: Exception, store: str, region: str) -> None:
    """Map botocore's own exceptions (no credentials, no connection) to a Failure; others propagate."""
    from botocore.exceptions import (
        ConnectionError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
        ReadTimeoutError,
    )

    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        raise errors.UsageError(
            "no AWS credentials to read secrets with: give --role ARN (the workspace's role), "
            "--profile NAME, or set AWS_PROFILE"
        ) from None
    if isinstance(error, ProfileNotFound):
        raise errors.UsageError(f"{error}; check --profile / AWS_PROFILE") from None
    if isinstance(error, NoRegionError):
        raise errors.UsageError("no region: give --region or set AWS_REGION") from None
    if isinstance(error, (EndpointConnectionError, ConnectionError, ReadTimeoutError)):
        raise errors.Failure(
            f"{store} in {region} is unreachable ({type(error).__name__}); check the network and "
            "AWS_ENDPOINT_URL, then retry",
            errors.AWS_UNAVAILABLE,
        ) from None

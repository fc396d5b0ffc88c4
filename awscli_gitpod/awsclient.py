"""The one way this project makes botocore clients, and the one reader of AWS error responses.

Every call to AWS (STS for the workspace exchange, IAM and STS for `setup` and `doctor`, Secrets Manager)
goes through `client()`, so timeouts, retries and endpoints are decided here:
- connect and read timeouts are slices of the caller's time budget, so one slow attempt cannot use it all;
- `attempts` is the total number of attempts botocore makes in its standard retry mode (botocore's
  `total_max_attempts`; its `max_attempts` would count retries only, one more in all). The workspace
  exchange passes 1: it has its own retry policy (`awscli_gitpod.retry`);
- STS is always called on its regional endpoint: the global one would send a workspace in Frankfurt
  through us-east-1. botocore itself honours `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`.
botocore is imported inside the functions: the command-line parser must stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awscli_gitpod import errors
from awscli_gitpod.credentials import Credentials

USER_AGENT = "awscli-gitpod"
MAX_CONNECT_TIMEOUT = 5.0
MAX_READ_TIMEOUT = 15.0
MIN_TIMEOUT = 1.0


@dataclass(frozen=True)
class AwsError:
    """What an AWS error response says: its code, its message (AWS's own words) and the HTTP status."""

    code: str
    message: str
    status: int


def aws_error(error: BaseException) -> AwsError | None:
    """The error response of a botocore `ClientError` (or anything with its `response`), else None."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    details = response.get("Error", {}) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0
    return AwsError(str(details.get("Code", "Unknown")), str(details.get("Message", "")), int(status))


def error_code(error: BaseException) -> str | None:
    """The AWS error code of a botocore `ClientError`, else None."""
    found = aws_error(error)
    return None if found is None else found.code


def session(profile: str | None = None, *, missing_profile_ok: bool = False) -> Any:
    """A botocore session for `profile` (None: the usual chain, `AWS_PROFILE` included).

    `missing_profile_ok`: for unsigned calls, which need no profile, an `AWS_PROFILE` naming a profile that
    does not exist (yet: `login` may be about to create it) is ignored instead of refused.
    """
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    made = botocore.session.Session(profile=profile)
    try:
        made.get_scoped_config()
    except ProfileNotFound:
        from awscli_gitpod.awsconfig import check_readable

        check_readable()  # an unreadable file, not a missing profile, is then what to fix
        if not missing_profile_ok:
            raise errors.UsageError(
                f"AWS profile {profile or made.profile!r} does not exist in the AWS config files; "
                "check --profile / AWS_PROFILE"
            ) from None
        made = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    made.set_config_variable("sts_regional_endpoints", "regional")
    return made


def timeouts(budget: float) -> tuple[float, float]:
    """(connect, read) timeouts for one attempt within a `budget` of seconds."""
    connect = max(MIN_TIMEOUT, min(MAX_CONNECT_TIMEOUT, budget / 4))
    read = max(MIN_TIMEOUT, min(MAX_READ_TIMEOUT, budget / 3))
    return connect, read


def client(
    service: str,
    region: str,
    *,
    budget: float,
    attempts: int = 3,
    aws_session: Any = None,
    unsigned: bool = False,
    credentials: Credentials | None = None,
) -> Any:
    """A botocore client for `service` in `region`, each attempt bounded by a slice of `budget` seconds.

    Signed with `credentials` when given, else by `aws_session`'s chain; `unsigned` for
    AssumeRoleWithWebIdentity, which needs no credentials at all.
    """
    from botocore import UNSIGNED
    from botocore.config import Config

    connect, read = timeouts(budget)
    settings: dict[str, Any] = {
        "region_name": region,
        "connect_timeout": connect,
        "read_timeout": read,
        "retries": {"mode": "standard", "total_max_attempts": attempts},
        "user_agent_extra": USER_AGENT,
    }
    if unsigned:
        settings["signature_version"] = UNSIGNED
    keys: dict[str, str] = {}
    if credentials is not None:
        keys = {
            "aws_access_key_id": credentials.access_key_id,
            "aws_secret_access_key": credentials.secret_access_key,
            "aws_session_token": credentials.session_token,
        }
    made = aws_session if aws_session is not None else session(missing_profile_ok=unsigned)
    return made.create_client(service, region_name=region, config=Config(**settings), **keys)

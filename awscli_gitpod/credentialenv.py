"""The environment of a command that `aws-gitpod exec` gives credentials: the credentials, nothing that
outranks them, and a marker.

Environment keys (`AWS_ACCESS_KEY_ID`...) come first in botocore's and the Go SDK's chains, but not in every
SDK's, and stale neighbours of them get read instead. So these are removed:

- `AWS_PROFILE`: the AWS SDK for JavaScript v3 (`fromNodeProviderChain`, the default of every client)
  skips the environment keys when it is set and uses the profile; Terraform's AWS provider fails when it
  names a profile the config files lack;
- `AWS_DEFAULT_PROFILE`: the AWS CLI's and boto's older name for it;
- `AWS_SECURITY_TOKEN`: the older name of the session token, which boto 2 and some tools read instead;
  left from another session it would pair our keys with a foreign token;
- `AWS_ACCESS_KEY`, `AWS_SECRET_KEY`: the older names of the keys; the AWS SDK for Java 1.x reads
  `AWS_SECRET_KEY` before `AWS_SECRET_ACCESS_KEY`;
- `AWS_CREDENTIAL_FILE`: the EC2 API tools' credentials file.

aws-vault's `exec` removes the same (and the keys it then sets). With `exec --server` the child gets no keys
at all but the endpoint of a `credserver`; then keys in the environment (ours or the parent's), another
endpoint and its token file are removed too (`server_environment`). `AWS_CONFIG_FILE`,
`AWS_SHARED_CREDENTIALS_FILE` and region settings stay: they outrank nothing. `AWS_GITPOD_EXEC` names the
role, so a nested `aws-gitpod exec` can refuse to run: inside it, which credentials a command uses would be
unclear.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from awscli_gitpod import errors
from awscli_gitpod.credentials import Credentials

NESTING_MARKER = "AWS_GITPOD_EXEC"
OUTRANKING = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_CREDENTIAL_FILE",
)


def credential_environment(
    base: Mapping[str, str], credentials: Credentials, region: str | None, role_arn: str
) -> dict[str, str]:
    """`base` without what outranks `credentials`, with the credentials (and region) and the marker."""
    environment = {name: value for name, value in base.items() if name not in OUTRANKING}
    environment.update(credentials.environment(region))
    environment[NESTING_MARKER] = role_arn
    return environment


def refuse_nesting() -> None:
    """A usage error inside the environment of another `aws-gitpod exec` (its marker names the role)."""
    outer = os.environ.get(NESTING_MARKER)
    if outer:
        raise errors.UsageError(f"already inside `aws-gitpod exec` for {outer}; run the command directly")


# What would outrank, or stand in for, the endpoint `exec --server` gives a child.
STATIC_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)
OTHER_ENDPOINTS = (
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",  # read before the token itself
)


def server_environment(
    base: Mapping[str, str], endpoint: Mapping[str, str], region: str | None, role_arn: str
) -> dict[str, str]:
    """`base` without keys or anything that outranks them, with the credentials `endpoint`, the region and
    the marker: for a child that must outlive one session."""
    removed = {*OUTRANKING, *STATIC_VARIABLES, *OTHER_ENDPOINTS}
    environment = {name: value for name, value in base.items() if name not in removed}
    environment.update(endpoint)
    if region:
        environment.update(AWS_REGION=region, AWS_DEFAULT_REGION=region)
    environment[NESTING_MARKER] = role_arn
    return environment

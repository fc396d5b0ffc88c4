"""The stand-in `gp`, Gitpod Classic's workspace CLI (gitpod-io/gitpod `components/gitpod-cli/cmd`).

- `gp idp token --audience A [--audience B] [--scope S] [--decode]`: the error of minting is discarded and
  the empty token parsed, so every minting failure (not in a running workspace, supervisor unreachable,
  the IdP refused, the 5 s deadline) prints `token is malformed: token contains an invalid number of
  segments` and exits 1. `--decode` prints `{"Header": ..., "Payload": ...}` as Go's `MarshalIndent` does.
- `gp idp login [--scope S] aws [--role-arn R] [--audience A] [-p P] [-d N]`: `--scope` is a persistent
  flag of `login`; the minting error is returned as it is.
- `gp info [--json]`: the supervisor's workspace info, or its error (how a user sees why gp cannot mint).

Errors are printed bare, with no `Error:` prefix; only a flag error shows the usage, before the message.
"""

from __future__ import annotations

import json
import os
import sys
import time

from awscli_gitpod.testing.standins import backend
from awscli_gitpod.testing.standins.cobra import Cli, CliError, Command, Flag, Values, string, strings
from awscli_gitpod.testing.standins.gojson import marshal_indent, parse_unverified

DEADLINE = 5.0  # gp's context.WithTimeout around minting
AUDIENCE_USAGE = "audience of the ID token"
SCOPE_USAGE = "scopes string of the ID token"


def _mint(audiences: list[str], scope: str) -> str:
    return backend.mint("gp", audiences, scope or None, backend.shape_for("gp", os.environ), DEADLINE)


def idp_token(values: Values, positional: list[str]) -> int:
    try:
        token = _mint(strings(values, "audience"), string(values, "scope"))
    except backend.MintFailed:
        token = ""  # idp-token.go overwrites the minting error with the parser's
    try:
        header, claims = parse_unverified(token)
    except ValueError as error:
        raise CliError(str(error)) from None
    if values["decode"]:
        sys.stdout.write(marshal_indent({"Header": header, "Payload": claims}, "  ") + "\n")
    else:
        sys.stdout.write(token + "\n")
    return 0


def _workspace_info() -> dict[str, object]:
    try:
        return backend.workspace_info()
    except backend.SupervisorDown as error:
        raise CliError(f"failed getting workspace info from supervisor: {error}") from None


def idp_login_aws(values: Values, positional: list[str]) -> int:
    from awscli_gitpod.testing.standins.awslogin import assume_and_configure  # runs `aws`: only here

    role_arn = string(values, "role-arn")
    if not role_arn:
        raise CliError("missing --role-arn or IDP_AWS_ROLE_ARN env var")
    duration = int(str(values["duration-seconds"]))
    if duration <= 0:
        raise CliError(f"invalid --duration-seconds: {duration}, must be a positive integer")
    _workspace_info()  # idpToken asks the supervisor first
    try:
        token = _mint(strings(values, "audience"), string(values, "scope"))
    except backend.MintFailed as error:
        raise CliError(str(error)) from None
    session_name = f"{_workspace_info()['workspace_id']}-{int(time.time())}"
    assume_and_configure(role_arn, session_name, token, duration, string(values, "profile"))
    return 0


def info(values: Values, positional: list[str]) -> int:
    data = _workspace_info()
    if values["json"]:
        sys.stdout.write(json.dumps(data, separators=(",", ":")) + "\n")
        return 0
    labels = {
        "workspace_id": "Workspace ID",
        "instance_id": "Instance ID",
        "workspace_url": "Workspace URL",
        "workspace_context_url": "Workspace Context URL",
        "cluster_host": "Cluster host",
    }
    width = max(len(label) for label in labels.values())
    for key, label in labels.items():
        sys.stdout.write(f"  {label.ljust(width)} : {data[key]}\n")
    return 0


CLI = Cli(
    Command(
        "gp",
        "Command line interface for Gitpod",
        children=(
            Command(
                "idp",
                "Interact with Gitpod's OIDC identity provider",
                children=(
                    Command(
                        "token",
                        "Requests an ID token for this workspace",
                        flags=(
                            Flag("audience", "stringArray", [], AUDIENCE_USAGE),
                            Flag("decode", "bool", False, "decode token to JSON"),
                            Flag("scope", "string", "", SCOPE_USAGE),
                        ),
                        action=idp_token,
                        required=("audience",),
                    ),
                    Command(
                        "login",
                        "Login to a service for which trust has been established",
                        flags=(Flag("scope", "string", "", SCOPE_USAGE, persistent=True),),
                        children=(
                            Command(
                                "aws",
                                "Login to AWS",
                                flags=(
                                    Flag(
                                        "role-arn",
                                        "string",
                                        os.environ.get("IDP_AWS_ROLE_ARN", ""),
                                        "AWS role to assume (defaults to IDP_AWS_ROLE_ARN env var)",
                                    ),
                                    Flag("audience", "stringArray", ["sts.amazonaws.com"], AUDIENCE_USAGE),
                                    Flag("profile", "string", "default", "AWS profile to configure", "p"),
                                    Flag(
                                        "duration-seconds",
                                        "int",
                                        3600,
                                        "Duration in seconds for which the credentials will be valid",
                                        "d",
                                    ),
                                ),
                                action=idp_login_aws,
                            ),
                        ),
                    ),
                ),
            ),
            Command(
                "info",
                "Display workspace info, such as its ID, class, etc.",
                flags=(Flag("json", "bool", False, "Output in JSON format", "j"),),
                action=info,
            ),
        ),
    ),
    bare_errors=True,
)

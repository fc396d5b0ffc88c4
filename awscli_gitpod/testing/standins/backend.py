"""What the stand-ins talk to: the test issuer plays the workspace's supervisor and the IdP behind it.

A real `gp` asks the supervisor (`SUPERVISOR_ADDR`, default `127.0.0.1:22999`) for the workspace and a
token, and the Gitpod server's IdP signs it; the Ona CLI asks Ona's API. Here:

- `AWS_GITPOD_TESTBED_ISSUER` unset: no supervisor answers, as outside a running workspace;
- `AWS_GITPOD_TESTBED_MODE=fail`: the supervisor answers, the IdP refuses to mint;
- `hang`: the call is taken and never answered (a CLI with a deadline, as `gp` has, gives up at it);
- `garbage`: the IdP answers with something that is not a JWT;
- `slow=<seconds>`: the answer comes that much later.

Who the token is for comes from the environment, as the supervisor knows it: Classic `GITPOD_WORKSPACE_ID`
and `GITPOD_WORKSPACE_CONTEXT_URL`; Ona `GITPOD_ENVIRONMENT_ID` (the only variable confirmed inside Ona
environments: the organization and project are the test bed's defaults). `AWS_GITPOD_TESTBED_CLAIMS` (a JSON
object) adds identity fields (`project_id`, `user_id`...) and claim overrides (`null` removes a claim),
`AWS_GITPOD_TESTBED_SHAPE` picks the shape and `AWS_GITPOD_TESTBED_SUB_KEYS` (comma-separated) the keyed
subject's keys or V3's extra sub fields.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from typing import Any

ENV_ISSUER = "AWS_GITPOD_TESTBED_ISSUER"
ENV_CLAIMS = "AWS_GITPOD_TESTBED_CLAIMS"
ENV_SHAPE = "AWS_GITPOD_TESTBED_SHAPE"
ENV_SUB_KEYS = "AWS_GITPOD_TESTBED_SUB_KEYS"
ENV_MODE = "AWS_GITPOD_TESTBED_MODE"
HANG_SECONDS = 3600
GARBAGE_TOKEN = "this-is-not-a-jwt"  # noqa: S105 (deliberately not a token)
# What the IdP says when it refuses (a connect-go error as the public API returns it); illustrative.
REFUSAL = "permission_denied: the workspace may not request ID tokens"


class MintFailed(Exception):
    """The token could not be had; the message is what the CLI's own error would say."""


class SupervisorDown(MintFailed):
    pass


def supervisor_address() -> str:
    return os.environ.get("SUPERVISOR_ADDR") or "127.0.0.1:22999"


def supervisor_down() -> SupervisorDown:
    """What gRPC says when nothing listens at the supervisor's address."""
    return SupervisorDown(
        'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: '
        f'dial tcp {supervisor_address()}: connect: connection refused"'
    )


def workspace_info() -> dict[str, Any]:
    """The supervisor's WorkspaceInfo, as `gp info --json` prints it."""
    if not os.environ.get(ENV_ISSUER):
        raise supervisor_down()
    workspace_id = os.environ.get("GITPOD_WORKSPACE_ID", "")
    return {
        "workspace_id": workspace_id,
        "instance_id": os.environ.get("GITPOD_INSTANCE_ID", ""),
        "workspace_class": {"id": "g1-standard", "displayName": "Standard", "description": "Up to 4 cores"},
        "workspace_url": os.environ.get("GITPOD_WORKSPACE_URL", ""),
        "workspace_context_url": os.environ.get("GITPOD_WORKSPACE_CONTEXT_URL", ""),
        "cluster_host": "ws-eu114.gitpod.io",
    }


def identity_fields(program: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """The identity fields and claim overrides the issuer gets for a token minted in `environ`."""
    fields: dict[str, Any] = {}
    variables = (
        {"GITPOD_WORKSPACE_ID": "workspace_id", "GITPOD_WORKSPACE_CONTEXT_URL": "context_url"}
        if program == "gp"
        else {"GITPOD_ENVIRONMENT_ID": "environment_id"}
    )
    for variable, field in variables.items():
        if environ.get(variable):
            fields[field] = environ[variable]
    extra = environ.get(ENV_CLAIMS)
    if extra:
        try:
            overrides = json.loads(extra)
        except ValueError:
            overrides = None
        if not isinstance(overrides, dict):
            raise MintFailed(f"{ENV_CLAIMS} must be a JSON object")
        fields.update(overrides)
    return fields


def shape_for(program: str, environ: Mapping[str, str]) -> str:
    return environ.get(ENV_SHAPE) or ("classic" if program == "gp" else "ona-v2")


def sub_keys(environ: Mapping[str, str]) -> list[str] | None:
    keys = environ.get(ENV_SUB_KEYS)
    return [key for key in keys.split(",") if key] if keys is not None else None


def _wait(mode: str, deadline: float | None) -> None:
    """Act out a slow or hanging supervisor; past the CLI's deadline the call fails as gRPC's does."""
    delay = HANG_SECONDS if mode == "hang" else float(mode.partition("=")[2])
    if deadline is not None and delay >= deadline:
        time.sleep(deadline)
        raise MintFailed("rpc error: code = DeadlineExceeded desc = context deadline exceeded")
    time.sleep(delay)


def mint(program: str, audiences: list[str], scope: str | None, shape: str, deadline: float | None) -> str:
    """A token from the test issuer, or MintFailed saying why not; `deadline`: the CLI's own time limit."""
    mode = os.environ.get(ENV_MODE, "")
    issuer = os.environ.get(ENV_ISSUER)
    if not issuer:
        raise supervisor_down()
    if mode == "fail":
        raise MintFailed(REFUSAL)
    if mode == "hang" or mode.startswith("slow="):
        _wait(mode, deadline)
    elif mode == "garbage":
        return GARBAGE_TOKEN
    elif mode:
        raise MintFailed(f"unknown {ENV_MODE} {mode!r}")
    import http.client
    from urllib.parse import urlsplit

    target = urlsplit(issuer)
    body = json.dumps(
        {
            "shape": shape,
            "audience": audiences,
            "scope": scope or None,
            "claims": identity_fields(program, os.environ),
            "sub_keys": sub_keys(os.environ),
        }
    )
    try:
        connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=deadline or 30)
        connection.request(
            "POST",
            target.path.rstrip("/") + "/_testbed/token",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        payload = response.read()
        connection.close()
    except OSError as error:
        raise MintFailed(f"unavailable: {error}") from None
    if response.status != 200:
        raise MintFailed(f"invalid_argument: {payload.decode(errors='replace')}")
    return str(json.loads(payload)["token"])

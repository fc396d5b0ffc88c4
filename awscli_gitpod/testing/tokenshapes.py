"""The claims of every workspace token shape Gitpod Classic and Ona issue, as their public source and docs
show them, for the test issuer.

A token is drawn from an `Identity` (who asks: the workspace or environment, its context, user, organization)
and a shape (which issuer, which principal). Classic (public-api-server `identityprovider`):

- `classic`: a user outside an SSO organization: `email_verified` is omitted (never `false`);
- `classic-sso`: a member of an SSO organization: `email_verified` is `true`;
- `classic-keyed`: the per-organization subject `key:value:key:value` (`sub_keys`, default
  `org_id`, `user_id`, `context`); values are not URL-encoded and a missing one is empty.

Every Classic token has `aud` as an array (even of one), `azp` (the first audience), `iat`, `auth_time`,
`exp` (`iat` + 3600), `context` (the normalized context URL, or `no-context`), `repository` (only when
known), `user_id`, `org_id` (may be empty), `workspace_id`, `name`, `email`, a `c_hash` that is constant per
server process, and `scope` only when one was asked for.

Ona V2 tokens carry `aud` as a plain string (an array only when several audiences are asked for, which is
unverified), `exp`, `iat`, `iss`, `org`, `sub` and nothing else:

- `ona-v2`: an environment, `sub` `org:<o>/prj:<p>/env:<e>` (`org:<o>/env:<e>` outside a project);
- `ona-v2-user`: a user (the CLI logged in with `ona login --token`), `sub` `org:<o>/user:<u>`;
- `ona-v2-runner`: a runner, `sub` `org:<o>/rnr:<r>`.

`ona-v3`: an environment's V3 token: `aud` an array, the flat ids, `creator_*` claims,
`environment_initializers` (each a `git.remote_uri` and a `context_url`), and `sub`
`organization_id:<o>:project_id:<p>` (`organization_id:<o>:environment_id:<e>` outside a project)
followed by the organization's extra sub fields (`sub_keys`, e.g. `creator_email` or
`environment_initializers.context_url`), each as `:<field>:<value>`, so a value may itself contain `:`.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

DEFAULT_AUDIENCE = "sts.amazonaws.com"
DEFAULT_CONTEXT_URL = "https://github.com/gitpod-io/my-application"
DEFAULT_WORKSPACE_ID = "gitpodio-myapplication-abc12345xyz"
DEFAULT_USER_ID = "6c7f1b2e-4d3a-4b8e-9f10-2a5c7d8e9f01"
DEFAULT_ORG_ID = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
DEFAULT_NAME = "Gitpod Tester"
DEFAULT_EMAIL = "tester@example.com"
DEFAULT_PROJECT_ID = "019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5b"
DEFAULT_ENVIRONMENT_ID = "019a2b3c-5e6f-7a80-9b0c-1d2e3f4a5b6c"
DEFAULT_RUNNER_ID = "019a2b3c-6f70-7b81-8c9d-2e3f4a5b6c7d"
DEFAULT_CREATOR_IDP = "https://accounts.google.com"
DEFAULT_LIFETIME = 3600
CLASSIC_SUB_KEYS = ("org_id", "user_id", "context")

SHAPES = {
    "classic": "Gitpod Classic workspace token of a user outside an SSO organization",
    "classic-sso": "Gitpod Classic workspace token of an SSO organization member (email_verified true)",
    "classic-keyed": "Gitpod Classic workspace token with the per-organization key:value subject",
    "ona-v2": "Ona V2 environment token",
    "ona-v2-user": "Ona V2 user token (the CLI logged in as a user)",
    "ona-v2-runner": "Ona V2 runner token",
    "ona-v3": "Ona V3 environment token",
}
ONA_V2_SUBJECT = {"ona-v2": "environment", "ona-v2-user": "user", "ona-v2-runner": "runner"}
# Constant per server process, as the Classic IdP's is: meaningless, but present.
C_HASH = base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Identity:
    """Who asks for the token: what every shape draws its claims from."""

    context_url: str | None = DEFAULT_CONTEXT_URL  # None: a workspace without context (`no-context`)
    workspace_id: str = DEFAULT_WORKSPACE_ID
    user_id: str = DEFAULT_USER_ID  # Classic: the owner; Ona: the user, and the environment's creator
    organization_id: str = DEFAULT_ORG_ID  # Classic `org_id` may be empty
    project_id: str | None = DEFAULT_PROJECT_ID  # None: an Ona environment outside a project
    environment_id: str = DEFAULT_ENVIRONMENT_ID
    runner_id: str = DEFAULT_RUNNER_ID
    name: str | None = DEFAULT_NAME
    email: str | None = DEFAULT_EMAIL  # None: a user without an email (no `email` claim)


IDENTITY_FIELDS = frozenset(field.name for field in dataclasses.fields(Identity))
OPTIONAL_FIELDS = frozenset({"context_url", "project_id", "name", "email"})


def split_fields(fields: Mapping[str, Any]) -> tuple[Identity, dict[str, Any]]:
    """(identity, claim overrides) from one mapping: names of `Identity` fields set the identity, so the
    claims derived from them (`sub`, `context`, `repository`...) follow; any other name replaces a claim
    (`None` removes it)."""
    identity = {name: value for name, value in fields.items() if name in IDENTITY_FIELDS}
    for name, value in identity.items():
        if not isinstance(value, str) and not (value is None and name in OPTIONAL_FIELDS):
            raise TypeError(
                f"identity field {name!r} must be a string{' or null' * (name in OPTIONAL_FIELDS)}"
            )
    overrides = {name: value for name, value in fields.items() if name not in IDENTITY_FIELDS}
    return dataclasses.replace(Identity(), **identity), overrides


def repository_of(context_url: str | None) -> str | None:
    """The clone URL Gitpod reports for a context URL: `https://github.com/o/r/pull/1` -> `.../o/r.git`."""
    parts = urlsplit(context_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # GitLab puts branch/tree views after `/-/` and allows nested groups; elsewhere it is owner/repo.
    path = parts.path.split("/-/", 1)[0] if "/-/" in parts.path else parts.path
    segments = [segment for segment in path.split("/") if segment]
    if "/-/" not in parts.path:
        segments = segments[:2]
    if len(segments) < 2:
        return None
    return f"{parts.scheme}://{parts.netloc}/{'/'.join(segments)}.git"


def _classic(
    shape: str, identity: Identity, audiences: list[str], sub_keys: Sequence[str] | None
) -> dict[str, Any]:
    context = identity.context_url or "no-context"
    claims: dict[str, Any] = {
        "azp": audiences[0],
        "c_hash": C_HASH,
        "name": identity.name,
        "user_id": identity.user_id,
        "org_id": identity.organization_id,
        "context": context,
        "workspace_id": identity.workspace_id,
        "repository": repository_of(identity.context_url),
        "email": identity.email,
    }
    if shape == "classic-sso":
        claims["email_verified"] = True
    keys = sub_keys if sub_keys is not None else (CLASSIC_SUB_KEYS if shape == "classic-keyed" else None)
    if keys:
        claims["sub"] = ":".join(f"{key}:{_text(claims.get(key))}" for key in keys)
    else:
        claims["sub"] = context
    return claims


def _text(value: object) -> str:
    """A claim value as Go's `%+v` prints it into a subject: nothing for a missing one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _ona_v2(shape: str, identity: Identity) -> dict[str, Any]:
    organization = f"org:{identity.organization_id}"
    principal = ONA_V2_SUBJECT[shape]
    if principal == "user":
        subject = f"{organization}/user:{identity.user_id}"
    elif principal == "runner":
        subject = f"{organization}/rnr:{identity.runner_id}"
    else:
        project = f"/prj:{identity.project_id}" if identity.project_id else ""
        subject = f"{organization}{project}/env:{identity.environment_id}"
    return {"org": identity.organization_id, "sub": subject}


def _lookup(claims: Mapping[str, Any], path: str) -> object:
    """A claim by dotted path; a list takes its first item (`environment_initializers.context_url`)."""
    value: object = claims
    for part in path.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _ona_v3(identity: Identity, sub_keys: Sequence[str] | None) -> dict[str, Any]:
    initializers = []
    if identity.context_url:
        initializers.append(
            {"git": {"remote_uri": repository_of(identity.context_url)}, "context_url": identity.context_url}
        )
    claims: dict[str, Any] = {
        "environment_id": identity.environment_id,
        "organization_id": identity.organization_id,
        "project_id": identity.project_id,
        "runner_id": identity.runner_id,
        "creator_principal": "user",
        "creator_id": identity.user_id,
        "creator_email": identity.email,
        "creator_name": identity.name,
        "creator_idp": DEFAULT_CREATOR_IDP,
        "creator_idp_claims": {"groups": ["engineering"]},
        "environment_initializers": initializers,
    }
    scope = (
        f"project_id:{identity.project_id}"
        if identity.project_id
        else f"environment_id:{identity.environment_id}"
    )
    extra = "".join(f":{key}:{_text(_lookup(claims, key))}" for key in sub_keys or ())
    claims["sub"] = f"organization_id:{identity.organization_id}:{scope}{extra}"
    return claims


def build_claims(
    shape: str,
    issuer: str,
    audience: Sequence[str] | str = DEFAULT_AUDIENCE,
    scope: str | None = None,
    lifetime: int = DEFAULT_LIFETIME,
    now: int | None = None,
    identity: Identity | None = None,
    sub_keys: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The claims of a token of `shape` for `identity`; `overrides` replace claims last (`None` removes)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown token shape {shape!r} (expected one of {', '.join(SHAPES)})")
    audiences = [audience] if isinstance(audience, str) else list(audience)
    if not audiences:
        raise ValueError("at least one audience is required")
    who = identity or Identity()
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {"iss": issuer, "iat": issued, "exp": issued + lifetime}
    if shape.startswith("classic"):
        claims.update(aud=audiences, auth_time=issued, **_classic(shape, who, audiences, sub_keys))
        if scope:
            claims["scope"] = scope
    elif scope:
        raise ValueError("Ona tokens take no scope (whether the Ona CLI accepts one is unverified)")
    elif shape == "ona-v3":
        claims.update(aud=audiences, **_ona_v3(who, sub_keys))
    else:
        claims.update(aud=audiences[0] if len(audiences) == 1 else audiences, **_ona_v2(shape, who))
    claims.update(overrides or {})
    return {name: value for name, value in claims.items() if value is not None}

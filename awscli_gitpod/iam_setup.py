"""What `aws-gitpod setup` wants in IAM, what is there, the plan between them, and applying it.

The plan is computed from reads only (GetOpenIDConnectProvider, GetRole, ListAttachedRolePolicies), shown,
and applied in dependency order: the provider first (IAM refuses a trust policy naming a provider that
does not exist), then the role and its trust policy, then the session duration and the policies. Setup
only ever adds: it never detaches a policy, removes a client ID or deletes anything.

Thumbprints: none are sent. CreateOpenIDConnectProvider's ThumbprintList is optional (botocore's model and
moto agree); IAM then derives one itself and, for issuers whose JWKS endpoint has a certificate from a
CA it trusts (every public Gitpod and Ona issuer), verifies TLS against its CA library and ignores
thumbprints altogether. A pinned thumbprint would only break the provider when the issuer renews its
certificate.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from awscli_gitpod import awsadmin, awsclient, errors
from awscli_gitpod.policy import compare

DEFAULT_MAX_SESSION_DURATION = 3600  # IAM's default for a new role
ROLE_DESCRIPTION = "Assumed by Gitpod/Ona workspaces with their OIDC token (created by aws-gitpod setup)"


@dataclass(frozen=True)
class Desired:
    """What the account should hold after `setup`."""

    role_name: str
    issuer: str  # as the token's `iss` spells it
    audience: str
    provider_arn: str
    trust_policy: dict[str, Any]
    policy_arns: tuple[str, ...] = ()
    max_session_duration: int | None = None  # None: leave an existing role's as it is
    account: str = ""
    partition: str = "aws"

    @property
    def role_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role/{self.role_name}"


@dataclass(frozen=True)
class Provider:
    arn: str
    client_ids: tuple[str, ...]


@dataclass(frozen=True)
class Role:
    arn: str
    trust_policy: Any
    max_session_duration: int
    attached: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    desired: Desired
    provider: Provider | None  # as it is now; None: to be created
    role: Role | None  # as it is now; None: to be created
    widening: tuple[str, ...]  # sampled `sub` values the new trust policy admits and the current refuses

    @property
    def provider_action(self) -> str:
        if self.provider is None:
            return "create"
        return "unchanged" if self.desired.audience in self.provider.client_ids else "add client ID"

    @property
    def trust_action(self) -> str:
        if self.role is None:
            return "create"
        same = compare.equivalent(self.role.trust_policy, self.desired.trust_policy)
        return "unchanged" if same else "replace"

    @property
    def to_attach(self) -> tuple[str, ...]:
        attached = self.role.attached if self.role else ()
        return tuple(arn for arn in dict.fromkeys(self.desired.policy_arns) if arn not in attached)

    @property
    def duration_change(self) -> tuple[int, int] | None:
        wanted = self.desired.max_session_duration
        current = self.role.max_session_duration if self.role else None
        if self.role is None or wanted is None or wanted == current:
            return None
        return self.role.max_session_duration, wanted

    @property
    def changes(self) -> bool:
        return (
            self.provider_action != "unchanged"
            or self.trust_action != "unchanged"
            or bool(self.to_attach)
            or self.duration_change is not None
        )

    def lines(self) -> list[str]:
        """The plan as a person reads it: one block per resource, the trust policy as a unified diff."""
        desired = self.desired
        role_arn = self.role.arn if self.role else f"role {desired.role_name}"
        provider = f"provider {desired.provider_arn}: {self.provider_action}"
        if self.provider_action == "create":
            provider += f" (client ID {desired.audience}, no thumbprint)"
        elif self.provider is not None and self.provider_action == "add client ID":
            provider += f" {desired.audience} (has {', '.join(self.provider.client_ids) or 'none'})"
        lines = [provider]
        if self.role is None:
            duration = desired.max_session_duration or DEFAULT_MAX_SESSION_DURATION
            lines.append(f"role {desired.role_name}: create (max session duration {duration} s)")
        else:
            lines.append(f"role {role_arn}: trust policy {self.trust_action}")
        if self.trust_action != "unchanged":
            current = self.role.trust_policy if self.role else None
            lines += ["  " + line for line in compare.diff(current, desired.trust_policy)]
        if self.widening:
            lines.append(
                "  WIDER: the new trust policy admits tokens the current one refuses, e.g. sub "
                + ", ".join(self.widening[:3])
            )
        if self.duration_change:
            lines.append(f"max session duration: {self.duration_change[0]} s -> {self.duration_change[1]} s")
        for arn in desired.policy_arns:
            lines.append(f"policy {arn}: {'attach' if arn in self.to_attach else 'attached'}")
        extra = [arn for arn in (self.role.attached if self.role else ()) if arn not in desired.policy_arns]
        if extra:
            lines.append(f"also attached, left alone: {', '.join(extra)}")
        return lines


# --- reading -------------------------------------------------------------------------------------------


def _missing(error: BaseException) -> bool:
    return awsclient.error_code(error) == "NoSuchEntity"


def read_provider(iam: Any, arn: str) -> Provider | None:
    from botocore.exceptions import ClientError

    with awsadmin.calling(f"read the IAM OIDC provider {arn}"):
        try:
            found = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        except ClientError as error:
            if _missing(error):
                return None
            raise
    return Provider(arn=arn, client_ids=tuple(str(client) for client in found.get("ClientIDList", [])))


def read_role(iam: Any, name: str) -> Role | None:
    from botocore.exceptions import ClientError

    with awsadmin.calling(f"read the role {name}"):
        try:
            role = iam.get_role(RoleName=name)["Role"]
        except ClientError as error:
            if _missing(error):
                return None
            raise
        attached: list[str] = []
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
            attached += [str(policy["PolicyArn"]) for policy in page.get("AttachedPolicies", [])]
    return Role(
        arn=str(role["Arn"]),
        trust_policy=role.get("AssumeRolePolicyDocument"),  # botocore decodes IAM's URL-encoded JSON
        max_session_duration=int(role.get("MaxSessionDuration") or DEFAULT_MAX_SESSION_DURATION),
        attached=tuple(attached),
    )


def plan(iam: Any, desired: Desired) -> Plan:
    provider = read_provider(iam, desired.provider_arn)
    role = read_role(iam, desired.role_name)
    widening: list[str] = []
    if role is not None:
        widening = compare.wider(
            role.trust_policy, desired.trust_policy, desired.issuer, desired.audience, desired.provider_arn
        )
    return Plan(desired, provider, role, tuple(widening))


# --- checking -------------------------------------------------------------------------------------------


def check_policies_exist(iam: Any, arns: tuple[str, ...]) -> None:
    """A usage error naming the first `--policy-arn` IAM does not have, before anything changes."""
    from botocore.exceptions import ClientError

    for arn in dict.fromkeys(arns):
        with awsadmin.calling(f"read the policy {arn}"):
            try:
                iam.get_policy(PolicyArn=arn)
            except ClientError as error:
                if _missing(error):
                    raise errors.UsageError(
                        f"--policy-arn {arn} does not exist in IAM (NoSuchEntity); nothing was changed"
                    ) from None
                raise


# --- applying ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One change: what it is, in the plan's words, and the call that makes it."""

    doing: str  # "create the role app" (for errors, and for what is left)
    done: str  # "created role arn:..." (printed once it is made)
    call: Callable[[], object]


def steps(iam: Any, plan: Plan) -> list[Step]:
    """The plan's changes, in dependency order: the provider before the trust policy that names it."""
    import json

    desired = plan.desired
    made: list[Step] = []
    if plan.provider_action == "create":
        made.append(
            Step(
                f"create the IAM OIDC provider for {desired.issuer}",
                f"created provider {desired.provider_arn}",
                lambda: iam.create_open_id_connect_provider(
                    Url=desired.issuer, ClientIDList=[desired.audience]
                ),
            )
        )
    elif plan.provider_action == "add client ID":
        made.append(
            Step(
                f"add client ID {desired.audience} to {desired.provider_arn}",
                f"added client ID {desired.audience} to {desired.provider_arn}",
                lambda: iam.add_client_id_to_open_id_connect_provider(
                    OpenIDConnectProviderArn=desired.provider_arn, ClientID=desired.audience
                ),
            )
        )
    document = json.dumps(desired.trust_policy, indent=2)
    if plan.role is None:
        made.append(
            Step(
                f"create the role {desired.role_name}",
                f"created role {desired.role_arn}",
                lambda: iam.create_role(
                    RoleName=desired.role_name,
                    AssumeRolePolicyDocument=document,
                    MaxSessionDuration=desired.max_session_duration or DEFAULT_MAX_SESSION_DURATION,
                    Description=ROLE_DESCRIPTION,
                ),
            )
        )
    elif plan.trust_action == "replace":
        made.append(
            Step(
                f"update the trust policy of {desired.role_name}",
                f"replaced the trust policy of {plan.role.arn}",
                lambda: iam.update_assume_role_policy(RoleName=desired.role_name, PolicyDocument=document),
            )
        )
    if plan.duration_change is not None:
        seconds = plan.duration_change[1]
        made.append(
            Step(
                f"set the max session duration of {desired.role_name} to {seconds} s",
                f"set max session duration to {seconds} s",
                lambda: iam.update_role(RoleName=desired.role_name, MaxSessionDuration=seconds),
            )
        )
    for arn in plan.to_attach:
        made.append(
            Step(
                f"attach {arn} to {desired.role_name}",
                f"attached {arn}",
                functools.partial(iam.attach_role_policy, RoleName=desired.role_name, PolicyArn=arn),
            )
        )
    return made


def apply(iam: Any, plan: Plan, report: Callable[[str], object] = print) -> None:
    """Make the changes, reporting each as it is made. On a failure midway, a Failure that names the
    changes already made and those left, so that nobody has to guess what state the account is in."""
    todo = steps(iam, plan)
    done: list[str] = []
    for index, step in enumerate(todo):
        try:
            with awsadmin.calling(step.doing):
                step.call()
        except errors.Failure as failure:
            made = "; ".join(done) or "nothing"
            left = "; ".join(later.doing for later in todo[index:])
            raise errors.Failure(
                f"{failure.message}. Already changed: {made}. Not done: {left}. Run setup again once fixed: "
                "it makes only what is missing",
                failure.exit_code,
            ) from None
        done.append(step.done)
        report(step.done)

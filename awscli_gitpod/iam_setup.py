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

from dataclasses import dataclass
from typing import Any

from awscli_gitpod import awsadmin, awsclient
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


# --- applying ------------------------------------------------------------------------------------------


def apply(iam: Any, plan: Plan) -> list[str]:
    """Make the changes; one line per change made. Stops at the first failure (a Failure)."""
    import json

    desired, done = plan.desired, []
    if plan.provider_action == "create":
        with awsadmin.calling(f"create the IAM OIDC provider for {desired.issuer}"):
            iam.create_open_id_connect_provider(Url=desired.issuer, ClientIDList=[desired.audience])
        done.append(f"created provider {desired.provider_arn}")
    elif plan.provider_action == "add client ID":
        with awsadmin.calling(f"add client ID {desired.audience} to {desired.provider_arn}"):
            iam.add_client_id_to_open_id_connect_provider(
                OpenIDConnectProviderArn=desired.provider_arn, ClientID=desired.audience
            )
        done.append(f"added client ID {desired.audience} to {desired.provider_arn}")
    document = json.dumps(desired.trust_policy, indent=2)
    if plan.role is None:
        with awsadmin.calling(f"create the role {desired.role_name}"):
            created = iam.create_role(
                RoleName=desired.role_name,
                AssumeRolePolicyDocument=document,
                MaxSessionDuration=desired.max_session_duration or DEFAULT_MAX_SESSION_DURATION,
                Description=ROLE_DESCRIPTION,
            )
        done.append(f"created role {created['Role']['Arn']}")
    elif plan.trust_action == "replace":
        with awsadmin.calling(f"update the trust policy of {desired.role_name}"):
            iam.update_assume_role_policy(RoleName=desired.role_name, PolicyDocument=document)
        done.append(f"replaced the trust policy of {plan.role.arn}")
    if plan.duration_change is not None:
        with awsadmin.calling(f"set the max session duration of {desired.role_name}"):
            iam.update_role(RoleName=desired.role_name, MaxSessionDuration=plan.duration_change[1])
        done.append(f"set max session duration to {plan.duration_change[1]} s")
    for arn in plan.to_attach:
        with awsadmin.calling(f"attach {arn} to {desired.role_name}"):
            iam.attach_role_policy(RoleName=desired.role_name, PolicyArn=arn)
        done.append(f"attached {arn}")
    return done

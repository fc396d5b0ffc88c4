"""The request context IAM builds for one AssumeRoleWithWebIdentity call: each condition key a trust policy
can test, the operator families the IAM User Guide lists for it, and its value where it is known here.

- The provider's keys from the token ("Available keys for AWS web identity federation"): `<provider>:aud`,
  `:sub`, `:amr`, `:azp`, string keys; `amr` (and `aud`, which Gitpod sends as an array) multivalued.
- The global keys "AWS global condition context keys" says are always in the request context, or in every
  request including anonymous ones: aws:CurrentTime, aws:EpochTime, aws:SecureTransport,
  aws:ViaAWSService, aws:RequestedRegion, aws:UserAgent, aws:PrincipalType, aws:userid,
  aws:PrincipalAccount; and aws:SourceIp, which is absent when the call comes through a VPC endpoint.
- sts:RoleSessionName (every assume-role call names its session), sts:SourceIdentity from the token's
  source-identity claim, and the session tags of its tags claim: aws:RequestTag/<key>, aws:TagKeys,
  sts:TransitiveTagKeys ("Passing session tags in AWS STS").

Keys whose value only the caller knows (region, user agent, session name, source IP...) are present with an
unknown value: a condition on them is uncertain until the caller supplies the value (`overrides`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

from awscli_gitpod.policy.document import (
    MULTIVALUED_CLAIMS,
    PROVIDER_CLAIMS,
    SOURCE_IDENTITY_CLAIM,
    TAGS_CLAIM,
)

STRING, NUMERIC, DATE, BOOL, BINARY, IP, ARN = (
    "String",
    "Numeric",
    "Date",
    "Bool",
    "Binary",
    "IpAddress",
    "Arn",
)

Override = Union[str, Sequence[str], None]  # None: the request has no such key


@dataclass(frozen=True)
class ContextValue:
    values: tuple[str, ...] | None  # None: IAM sets the key, but its value is not known here
    families: frozenset[str]  # the operator families the IAM docs list for the key
    multivalued: bool = False
    present: bool | None = True  # None: IAM may or may not set the key (aws:SourceIp)
    source: str = ""  # where the value comes from, for explanations

    @property
    def known(self) -> bool:
        return self.present is True and self.values is not None


def _key(families: set[str], multivalued: bool = False, present: bool | None = True) -> ContextValue:
    return ContextValue(None, frozenset(families), multivalued, present, "known only to the caller")


# Global keys of every AssumeRoleWithWebIdentity call whose value the token does not tell.
_UNKNOWN_GLOBALS = {
    "aws:requestedregion": _key({STRING}),
    "aws:useragent": _key({STRING}),
    "aws:principaltype": _key({STRING}),
    "aws:userid": _key({STRING}),
    "aws:principalaccount": _key({STRING}),
    "aws:sourceip": _key({IP}, present=None),
    "sts:rolesessionname": _key({STRING}),
}
# The families ("Works with ... operators") of keys a caller may set that are not in the table above (for
# `overrides`); any other key is taken as a string key.
_FAMILIES = {
    "aws:currenttime": {DATE},
    "aws:epochtime": {DATE, NUMERIC},
    "aws:securetransport": {BOOL},
    "aws:viaawsservice": {BOOL},
    "aws:sourcearn": {ARN, STRING},
    "aws:principalarn": {ARN, STRING},
    "aws:tokenissuetime": {DATE},
    "aws:multifactorauthpresent": {BOOL},
    "aws:multifactorauthage": {NUMERIC},
    "aws:principalisawsservice": {BOOL},
}
_MULTIVALUED = {"aws:tagkeys", "sts:transitivetagkeys"}


def _known(values: Sequence[str], families: set[str], source: str, multivalued: bool = False) -> ContextValue:
    return ContextValue(tuple(values), frozenset(families), multivalued, True, source)


def claim_values(raw: Any, multivalued: bool) -> tuple[str, ...] | None:
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    values = tuple(item if isinstance(item, str) else str(item) for item in items if item is not None)
    if not multivalued and len(values) != 1:
        return None  # a single-valued claim that is not one value never becomes a key
    return values


def _tags(claims: Mapping[str, Any]) -> dict[str, ContextValue]:
    tags = claims.get(TAGS_CLAIM)
    if not isinstance(tags, Mapping):
        return {}
    found: dict[str, ContextValue] = {}
    principal = tags.get("principal_tags")
    names = []
    if isinstance(principal, Mapping):
        for name, raw in principal.items():
            values = claim_values(raw, True) or ()
            names.append(str(name))
            if values:  # each tag key holds one value; the claim lists it as a one-item array
                found[f"aws:requesttag/{name}".lower()] = _known(values[:1], {STRING}, "the token's tags")
    if names:
        found["aws:tagkeys"] = _known(names, {STRING}, "the token's tags", multivalued=True)
    transitive = claim_values(tags.get("transitive_tag_keys"), True)
    if transitive:
        found["sts:transitivetagkeys"] = _known(transitive, {STRING}, "the token's tags", multivalued=True)
    return found


def build(
    claims: Mapping[str, Any],
    provider: str,
    now: float | None = None,
    overrides: Mapping[str, Override] | None = None,
) -> dict[str, ContextValue]:
    """Every key of the request context, by lower-cased name (IAM compares key names case-insensitively)."""
    context: dict[str, ContextValue] = {}
    for claim in PROVIDER_CLAIMS:
        values = claim_values(claims.get(claim), claim in MULTIVALUED_CLAIMS)
        if values is not None:
            source = f"the token's {claim} claim"
            multivalued = claim in MULTIVALUED_CLAIMS
            context[f"{provider}:{claim}".lower()] = _known(values, {STRING}, source, multivalued)
    moment = time.time() if now is None else now
    try:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
    except (OverflowError, OSError, ValueError):  # a time the platform cannot show: not a real call
        context["aws:currenttime"] = _key({DATE})
        context["aws:epochtime"] = _key({DATE, NUMERIC})
    else:
        context["aws:currenttime"] = _known([stamp], {DATE}, "the time of the call")
        context["aws:epochtime"] = _known([str(int(moment))], {DATE, NUMERIC}, "the time of the call")
    # Clients reach STS over HTTPS (botocore, the AWS CLI, `aws-gitpod` itself), directly, not via a service.
    context["aws:securetransport"] = _known(["true"], {BOOL}, "an HTTPS call to STS")
    context["aws:viaawsservice"] = _known(["false"], {BOOL}, "a direct call to STS")
    context.update(_UNKNOWN_GLOBALS)
    source_identity = claims.get(SOURCE_IDENTITY_CLAIM)
    if isinstance(source_identity, str):
        context["sts:sourceidentity"] = _known([source_identity], {STRING}, "the token's source identity")
    context.update(_tags(claims))
    for name, value in (overrides or {}).items():
        key = name.lower()
        if value is None:
            context.pop(key, None)
            continue
        given = [value] if isinstance(value, str) else [str(item) for item in value]
        table = context.get(key) or _UNKNOWN_GLOBALS.get(key)
        families = set(table.families) if table else set(_FAMILIES.get(key, {STRING}))
        multivalued = (table.multivalued if table else key in _MULTIVALUED) or len(given) > 1
        context[key] = _known(given, families, "given by the caller", multivalued)
    return context

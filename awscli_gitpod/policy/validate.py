"""Whether IAM would store a document as a role's trust policy, and if not, why (MalformedPolicyDocument).

Rules from the IAM User Guide ("Grammar of the IAM JSON policy language", "IAM JSON policy elements":
Version, Sid, Effect, Principal, NotPrincipal, Action, Condition), each with the message IAM answers where
it is known from its responses; `detail` says what in this document broke the rule.
- Version, if present, is `2008-10-17` or `2012-10-17`; Statement is a non-empty list (or one object);
  statement Sids are alphanumeric and unique; no other top-level or statement element exists.
- Effect is exactly `Allow` or `Deny`; Principal is required, NotPrincipal is not allowed in a trust policy;
  Principal is an object of AWS, Federated, Service, CanonicalUser; `*` is "everyone" and never part of a
  name or ARN; the string form `"Principal": "*"`, though the grammar lists it, CreateRole refuses.
- Action (or NotAction, not both) lists `*` or `service:name`; wildcards only in the name; STS actions only;
  no Resource.
- Condition maps known operators to keys to a value or a non-empty list of strings, numbers or Booleans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from awscli_gitpod.policy.conditions import parse_operator
from awscli_gitpod.policy.document import as_list
from awscli_gitpod.policy.located import Path

SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"
_TOP = {"Version", "Id", "Statement"}
_ELEMENTS = {
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
}
_PRINCIPAL_TYPES = ("AWS", "Federated", "Service", "CanonicalUser")
_VENDOR = re.compile(r"[A-Za-z0-9.-]+")
_SID = re.compile(r"[0-9A-Za-z]*")
_ACCOUNT = re.compile(r"[0-9]{12}")


@dataclass(frozen=True)
class Problem:
    """One reason IAM refuses the document; `path` leads to the part at fault."""

    path: Path
    message: str  # what IAM answers
    detail: str  # what in this document breaks the rule

    @property
    def text(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


def problems(policy: Any) -> list[Problem]:
    """Every reason IAM would refuse `policy` as a trust policy; empty when it would store it."""
    return list(_document(policy))


def _document(policy: Any) -> Iterator[Problem]:
    if not isinstance(policy, dict):
        yield Problem((), SYNTAX, "a policy is a JSON object")
        return
    for element in policy:
        if element not in _TOP:
            yield Problem((element,), SYNTAX, f"{element} is not a policy element")
    version = policy.get("Version")
    if "Version" in policy and version not in ("2008-10-17", "2012-10-17"):
        yield Problem(("Version",), SYNTAX, f"Version {version!r} is neither 2012-10-17 nor 2008-10-17")
    found = policy.get("Statement")
    items = [found] if isinstance(found, dict) else found if isinstance(found, list) else None
    if not items:
        yield Problem(("Statement",), SYNTAX, "Statement must hold at least one statement")
        return
    sids: set[str] = set()
    for index, statement in enumerate(items):
        base: Path = ("Statement",) if isinstance(found, dict) else ("Statement", index)
        if not isinstance(statement, dict):
            yield Problem(base, SYNTAX, f"statement {index} is not an object")
            continue
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid and sid in sids:
            yield Problem((*base, "Sid"), "Statement IDs (SID) in a single policy must be unique.", sid)
        if isinstance(sid, str):
            sids.add(sid)
        for problem in _statement(statement):
            yield Problem((*base, *problem.path), problem.message, problem.detail)


def _statement(statement: dict[str, Any]) -> Iterator[Problem]:
    for element in statement:
        if element not in _ELEMENTS:
            yield Problem((element,), SYNTAX, f"{element} is not a statement element")
    sid = statement.get("Sid")
    if "Sid" in statement and not (isinstance(sid, str) and _SID.fullmatch(sid)):
        message = (
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
            "expression [0-9A-Za-z]*"
        )
        yield Problem(("Sid",), message, repr(sid))
    yield from _effect(statement)
    yield from _principal(statement)
    yield from _actions(statement)
    for element in ("Resource", "NotResource"):
        if element in statement:
            yield Problem((element,), "Has prohibited field Resource.", f"a trust policy has no {element}")
    if "Condition" in statement:
        yield from _conditions(statement["Condition"])


def _effect(statement: dict[str, Any]) -> Iterator[Problem]:
    effect = statement.get("Effect")
    if effect in ("Allow", "Deny"):
        return
    if isinstance(effect, str) and effect.lower() in ("allow", "deny"):
        yield Problem(("Effect",), LEGACY, f"Effect is {effect!r}: IAM wants exactly Allow or Deny")
    else:
        yield Problem(("Effect",), SYNTAX, f"Effect must be Allow or Deny, not {effect!r}")


def _principal(statement: dict[str, Any]) -> Iterator[Problem]:
    if "NotPrincipal" in statement:
        detail = "the IAM User Guide: NotPrincipal cannot be used in an IAM role trust policy"
        yield Problem(("NotPrincipal",), "NotPrincipal is not allowed in a trust policy", detail)
        return
    if "Principal" not in statement:
        yield Problem((), "Missing required field Principal", "a trust policy names who may assume the role")
        return
    principal = statement["Principal"]
    if principal == "*":
        # Observed answer of CreateRole (quoted by the AWS CDK), although the grammar lists "*".
        message = 'AssumeRolepolicy contained an invalid principal: "STAR":"*".'
        yield Problem(("Principal",), message, 'write {"AWS": "*"} for everyone, better a named principal')
        return
    if not isinstance(principal, dict) or not principal:
        detail = (
            f'Principal must be an object such as {{"Federated": ARN}} or {{"AWS": ARN}}, not {principal!r}'
        )
        yield Problem(("Principal",), SYNTAX, detail)
        return
    for kind, names in principal.items():
        values = as_list(names)
        if kind not in _PRINCIPAL_TYPES:
            yield Problem(
                ("Principal", kind), f'Invalid principal in policy: "{kind}"', "not a principal type"
            )
        elif not values or not all(isinstance(value, str) for value in values):
            yield Problem(("Principal", kind), SYNTAX, f"{kind} must name principals as strings")
        else:
            for value in values:
                if not _valid_name(kind, value):
                    message = f'Invalid principal in policy: "{kind}":"{value}"'
                    detail = (
                        "`*` means everyone, never part of a name or ARN" if "*" in value else "not an ARN"
                    )
                    yield Problem(("Principal", kind), message, detail)


def _valid_name(kind: str, value: str) -> bool:
    if "${" in value:
        return True  # filled in when the template is deployed: nothing to judge yet
    if value == "*":
        return True
    if "*" in value or "?" in value:
        return False  # "You cannot use a wildcard to match part of a principal name or ARN"
    if kind == "AWS":
        return bool(_ACCOUNT.fullmatch(value)) or value.startswith("arn:")
    return bool(value)


def _actions(statement: dict[str, Any]) -> Iterator[Problem]:
    if "Action" in statement and "NotAction" in statement:
        yield Problem(("NotAction",), SYNTAX, "a statement has Action or NotAction, not both")
        return
    element = "Action" if "Action" in statement else "NotAction" if "NotAction" in statement else None
    if element is None:
        yield Problem((), "Policy statement must contain actions.", "no Action")
        return
    actions = as_list(statement[element])
    if not actions or not all(isinstance(action, str) for action in actions):
        yield Problem((element,), SYNTAX, f"{element} must list actions as strings")
        return
    for action in actions:
        problem = _action(action)
        if problem:
            yield Problem((element,), problem[0], problem[1])


def _action(action: str) -> tuple[str, str] | None:
    if action == "*":
        return None
    parts = action.split(":")
    if len(parts) == 1:
        return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", action
    if len(parts) > 2:
        return "Actions/Condition can contain only one colon.", action
    vendor = parts[0]
    if vendor != "*" and not _VENDOR.fullmatch(vendor):
        return f"Vendor {vendor} is not valid", f"{action}: wildcards belong in the action name only"
    if vendor.lower() not in ("sts", "*"):
        return "AssumeRole policy may only specify STS AssumeRole actions.", action
    return None


def _conditions(block: Any) -> Iterator[Problem]:
    if not isinstance(block, dict):
        yield Problem(("Condition",), SYNTAX, "Condition must be an object of operators")
        return
    for written, keys in block.items():
        path: Path = ("Condition", str(written))
        if not isinstance(keys, dict):
            yield Problem(path, SYNTAX, f"{written} must map condition keys to values")
            continue
        if parse_operator(str(written)) is None and keys:
            yield Problem(path, SYNTAX, f"{written} is not an IAM condition operator")
            continue
        for key, raw in keys.items():
            values = as_list(raw)
            if raw is None or not values:
                yield Problem((*path, str(key)), SYNTAX, f"{key} has no values (null or an empty list)")
            elif not all(isinstance(value, (str, int, float, bool)) for value in values):
                yield Problem(
                    (*path, str(key)), SYNTAX, f"the values of {key} must be strings, numbers or true/false"
                )

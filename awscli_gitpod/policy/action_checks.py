"""Checks of what an Allow statement for web identity tokens grants beyond sts:AssumeRoleWithWebIdentity.

- GP011: `NotAction` in an Allow, a wildcard that also covers sts:AssumeRole (or iam:PassRole), or
  sts:AssumeRole / sts:AssumeRoleWithSAML by name: a web identity token never needs them.
- GP015: sts:TagSession granted without anyone asking for it, only through a wildcard or NotAction, and no
  condition on the tags (aws:RequestTag/..., aws:TagKeys, sts:TransitiveTagKeys). Session tags come from
  the token's `https://aws.amazon.com/tags` claim ("Passing session tags using AssumeRoleWithWebIdentity"),
  and attribute-based policies may trust them. Naming sts:TagSession, or constraining the tags, shows the
  need, so no hint then.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awscli_gitpod.policy.document import ASSUME_ACTION, TAG_ACTION, action_matches, as_list, is_wildcard
from awscli_gitpod.policy.rules import Hit, conditions

_NEVER_NEEDED = ("sts:AssumeRole", "sts:AssumeRoleWithSAML")
_TAG_KEYS = ("aws:requesttag/", "aws:tagkeys", "sts:transitivetagkeys")


def check(statement: dict[str, Any]) -> Iterator[Hit]:
    patterns = [str(item) for item in as_list(statement.get("Action"))]
    principal = statement.get("Principal")
    # A role anyone may assume is GP012's business; for a provider alone, sts:AssumeRole is only clutter.
    federated_only = isinstance(principal, dict) and set(principal) == {"Federated"}
    if "NotAction" in statement:
        yield Hit("GP011", ("NotAction",), "NotAction in an Allow allows every action it does not list")
    for pattern in patterns:
        if is_wildcard(pattern) and any(
            action_matches(pattern, a) for a in ("sts:AssumeRole", "iam:PassRole")
        ):
            yield Hit("GP011", ("Action",), f"{pattern} allows more than {ASSUME_ACTION}: name the actions")
        elif federated_only and pattern.lower() in (action.lower() for action in _NEVER_NEEDED):
            message = f"{pattern} is never called with a web identity token: grant {ASSUME_ACTION} only"
            yield Hit("GP011", ("Action",), message)
    yield from _tag_session(statement, patterns)


def _tag_session(statement: dict[str, Any], patterns: list[str]) -> Iterator[Hit]:
    if "NotAction" in statement:
        excluded = [str(item) for item in as_list(statement["NotAction"])]
        through = None if any(action_matches(p, TAG_ACTION) for p in excluded) else "NotAction"
    else:
        through = next((p for p in patterns if action_matches(p, TAG_ACTION)), None)
    if through is None or through.lower() == TAG_ACTION.lower():
        return  # not granted, or granted by name: on purpose
    if any(condition.key.lower().startswith(_TAG_KEYS) for condition in conditions(statement)):
        return  # the tags are constrained: the author uses them
    message = (
        f"{through} also grants {TAG_ACTION}: a token's https://aws.amazon.com/tags claim would then set the "
        "session's tags, which attribute-based policies may trust (workspace tokens carry none): name the "
        "actions you need, or constrain aws:TagKeys"
    )
    yield Hit("GP015", ("NotAction",) if through == "NotAction" else ("Action",), message)

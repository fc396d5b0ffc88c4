"""Comparing a role's current trust policy with the one `setup` would write: equal, the diff, and wider?

"Wider" means the new policy admits a token the current one refuses. Deciding that exactly for arbitrary
policies means comparing glob languages across operators, negations and Deny statements; instead, the
tokens the new (generated) policy is meant to admit are sampled, each `*` filled with several strings
(empty, a word, a branch with a slash...), and both policies are run through the IAM evaluator
(`awscli_gitpod.policy.engine`) on the same claims. A sample the new policy allows and the current
one denies is the evidence shown to the user. Sampling can miss a widening only for a current policy
crafted to admit exactly the samples; equal and narrower policies never look wider.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from awscli_gitpod.policy.document import as_list, split_key, statements

# What a `*` in a generated sub pattern may stand for: nothing, a word, a branch with a slash, a PR number.
FILLERS = ("", "main", "feature/x-1", "42", "a/b/c")
_POSITIVE_STRING_OPERATORS = ("StringEquals", "StringLike")


def canonical(value: Any) -> Any:
    """A form in which IAM-equivalent spellings compare equal: one-item lists as their item, string lists
    sorted (condition values are a set), keys in any order."""
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [canonical(item) for item in value]
        if len(items) == 1:
            return items[0]
        if all(isinstance(item, str) for item in items):
            return sorted(items)
        return items
    return value


def equivalent(current: Any, new: Any) -> bool:
    return json.dumps(canonical(current), sort_keys=True) == json.dumps(canonical(new), sort_keys=True)


def _lines(policy: Any) -> list[str]:
    return json.dumps(policy, indent=2, sort_keys=True).splitlines() if policy is not None else []


def diff(current: Any, new: Any) -> list[str]:
    """A unified diff of the two documents as sorted, indented JSON (empty for a role that is created)."""
    return list(
        difflib.unified_diff(
            _lines(current),
            _lines(new),
            "current trust policy" if current is not None else "no role yet",
            "new trust policy",
            lineterm="",
            n=3,
        )
    )


def fill(pattern: str) -> list[str]:
    """Concrete values an IAM StringLike pattern admits: each `*` one of FILLERS, each `?` one character."""
    if "*" not in pattern and "?" not in pattern:
        return [pattern]
    return list(dict.fromkeys(re.sub(r"\*", filler, pattern).replace("?", "x") for filler in FILLERS))


def _claim_values(policy: Any, claim: str) -> list[str]:
    """The values positive string conditions of the policy's Allow statements give for `<provider>:claim`."""
    found: list[str] = []
    for _, statement in statements(policy):
        if statement.get("Effect") != "Allow" or not isinstance(statement.get("Condition"), dict):
            continue
        for operator, keys in statement["Condition"].items():
            if operator not in _POSITIVE_STRING_OPERATORS or not isinstance(keys, dict):
                continue
            for key, values in keys.items():
                if split_key(str(key))[1] == claim:
                    found += [str(value) for value in as_list(values)]
    return found


def sample_claims(new: Any, issuer: str, audience: str) -> list[dict[str, Any]]:
    """Claims of tokens the new policy is meant to admit, one per sampled `sub`."""
    subjects = [value for pattern in _claim_values(new, "sub") for value in fill(pattern)]
    # Gitpod's tokens carry `aud` as a list and `azp` as its first item.
    return [{"iss": issuer, "aud": [audience], "azp": audience, "sub": sub} for sub in subjects]


def wider(current: Any, new: Any, issuer: str, audience: str, provider_arn: str) -> list[str]:
    """The sampled `sub` values the new policy allows and the current one denies (empty: not wider)."""
    from awscli_gitpod.policy.engine import evaluate

    if equivalent(current, new):
        return []
    admitted = []
    for claims in sample_claims(new, issuer, audience):
        if not evaluate(new, claims, provider_arn=provider_arn).allowed:
            continue  # not a token the new policy admits: no evidence either way
        if not evaluate(current, claims, provider_arn=provider_arn).allowed:
            admitted.append(str(claims["sub"]))
    return admitted

"""Facts derived from the token's claims, for role rules, session names and policies.

Gitpod Classic: from the context URL (`context`, else a URL `sub`): `host`, `owner`, `repo`,
`repository` (`owner/repo`), `branch` (a tree URL), `pr` (a pull or merge request URL), `context_url`.
GitHub, GitLab (subgroups too: `owner` is the whole group path) and Bitbucket URLs are understood.
Ona: `organization`, `project`, `environment`, `runner`, `user` from the flat claims and the `sub` (V2
`org:X/prj:Y/env:Z`, V3 `organization_id:X:project_id:Y`, to which an organization may append fields whose
values hold colons: `...:environment_initializers.context_url:https://github.com/o/r`); and from a V3
token's `environment_initializers` (its `context_url`, else its git `remote_uri`), the repository facts of
a Classic context URL. Every fact is a string; an unknown one is absent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from awscli_gitpod.hookspecs import hookimpl

# Path markers after `<owner>/<repo>`: what follows names a branch, or a pull/merge request. GitLab's
# carry a `-` segment no project path can have; Bitbucket's plain words are only read on Bitbucket.
BRANCH_MARKERS = ("tree", "-/tree")
REQUEST_MARKERS = ("pull", "-/merge_requests")
BITBUCKET_BRANCH_MARKERS = ("src", "branch")
BITBUCKET_REQUEST_MARKERS = ("pull-requests",)
ONA_V2_KEYS = {"org": "organization", "prj": "project", "env": "environment", "rnr": "runner", "user": "user"}
ONA_FLAT_CLAIMS = {
    "organization_id": "organization",
    "project_id": "project",
    "environment_id": "environment",
    "runner_id": "runner",
}
# The fields an Ona organization can add to a V3 `sub` (terraform-provider-ona, `custom_claim_fields`).
ONA_V3_FIELDS = frozenset(
    {
        "account_id",
        "creator_email",
        "creator_id",
        "creator_idp",
        "creator_name",
        "creator_principal",
        "email",
        "environment_id",
        "environment_initializers.context_url",
        "environment_initializers.git.remote_uri",
        "environment_initializers.git.upstream_remote_uri",
        "idp",
        "name",
        "organization_id",
        "project_id",
        "runner_id",
        "runner_name",
        "service_account_id",
        "user_id",
    }
)
# The fixed start of a V3 subject: the organization, then the project or the environment (IDs: no colon).
_V3_BASE = re.compile(
    r"organization_id:([^:]+)(?::(project_id|environment_id):([^:]+))?((?::.*)?)", re.DOTALL
)


def classic_facts(context_url: str) -> dict[str, str]:
    parts = urlsplit(context_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return {}
    segments = [segment for segment in parts.path.split("/") if segment]
    facts = {"host": parts.hostname, "context_url": context_url}
    bitbucket = "bitbucket" in parts.hostname
    branch_markers = BRANCH_MARKERS + (BITBUCKET_BRANCH_MARKERS if bitbucket else ())
    request_markers = REQUEST_MARKERS + (BITBUCKET_REQUEST_MARKERS if bitbucket else ())
    marker_at = next(
        (
            index
            for index in range(2, len(segments))  # after at least `<owner>/<repo>`
            for marker in (*branch_markers, *request_markers)
            if segments[index : index + marker.count("/") + 1] == marker.split("/")
        ),
        len(segments),
    )
    repository = segments[:marker_at]
    if len(repository) >= 2:
        owner, repo = "/".join(repository[:-1]), repository[-1].removesuffix(".git")
        facts.update(owner=owner, repo=repo, repository=f"{owner}/{repo}")
    rest = "/".join(segments[marker_at:])
    for marker in branch_markers:
        if rest.startswith(marker + "/") and len(rest) > len(marker) + 1:
            facts["branch"] = rest[len(marker) + 1 :]
    for marker in request_markers:
        number = rest[len(marker) + 1 :].split("/")[0] if rest.startswith(marker + "/") else ""
        if number.isdigit():
            facts["pr"] = number
    return facts


def _appended(rest: str) -> list[tuple[str, str]]:
    """The `:field:value` pairs after the base of a V3 subject. A value may hold colons (a URL), so it runs
    up to the next `:<field>:` of a field Ona knows."""
    words = rest.split(":")[1:]
    pairs: list[tuple[str, str]] = []
    for word in words:
        if word in ONA_V3_FIELDS and (not pairs or pairs[-1][1] != ""):
            pairs.append((word, ""))
        elif pairs:
            field, value = pairs[-1]
            pairs[-1] = (field, f"{value}:{word}" if value else word)
    return pairs


def _v3_facts(subject: str) -> dict[str, str]:
    base = _V3_BASE.fullmatch(subject)
    if base is None:
        return {}
    organization, kind, identifier, rest = base.groups()
    facts = {"organization": organization}
    if kind:
        facts[ONA_FLAT_CLAIMS[kind]] = identifier
    appended = _appended(rest)
    # A field named twice is ambiguous (a value written by a user can spell `:environment_id:`): skip it.
    counts = Counter(field for field, _ in appended)
    for field, value in appended:
        fact = ONA_FLAT_CLAIMS.get(field)
        if fact and counts[field] == 1 and value and ":" not in value:
            facts.setdefault(fact, value)  # the fixed start wins
    return facts


def ona_facts(claims: Mapping[str, Any]) -> dict[str, str]:
    facts: dict[str, str] = {}
    subject = str(claims.get("sub", ""))
    if subject.startswith("org:"):  # V2: org:<id>/prj:<id>/env:<id>
        for part in subject.split("/"):
            key, _, value = part.partition(":")
            if key in ONA_V2_KEYS and value:
                facts[ONA_V2_KEYS[key]] = value
    elif subject.startswith("organization_id:"):
        facts = _v3_facts(subject)
    for claim, fact in ONA_FLAT_CLAIMS.items():
        flat = claims.get(claim)
        if isinstance(flat, str) and flat:
            facts[fact] = flat  # a claim of its own is unambiguous: it wins over what `sub` spells
    return facts


def initializer_url(claims: Mapping[str, Any]) -> str | None:
    """The repository an Ona V3 environment was created from: its first initializer's context URL, else
    its git remote."""
    initializers = claims.get("environment_initializers")
    for initializer in initializers if isinstance(initializers, list) else []:
        if not isinstance(initializer, dict):
            continue
        git = initializer.get("git")
        for url in (initializer.get("context_url"), git.get("remote_uri") if isinstance(git, dict) else None):
            if isinstance(url, str) and "://" in url:
                return url
    return None


@hookimpl
def enrich_claims(claims: Mapping[str, Any]) -> Mapping[str, str] | None:
    ona = ona_facts(claims)
    if ona:
        url = initializer_url(claims)
        return {"kind": "ona", **(classic_facts(url) if url else {}), **ona}
    context = claims.get("context")
    subject = claims.get("sub")
    url = context if isinstance(context, str) and "://" in context else subject
    if isinstance(url, str) and "://" in url:
        return {"kind": "classic", **classic_facts(url)}
    return None

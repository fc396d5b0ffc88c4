"""Facts derived from the token's claims, for role rules, session names and policies.

Gitpod Classic: from the context URL (`context`, else a URL `sub`): `host`, `owner`, `repo`,
`repository` (`owner/repo`), `branch` (a tree URL), `pr` (a pull or merge request URL), `context_url`.
GitHub, GitLab (subgroups too: `owner` is the whole group path) and Bitbucket URLs are understood.
Ona: `organization`, `project`, `environment`, `runner`, `user` from the `sub` (V2 `org:X/prj:Y/env:Z`, V3
`organization_id:X:project_id:Y`) and the flat claims. Every fact is a string; an unknown one is absent.
"""

from __future__ import annotations

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


def ona_facts(claims: Mapping[str, Any]) -> dict[str, str]:
    facts: dict[str, str] = {}
    subject = str(claims.get("sub", ""))
    if subject.startswith("org:"):  # V2: org:<id>/prj:<id>/env:<id>
        for part in subject.split("/"):
            key, _, value = part.partition(":")
            if key in ONA_V2_KEYS and value:
                facts[ONA_V2_KEYS[key]] = value
    elif subject.startswith("organization_id:"):  # V3: organization_id:<id>:project_id:<id>...
        words = subject.split(":")
        for key, value in zip(words[::2], words[1::2]):
            if key in ONA_FLAT_CLAIMS and value:
                facts[ONA_FLAT_CLAIMS[key]] = value
    for claim, fact in ONA_FLAT_CLAIMS.items():
        flat = claims.get(claim)
        if isinstance(flat, str) and flat:
            facts.setdefault(fact, flat)
    return facts


@hookimpl
def enrich_claims(claims: Mapping[str, Any]) -> Mapping[str, str] | None:
    ona = ona_facts(claims)
    if ona:
        return {"kind": "ona", **ona}
    context = claims.get("context")
    subject = claims.get("sub")
    url = context if isinstance(context, str) and "://" in context else subject
    if isinstance(url, str) and "://" in url:
        return {"kind": "classic", **classic_facts(url)}
    return None

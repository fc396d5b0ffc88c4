"""The shapes of a workspace token's `sub`, where each one's tenant ends, and what an attacker could send.

Gitpod Classic: the context URL (`https://github.com/o/r`, or a branch/PR child of it), or the keyed form
`org_id:<id>:user_id:<id>:context:<url>`. Ona: `org:<id>/prj:<id>/env:<id>` (V2) or
`organization_id:<id>:project_id:<id>` (V3). A pattern is safe only if its fixed text, up to the first
wildcard, pins a whole tenant: the repository owner, the organization.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from awscli_gitpod.policy.document import like

# Children of a repository URL that Gitpod uses as context (and so as `sub`): branch and review views.
CHILDREN = {
    "github": (("branch", "/tree/"), ("pull request", "/pull/")),
    "gitlab": (("branch", "/-/tree/"), ("merge request", "/-/merge_requests/")),
    "bitbucket": (("branch", "/src/"), ("pull request", "/pull-requests/")),
}
# Installations anyone can sign up to: any user can open a workspace on any public repository there.
MULTI_TENANT = {"services.gitpod.io/idp": "classic", "api.gitpod.io/idp": "classic", "app.gitpod.io": "ona"}
_LEGACY_ISSUER = re.compile(r"api\.[^/]+/idp")
_URL_TENANT = re.compile(r"https?://[^/*?]+/[^/*?]+/")
_KEYED_TENANT = re.compile(r"(?:^|:)(?:org_id|user_id):[^:*?]+:")
_ONA_TENANT = re.compile(r"org:[^/*?]+/")
_ONA_V3_TENANT = re.compile(r"organization_id:[^:*?]+:")


def is_legacy_issuer(provider: str) -> bool:
    """`api.<domain>/idp`: Gitpod's issuer before 18 September 2023, replaced by `services.<domain>/idp`."""
    return _LEGACY_ISSUER.fullmatch(provider) is not None


def kind_of(sub: str) -> str:
    """`url`, `keyed`, `ona`, `ona-v3` or `other`: which format a sub (or a sub pattern) is written in."""
    if sub.startswith(("https://", "http://")):
        return "url"
    if sub.startswith("org:"):
        return "ona"
    if sub.startswith("organization_id:"):
        return "ona-v3"
    if re.match(r"(org_id|user_id|context|workspace_id):", sub):
        return "keyed"
    return "other"


def scm_of(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    for name in CHILDREN:
        if name in host:
            return name
    return None


def normalize_repo(url: str) -> str:
    """`https://github.com/o/r` from what a user types (`.git`, trailing slash); ValueError if not a repo."""
    text = url.strip().rstrip("/")
    text = text[: -len(".git")] if text.endswith(".git") else text
    parts = urlsplit(text)
    segments = [segment for segment in parts.path.split("/") if segment]
    if parts.scheme not in ("https", "http") or not parts.hostname or len(segments) < 2:
        raise ValueError(f"not a repository URL: {url!r} (expected https://host/owner/repository)")
    if re.search(r"[*?\s]", text) or parts.query or parts.fragment or "/-/" in parts.path:
        raise ValueError(f"not a plain repository URL: {url!r}")
    return text


def repo_patterns(repo: str, scm: str, branches: list[str] | None = None) -> list[str]:
    """The subs of workspaces opened on `repo`: itself and its branch and review children, or only the
    given branches. Never a bare prefix (`repo*`), which would admit `repo-scratch`."""
    branch_marker = CHILDREN[scm][0][1]
    if branches:
        values = []
        for branch in branches:
            values.append(f"{repo}{branch_marker}{branch}")
            if scm == "gitlab":  # GitLab's tree URLs may end in a slash
                values.append(f"{repo}{branch_marker}{branch}/")
        return values
    return [repo] + [f"{repo}{marker}*" for _, marker in CHILDREN[scm]]


def ona_patterns(org: str, project: str | None) -> list[str]:
    """The subs of Ona environments of an organization (or one project), in both subject formats.

    A V3 organization may append fields to `sub` (`...:project_id:P:creator_email:...`), so a project is
    matched with and without them; the colon after its ID keeps out projects whose ID only starts alike.
    """
    if project:
        return [
            f"org:{org}/prj:{project}/env:*",
            f"organization_id:{org}:project_id:{project}",
            f"organization_id:{org}:project_id:{project}:*",
        ]
    return [
        f"org:{org}/prj:*",
        f"org:{org}/env:*",
        f"organization_id:{org}:project_id:*",
        f"organization_id:{org}:environment_id:*",
    ]


@dataclass(frozen=True)
class Child:
    repo: str
    kind: str  # `branch`, `pull request`, ... or the path segment
    pattern: str  # the StringLike value that admits every child of this kind


def child_of(sub: str) -> Child | None:
    """For `https://github.com/o/r/tree/x`: the repo, `branch`, and `https://github.com/o/r/tree/*`."""
    if kind_of(sub) != "url":
        return None
    known = scm_of(sub)
    # On an unknown host try GitLab's `/-/tree/` before GitHub's `/tree/`, which it contains.
    for scm in [known] if known else ["gitlab", "bitbucket", "github"]:
        for kind, marker in CHILDREN[scm]:
            repo, found, _ = sub.partition(marker)
            if found and len([s for s in urlsplit(repo).path.split("/") if s]) >= 2:
                return Child(repo, kind, f"{repo}{marker}*")
    match = re.match(r"(https?://[^/]+/[^/]+/[^/]+)/([^/]+)/", sub)
    if match:
        return Child(match.group(1), f"{match.group(2)} URL", f"{match.group(1)}/{match.group(2)}/*")
    return None


# --- where a pattern's tenant ends ------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    kind: str
    pins_tenant: bool  # the text before the first wildcard names one whole tenant (owner, organization)
    name_prefix: bool  # the first wildcard continues a name inside the tenant: `.../org/app*`
    attacker: str | None  # a value the pattern admits that the author most likely did not mean


def _first_wildcard(pattern: str) -> int:
    positions = [index for index in (pattern.find("*"), pattern.find("?")) if index >= 0]
    return min(positions) if positions else -1


def scope_of(pattern: str) -> Scope:
    """How far a StringLike `sub` pattern reaches."""
    first = _first_wildcard(pattern)
    kind = kind_of(pattern)
    if first < 0:
        return Scope(kind, True, False, None)
    prefix = pattern[:first]
    tenant: re.Match[str] | None
    if kind == "url" or "https://".startswith(prefix) or "http://".startswith(prefix):
        kind = "url"
        tenant = _URL_TENANT.match(prefix)
        rest_separator = "/"
    elif kind == "keyed":
        tenant = _KEYED_TENANT.search(prefix)
        rest_separator = ":"
    elif kind == "ona":
        tenant = _ONA_TENANT.match(prefix)
        rest_separator = "/"
    elif kind == "ona-v3":
        tenant = _ONA_V3_TENANT.match(prefix)
        rest_separator = ":"
    else:
        return Scope(kind, bool(prefix), False, _attacker(pattern, kind, True) if not prefix else None)
    if tenant is None:
        return Scope(kind, False, False, _attacker(pattern, kind, True))
    rest = prefix[tenant.end() :]
    if kind == "keyed":
        return Scope(kind, True, False, None)
    name_prefix = bool(rest) and rest_separator not in rest and not rest.endswith(":")
    return Scope(kind, True, name_prefix, _attacker(pattern, kind, False) if name_prefix else None)


_CROSSING_FILLERS = {
    "url": ("https://github.com/attacker/attacker-repo", "attacker/attacker-repo", "-evil/attacker-repo"),
    "keyed": ("org_id:attacker-org:context:https://github.com/attacker/repo", "attacker-org", "-evil"),
    "ona": ("org:attacker-org/env:1", "attacker-org/env:1", "-evil/env:1"),
    "ona-v3": ("organization_id:attacker-org:project_id:1", "attacker-org:project_id:1", "-evil"),
    "other": ("https://github.com/attacker/attacker-repo", "attacker", "-evil"),
}


def _attacker(pattern: str, kind: str, crossing: bool) -> str | None:
    """A concrete value `pattern` admits that lies outside what it seems to pin; checked to match."""
    first = _first_wildcard(pattern)
    prefix = pattern[:first]
    if pattern[first] == "?":
        filler = "x"
    elif not crossing:
        filler = "-scratch"
    else:
        empty, after_separator, after_name = _CROSSING_FILLERS[kind]
        if not prefix:
            filler = empty
        elif "https://".startswith(prefix) or "http://".startswith(prefix):
            filler = empty[len(prefix) :] if empty.startswith(prefix) else "evil.example/attacker/repo"
        elif prefix.endswith(("/", ":")):
            filler = after_separator
        else:
            filler = after_name[1:] if prefix.endswith("-") else after_name
    candidate = prefix + filler + re.sub(r"[*?]", "x", pattern[first + 1 :])
    return candidate if like(pattern, candidate) else None

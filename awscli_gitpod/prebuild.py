"""Prebuilds: where what a task does is shared with everyone who opens the project, and what aws-gitpod then
will not do without an explicit opt-in.

Gitpod Classic marks a prebuild with `GITPOD_HEADLESS=true`, and shares its snapshot and logs: secrets are
not fetched there (`refuse_secrets`).

Ona marks nothing. A `prebuild`-triggered task mints as the prebuild's identity (the user who enabled
prebuilds, or a service account) and the whole dev-container filesystem is then snapshotted for every new
environment, so cached credentials, static keys or a secret file written there would be handed to all of
them. aws-gitpod cannot tell such a task from any other (no variable marks it, and its token is an ordinary
environment token), so the task says so: with `AWS_GITPOD_PREBUILD=true` in its environment nothing is
written to disk (`may_write`, `refuse_write`): credentials are not cached, `login --static` and
`secrets get --output` refuse. `lint-gitpod-yml` finds `prebuild` tasks that would write without it.

The opt-in for both: `AWS_GITPOD_ALLOW_PREBUILD=true`, or `--allow-prebuild` where a command has it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from awscli_gitpod import errors

CLASSIC_MARKER = "GITPOD_HEADLESS"  # set to `true` by Gitpod Classic in prebuild workspaces only
DECLARED_MARKER = "AWS_GITPOD_PREBUILD"  # set by a prebuild task itself (Ona sets nothing)
OPT_IN = "AWS_GITPOD_ALLOW_PREBUILD"


def _on(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in ("1", "true", "yes")


def _opted_in(allowed: bool, environ: Mapping[str, str]) -> bool:
    return allowed or _on(environ, OPT_IN)


def refuse_secrets(allowed: bool = False, environ: Mapping[str, str] | None = None) -> None:
    """Refuse (exit 2) to fetch secrets in a Gitpod Classic prebuild, unless opted in."""
    environ = os.environ if environ is None else environ
    if environ.get(CLASSIC_MARKER) == "true" and not _opted_in(allowed, environ):
        raise errors.UsageError(
            f"not fetching secrets in a prebuild ({CLASSIC_MARKER}=true): its snapshot and logs are shared "
            "with everyone who opens the project; fetch them in the task's `command`, or add --allow-prebuild"
        )


def _in_declared_prebuild(allowed: bool, environ: Mapping[str, str] | None) -> bool:
    environ = os.environ if environ is None else environ
    return _on(environ, DECLARED_MARKER) and not _opted_in(allowed, environ)


def _why(what: str) -> str:
    return (
        f"not writing {what} in a prebuild ({DECLARED_MARKER}=true): the snapshot hands it to every "
        "environment started from it"
    )


def may_write(what: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether `what`, which can be done without, may be written to disk; a note on stderr when not."""
    if _in_declared_prebuild(False, environ):
        errors.note(f"{_why(what)} (set {OPT_IN}=true to write it anyway)")
        return False
    return True


def refuse_write(what: str, allowed: bool = False, environ: Mapping[str, str] | None = None) -> None:
    """Refuse (exit 2) to write `what` to disk in a prebuild that said so, unless opted in."""
    if _in_declared_prebuild(allowed, environ):
        raise errors.UsageError(
            f"{_why(what)}; do it in a task that runs when an environment starts, or set {OPT_IN}=true"
        )

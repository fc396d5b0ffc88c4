"""What the end-to-end tests of the credential path share: running `creds`, reading its document, and the
one-line failure rule (one line on stderr, nothing on stdout, no secret anywhere)."""

from __future__ import annotations

import json
import re
import subprocess
import time
from typing import TYPE_CHECKING, Any

from awscli_gitpod import cache

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

ACTION = "AssumeRoleWithWebIdentity"
EXPIRATION = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
JWT_SHAPED = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}")


def creds(
    workspace: Workspace, role: str, *extra: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return workspace.run(
        "aws-gitpod", "creds", "--role", role, "--region", "eu-west-1", *extra, timeout=timeout
    )


def spawn_creds(env: dict[str, str], role: str, *extra: str) -> subprocess.Popen[str]:
    argv = ["aws-gitpod", "creds", "--role", role, "--region", "eu-west-1", *extra]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def document(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def assert_no_secrets(text: str, *secrets: str) -> None:
    assert not JWT_SHAPED.search(text), "a JWT leaked"
    for secret in secrets:
        assert secret not in text


def expire_cache_entries(workspace: Workspace, expires_in: int = 600) -> None:
    """Make every cached entry due for refresh while still valid for `expires_in` seconds."""
    directory = workspace.cache_dir / "awscli-gitpod"
    for path in directory.glob("*.json"):
        entry = cache.read_entry(str(path))
        assert entry is not None
        now = int(time.time())
        cache.store_entry(str(path), entry.body, issued=now - 3000, expires=now + expires_in)


def assert_one_line_failure(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("aws-gitpod: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert_no_secrets(result.stderr)

"""Refresh ahead, end to end: before the refresh margin nobody waits for STS, and one background refresh
renews the entry; at the margin, waiters wait without loading the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from awscli_gitpod import cache
from awscli_gitpod.refreshahead import RETRY_SECONDS, claim_path
from awscli_gitpod.testing.aws import AwsServer
from tests.creds_helpers import ACTION, creds, document, spawn_creds

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

pytestmark = pytest.mark.e2e


def the_entry(workspace: Workspace) -> Path:
    (path,) = (workspace.cache_dir / "awscli-gitpod").glob("*.json")
    return path


def age(path: Path, due_in: int) -> cache.Entry:
    """Rewrite the entry at `path` so that it is due for refresh in `due_in` seconds (default margin)."""
    entry = cache.read_entry(str(path))
    assert entry is not None
    now = int(time.time())
    expires = now + cache.DEFAULT_REFRESH_MARGIN + due_in
    cache.store_entry(str(path), entry.body, issued=now - 3000, expires=expires)
    aged = cache.read_entry(str(path))
    assert aged is not None
    return aged


def until(condition: object, seconds: float = 30) -> None:
    """Wait for the background process's outcome, which the test can only observe, not be told of."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the background refresh never finished"
        time.sleep(0.05)


def test_before_the_margin_callers_never_wait_and_one_background_refresh_runs(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    cached = document(creds(workspace_env, role_arn))
    entry = age(the_entry(workspace_env), due_in=60)
    assert time.time() >= entry.prefetch_after(cache.DEFAULT_REFRESH_MARGIN), "the entry is in its window"
    aws_server.inject(ACTION, delay=2.0, times=1)  # a slow STS: anyone who waited for it would show it
    started = time.monotonic()
    callers = [spawn_creds(workspace_env.env, role_arn) for _ in range(20)]
    outputs = [caller.communicate(timeout=60) for caller in callers]
    took = time.monotonic() - started
    assert [caller.returncode for caller in callers] == [0] * 20
    assert all(json.loads(out) == cached for out, _ in outputs), "everyone answered from the cache"
    assert all(err == "" for _, err in outputs)
    assert took < 2.0 + 10, "nobody waited for the slow STS call"
    until(lambda: not os.path.exists(claim_path(str(the_entry(workspace_env)))))
    assert aws_server.calls(ACTION) == 2, "the first fetch, then exactly one background refresh"
    renewed = cache.read_entry(str(the_entry(workspace_env)))
    assert renewed is not None and renewed.expires > entry.expires
    assert document(creds(workspace_env, role_arn)) != cached, "the next caller gets the renewed credentials"


def test_a_failed_background_refresh_is_recorded_never_shown_and_retried_later(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    cached = document(creds(workspace_env, role_arn))
    path = the_entry(workspace_env)
    age(path, due_in=120)
    aws_server.inject(ACTION, code="ServiceUnavailable", status=503, times=None)
    result = creds(workspace_env, role_arn)
    assert document(result) == cached and result.stderr == ""
    until(lambda: os.path.exists(str(path) + ".failed"))
    claim = claim_path(str(path))
    until(lambda: os.stat(claim).st_mtime > time.time() + RETRY_SECONDS / 2)  # pushed out: retry later
    calls = aws_server.calls(ACTION)
    for _ in range(3):  # more hits inside the retry pause start nothing
        assert document(creds(workspace_env, role_arn)) == cached
    assert aws_server.calls(ACTION) == calls
    aws_server.clear_faults()
    os.utime(claim, (time.time() - 1, time.time() - 1))  # the retry pause is over
    assert document(creds(workspace_env, role_arn)) == cached
    until(lambda: not os.path.exists(claim))
    assert document(creds(workspace_env, role_arn)) != cached


# Runs `aws-gitpod creds` in-process and reports the heavy modules it loaded on the way.
PROBE = """
import sys
from awscli_gitpod.__main__ import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("botocore", "argparse", "pluggy", "awscli_gitpod.cli") if m in sys.modules)
sys.stderr.write(repr((code, heavy)))
"""

HOLDER = """
import sys, time
from awscli_gitpod.singleflight import RefreshLock
with RefreshLock(sys.argv[1], deadline=time.monotonic() + 60):
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_a_waiter_at_the_margin_loads_nothing_heavy(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    document(creds(workspace_env, role_arn))
    path = the_entry(workspace_env)
    entry = age(path, due_in=-10)  # due: callers must wait for a refresh
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        env=workspace_env.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "locked\n"
    args = ["creds", "--role", role_arn, "--region", "eu-west-1"]
    waiter = subprocess.Popen(
        [sys.executable, "-c", PROBE, *args],
        env=workspace_env.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    now = int(time.time())
    cache.store_entry(str(path), entry.body, issued=now, expires=now + 3600)  # what the holder would do
    out, err = waiter.communicate(timeout=30)
    holder.stdin.close()
    holder.wait(timeout=30)
    assert err == repr((0, [])), "the waiter printed the stored entry without loading the command line"
    assert json.loads(out)["AccessKeyId"]
    assert aws_server.calls(ACTION) == 1

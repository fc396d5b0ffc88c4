"""`aws-gitpod cache list/clear` on the test bed, and the line a terminal gets when a wait gets long."""

from __future__ import annotations

import fcntl
import io
import json
import os
import select
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from awscli_gitpod.waitnotice import WaitNotice

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace


def creds(workspace: Workspace, role: str, *args: str) -> dict[str, str]:
    result = workspace.run("aws-gitpod", "creds", "--role", role, *args)
    assert result.returncode == 0, result.stderr
    document: dict[str, str] = json.loads(result.stdout)
    return document


def listed(workspace: Workspace) -> list[dict[str, object]]:
    result = workspace.run("aws-gitpod", "cache", "list", "--json")
    assert result.returncode == 0, result.stderr
    entries: list[dict[str, object]] = json.loads(result.stdout)
    return entries


def cache_dir(workspace: Workspace) -> Path:
    return Path(workspace.env["XDG_CACHE_HOME"]) / "awscli-gitpod"


def test_list_names_role_region_session_and_expiry_never_a_secret(
    workspace_env: Workspace, role_arn: str
) -> None:
    document = creds(workspace_env, role_arn, "--region", "eu-west-1")
    (entry,) = listed(workspace_env)
    assert entry["role_arn"] == role_arn and entry["region"] == "eu-west-1"
    assert str(entry["session_name"]).startswith(workspace_env.env["GITPOD_WORKSPACE_ID"])
    assert entry["expires"] == document["Expiration"] and entry["state"] == "fresh"
    assert entry["refreshing"] is False and entry["last_failure"] is None
    table = workspace_env.run("aws-gitpod", "cache", "list")
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.splitlines()
    assert header.split() == ["ROLE", "REGION", "SESSION", "EXPIRES", "STATE"]
    assert row.split()[:2] == [role_arn, "eu-west-1"] and row.endswith("fresh")
    for secret in (document["AccessKeyId"], document["SecretAccessKey"], document["SessionToken"]):
        assert secret not in table.stdout + json.dumps(entry)


def test_clear_by_role_then_everything_with_stale_locks(workspace_env: Workspace, role_arn: str) -> None:
    other = role_arn.replace(":role/", ":role/other-")
    creds(workspace_env, role_arn)
    stale = cache_dir(workspace_env) / ("0" * 64 + ".json.lock")  # the lock of a key nobody uses any more
    stale.write_text("12345")
    (cache_dir(workspace_env) / "unrelated.txt").write_text("mine")
    other_entry = next(cache_dir(workspace_env).glob("*.json"))
    about = json.loads(Path(f"{other_entry}.about").read_text())
    Path(f"{other_entry}.about").write_text(json.dumps({**about, "role_arn": other}))
    creds(workspace_env, role_arn, "--region", "eu-west-1")
    assert {entry["role_arn"] for entry in listed(workspace_env)} == {role_arn, other}
    assert (
        "1 lock or record files of entries that are gone"
        in workspace_env.run("aws-gitpod", "cache", "list").stdout
    )

    by_role = workspace_env.run("aws-gitpod", "cache", "clear", "--role", other)
    assert by_role.returncode == 0, by_role.stderr
    assert by_role.stdout.startswith(f"removed 1 cached credential for {other}")
    assert [entry["role_arn"] for entry in listed(workspace_env)] == [role_arn]
    assert not other_entry.exists() and not Path(f"{other_entry}.about").exists()
    assert stale.exists()

    everything = workspace_env.run("aws-gitpod", "cache", "clear")
    assert everything.returncode == 0, everything.stderr
    assert "removed 1 cached credential and 1 stale lock or record files" in everything.stdout
    assert listed(workspace_env) == [] and not stale.exists()
    assert sorted(path.name for path in cache_dir(workspace_env).iterdir() if path.is_file()) == [
        "unrelated.txt"
    ]


def test_a_long_wait_says_so_on_a_terminal_and_clear_keeps_a_held_lock(
    workspace_env: Workspace, role_arn: str
) -> None:
    creds(workspace_env, role_arn)
    (entry,) = cache_dir(workspace_env).glob("*.json")
    lock_fd = os.open(f"{entry}.lock", os.O_RDWR)
    fcntl.flock(lock_fd, fcntl.LOCK_EX)  # another process refreshing the same credentials
    entry.unlink()  # so that the next call must wait for it
    controller, terminal = os.openpty()
    child = subprocess.Popen(
        ["aws-gitpod", "creds", "--role", role_arn],
        env=workspace_env.env,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    try:
        seen = b""
        deadline = time.monotonic() + 30
        while b"waiting for another aws-gitpod process" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], deadline - time.monotonic())
            if ready:
                seen += os.read(controller, 4096)
        assert b"to refresh " + role_arn.encode() in seen
        cleared = workspace_env.run("aws-gitpod", "cache", "clear")
        assert "1 refresh running now kept a lock" in cleared.stderr
        assert Path(f"{entry}.lock").exists()
    finally:
        os.close(lock_fd)  # the holder is done: the waiter goes on
        output, _ = child.communicate(timeout=60)
        os.close(controller)
    assert child.returncode == 0
    assert json.loads(output)["Version"] == 1


class Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty
        self.written = threading.Event()

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.written.set()
        return super().write(text)


def test_the_notice_is_for_terminals_only() -> None:
    for tty in (True, False):
        stream = Terminal(tty)
        notice = WaitNotice("waiting", after=0.0, stream=stream)
        notice.start()
        if tty:
            assert stream.written.wait(10)
        notice.stop()
        assert stream.getvalue() == ("aws-gitpod: waiting\n" if tty else "")


def test_a_wait_that_ends_in_time_says_nothing() -> None:
    stream = Terminal(True)
    notice = WaitNotice("waiting", after=60.0, stream=stream)
    notice.start()
    notice.stop()
    assert stream.getvalue() == ""

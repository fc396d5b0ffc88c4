"""The credential path under faults, end to end: never the wrong credentials, never past `--timeout`, never
lost to a fault. STS is reached through the test bed's fault proxy; issuer fetches go to a hostile issuer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from awscli_gitpod import errors
from awscli_gitpod.testing.aws import AwsServer, create_oidc_role
from awscli_gitpod.testing.faults import Fault, FaultProxy, HostileIssuer
from awscli_gitpod.testing.issuer import Issuer
from tests.creds_helpers import (
    ACTION,
    assert_no_secrets,
    assert_one_line_failure,
    creds,
    document,
    expire_cache_entries,
    spawn_creds,
)

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def proxy(aws_server: AwsServer) -> Iterator[FaultProxy]:
    with FaultProxy.start(aws_server.endpoint_url) as running:
        yield running


@pytest.fixture
def faulty(workspace_env: Workspace, proxy: FaultProxy) -> Workspace:
    """The workspace, with STS behind the fault proxy (and no faults yet)."""
    proxy.plan.clear()
    workspace_env.env["AWS_ENDPOINT_URL_STS"] = proxy.url
    return workspace_env


@pytest.fixture(scope="module")
def hostile(issuer: Issuer) -> Iterator[HostileIssuer]:
    with HostileIssuer.start(issuer.jwks) as running:
        yield running


@pytest.fixture
def hostile_token(hostile: HostileIssuer, issuer: Issuer, tmp_path: Path) -> Path:
    hostile.plan.clear()
    path = tmp_path / "token"
    path.write_text(issuer.sign(hostile.claims()))
    return path


# The promise is `--timeout` + 1 s on an idle machine. The tests allow more, for a loaded CI machine's
# process starts, and still tell a ceiling from none: without one, each of these faults runs for 30 s or more.
SLACK = 3.0


def assert_within(took: float, timeout: float, what: str = "") -> None:
    assert took < timeout + SLACK, f"{what} took {took:.1f} s with --timeout {timeout:g}"


def timed(
    function: object, *args: object, **kwargs: object
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = function(*args, **kwargs)  # type: ignore[operator]
    return result, time.monotonic() - started


# --- never the wrong credentials -----------------------------------------------------------------------


def test_a_session_policy_file_is_keyed_by_its_content(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer, tmp_path: Path
) -> None:
    policies = {}
    for name, action in (("broad", "s3:*"), ("narrow", "s3:GetObject")):
        directory = tmp_path / name
        directory.mkdir()
        policies[name] = json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
        )
        (directory / "p.json").write_text(policies[name])
    line = ["aws-gitpod", "creds", "--role", role_arn, "--policy", "file://p.json"]
    for name in ("broad", "narrow"):
        result = subprocess.run(
            line, env=workspace_env.env, cwd=tmp_path / name, capture_output=True, text=True, check=False
        )
        document(result)
        assert aws_server.last_params(ACTION)["Policy"] == policies[name]
    assert aws_server.calls(ACTION) == 2, "the same line in another directory names another policy"
    (tmp_path / "narrow" / "p.json").write_text(policies["broad"])
    subprocess.run(line, env=workspace_env.env, cwd=tmp_path / "narrow", capture_output=True, check=True)
    assert aws_server.calls(ACTION) == 2, "the same policy text: the broad entry is the right answer"


def test_an_edited_role_rules_policy_file_asks_sts_again(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    rules = workspace_env.home / "roles.ini"
    rules.write_text(f"[rule all]\nrepository = gitpod-io/*\nrole = {role_arn}\npolicy_file = p.json\n")
    policy = workspace_env.home / "p.json"
    policy.write_text(
        json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        )
    )
    workspace_env.env["AWS_GITPOD_ROLE_RULES"] = str(rules)
    document(workspace_env.run("aws-gitpod", "creds", "--role", "auto"))
    document(workspace_env.run("aws-gitpod", "creds", "--role", "auto"))
    assert aws_server.calls(ACTION) == 1
    narrower = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    policy.write_text(json.dumps(narrower))
    document(workspace_env.run("aws-gitpod", "creds", "--role", "auto"))
    assert aws_server.calls(ACTION) == 2
    assert json.loads(aws_server.last_params(ACTION)["Policy"]) == narrower


def test_a_swapped_cache_file_serves_nobody_elses_credentials(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer, issuer: Issuer
) -> None:
    other = create_oidc_role(
        aws_server.endpoint_url,
        issuer.url,
        role_name=f"other-{os.getpid()}-{time.time_ns()}",
        subject=workspace_env.subject,
    )
    mine = document(creds(workspace_env, role_arn))
    document(creds(workspace_env, other))
    entries = sorted(
        (workspace_env.cache_dir / "awscli-gitpod").glob("*.json"), key=lambda p: p.stat().st_mtime_ns
    )
    first, second = entries
    data_first, data_second = first.read_bytes(), second.read_bytes()
    first.write_bytes(data_second)
    second.write_bytes(data_first)
    theirs = document(creds(workspace_env, other))
    assert theirs["AccessKeyId"] != mine["AccessKeyId"]
    assert aws_server.calls(ACTION) == 3, "neither swapped file may answer"


# --- a fault is never an internal error ----------------------------------------------------------------


def test_a_reply_cut_short_is_retried(faulty: Workspace, role_arn: str, proxy: FaultProxy) -> None:
    proxy.plan.set(Fault("truncate", times=1))
    document(creds(faulty, role_arn))
    assert proxy.plan.total_requests() == 2


@pytest.mark.parametrize("kind", ["garble", "truncate", "huge", "redirect"])
def test_unreadable_replies_are_unavailable_and_never_shown(
    faulty: Workspace, role_arn: str, proxy: FaultProxy, kind: str
) -> None:
    proxy.plan.set(Fault(kind, size=200_000))
    result = creds(faulty, role_arn, "--timeout", "8")
    assert_one_line_failure(result, errors.AWS_UNAVAILABLE, "could not be read")
    for fragment in ("<", "~", "Credentials", "ASIA", "Unable to parse"):
        assert fragment not in result.stderr
    assert 2 <= proxy.plan.total_requests() <= 5


def test_unreadable_replies_fall_back_to_valid_cached_credentials(
    faulty: Workspace, role_arn: str, proxy: FaultProxy
) -> None:
    cached = document(creds(faulty, role_arn))
    expire_cache_entries(faulty, expires_in=600)
    proxy.plan.set(Fault("garble"))
    result = creds(faulty, role_arn, "--timeout", "8")
    assert document(result) == cached
    (warning,) = result.stderr.splitlines()
    assert (
        warning.startswith("aws-gitpod: warning: ") and "using cached credentials valid for 9 more" in warning
    )
    assert_no_secrets(result.stderr, cached["SecretAccessKey"], cached["SessionToken"])


def test_waiters_share_an_unreadable_reply_instead_of_repeating_it(
    faulty: Workspace, role_arn: str, proxy: FaultProxy
) -> None:
    proxy.plan.set(Fault("garble"))
    processes = [spawn_creds(faulty.env, role_arn, "--timeout", "30") for _ in range(20)]
    outcomes = [process.communicate(timeout=60) for process in processes]
    assert {process.returncode for process in processes} == {errors.AWS_UNAVAILABLE}
    assert all("could not be read" in err for _, err in outcomes)
    assert proxy.plan.total_requests() <= 10, "the holder's attempts, not 20 callers' each"


# --- --timeout is a ceiling ------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [Fault("stall"), Fault("drip", seconds=0.3), Fault("delay", seconds=30)])
def test_a_silent_or_slow_sts_ends_within_the_timeout(
    faulty: Workspace, role_arn: str, proxy: FaultProxy, fault: Fault
) -> None:
    proxy.plan.set(fault)
    result, took = timed(creds, faulty, role_arn, "--timeout", "4")
    assert result.returncode == errors.AWS_UNAVAILABLE, result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert_within(took, 4, fault.kind)


def test_waiters_serve_valid_credentials_while_the_holder_stalls(
    faulty: Workspace, role_arn: str, proxy: FaultProxy
) -> None:
    cached = document(creds(faulty, role_arn))
    expire_cache_entries(faulty, expires_in=900)
    proxy.plan.set(Fault("stall"))
    processes = [spawn_creds(faulty.env, role_arn, "--timeout", "4") for _ in range(5)]
    outcomes = [process.communicate(timeout=30) for process in processes]
    assert [process.returncode for process in processes] == [0] * 5, [err for _, err in outcomes]
    assert all(json.loads(out) == cached for out, _ in outcomes)
    assert all(len(err.splitlines()) == 1 and "using cached credentials" in err for _, err in outcomes)


def test_a_token_command_whose_grandchild_keeps_the_pipes_is_not_waited_for(
    workspace_env: Workspace, role_arn: str, issuer: Issuer, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text(issuer.mint(sub=workspace_env.subject))
    # The daemon is in a session of its own (beyond the group kill) and holds stdout and stderr open.
    command = f"setsid sleep 30 & cat {token}"
    result, took = timed(creds, workspace_env, role_arn, "--token-command", command, "--timeout", "20")
    document(result)
    assert took < 10, f"waited {took:.1f} s for pipes a grandchild held (the daemon sleeps 30 s)"


def test_a_hanging_token_command_with_a_daemon_child_ends_at_the_timeout(
    workspace_env: Workspace, role_arn: str
) -> None:
    result, took = timed(
        creds, workspace_env, role_arn, "--token-command", "setsid sleep 30 & sleep 30", "--timeout", "2"
    )
    assert_one_line_failure(result, errors.NO_TOKEN, "did not finish within")
    assert_within(took, 2)


# --- issuer fetches are bounded -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault("drip", seconds=0.2), "did not"),
        (Fault("stall"), "did not"),
        (Fault("huge", size=64 * 1024 * 1024), "over the 1048576 bytes allowed"),
        (Fault("huge", size=64 * 1024 * 1024, declared=False), "over the 1048576 bytes allowed"),
        (
            Fault("redirect", location="http://127.0.0.2:9/idp/.well-known/openid-configuration"),
            "another host",
        ),
    ],
)
def test_a_hostile_issuer_cannot_hold_token_verify(
    workspace_env: Workspace, hostile: HostileIssuer, hostile_token: Path, fault: Fault, message: str
) -> None:
    hostile.plan.set(fault)
    result, took = timed(
        workspace_env.run,
        "aws-gitpod",
        "token",
        "--verify",
        "--token-file",
        str(hostile_token),
        "--timeout",
        "3",
    )
    assert result.returncode == errors.CHECK_FAILED, result.stdout + result.stderr
    failing = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failing) == 1 and message in failing[0], result.stdout
    assert_within(took, 3, fault.kind)
    assert "Traceback" not in result.stderr


def test_a_hostile_issuer_cannot_hold_doctor(
    workspace_env: Workspace, role_arn: str, hostile: HostileIssuer, hostile_token: Path
) -> None:
    hostile.plan.set(Fault("drip", seconds=0.2))
    result, took = timed(
        workspace_env.run,
        "aws-gitpod",
        "doctor",
        "--role",
        role_arn,
        "--token-file",
        str(hostile_token),
        "--timeout",
        "4",
        "--json",
    )
    checks = {check["check"]: check for check in json.loads(result.stdout)}
    assert checks["issuer"]["status"] == "fail"
    assert_within(took, 4 + 1, "doctor (STS gets one second of its own after the issuer checks)")


def test_an_http_issuer_is_flagged(workspace_env: Workspace, issuer: Issuer, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text(issuer.mint(iss="http://idp.example.com/idp"))
    result = workspace_env.run("aws-gitpod", "token", "--verify", "--token-file", str(token))
    assert result.returncode == errors.CHECK_FAILED
    assert (
        "FAIL issuer: http://idp.example.com/idp is not an https URL: AWS accepts only https" in result.stdout
    )


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999"])
def test_claims_that_are_not_json_numbers_are_reported(
    workspace_env: Workspace, role_arn: str, issuer: Issuer, tmp_path: Path, value: str
) -> None:
    good = issuer.mint()
    header, payload, signature = good.split(".")
    import base64

    claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    exp = json.loads(claims)["exp"]
    forged = base64.urlsafe_b64encode(claims.replace(str(exp), value).encode()).rstrip(b"=").decode()
    token = tmp_path / "token"
    token.write_text(f"{header}.{forged}.{signature}")
    reason = "not valid JSON (" + ("NaN is not a JSON number" if value == "NaN" else value)
    for command in (("token", "--verify"), ("creds", "--role", role_arn)):
        result = workspace_env.run("aws-gitpod", *command, "--token-file", str(token))
        assert_one_line_failure(result, errors.NO_TOKEN, reason)


# --- the disk cannot take credentials away --------------------------------------------------------------


def in_a_mount(workspace: Workspace, mount: str, *command: str) -> subprocess.CompletedProcess[str]:
    """Run `command` with a tiny tmpfs (`mount` options) over the workspace's cache directory, in a mount
    namespace of its own: a real full or read-only file system, without touching the machine's."""
    cache = workspace.cache_dir / "awscli-gitpod"
    cache.mkdir(parents=True, exist_ok=True)
    script = (
        f"mount -t tmpfs -o size=16k,mode=700 tmpfs {cache} && "
        f"{{ head -c 1000000 /dev/zero > {cache}/filler 2>/dev/null; true; }} && "
        + (f"mount -o remount,ro {cache} && " if mount == "ro" else "")
        + 'exec "$@"'
    )
    return subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", script, "sh", *command],
        env=workspace.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def mounts_allowed() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.parametrize("mount", ["full", "ro"])
def test_a_cache_that_cannot_be_written_costs_only_the_cache(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer, mount: str
) -> None:
    if not mounts_allowed():
        pytest.skip("this machine allows no unprivileged mount namespace (unshare --map-root-user --mount)")
    aws_gitpod = str(shutil.which("aws-gitpod"))
    result = in_a_mount(
        workspace_env, mount, aws_gitpod, "creds", "--role", role_arn, "--region", "eu-west-1"
    )
    document(result)
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("aws-gitpod: warning: ")
    assert ("No space left on device" if mount == "full" else "Read-only file system") in warning


def test_a_shared_cache_directory_keeps_its_mode(
    workspace_env: Workspace, role_arn: str, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # noqa: S103 - a shared directory such as /tmp is the point
    workspace_env.env["AWS_GITPOD_CACHE_DIR"] = str(shared)
    document(creds(workspace_env, role_arn))
    assert os.stat(shared).st_mode & 0o7777 == 0o1777
    private = shared / f"awscli-gitpod-{os.geteuid()}"
    assert os.stat(private).st_mode & 0o777 == 0o700
    assert len(list(private.glob("*.json"))) == 1


def test_a_miss_whose_output_cannot_be_written_is_one_line(workspace_env: Workspace, role_arn: str) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            ["aws-gitpod", "creds", "--role", role_arn],
            env=workspace_env.env,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert result.returncode == errors.OUTPUT_FAILED
    assert result.stderr == "aws-gitpod: error: cannot write the output: No space left on device\n"


# --- files and processes that hold secrets are private ----------------------------------------------------


def test_login_static_makes_a_readable_credentials_file_private(
    workspace_env: Workspace, role_arn: str
) -> None:
    credentials = workspace_env.aws_credentials_file
    credentials.write_text("[other]\nregion = eu-west-1\n")
    os.chmod(credentials, 0o644)
    result = workspace_env.run("aws-gitpod", "login", "--role-arn", role_arn, "--static", "-p", "gitpod")
    assert result.returncode == 0, result.stderr
    assert os.stat(credentials).st_mode & 0o777 == 0o600
    assert f"made {credentials} private (0600, was 0644)" in result.stderr
    assert credentials.read_text().startswith("[other]\nregion = eu-west-1\n")


PROBE_PLUGIN = """
import os
from awscli_gitpod import coredumps, hookimpl

@hookimpl
def session_name(claims, facts, now):
    with open(os.environ["DUMPABLE_PROBE"], "w") as probe:
        probe.write(str(coredumps.dumpable()))
    return None
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_process_holding_the_token_cannot_dump_core(
    workspace_env: Workspace, role_arn: str, tmp_path: Path
) -> None:
    plugin = tmp_path / "probe_dumpable.py"
    plugin.write_text(PROBE_PLUGIN)
    workspace_env.env.update(AWS_GITPOD_PLUGINS=str(plugin), DUMPABLE_PROBE=str(tmp_path / "dumpable"))
    document(creds(workspace_env, role_arn, "--no-cache"))
    assert (tmp_path / "dumpable").read_text() == "False"

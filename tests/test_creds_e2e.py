"""`aws-gitpod creds` end to end: real processes, the real AWS CLI v1, the local issuer and moto over HTTP."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING

from awscli_gitpod import cache, errors
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.provider import role_credentials
from awscli_gitpod.testing.aws import AwsServer, create_oidc_role
from awscli_gitpod.testing.issuer import Issuer
from tests.creds_helpers import (
    ACTION,
    EXPIRATION,
    JWT_SHAPED,
    assert_no_secrets,
    assert_one_line_failure,
    creds,
    document,
    expire_cache_entries,
    spawn_creds,
)

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace


def test_aws_cli_v1_uses_the_profile_and_the_cache(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    aws = shutil.which("aws", path=workspace_env.env["PATH"])
    assert aws is not None
    assert workspace_env.run(aws, "--version").stdout.startswith("aws-cli/1.")
    workspace_env.aws_config_file.write_text(
        "[profile gitpod]\n"
        "region = eu-west-1\n"
        f"credential_process = aws-gitpod creds --role {role_arn} --region eu-west-1\n"
    )
    role_name = role_arn.rsplit("/", 1)[1]
    workspace_id = workspace_env.env["GITPOD_WORKSPACE_ID"]

    for _ in range(2):
        result = workspace_env.run(
            aws, "sts", "get-caller-identity", "--profile", "gitpod", "--output", "json"
        )
        assert result.returncode == 0, result.stderr
        arn = json.loads(result.stdout)["Arn"]
        assert re.fullmatch(
            rf"arn:aws:sts::123456789012:assumed-role/{role_name}/{workspace_id}-\d{{10}}", arn
        )

    assert workspace_env.log.count("gp") == 1, "the second call must be served from the cache"
    assert aws_server.calls(ACTION) == 1


def test_the_document_follows_the_credential_process_contract(
    workspace_env: Workspace, role_arn: str
) -> None:
    result = creds(workspace_env, role_arn, "--duration-seconds", "1800")
    parsed = document(result)
    assert list(parsed) == [
        "Version",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
        "AccountId",
    ]
    assert parsed["Version"] == 1
    assert parsed["AccountId"] == "123456789012"
    assert EXPIRATION.fullmatch(parsed["Expiration"])
    lifetime = time.mktime(time.strptime(parsed["Expiration"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(
        time.gmtime()
    )
    assert 1700 < lifetime <= 1800
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""


def test_ona_environments_use_the_gitpod_cli(
    ona_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    parsed = document(creds(ona_env, role_arn))
    assert parsed["AccessKeyId"]
    assert ona_env.log.count("ona") + ona_env.log.count("gitpod") == 1
    assert aws_server.calls(ACTION) == 1


def test_twenty_concurrent_cold_processes_make_one_sts_call(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    processes = [spawn_creds(workspace_env.env, role_arn) for _ in range(20)]
    outputs = [process.communicate(timeout=90) for process in processes]
    assert [process.returncode for process in processes] == [0] * 20, [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    assert json.loads(outputs[0][0])["Version"] == 1
    assert aws_server.calls(ACTION) == 1
    assert workspace_env.log.count("gp") == 1


def test_sigkill_in_the_middle_of_a_refresh_does_not_break_the_next_call(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    slow_env = dict(workspace_env.env, AWS_GITPOD_TESTBED_MODE="slow=5")
    victim = spawn_creds(slow_env, role_arn)
    deadline = time.monotonic() + 20
    while workspace_env.log.count("gp") == 0:  # the refresh is under way: the lock is held
        assert time.monotonic() < deadline
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()

    started = time.monotonic()
    parsed = document(creds(workspace_env, role_arn, timeout=30))
    assert parsed["AccessKeyId"]
    assert time.monotonic() - started < 10
    assert aws_server.calls(ACTION) == 1


def test_fresh_entries_are_reused_and_due_ones_refreshed(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    first = document(creds(workspace_env, role_arn))
    assert document(creds(workspace_env, role_arn)) == first
    expire_cache_entries(workspace_env)
    refreshed = document(creds(workspace_env, role_arn))
    assert refreshed["AccessKeyId"] != first["AccessKeyId"]
    assert aws_server.calls(ACTION) == 2


def test_the_cache_key_separates_roles_and_no_cache_bypasses(
    workspace_env: Workspace, role_arn: str, issuer: Issuer, aws_server: AwsServer
) -> None:
    other_role = create_oidc_role(
        aws_server.endpoint_url, issuer.url, role_name="gitpod-other-role", subject=workspace_env.subject
    )
    document(creds(workspace_env, role_arn))
    document(creds(workspace_env, other_role))
    document(creds(workspace_env, role_arn, "--no-cache"))
    assert aws_server.calls(ACTION) == 3
    entries = list((workspace_env.cache_dir / "awscli-gitpod").glob("*.json"))
    assert len(entries) == 2
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in entries)
    assert (workspace_env.cache_dir / "awscli-gitpod").stat().st_mode & 0o777 == 0o700


def test_a_corrupt_cache_file_is_replaced(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    document(creds(workspace_env, role_arn))
    (entry,) = (workspace_env.cache_dir / "awscli-gitpod").glob("*.json")
    entry.write_bytes(entry.read_bytes()[:-20])  # truncated
    document(creds(workspace_env, role_arn))
    assert cache.read_entry(str(entry)) is not None
    assert aws_server.calls(ACTION) == 2


def test_stale_but_valid_credentials_survive_an_sts_outage(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    first = document(creds(workspace_env, role_arn))
    expire_cache_entries(workspace_env)
    aws_server.inject(ACTION, code="ServiceUnavailable", status=503, times=None)
    result = creds(workspace_env, role_arn, "--timeout", "10")
    assert document(result) == first
    assert "using cached credentials valid for" in result.stderr
    assert_no_secrets(result.stderr, first["SecretAccessKey"], first["SessionToken"])


def test_an_unusable_cache_directory_only_costs_the_cache(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    workspace_env.env["AWS_GITPOD_CACHE_DIR"] = "/dev/null/cache"
    for _ in range(2):
        result = creds(workspace_env, role_arn)
        assert document(result)["Version"] == 1
        assert "warning: not caching: cannot use cache directory /dev/null/cache" in result.stderr
    assert aws_server.calls(ACTION) == 2


def test_the_sts_specific_endpoint_wins(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    workspace_env.env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{closed_port()}"
    workspace_env.env["AWS_ENDPOINT_URL_STS"] = aws_server.endpoint_url
    assert document(creds(workspace_env, role_arn))["AccessKeyId"]
    assert aws_server.calls(ACTION) == 1


def test_session_policies_reach_sts_and_the_cache_key(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer, tmp_path: Path
) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(policy))
    document(creds(workspace_env, role_arn))
    document(creds(workspace_env, role_arn, "--policy", f"file://{policy_file}"))
    document(creds(workspace_env, role_arn, "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"))
    assert aws_server.calls(ACTION) == 3


# --- failures: one line, a documented exit code, and no secret ---------------------------------


def test_access_denied_fails_at_once_naming_role_and_claims(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer, issuer: Issuer
) -> None:
    aws_server.inject(ACTION, code="AccessDenied", status=403, message="Not authorized", times=None)
    started = time.monotonic()
    result = creds(workspace_env, role_arn)
    assert_one_line_failure(
        result,
        errors.AWS_DENIED,
        role_arn,
        f"iss={issuer.url}",
        "aud=sts.amazonaws.com",
        f"sub={workspace_env.subject}",
        errors.DIAGNOSE_HINT.format(role_arn=role_arn),
    )
    assert aws_server.calls(ACTION) == 1
    assert time.monotonic() - started < 10


# One end-to-end test per failure class; every code of each class is unit-tested in test_retry.py.
def test_transient_errors_are_retried(workspace_env: Workspace, role_arn: str, aws_server: AwsServer) -> None:
    aws_server.inject(ACTION, code="IDPCommunicationError", status=400, times=2)
    document(creds(workspace_env, role_arn))
    assert aws_server.calls(ACTION) == 3
    assert workspace_env.log.count("gp") == 1


def test_persistent_transient_errors_give_up_within_the_budget(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    aws_server.inject(ACTION, code="IDPCommunicationError", status=400, times=None)
    started = time.monotonic()
    result = creds(workspace_env, role_arn, "--timeout", "8")
    assert_one_line_failure(result, errors.AWS_UNAVAILABLE, "unavailable after", "IDPCommunicationError")
    assert time.monotonic() - started < 15
    assert 2 <= aws_server.calls(ACTION) <= 5


def test_a_rejected_token_is_retried_once_with_a_fresh_one(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    aws_server.inject(ACTION, code="InvalidIdentityToken", status=400, times=1)
    document(creds(workspace_env, role_arn))
    assert aws_server.calls(ACTION) == 2
    assert workspace_env.log.count("gp") == 2

    aws_server.reset()
    aws_server.inject(ACTION, code="ExpiredTokenException", status=400, times=None)
    result = creds(workspace_env, role_arn, "--no-cache")
    assert_one_line_failure(result, errors.AWS_DENIED, "ExpiredTokenException")
    assert aws_server.calls(ACTION) == 2


def test_request_errors_are_final(workspace_env: Workspace, role_arn: str, aws_server: AwsServer) -> None:
    aws_server.inject(ACTION, code="MalformedPolicyDocument", status=400, message="rejected", times=None)
    result = creds(workspace_env, role_arn)
    assert_one_line_failure(result, errors.AWS_REJECTED_REQUEST, "MalformedPolicyDocument", role_arn)
    assert aws_server.calls(ACTION) == 1


def test_duration_above_the_role_maximum_is_a_request_error(workspace_env: Workspace, role_arn: str) -> None:
    result = creds(workspace_env, role_arn, "--duration-seconds", "7200")
    assert_one_line_failure(result, errors.AWS_REJECTED_REQUEST, "ValidationError")


def test_a_token_for_the_wrong_audience_is_denied(workspace_env: Workspace, role_arn: str) -> None:
    result = creds(workspace_env, role_arn, "--audience", "not-sts")
    assert_one_line_failure(result, errors.AWS_DENIED, "InvalidIdentityToken", "aud=not-sts")


def test_a_role_that_does_not_exist_is_denied(workspace_env: Workspace, role_arn: str) -> None:
    # `role_arn` makes sure the issuer has an IAM OIDC provider: only the role is missing.
    result = creds(workspace_env, "arn:aws:iam::123456789012:role/nope")
    assert_one_line_failure(result, errors.AWS_DENIED, "AccessDenied", "role/nope")


def test_garbage_from_gp_is_no_token(workspace_env: Workspace, role_arn: str) -> None:
    workspace_env.env["AWS_GITPOD_TESTBED_MODE"] = "garbage"  # the real gp parses it: `token is malformed`
    result = creds(workspace_env, role_arn)
    assert_one_line_failure(result, errors.NO_TOKEN, "gp could not mint a token")


def test_a_hanging_gp_is_cut_off(workspace_env: Workspace, role_arn: str) -> None:
    workspace_env.env["AWS_GITPOD_TESTBED_MODE"] = "hang"
    started = time.monotonic()
    result = creds(workspace_env, role_arn, "--timeout", "3")
    assert_one_line_failure(result, errors.NO_TOKEN, "gp did not finish within")
    assert time.monotonic() - started < 10


def test_no_token_source_lists_what_was_tried(workspace_env: Workspace, role_arn: str) -> None:
    workspace_env.env["PATH"] = "/usr/bin:/bin"
    result = workspace_env.run(str(shutil.which("aws-gitpod")), "creds", "--role", role_arn)
    assert_one_line_failure(result, errors.NO_TOKEN, "gp: gp is not on PATH", "ona: ona is not on PATH")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_sts_is_unavailable(workspace_env: Workspace, role_arn: str) -> None:
    workspace_env.env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    result = creds(workspace_env, role_arn, "--timeout", "6")
    assert_one_line_failure(result, errors.AWS_UNAVAILABLE, "STS in eu-west-1 is unavailable")
    assert time.monotonic() - started < 12


def test_waiters_share_the_holders_failure(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    aws_server.inject(ACTION, code="AccessDenied", status=403, delay=1.0, times=None)
    processes = [spawn_creds(workspace_env.env, role_arn) for _ in range(5)]
    results = [process.communicate(timeout=60) for process in processes]
    assert {process.returncode for process in processes} == {errors.AWS_DENIED}
    assert all("AccessDenied" in err for _, err in results)
    assert aws_server.calls(ACTION) < 5


def descendants_command_lines(root: int) -> list[str]:
    """The command lines of `root` and every process below it, from one pass over /proc."""
    parents: dict[int, int] = {}
    command_lines: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text(encoding="utf-8")
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                command_lines[int(entry)] = (
                    Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
                )
            except (OSError, IndexError, ValueError):
                continue

    def below_root(pid: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 0)
        return False

    return [line for pid, line in command_lines.items() if below_root(pid)]


def test_the_jwt_never_reaches_a_command_line(workspace_env: Workspace, role_arn: str) -> None:
    # `gp idp login aws` passes the token to `aws` as an argument; we must not pass it to anything.
    slow_gp = dict(workspace_env.env, AWS_GITPOD_TESTBED_MODE="slow=0.5")  # long enough to be seen
    process = spawn_creds(slow_gp, role_arn, "--no-cache")
    seen: list[str] = []
    while process.poll() is None:
        seen.extend(descendants_command_lines(process.pid))
        time.sleep(0.01)
    assert process.returncode == 0
    assert any("idp\0token\0--audience" in line for line in seen), "the scan must see gp's command line"
    assert not any(JWT_SHAPED.search(line) for line in seen)


def test_other_commands_share_the_cache_entry_of_the_same_creds_line(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    printed = document(creds(workspace_env, role_arn))
    shared = role_credentials(ExchangeOptions(role_arn=role_arn, region="eu-west-1"))
    assert (shared.access_key_id, shared.expiration) == (printed["AccessKeyId"], printed["Expiration"])
    assert aws_server.calls(ACTION) == 1


def test_an_aws_profile_that_does_not_exist_yet_is_no_obstacle(
    workspace_env: Workspace, role_arn: str
) -> None:
    # `AWS_PROFILE=gitpod aws-gitpod login -p gitpod` runs before the profile exists.
    workspace_env.env["AWS_PROFILE"] = "not-written-yet"
    assert document(creds(workspace_env, role_arn))["Version"] == 1

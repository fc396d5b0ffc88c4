"""Bad input: one actionable line on stderr and the documented exit code, from a real process."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscli_gitpod import errors
from awscli_gitpod.errors import error_handler
from awscli_gitpod.exchange import sanitize_session_name

ROLE = "arn:aws:iam::123456789012:role/app"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awscli_gitpod", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def bare_env(tmp_path: Path) -> dict[str, str]:
    """No workspace, no token source, a private cache."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_GITPOD_CACHE_DIR": str(tmp_path / "c")}


@pytest.mark.parametrize(
    ("args", "expected_code", "fragment"),
    [
        (["creds", "--role", "my-role"], errors.USAGE, "is not an IAM role ARN"),
        (["creds", "--role", "arn:aws:iam::12345:role/x"], errors.USAGE, "12-digit account"),
        (["creds", "--role", ROLE, "--duration-seconds", "600"], errors.USAGE, "900 to 43200"),
        (["creds", "--role", ROLE, "--duration-seconds", "50000"], errors.USAGE, "900 to 43200"),
        (["creds", "--role", ROLE, "--duration-seconds", "ten"], errors.USAGE, "invalid int value"),
        (["creds", "--role", ROLE, "--policy", "{not json"], errors.USAGE, "not valid JSON"),
        (["creds", "--role", ROLE, "--token-source", "vault"], errors.USAGE, "unknown token source"),
        (["creds", "--role", ROLE, "--refresh-margin", "-5"], errors.USAGE, "--refresh-margin"),
        (["creds"], errors.USAGE, "--role"),
        (["nonsense"], errors.USAGE, "invalid choice"),
        ([], errors.USAGE, "required"),
        (["creds", "--role", ROLE], errors.NO_TOKEN, "no workspace token: gp: gp is not on PATH"),
        (["token"], errors.NO_TOKEN, "token-command: neither --token-command"),
    ],
)
def test_bad_input_is_one_line_and_a_documented_code(
    bare_env: dict[str, str], args: list[str], expected_code: int, fragment: str
) -> None:
    result = run(*args, env=bare_env)
    assert result.returncode == expected_code
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("aws-gitpod: error: ")
    assert fragment in lines[0]


def test_an_unreadable_token_file_says_which(bare_env: dict[str, str], tmp_path: Path) -> None:
    result = run("creds", "--role", ROLE, "--token-file", str(tmp_path / "missing"), env=bare_env)
    assert result.returncode == errors.NO_TOKEN
    assert f"cannot read {tmp_path / 'missing'}: No such file or directory" in result.stderr


def test_unexpected_errors_become_exit_70_without_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "aB3" * 14  # shaped like a secret access key
    with error_handler() as status:
        raise RuntimeError(f"boom {secret}")
    assert status[0] == errors.INTERNAL
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom <redacted>" in err
    assert secret not in err


def test_version_and_help_work(bare_env: dict[str, str]) -> None:
    assert run("--version", env=bare_env).stdout.startswith("aws-gitpod ")
    help_text = run("creds", "--help", env=bare_env).stdout
    assert "--role ARN" in help_text and "--no-cache" in help_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("gitpodio-app-abc123-1700000000", "gitpodio-app-abc123-1700000000"),
        ("user name/with:colons", "user-name-with-colons"),
        ("x", "x-"),
        ("", "--"),
        ("é" * 70, "-" * 64),
        ("a@b.c=d,e+f_g", "a@b.c=d,e+f_g"),
    ],
)
def test_session_names_fit_sts_rules(raw: str, expected: str) -> None:
    assert sanitize_session_name(raw) == expected


@given(st.text())
def test_any_session_name_becomes_one_sts_accepts(raw: str) -> None:
    assert re.fullmatch(r"[\w+=,.@-]{2,64}", sanitize_session_name(raw), re.ASCII)

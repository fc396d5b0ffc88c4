"""Choosing a token source and the built-in file and command sources, with real files and processes."""

from __future__ import annotations

import base64
import json
import os
import select
import time
from pathlib import Path

import pytest

from awscli_gitpod import errors
from awscli_gitpod.builtin.gitpod_cli import WorkspaceCli
from awscli_gitpod.builtin.token_file import TokenCommand, TokenFile
from awscli_gitpod.tokens import (
    TokenRequest,
    TokenSource,
    TokenSourceError,
    choose_sources,
    obtain_token,
)


def unsigned_jwt(**claims: object) -> str:
    def segment(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{segment({'alg': 'RS256', 'kid': 'id-1'})}.{segment(claims)}.c2lnbmF0dXJlLWJ5dGVz"


@pytest.fixture(autouse=True)
def no_ambient_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", f"{tmp_path / 'empty-bin'}:/usr/bin:/bin")
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    monkeypatch.delenv("AWS_GITPOD_TOKEN_COMMAND", raising=False)


SOURCES: list[TokenSource] = [
    TokenCommand(),
    TokenFile(),
    WorkspaceCli("gitpod", "gitpod", 40, False),
    WorkspaceCli("gp", "gp", 20, True),
]


def test_sources_are_tried_in_priority_order() -> None:
    names = [source.name for source in choose_sources(SOURCES, TokenRequest(), None)]
    assert names == ["gp", "gitpod", "token-file", "token-command"]


def test_an_explicit_file_or_command_is_used_alone() -> None:
    chosen = choose_sources(SOURCES, TokenRequest(token_file="/x"), None)
    assert [source.name for source in chosen] == ["token-file"]
    chosen = choose_sources(SOURCES, TokenRequest(token_command="true"), None)
    assert [source.name for source in chosen] == ["token-command"]


def test_forcing_an_unknown_source_is_a_usage_error() -> None:
    with pytest.raises(errors.Failure) as caught:
        choose_sources(SOURCES, TokenRequest(), "vault")
    assert caught.value.exit_code == errors.USAGE
    assert "gp, gitpod, token-file, token-command" in caught.value.message


def test_no_source_lists_every_attempt_and_why() -> None:
    with pytest.raises(errors.Failure) as caught:
        obtain_token(SOURCES, TokenRequest())
    message = caught.value.message
    assert caught.value.exit_code == errors.NO_TOKEN
    assert "gp: gp is not on PATH" in message
    assert "token-file: neither --token-file nor AWS_WEB_IDENTITY_TOKEN_FILE is set" in message
    assert "\n" not in message


def test_token_file_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = unsigned_jwt(sub="file")
    (tmp_path / "token").write_text(token + "\n")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(tmp_path / "token"))
    assert obtain_token(SOURCES, TokenRequest()) == ("token-file", token)


def test_token_command_gets_the_audience_and_may_use_a_pipe() -> None:
    token = unsigned_jwt(sub="cmd")
    command = f'test "$AWS_GITPOD_AUDIENCE" = "a,b" && printf "%s" "{token}" | cat'
    request = TokenRequest(audiences=("a", "b"), token_command=command)
    assert obtain_token(SOURCES, request) == ("token-command", token)


def test_a_failing_source_falls_through_to_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "empty-bin"
    bin_dir.mkdir()
    gp = bin_dir / "gp"
    gp.write_text("#!/bin/sh\necho 'failed to connect to supervisor' >&2\nexit 1\n")
    gp.chmod(0o755)
    token = unsigned_jwt(sub="x")
    (tmp_path / "token").write_text(token)
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(tmp_path / "token"))
    assert obtain_token(SOURCES, TokenRequest()) == ("token-file", token)
    with pytest.raises(errors.Failure) as caught:
        obtain_token(SOURCES, TokenRequest(), forced="gp")
    assert "gp failed (exit 1): failed to connect to supervisor" in caught.value.message


def test_a_hanging_command_is_killed_with_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    command = f"sh -c 'echo $$ > {pid_file}; exec sleep 30' & sleep 30"
    started = time.monotonic()
    with pytest.raises(TokenSourceError, match=r"did not finish within 0\.5 s"):
        TokenCommand().fetch(TokenRequest(token_command=command, timeout=0.5))
    assert time.monotonic() - started < 5
    grandchild = int(pid_file.read_text())
    # A pidfd becomes readable when its process ends: proof that it was killed, with no guessed pause.
    try:
        handle = os.pidfd_open(grandchild)
    except ProcessLookupError:
        return  # already gone and reaped
    try:
        readable, _, _ = select.select([handle], [], [], 10)
        assert readable, "the command's background child survived the timeout"
    finally:
        os.close(handle)


def test_output_that_is_not_a_jwt_is_rejected_without_echoing_it() -> None:
    request = TokenRequest(token_command="echo not-a-token-but-maybe-a-secret")
    with pytest.raises(errors.Failure) as caught:
        obtain_token(SOURCES, request)
    assert "not a JWT" in caught.value.message
    assert "maybe-a-secret" not in caught.value.message


def test_a_command_error_mentioning_a_token_is_redacted() -> None:
    token = unsigned_jwt(sub="leak")
    request = TokenRequest(token_command=f"echo 'bad token {token}' >&2; exit 3")
    with pytest.raises(errors.Failure) as caught:
        obtain_token(SOURCES, request)
    assert token not in caught.value.message
    assert "<redacted-jwt>" in caught.value.message


MALFORMED = "token is malformed: token contains an invalid number of segments"


@pytest.mark.parametrize(
    ("info_script", "said"),
    [
        (
            "echo 'failed getting workspace info from supervisor: rpc error: code = Unavailable' >&2; exit 1",
            "the workspace's supervisor does not answer, so this is not a running Gitpod workspace or its "
            "supervisor is down (`gp info`: failed getting workspace info from supervisor: rpc error: code = "
            "Unavailable)",
        ),
        ('echo \'{"workspace_id": "w"}\'', "the workspace's supervisor answers (`gp info` works)"),
    ],
)
def test_gps_token_is_malformed_is_explained_with_gp_info(
    tmp_path: Path, info_script: str, said: str
) -> None:
    # gp prints the same line for every minting failure; `gp info` asks the same supervisor and says more.
    bin_dir = tmp_path / "empty-bin"
    bin_dir.mkdir()
    gp = bin_dir / "gp"
    gp.write_text(
        f'#!/bin/sh\nif [ "$1" = info ]; then {info_script}; exit 0; fi\necho "{MALFORMED}" >&2\nexit 1\n'
    )
    gp.chmod(0o755)
    with pytest.raises(errors.Failure) as caught:
        obtain_token(SOURCES, TokenRequest(), forced="gp")
    message = caught.value.message
    assert "gp could not mint a token (`gp idp token` hides why and says `token is malformed`)" in message
    assert said in message
    assert caught.value.exit_code == errors.NO_TOKEN


def test_an_ona_failure_is_passed_on_as_the_cli_says_it(tmp_path: Path) -> None:
    bin_dir = tmp_path / "empty-bin"
    bin_dir.mkdir()
    ona = bin_dir / "gitpod"
    ona.write_text(f"#!/bin/sh\necho 'Error: {MALFORMED}' >&2\nexit 1\n")
    ona.chmod(0o755)
    with pytest.raises(errors.Failure) as caught:
        obtain_token(SOURCES, TokenRequest(), forced="gitpod")
    assert f"gitpod failed (exit 1): Error: {MALFORMED}" in caught.value.message

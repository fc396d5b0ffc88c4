"""Shell completion from the parser, through the real bash (and zsh and fish where they are installed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from awscli_gitpod.cli import build_parser
from awscli_gitpod.completion import paths, tree


def script(shell: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "awscli_gitpod", "completion", shell],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def complete_in(shell: str, words: list[str], cwd: Path | None = None) -> list[str]:
    """What the shell offers for the last of `words` (the word being completed, maybe empty)."""
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (`make test` installs it as root)")
    if shell == "fish":
        line = " ".join(words)
        program = f"{script('fish')}\ncomplete -C {quote_fish(line)}\n"
        result = subprocess.run(["fish", "-c", program], capture_output=True, text=True, cwd=cwd, check=True)
        return [entry.split("\t")[0] for entry in result.stdout.splitlines()]
    array = " ".join(f"'{word}'" for word in words)
    setup = "setopt ksharrays; " if shell == "zsh" else ""
    program = (
        f"{script(shell)}\n{setup}COMP_WORDS=({array}); COMP_CWORD={len(words) - 1}; _aws_gitpod; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = subprocess.run([shell, "-c", program], capture_output=True, text=True, cwd=cwd, check=True)
    return [line for line in result.stdout.splitlines() if line]


def quote_fish(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def test_bash_registers_the_function() -> None:
    result = subprocess.run(
        ["bash", "-c", script("bash") + "\ncomplete -p aws-gitpod"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "complete -o default -F _aws_gitpod aws-gitpod"


CASES = [
    (["aws-gitpod", ""], {"creds", "login", "cache", "completion", "secrets", "plugin"}),
    (["aws-gitpod", "po"], {"policy"}),
    (["aws-gitpod", "secrets", "export", "--format", ""], {"env", "env-no-export", "windows-cmd", "json"}),
    (["aws-gitpod", "export", "--format", "p"], {"process", "powershell"}),
    (["aws-gitpod", "cache", ""], {"list", "clear"}),
    (["aws-gitpod", "creds", "--role", "arn:x", "--re"], {"--region", "--refresh-margin"}),
    (["aws-gitpod", "login", "-"], {"--role-arn", "--role-session-name", "-q", "--quiet", "--audience"}),
    (["aws-gitpod", "completion", ""], {"bash", "zsh", "fish"}),
]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize(("words", "expected"), CASES)
def test_completions(shell: str, words: list[str], expected: set[str]) -> None:
    offered = set(complete_in(shell, words))
    prefix = words[-1]
    if shell == "zsh":  # bashcompinit's compgen leaves matching the prefix to zsh's completion system
        offered = {word for word in offered if word.startswith(prefix)}
    assert expected <= offered, offered
    assert all(word.startswith(prefix) for word in offered)


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_a_file_option_completes_files(shell: str, tmp_path: Path) -> None:
    (tmp_path / "token.jwt").write_text("")
    assert "token.jwt" in complete_in(shell, ["aws-gitpod", "creds", "--token-file", "tok"], cwd=tmp_path)


def test_bash_offers_nothing_of_ours_after_the_double_dash() -> None:
    assert complete_in("bash", ["aws-gitpod", "exec", "--role", "x", "--", "--r"]) == []


def test_every_option_of_every_command_completes_in_bash() -> None:
    every = paths(tree(build_parser()))
    assert len(every) > 15  # the tree really is the parser's: commands and their subcommands
    for path, node in every:
        words = ["aws-gitpod", *path.split(), "-"]
        offered = set(complete_in("bash", words))
        assert {name for option in node.options for name in option.names} <= offered, path

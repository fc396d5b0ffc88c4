"""One set of format names for `export` and `secrets export`: the AWS CLI's, ours, and the old aliases."""

from __future__ import annotations

import argparse
import subprocess

import pytest

from awscli_gitpod.cli import build_parser
from awscli_gitpod.envformat import render

AWS_CLI_NAMES = {"process", "env", "env-no-export", "powershell", "windows-cmd"}  # export-credentials
OURS = {"dotenv", "fish", "json"}
PAIRS = [("A", "it's $HOME & 100 <b>"), ("B", "x")]


def format_choices(*path: str) -> set[str]:
    parser: argparse.ArgumentParser = build_parser()
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    action = next(a for a in parser._actions if "--format" in a.option_strings)
    return set(action.choices or ())


def test_both_commands_take_the_same_names() -> None:
    assert format_choices("export") == AWS_CLI_NAMES | OURS | {"shell"}
    # `process` is the credential_process document: there are no credentials in `secrets export`.
    assert format_choices("secrets", "export") == format_choices("export") - {"process"}


def test_old_names_are_aliases() -> None:
    assert render(PAIRS, "shell") == render(PAIRS, "env")


def test_env_no_export_round_trips_through_bash() -> None:
    script = render(PAIRS, "env-no-export") + 'printf "%s|" "$A" "$B"; env | grep -c "^A=" || true'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout == "it's $HOME & 100 <b>|x|0\n"


def test_windows_cmd_quotes_what_cmd_can_hold_and_refuses_the_rest() -> None:
    assert render(PAIRS, "windows-cmd") == 'set "A=it\'s $HOME & 100 <b>"\nset "B=x"\n'
    for value in ("50%", 'say "hi"', "two\nlines", "cr\r"):
        with pytest.raises(ValueError, match="Windows cmd cannot set") as raised:
            render([("SECRET", value)], "windows-cmd")
        assert value not in str(raised.value)

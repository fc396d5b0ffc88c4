"""`envformat`: every format read back by the real reader gives exactly the pairs that went in."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awscli_gitpod.envformat import FORMATS, render, sanitize_env_name, valid_env_name

dotenv = pytest.importorskip("dotenv")

NASTY = [
    "",
    "plain",
    "it's",
    "'",
    "''",
    "\\",
    "back\\slash\\'",
    'say "hi"',
    "$HOME ${HOME} $(id) `id`",
    "line one\nline two\n",
    "\n\n",
    "crlf\r\nand bare\rcarriage",
    "tab\there",
    "#not a comment",
    "=x=y",
    "ünïcødé ☃ 𝄞 汉字",
    "\u2018smart\u2019 \u201aquotes\u201b",
    "   leading and trailing   ",
    "a\\nb",  # a literal backslash-n, not a newline
    "\x01\x1f\x7f",
]
# Any text an environment can hold: no NUL, no lone surrogates (hypothesis' text() has neither by default
# apart from NUL).
values = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\0"), max_size=60)


def pairs_of(texts: list[str]) -> list[tuple[str, str]]:
    return [(f"V{index}", text) for index, text in enumerate(texts)]


def bash_read_back(pairs: list[tuple[str, str]]) -> list[str]:
    """Eval the shell format in a real bash, as `eval "$(aws-gitpod secrets export ...)"` does."""
    names = " ".join(f'"${name}"' for name, _ in pairs)
    script = f'eval "$(cat)"; printf "%s\\0" {names}'
    result = subprocess.run(
        ["bash", "-c", script],
        input=render(pairs, "shell").encode(),
        capture_output=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
    )
    return result.stdout.decode().split("\0")[:-1]


def test_shell_round_trips_nasty_values_through_bash() -> None:
    assert bash_read_back(pairs_of(NASTY)) == NASTY


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(values, min_size=1, max_size=8))
def test_shell_round_trips_any_text_through_bash(texts: list[str]) -> None:
    assert bash_read_back(pairs_of(texts)) == texts


def test_shell_survives_dash_as_well() -> None:
    pairs = pairs_of(NASTY)
    script = 'eval "$(cat)"; printf "%s\\0" ' + " ".join(f'"${name}"' for name, _ in pairs)
    result = subprocess.run(
        ["dash", "-c", script] if shutil.which("dash") else ["sh", "-c", script],
        input=render(pairs, "shell").encode(),
        capture_output=True,
        check=True,
    )
    assert result.stdout.decode().split("\0")[:-1] == NASTY


def dotenv_read_back(pairs: list[tuple[str, str]], path: Path) -> dict[str, str | None]:
    path.write_text(render(pairs, "dotenv"), encoding="utf-8")
    # From a real file: text mode turns a bare \r into \n, which is why such values are double-quoted.
    return dict(dotenv.dotenv_values(path, interpolate=False))


def test_dotenv_round_trips_nasty_values_through_python_dotenv(tmp_path: Path) -> None:
    assert dotenv_read_back(pairs_of(NASTY), tmp_path / ".env") == dict(pairs_of(NASTY))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(values, min_size=1, max_size=8))
def test_dotenv_round_trips_any_text(tmp_path: Path, texts: list[str]) -> None:
    assert dotenv_read_back(pairs_of(texts), tmp_path / ".env") == dict(pairs_of(texts))


def test_dotenv_uses_plain_single_quotes_when_nothing_needs_escaping() -> None:
    # Then parsers that take single quotes literally (compose, Node, Ruby) read it exactly too.
    assert render([("URL", "postgres://u:p@h/db?x=$y")], "dotenv") == "URL='postgres://u:p@h/db?x=$y'\n"
    assert render([("Q", "it's")], "dotenv") == "Q='it\\'s'\n"
    assert render([("CR", 'a\r\n"b"')], "dotenv") == 'CR="a\\r\n\\"b\\""\n'


def test_dotenv_values_without_interpolation_markers_load_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(render([("A", "x'y\\z\nw")], "dotenv"), encoding="utf-8")
    assert dotenv.dotenv_values(path) == {"A": "x'y\\z\nw"}
    assert dotenv.dotenv_values(stream=io.StringIO(render([("B", "$HOME")], "dotenv"))) == {"B": "$HOME"}


@given(st.lists(values, min_size=1, max_size=8))
def test_json_is_one_object_in_order(texts: list[str]) -> None:
    pairs = pairs_of(texts)
    text = render(pairs, "json")
    assert list(json.loads(text).items()) == pairs
    assert text.endswith("}\n")


def test_fish_and_powershell_quoting() -> None:
    assert render([("A", "it's a \\ thing")], "fish") == "set -gx A 'it\\'s a \\\\ thing'\n"
    assert (
        render([("A", "it's \u2019x\u2019")], "powershell") == "$Env:A = 'it''s \u2019\u2019x\u2019\u2019'\n"
    )


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_round_trips() -> None:
    pairs = pairs_of([t for t in NASTY if t])  # fish cannot tell an empty set from an unset one in printf
    names = " ".join(f"${name}" for name, _ in pairs)
    result = subprocess.run(
        ["fish", "-c", f"source; printf '%s\\0' {names}"],
        input=render(pairs, "fish").encode(),
        capture_output=True,
        check=True,
    )
    assert result.stdout.decode().split("\0")[:-1] == [value for _, value in pairs]


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="PowerShell is not installed")
def test_powershell_round_trips(tmp_path: Path) -> None:
    pairs = pairs_of([t for t in NASTY if t])  # PowerShell removes a variable set to ''
    script = tmp_path / "vars.ps1"
    script.write_text(render(pairs, "powershell"), encoding="utf-8-sig")
    names = ", ".join(f"$Env:{name}" for name, _ in pairs)
    result = subprocess.run(
        ["pwsh", "-NoProfile", "-Command", f". '{script}'; ({names}) | ConvertTo-Json -Compress"],
        capture_output=True,
        check=True,
    )
    assert json.loads(result.stdout) == [value for _, value in pairs]


@pytest.mark.parametrize("format", FORMATS)
def test_invalid_pairs_are_refused_without_showing_the_value(format: str) -> None:
    with pytest.raises(ValueError, match="NUL") as caught:
        render([("A", "top\0secret")], format)
    assert "secret" not in str(caught.value)
    with pytest.raises(ValueError, match="not a valid environment variable name"):
        render([("1A", "x")], format)
    with pytest.raises(ValueError, match="given twice"):
        render([("A", "x"), ("A", "y")], format)
    with pytest.raises(ValueError, match="not valid Unicode") as caught:
        render([("A", "secret\ud800")], format)
    assert "secret" not in str(caught.value)


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render([("A", "x")], "xml")


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("A", True),
        ("_", True),
        ("a_1", True),
        ("PATH", True),
        ("", False),
        ("1A", False),
        ("A-B", False),
        ("É", False),
        ("A B", False),
        ("A=B", False),
    ],
)
def test_valid_env_name(name: str, valid: bool) -> None:
    assert valid_env_name(name) is valid


@pytest.mark.parametrize(
    ("name", "sanitized"),
    [("db-url", "db_url"), ("1password", "_1password"), ("", "_"), ("a.b/c", "a_b_c"), ("ümlaut", "_mlaut")],
)
def test_sanitize_env_name(name: str, sanitized: str) -> None:
    assert sanitize_env_name(name) == sanitized


@given(st.text(max_size=30))
def test_sanitized_names_are_valid(name: str) -> None:
    assert valid_env_name(sanitize_env_name(name))

"""Environment variables as text that a shell, a dotenv parser or a JSON reader turns back into exactly the
same (name, value) pairs.

Every format quotes every value, so nothing in a value (spaces, newlines, quotes, `$`, backslashes, `#`,
unicode) is ever interpreted:

- `env` (also `shell`): `export NAME='value'` for POSIX sh, bash, zsh, dash (`env-no-export`: without
  `export`). Inside single quotes nothing is special, and a `'` is written as `'\\''` (close, escaped
  quote, reopen). `eval "$(...)"` gives back the exact value.
- `dotenv`: `NAME='value'` with `\\` and `'` escaped by a backslash: what python-dotenv's own `set_key` writes
  and reads back exactly. Values with a carriage return use double quotes with `\\r` instead, because a file
  read in text mode turns a bare `\\r` into `\\n`. Values without `'`, `\\` or `\\r` are also read exactly by
  parsers that take single quotes literally (docker compose, Node's dotenv, Ruby's dotenv). python-dotenv
  expands `${NAME}` even inside quotes unless it is told not to (`interpolate=False`).
- `json`: one object, `{"NAME": "value", ...}`, in the given order.
- `fish`: `set -gx NAME 'value'`; fish single quotes give meaning to `\\\\` and `\\'` only.
- `powershell`: `$Env:NAME = 'value'`; PowerShell single quotes give meaning to the quote alone, doubled,
  and treat the typographic single quotes U+2018 to U+201B as quotes too, so those are doubled as well.
- `windows-cmd`: `set "NAME=value"`; inside the quotes cmd takes `&|<>^` literally, but it has no way to
  write a line break, a `"` (which ends the quoting) or a `%` (which it expands), so such values are refused.

No environment can hold a NUL character, so a value containing one is refused, as is a name that is not a
POSIX name or appears twice (a later duplicate would silently win in a shell and vanish in JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

# --- format names ------------------------------------------------------------------------------------
# One set of names for every command: those of `aws configure export-credentials --format` (less
# `process`, the credential_process document, which is not variables: `export` prints it itself), then
# ours; the old names stay as aliases.
CHOICES = ("env", "env-no-export", "powershell", "windows-cmd", "dotenv", "fish", "json")
ALIASES = {"shell": "env"}
FORMATS = (*CHOICES, *ALIASES)  # every name `render` takes
_CMD_UNWRITABLE = re.compile('[\r\n"%]')

_VALID_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_NOT_NAME_CHARACTER = re.compile(r"[^A-Za-z0-9_]", re.ASCII)
_POWERSHELL_QUOTES = re.compile("['\u2018\u2019\u201a\u201b]")


def valid_env_name(name: str) -> bool:
    """A POSIX environment variable name: letters, digits and `_`, not starting with a digit."""
    return _VALID_NAME.fullmatch(name) is not None


def sanitize_env_name(name: str) -> str:
    """`name` made valid: every other character becomes `_`, a leading digit gets a `_` before it.

    Case is kept; callers that want upper-case names upper-case first.
    """
    cleaned = _NOT_NAME_CHARACTER.sub("_", name)
    if not cleaned or cleaned[0].isdigit():
        cleaned = "_" + cleaned
    return cleaned


def quote_shell(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def quote_dotenv(value: str) -> str:
    if "\r" in value:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
        return f'"{escaped}"'
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_powershell(value: str) -> str:
    return "'" + _POWERSHELL_QUOTES.sub(lambda match: match.group(0) * 2, value) + "'"


def quote_cmd(name: str, value: str) -> str:
    """`value` between `set "NAME=` and `"`; ValueError (never showing it) if cmd cannot hold it."""
    if _CMD_UNWRITABLE.search(value):
        raise ValueError(
            f"the value of {name} holds a line break, a double quote or a %, which Windows cmd cannot set "
            "as is: use --format powershell or json"
        )
    return value


def check_pairs(pairs: Sequence[tuple[str, str]]) -> None:
    """Raise ValueError (never showing a value) unless every pair can be an environment variable."""
    seen: set[str] = set()
    for name, value in pairs:
        if not valid_env_name(name):
            raise ValueError(f"{name!r} is not a valid environment variable name")
        if name in seen:
            raise ValueError(f"{name} is given twice")
        seen.add(name)
        if "\0" in value:
            raise ValueError(f"the value of {name} contains a NUL character, which no environment can hold")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"the value of {name} is not valid Unicode text") from None


def render(pairs: Sequence[tuple[str, str]], format: str = "env") -> str:
    """The pairs in `format` (one of FORMATS): one line per variable (values may span lines), ending in a
    newline; JSON is one indented object. Raises ValueError for an unknown format or an invalid pair."""
    check_pairs(pairs)
    format = ALIASES.get(format, format)
    if format == "json":
        return json.dumps(dict(pairs), indent=2, ensure_ascii=False) + "\n"
    if format == "env":
        lines = [f"export {name}={quote_shell(value)}" for name, value in pairs]
    elif format == "env-no-export":
        lines = [f"{name}={quote_shell(value)}" for name, value in pairs]
    elif format == "windows-cmd":
        lines = [f'set "{name}={quote_cmd(name, value)}"' for name, value in pairs]
    elif format == "dotenv":
        lines = [f"{name}={quote_dotenv(value)}" for name, value in pairs]
    elif format == "fish":
        lines = [f"set -gx {name} {quote_fish(value)}" for name, value in pairs]
    elif format == "powershell":
        lines = [f"$Env:{name} = {quote_powershell(value)}" for name, value in pairs]
    else:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    return "".join(line + "\n" for line in lines)

"""The line model: each line of an AWS config or credentials file classified as botocore reads it."""

from __future__ import annotations

import re
import shlex
from typing import Literal, Union

from awscli_gitpod import errors

Kind = Literal["config", "credentials"]
# A plain value, or the settings of a nested block (`s3 =` followed by indented `key = value` lines).
Value = Union[str, dict[str, str]]

DEFAULT_SECTION = "DEFAULT"  # configparser's section of inherited defaults, not a profile

_SECTION = re.compile(r"\[(?P<header>.+)\]")  # configparser's SECTCRE, applied with match()
_OPTION = re.compile(r"(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$")  # configparser's OPTCRE
_NONSPACE = re.compile(r"\S")
_NEWLINE = re.compile(r"\r\n|\r|\n")


class AwsConfigError(errors.Failure):
    """The file cannot be read or written as asked; the message names the file and what to do."""

    def __init__(self, message: str, exit_code: int = errors.USAGE) -> None:
        super().__init__(message, exit_code)


# --- names ---------------------------------------------------------------------------------------------


def _header_name(text: str) -> str | None:
    """The section a line's text opens, as configparser reads it, or None."""
    stripped = text.strip()
    if stripped.startswith(("#", ";")):
        return None
    match = _SECTION.match(stripped)
    return match.group("header") if match else None


def _profile_of_section(section: str) -> str | None:
    """The profile botocore's build_profile_map makes of a config-file section, or None."""
    if section.startswith("profile"):
        # Its test is a prefix and a two-word shlex split: `[profile "a b"]` is profile `a b`.
        try:
            words = shlex.split(section)
        except ValueError:
            return None
        return words[1] if len(words) == 2 else None
    return "default" if section == "default" else None


def _profile_readable(kind: Kind, section: str, profile: str) -> bool:
    if not section or "\n" in section or "\r" in section or _header_name(f"[{section}]") != section:
        return False
    if kind == "credentials":
        return section == profile and section != DEFAULT_SECTION
    return _profile_of_section(section) == profile


def profile_section(kind: Kind, profile: str) -> str:
    """The section name to create for `profile`: `x` in credentials, `default` or `profile x` in config.

    Names that need it are quoted so botocore splits them back into the same name (`profile 'a b'`).
    """
    section = profile if kind == "credentials" or profile == "default" else f"profile {shlex.quote(profile)}"
    if not profile or not _profile_readable(kind, section, profile):
        raise AwsConfigError(f"the AWS CLI cannot read a profile named {profile!r} from its {kind} file")
    return section


# --- the line model ------------------------------------------------------------------------------------


class _Line:
    __slots__ = ("end", "text")

    def __init__(self, text: str, end: str) -> None:
        self.text = text
        self.end = end  # "\n", "\r\n", "\r", or "" for a last line without one

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def indent(self) -> str:
        found = _NONSPACE.search(self.text)
        return self.text[: found.start()] if found else ""


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    position = 0
    for newline in _NEWLINE.finditer(text):
        lines.append(_Line(text[position : newline.start()], newline.group()))
        position = newline.end()
    if position < len(text):
        lines.append(_Line(text[position:], ""))
    return lines


class _Option:
    __slots__ = ("pieces", "start", "stop", "value_start")

    def __init__(self, start: int, value_start: int, value: str) -> None:
        self.start = start  # the `key = value` line
        self.stop = start + 1  # one past its last continuation line
        self.value_start = value_start  # where the value starts in that line
        self.pieces = [value]  # the value's lines as configparser collects them

    def raw_value(self) -> str:
        return "\n".join(self.pieces).rstrip()


class _Section:
    __slots__ = ("header", "name", "options", "stop")

    def __init__(self, name: str, header: int) -> None:
        self.name = name
        self.header = header
        self.stop = header + 1  # one past its last option or continuation line: its own lines
        self.options: dict[str, _Option] = {}  # by lower-cased key, in file order


def _parse(lines: list[_Line], source: str) -> list[_Section]:
    """configparser's reading loop, keeping where each section and option is."""
    sections: list[_Section] = []
    # configparser's `elements_added`, for its strict mode
    seen_sections: set[str] = set()
    seen_keys: set[tuple[str, str]] = set()
    section: _Section | None = None
    option: _Option | None = None
    indent_level = 0

    def fail(index: int, why: str) -> AwsConfigError:
        return AwsConfigError(f"{source}:{index + 1}: {why} (the AWS CLI cannot read this file either)")

    for index, line in enumerate(lines):
        stripped = line.text.strip()
        if stripped.startswith(("#", ";")):
            continue
        if not stripped:
            if option is not None:
                option.pieces.append("")  # a blank line inside a value is part of it
            continue
        indent = len(line.indent)
        if section is not None and option is not None and indent > indent_level:
            option.pieces.append(stripped)
            option.stop = section.stop = index + 1
            continue
        indent_level = indent
        header = _SECTION.match(stripped)
        if header:
            name = header.group("header")
            if name != DEFAULT_SECTION and name in seen_sections:
                raise fail(index, f"section [{name}] appears twice")
            seen_sections.add(name)
            section, option = _Section(name, index), None
            sections.append(section)
        elif section is None:
            raise fail(index, "a line before the first [section]")
        else:
            match = _OPTION.match(stripped)
            if not match or not match.group("option"):
                raise fail(index, "neither `key = value`, a [section], nor a comment")
            key = match.group("option").rstrip().lower()
            if (section.name, key) in seen_keys:
                raise fail(index, f"key {key!r} appears twice in [{section.name}]")
            seen_keys.add((section.name, key))
            option = _Option(index, indent + match.start("value"), match.group("value").strip())
            section.options[key] = option
            section.stop = index + 1
    return sections


def _nested(value: str) -> dict[str, str]:
    # botocore.configloader._parse_nested: one level, `key = value` per line, later keys win.
    parsed: dict[str, str] = {}
    for line in value.splitlines():
        setting = line.strip()
        if setting:
            key, nested = setting.split("=", 1)  # ValueError for a line without `=`, as in botocore
            parsed[key.strip()] = nested.strip()
    return parsed


def _validate_setting(key: str, value: str) -> None:
    # The line we would write must read back as exactly this key and value, and as nothing else.
    line = _setting_line(key, value)
    match = _OPTION.match(line)
    if (
        not key
        or _NEWLINE.search(line)
        or line.strip() != line
        or line.startswith(("#", ";"))
        or _SECTION.match(line)
        or not match
        or match.group("option") != key
        or match.group("value").strip() != value
    ):
        # The value may be a secret key (`login --static`): name the key only.
        raise AwsConfigError(
            f"cannot write a value for {key!r} that the AWS CLI reads back unchanged "
            "(a line break, surrounding spaces, or a key that is not a plain name)"
        )


def _setting_line(key: str, value: str) -> str:
    return f"{key} = {value}" if value else f"{key} ="

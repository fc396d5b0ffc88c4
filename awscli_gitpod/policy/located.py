"""JSON and YAML parsed together with the line of every member, so findings can point at a line.

`json.loads` forgets positions, so JSON gets a small parser of its own; YAML keeps them in PyYAML's node
tree. Both produce the plain value and `Lines`: a path of keys and indexes -> 1-based line, where an object
member's line is the line of its key (the line a reviewer looks for).
"""

from __future__ import annotations

import bisect
import datetime
import json
import re
from collections.abc import Mapping
from typing import Any, Union

import yaml  # type: ignore[import-untyped, unused-ignore]

Path = tuple[Union[str, int], ...]
Lines = dict[Path, int]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_LITERALS = {"true": True, "false": False, "null": None}


class ParseError(ValueError):
    """The text is not valid JSON or YAML; `line` is where the parser gave up."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def line_of(lines: Mapping[Path, int], path: Path, default: int = 1) -> int:
    """The line of `path`, or of its nearest ancestor that has one."""
    for end in range(len(path), -1, -1):
        found = lines.get(path[:end])
        if found is not None:
            return found
    return default


class _JsonParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [index for index, char in enumerate(text) if char == "\n"]
        self.lines: Lines = {}

    def line(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1

    def fail(self, message: str, position: int) -> ParseError:
        return ParseError(f"invalid JSON: {message}", self.line(position))

    def skip(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match else position

    def value(self, position: int, path: Path) -> tuple[Any, int]:
        position = self.skip(position)
        self.lines.setdefault(path, self.line(position))
        char = self.text[position : position + 1]
        if char == "{":
            return self.object(position + 1, path)
        if char == "[":
            return self.array(position + 1, path)
        if char == '"':
            return self.string(position)
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, position):
                return literal, position + len(word)
        number = _NUMBER.match(self.text, position)
        if number and number.end() > position:
            text = number.group()
            return (float(text) if number.group(1) or number.group(2) else int(text)), number.end()
        raise self.fail("expected a value" if char else "unexpected end of text", position)

    def string(self, position: int) -> tuple[str, int]:
        match = _STRING.match(self.text, position)
        if match is None:
            raise self.fail("unterminated string, or a control character or bad escape in it", position)
        text: str = json.loads(match.group())
        return text, match.end()

    def object(self, position: int, path: Path) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        position = self.skip(position)
        if self.text.startswith("}", position):
            return result, position + 1
        while True:
            position = self.skip(position)
            if not self.text.startswith('"', position):
                raise self.fail("expected a quoted member name", position)
            key_line = self.line(position)
            key, position = self.string(position)
            position = self.skip(position)
            if not self.text.startswith(":", position):
                raise self.fail("expected ':'", position)
            self.lines[(*path, key)] = key_line
            result[key], position = self.value(position + 1, (*path, key))
            position = self.skip(position)
            if self.text.startswith(",", position):
                position += 1
            elif self.text.startswith("}", position):
                return result, position + 1
            else:
                raise self.fail("expected ',' or '}'", position)

    def array(self, position: int, path: Path) -> tuple[list[Any], int]:
        result: list[Any] = []
        position = self.skip(position)
        if self.text.startswith("]", position):
            return result, position + 1
        while True:
            item, position = self.value(position, (*path, len(result)))
            result.append(item)
            position = self.skip(position)
            if self.text.startswith(",", position):
                position += 1
            elif self.text.startswith("]", position):
                return result, position + 1
            else:
                raise self.fail("expected ',' or ']'", position)


def load_json(text: str) -> tuple[Any, Lines]:
    """The value of a JSON text and the line of each member; ParseError if it is not JSON."""
    parser = _JsonParser(text.lstrip("\ufeff"))
    value, end = parser.value(0, ())
    end = parser.skip(end)
    if end != len(parser.text):
        raise parser.fail("extra data after the value", end)
    return value, parser.lines


# --- YAML, with CloudFormation's short-form intrinsic functions ------------------------------------


class _Loader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]
    pass


def _intrinsic(loader: Any, suffix: str, node: Any) -> dict[str, Any]:
    # As CloudFormation reads them: `!Ref X` is {"Ref": "X"}, any other `!Name v` is {"Fn::Name": v}.
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


def _timestamp_as_text(loader: Any, node: Any) -> str:
    # `Version: 2012-10-17` unquoted is a date to YAML 1.1; IAM wants the text.
    return str(loader.construct_scalar(node))


_Loader.add_multi_constructor("!", _intrinsic)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _node_lines(node: Any, path: Path, lines: Lines) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_path = (*path, str(key_node.value))
                lines[key_path] = key_node.start_mark.line + 1
                _node_lines(value_node, key_path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _node_lines(item, (*path, index), lines)


def load_yaml(text: str) -> tuple[Any, Lines]:
    """The value of a YAML document (CloudFormation tags understood) and the line of each member."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            value = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ParseError(f"invalid YAML: {error.problem or error}", (mark.line + 1) if mark else 1) from None
    except yaml.YAMLError as error:
        raise ParseError(f"invalid YAML: {error}", 1) from None
    lines: Lines = {}
    if node is not None:
        _node_lines(node, (), lines)
    return _plain(value), lines


def _plain(value: Any) -> Any:
    # Dates elsewhere than timestamps (and binary) become text, so the value is JSON-shaped.
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, (datetime.date, bytes)):
        return str(value)
    return value

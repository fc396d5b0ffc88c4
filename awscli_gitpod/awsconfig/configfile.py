"""`ConfigFile`: one file's text, what botocore reads from it, and edits that touch only their own lines."""

from __future__ import annotations

import os

from awscli_gitpod.awsconfig.lines import (
    DEFAULT_SECTION,
    AwsConfigError,
    Kind,
    Value,
    _header_name,
    _Line,
    _nested,
    _Option,
    _parse,
    _profile_of_section,
    _Section,
    _setting_line,
    _split_lines,
    _validate_setting,
    profile_section,
)
from awscli_gitpod.awsconfig.paths import _expand, _read_text


class ConfigFile:
    """One AWS config or credentials file, parsed as botocore parses it, editable line by line."""

    def __init__(self, text: str, *, kind: Kind, source: str = "<text>") -> None:
        self.text = text  # as read
        self.kind: Kind = kind
        self.source = source
        self._lines = _split_lines(text)
        # A new line takes the file's first line ending, so CRLF files stay CRLF.
        self._newline = next((line.end for line in self._lines if line.end), "\n")
        self._reparse()

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, kind: Kind) -> ConfigFile:
        """The file at `path` (expanded like botocore), or an empty one when it does not exist."""
        expanded = _expand(path)
        return cls(_read_text(expanded) or "", kind=kind, source=str(expanded))

    def _reparse(self) -> None:
        self._sections = _parse(self._lines, self.source)
        self._resolved = self._resolve()

    def _resolve(self) -> dict[str, dict[str, Value]]:
        """What botocore.configloader.raw_config_parse returns for this text."""
        defaults: dict[str, str] = {}
        for block in self._blocks(DEFAULT_SECTION):
            defaults.update((key, option.raw_value()) for key, option in block.options.items())
        resolved: dict[str, dict[str, Value]] = {}
        for section in self._sections:
            if section.name == DEFAULT_SECTION:
                continue
            raw = {key: option.raw_value() for key, option in section.options.items()}
            values: dict[str, Value] = {}
            for key, value in {**raw, **{k: v for k, v in defaults.items() if k not in raw}}.items():
                try:
                    values[key] = _nested(value) if value.startswith("\n") else value
                except ValueError:
                    where = section.options.get(key) or self._default_option(key)
                    line = where.start + 1 if where else 0
                    raise AwsConfigError(
                        f"{self.source}:{line}: a nested line under {key!r} is not `key = value` "
                        "(the AWS CLI cannot read this file either)"
                    ) from None
            resolved[section.name] = values
        return resolved

    def _blocks(self, name: str) -> list[_Section]:
        # Only [DEFAULT] may appear more than once.
        return [section for section in self._sections if section.name == name]

    def _default_option(self, key: str) -> _Option | None:
        for block in self._blocks(DEFAULT_SECTION):
            if key in block.options:
                return block.options[key]
        return None

    # reading

    def render(self) -> str:
        return "".join(line.text + line.end for line in self._lines)

    @property
    def changed(self) -> bool:
        return self.render() != self.text

    def as_dict(self) -> dict[str, dict[str, Value]]:
        """Exactly what `botocore.configloader.raw_config_parse` reads from this text (a copy)."""
        return {name: dict(values) for name, values in self._resolved.items()}

    def sections(self) -> list[str]:
        """Section names in file order, as botocore sees them (without [DEFAULT])."""
        return list(self._resolved)

    def has_section(self, section: str) -> bool:
        return bool(self._blocks(section))

    def keys(self, section: str) -> list[str]:
        """The keys botocore reads in `section` (lower-cased), those inherited from [DEFAULT] included."""
        return list(self._resolved.get(section, {}))

    def get(self, section: str, key: str) -> Value | None:
        """The value botocore reads for `key` in `section` (inherited from [DEFAULT] if need be), or None."""
        return self._resolved.get(section, {}).get(key.lower())

    def section_name_for(self, profile: str) -> str:
        """The section botocore reads `profile` from: an existing one, else the one to create.

        In a config file both `[default]` and `[profile default]` name the default profile (and
        `[profile  x]` or `[profile "x"]` name `x`); botocore keeps the last such section in the file.
        """
        if self.kind == "config":
            matching = [name for name in self._resolved if _profile_of_section(name) == profile]
            if matching:
                return matching[-1]
        return profile_section(self.kind, profile)

    # editing

    def set(self, section: str, key: str, value: str) -> bool:
        """Make botocore read `value` for `key` in `section`; True if the text changed.

        An existing key keeps its spelling, indentation, separator and spacing: only the value changes
        (a nested block or continuation lines under it are replaced by the one value). A new key goes
        after the section's last key; a new section goes at the end, after one blank line.
        """
        _validate_setting(key, value)
        lowered = key.lower()
        blocks = self._blocks(section)
        if not blocks:
            if _header_name(f"[{section}]") != section:
                raise AwsConfigError(f"cannot write a section named {section!r} that the AWS CLI reads back")
            prefix = [""] if self._lines and not self._lines[-1].blank else []
            self._insert(len(self._lines), [*prefix, f"[{section}]", _setting_line(key, value)])
            return True
        holder = next((block for block in blocks if lowered in block.options), blocks[-1])
        option = holder.options.get(lowered)
        if option is None:
            self._insert(holder.stop, [self._new_key_indent(holder) + _setting_line(key, value)])
            return True
        if option.stop == option.start + 1 and option.raw_value() == value:
            return False
        line = self._lines[option.start]
        before, old = line.text[: option.value_start], line.text[option.value_start :]
        trailing = old[len(old.rstrip()) :]
        if not old.strip():
            # `key =` had no value: the separator may lack the space that `key = value` has.
            trailing = ""
            if not before[-1:].isspace():
                before += " "
        line.text = before + value + trailing
        self._remove(option.start + 1, option.stop)
        self._reparse()  # a value changed in place: what botocore reads changed with it
        return True

    def _new_key_indent(self, section: _Section) -> str:
        # The new line must neither continue the line before it nor turn the next significant line into a
        # continuation of itself: it takes the indentation of the section's last key line, or, in a
        # section without keys, that of the next header (whose indentation is then harmless).
        if section.options:
            last = max(section.options.values(), key=lambda option: option.start)
            return self._lines[last.start].indent
        for line in self._lines[section.stop :]:
            if not line.blank and not line.text.strip().startswith(("#", ";")):
                return line.indent
        return ""

    def delete(self, section: str, key: str, *, drop_empty_section: bool = False) -> bool:
        """Remove `key`'s line and its continuation lines from `section`; True if the text changed.

        Only the section's own line is removed: a value inherited from [DEFAULT] still reads. With
        `drop_empty_section`, a section left without keys is removed too (see `delete_section`).
        """
        lowered = key.lower()
        for block in self._blocks(section):
            option = block.options.get(lowered)
            if option is not None:
                self._remove(option.start, option.stop)
                if drop_empty_section and not any(b.options for b in self._blocks(section)):
                    self.delete_section(section)
                return True
        return False

    def delete_section(self, section: str) -> bool:
        """Remove the section's header and own lines, and the blank lines that separated it.

        Comments after its last key stay: they may describe what follows.
        """
        blocks = self._blocks(section)
        for block in reversed(blocks):
            start, stop = block.header, block.stop
            following = stop
            while following < len(self._lines) and self._lines[following].blank:
                following += 1
            if following < len(self._lines):
                stop = following
            else:
                stop = len(self._lines)
                while start > 0 and self._lines[start - 1].blank:
                    start -= 1
            self._remove(start, stop)
        return bool(blocks)

    def _insert(self, index: int, texts: list[str]) -> None:
        new = [_Line(text, self._newline) for text in texts]
        if index == len(self._lines) and self._lines and not self._lines[-1].end:
            # The file had no final newline; it still has none.
            self._lines[-1].end = self._newline
            new[-1].end = ""
        self._lines[index:index] = new
        self._reparse()

    def _remove(self, start: int, stop: int) -> None:
        if start >= stop:
            return
        unterminated = stop == len(self._lines) and not self._lines[-1].end
        del self._lines[start:stop]
        if unterminated and self._lines and self._lines[-1].text:
            # The file had no final newline; it still has none (an empty last line keeps its newline,
            # which is all it is).
            self._lines[-1].end = ""
        self._reparse()

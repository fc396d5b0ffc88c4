"""Edit `~/.aws/config` and `~/.aws/credentials` as a careful person would: the keys asked for, no other byte.

The model is the file's own lines, each classified exactly as botocore's parser classifies it
(`botocore.configloader.raw_config_parse`, which is `configparser.RawConfigParser` with its defaults plus one
level of nested `key =` blocks). So an edit lands where botocore will read it, and comments, blank lines,
spacing, line endings, other sections and nested blocks stay as they were.

botocore's reading, which the model follows (configparser, Python 3.9 to 3.13):
- a line is a comment when it starts, after whitespace, with `#` or `;`; there are no inline comments in
  values (`region = x # y` has the value `x # y`), but text after a section header's last `]` is ignored;
- a line indented deeper than the line that started the current option continues it, even across blank and
  comment lines; an option whose value starts on the next line is a nested block (`s3 =` + `key = value`s);
- `=` or `:` separates key and value; keys are case-insensitive; a section or key twice is an error;
- `[DEFAULT]` is not a section: its keys are inherited by every section;
- lines end at `\\n`, `\\r\\n` or `\\r` (universal newlines).

A file botocore cannot read is refused with the line that breaks it: every AWS call already fails on it, and
there is no telling which section botocore would have used.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import random
import re
import shlex
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal, Union

from awscli_gitpod import errors
from awscli_gitpod.cache import CacheUnavailable, cache_dir, ensure_private_dir

if TYPE_CHECKING:
    from collections.abc import Iterator

Kind = Literal["config", "credentials"]
# A plain value, or the settings of a nested block (`s3 =` followed by indented `key = value` lines).
Value = Union[str, dict[str, str]]

DEFAULT_SECTION = "DEFAULT"  # configparser's section of inherited defaults, not a profile
CONFIG_MODE = 0o600  # as `aws configure` creates it: the file may hold keys or secrets in commands
CREDENTIALS_MODE = 0o600
LOCK_TIMEOUT_SECONDS = 10.0
STALE_TEMP_SECONDS = 600

_SECTION = re.compile(r"\[(?P<header>.+)\]")  # configparser's SECTCRE, applied with match()
_OPTION = re.compile(r"(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$")  # configparser's OPTCRE
_NONSPACE = re.compile(r"\S")
_NEWLINE = re.compile(r"\r\n|\r|\n")


class AwsConfigError(errors.Failure):
    """The file cannot be read or written as asked; the message names the file and what to do."""

    def __init__(self, message: str, exit_code: int = errors.USAGE) -> None:
        super().__init__(message, exit_code)


# --- where the files are -------------------------------------------------------------------------------


def _expand(path: str | os.PathLike[str]) -> Path:
    # botocore's raw_config_parse expands variables, then `~`.
    return Path(os.path.expanduser(os.path.expandvars(os.fspath(path))))


def _path_from_environment(variable: str, default: str) -> Path:
    value = os.environ.get(variable)
    if value == "":
        # botocore takes the empty string as a path and finds no file: nothing written anywhere is read.
        raise AwsConfigError(f"{variable} is set but empty, so the AWS CLI reads no such file; unset it")
    return _expand(value if value is not None else default)


def config_path() -> Path:
    """`$AWS_CONFIG_FILE`, else `~/.aws/config`, expanded as botocore expands it (not resolved)."""
    return _path_from_environment("AWS_CONFIG_FILE", "~/.aws/config")


def credentials_path() -> Path:
    """`$AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`, expanded as botocore expands it."""
    return _path_from_environment("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")


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
        raise AwsConfigError(f"cannot write {key!r} = {value!r} so that the AWS CLI reads it back unchanged")


def _setting_line(key: str, value: str) -> str:
    return f"{key} = {value}" if value else f"{key} ="


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


# --- files ---------------------------------------------------------------------------------------------


def _read_text(path: Path) -> str | None:
    """The file's text, or None when it does not exist."""
    try:
        with open(path, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise AwsConfigError(f"{path} is not a regular file")
            data = file.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise AwsConfigError(f"cannot read {path}: {error.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AwsConfigError(f"{path} is not UTF-8 text (byte {error.start}); fix or move it") from None


@contextlib.contextmanager
def _locked(target: Path, timeout: float) -> Iterator[None]:
    """An exclusive flock shared by every writer of `target` (a resolved path), kept out of ~/.aws."""
    directory = os.path.join(cache_dir(), "locks")
    try:
        ensure_private_dir(cache_dir())
        ensure_private_dir(directory)
        lock = os.path.join(directory, hashlib.sha256(os.fsencode(target)).hexdigest() + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except CacheUnavailable as error:
        raise AwsConfigError(f"cannot lock {target}: {error}") from None
    except OSError as error:
        raise AwsConfigError(f"cannot lock {target}: {error.strerror}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise AwsConfigError(
                        f"timed out waiting for another aws-gitpod process writing {target}; retry",
                        errors.AWS_UNAVAILABLE,
                    ) from None
                time.sleep(random.uniform(0.005, 0.03))  # noqa: S311 - jitter, not a secret
        yield
    finally:
        os.close(fd)  # releases the flock


def _temporary_name(target: Path) -> str:
    return f".{target.name}.aws-gitpod-{os.getpid()}-{random.getrandbits(32):08x}.tmp"


def _replace(target: Path, data: bytes, mode: int, owner: tuple[int, int] | None) -> None:
    """Replace `target` atomically: readers see the old file or the new one, never a part."""
    directory = target.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = directory / _temporary_name(target)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode)
            if owner is not None and owner != (os.geteuid(), os.getegid()):
                # Only root can give a file back to its owner; anyone else writes their own file.
                with contextlib.suppress(OSError):
                    os.fchown(fd, *owner)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)
    _sweep_stale_temporaries(target)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; some file systems refuse to open or fsync directories.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sweep_stale_temporaries(target: Path) -> None:
    # A writer killed between create and rename leaves its temporary behind; remove only our own.
    prefix = f".{target.name}.aws-gitpod-"
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError):
        for candidate in target.parent.iterdir():
            if candidate.name.startswith(prefix) and candidate.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if candidate.lstat().st_mtime < cutoff:
                        candidate.unlink()


def edit(
    path: str | os.PathLike[str],
    mutate: Callable[[ConfigFile], object],
    *,
    kind: Kind,
    create_mode: int = 0o600,
    timeout: float = LOCK_TIMEOUT_SECONDS,
) -> bool:
    """Apply `mutate` to the file at `path` under an exclusive lock; True if the file changed.

    The file is read after the lock is taken, so concurrent editors lose no edit, and written only when
    the text changed: atomically, with its mode (new files get `create_mode`), and through a symlink to
    its target. A file that does not exist is created only if `mutate` leaves text in it.
    """
    target = Path(os.path.realpath(_expand(path)))
    with _locked(target, timeout):
        text = _read_text(target)
        config = ConfigFile(text or "", kind=kind, source=str(_expand(path)))
        mutate(config)
        rendered = config.render()
        if rendered == (text or ""):
            return False
        mode, owner = create_mode, None
        if text is not None:
            status = os.stat(target)
            mode, owner = stat.S_IMODE(status.st_mode), (status.st_uid, status.st_gid)
        try:
            _replace(target, rendered.encode("utf-8"), mode, owner)
        except OSError as error:
            raise AwsConfigError(f"cannot write {target}: {error.strerror}") from None
        return True


def backup(path: str | os.PathLike[str]) -> Path:
    """Copy the file to `<path>.aws-gitpod-backup-<UTC time>` beside `path` (0600), and return that path.

    The copy sits beside the name the user knows (`~/.aws/credentials`), not beside a symlink's target,
    which may be a dotfiles repository where a copy of keys must not land.
    """
    source = _expand(path)
    try:
        data = source.read_bytes()
    except OSError as error:
        raise AwsConfigError(f"cannot back up {source}: {error.strerror}") from None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for attempt in range(1000):
        suffix = f"-{attempt}" if attempt else ""
        candidate = source.with_name(f"{source.name}.aws-gitpod-backup-{stamp}{suffix}")
        try:
            fd = os.open(
                candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
            )
        except FileExistsError:
            continue
        except OSError as error:
            raise AwsConfigError(f"cannot back up {source}: {error.strerror}") from None
        try:
            os.fchmod(fd, 0o600)  # whatever the umask: the copy may hold keys
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        return candidate
    raise AwsConfigError(f"cannot back up {source}: too many backups named {source.name}.*{stamp}*")


# --- reading through botocore --------------------------------------------------------------------------


def sections(path: str | os.PathLike[str]) -> dict[str, dict[str, Value]]:
    """botocore's `raw_config_parse` of the file: section -> key -> value; empty when it does not exist."""
    from botocore.configloader import raw_config_parse
    from botocore.exceptions import ConfigNotFound, ConfigParseError

    try:
        parsed: dict[str, dict[str, Value]] = raw_config_parse(os.fspath(path))
    except ConfigNotFound:
        return {}
    except ConfigParseError as error:
        raise AwsConfigError(str(error)) from None
    return parsed


def profiles(path: str | os.PathLike[str], *, kind: Kind) -> dict[str, dict[str, Value]]:
    """profile -> key -> value, as botocore maps the sections of a config or credentials file."""
    parsed = sections(path)
    if kind == "credentials":
        return parsed
    from botocore.configloader import build_profile_map

    mapped: dict[str, dict[str, Value]] = build_profile_map(parsed)["profiles"]
    return mapped


def get(path: str | os.PathLike[str], profile: str, key: str, *, kind: Kind) -> Value | None:
    """The value botocore reads for `key` of `profile` in the file, or None."""
    return profiles(path, kind=kind).get(profile, {}).get(key.lower())

"""How a Go CLI built on cobra 1.8 and pflag parses its command line and reports errors, for the stand-ins.

Both real CLIs are cobra programs. What is reproduced, from cobra's `command.go` and pflag's `flag.go`:

- finding the command: the leading words that name subcommands, flags skipped wherever they are (a flag
  not known there is taken to have a value, as cobra's `stripFlags` does), so `gp idp login --scope S aws`
  reaches `aws`;
- pflag's flag syntax (`--name value`, `--name=value`, `-n value`, `-nvalue`, `-n=value`, `--` ends the
  flags), string arrays that replace their default on first use, and its error texts (`unknown flag:
  --x`, `flag needs an argument: --x`, `invalid argument "v" for "-d, --duration-seconds" flag: ...`);
- persistent flags, which the subcommands inherit;
- required flags, checked after the persistent pre-run (so a CLI that silences usage there prints none);
- a group with no action of its own prints its help on stdout and exits 0; `-h`/`--help` likewise;
- the usage text (`Usage:`, `Flags:`, `Global Flags:`), its layout approximated from pflag's.

How a CLI prints an error is its own choice (`Cli.bare_errors`): `gp` silences cobra's errors and prints
the bare message, with the usage first only for flag errors; cobra's default is `Error: <message>` and then
the usage.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Union

FlagValue = Union[str, list[str], bool, int]
Values = dict[str, FlagValue]
Action = Callable[[Values, list[str]], int]


class CliError(Exception):
    """An error the CLI prints on stderr before exiting 1; `flag_error` ones come with the usage."""

    def __init__(self, message: str, flag_error: bool = False) -> None:
        super().__init__(message)
        self.flag_error = flag_error


class Flag:
    """A pflag flag. Kinds: `string`, `stringArray` (repeatable), `bool`, `int`."""

    def __init__(
        self, name: str, kind: str, default: FlagValue, usage: str, short: str = "", persistent: bool = False
    ) -> None:
        self.name, self.kind, self.default, self.usage = name, kind, default, usage
        self.short, self.persistent = short, persistent

    def label(self) -> str:
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"

    def default_text(self) -> str:
        if self.kind == "stringArray":
            return f"[{','.join(self.default)}]" if isinstance(self.default, list) else "[]"
        if self.kind == "string":
            return f'"{self.default}"' if self.default else ""
        return "" if self.default in (False, 0) else str(self.default).lower()


class Command:
    def __init__(
        self,
        name: str,
        short: str,
        flags: tuple[Flag, ...] = (),
        children: tuple[Command, ...] = (),
        action: Action | None = None,
        required: tuple[str, ...] = (),
    ) -> None:
        self.name, self.short, self.action, self.required = name, short, action, required
        self.flags = (*flags, Flag("help", "bool", False, f"help for {name}", short="h"))
        self.children = {child.name: child for child in children}


class Cli:
    """A cobra program: its root command and how it prints errors."""

    def __init__(self, root: Command, bare_errors: bool) -> None:
        self.root = root
        self.bare_errors = bare_errors

    def execute(self, argv: list[str]) -> int:
        try:
            path, flag_args = find(self.root, argv)
        except CliError as error:
            return self._fail(error, [self.root])
        try:
            values, positional = parse(path, flag_args)
        except CliError as error:
            return self._fail(error, path)
        command = path[-1]
        if values["help"] or command.action is None:
            sys.stdout.write(help_text(path))
            return 0
        try:
            # cobra checks required flags after the persistent pre-run, where gp silences the usage.
            missing = [name for name in command.required if values.get(name) in ("", [], None)]
            if missing:
                quoted = " ".join(f'"{name}"' for name in missing)
                raise CliError(f"required flag(s) {quoted} not set", flag_error=not self.bare_errors)
            return command.action(values, positional)
        except CliError as error:
            return self._fail(error, path)

    def _fail(self, error: CliError, path: list[Command]) -> int:
        if self.bare_errors:
            if error.flag_error:
                sys.stderr.write(usage_text(path) + "\n")
            sys.stderr.write(f"{error}\n")
        else:
            sys.stderr.write(f"Error: {error}\n")
            if error.flag_error:
                sys.stderr.write(usage_text(path) + "\n")
        return 1


def _known_flags(path: list[Command]) -> dict[str, Flag]:
    """The flags of the last command, and the persistent flags of every command above it."""
    known = {flag.name: flag for command in path[:-1] for flag in command.flags if flag.persistent}
    known.update({flag.name: flag for flag in path[-1].flags})
    return known


def find(root: Command, argv: list[str]) -> tuple[list[Command], list[str]]:
    """(the command path, the arguments left for its flag parser): cobra's `Find`."""
    path, rest = [root], []
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg == "--":
            rest += argv[index - 1 :]
            break
        if arg.startswith("-") and len(arg) > 1:
            rest.append(arg)
            flag = _lookup(_known_flags(path), arg)
            takes_value = "=" not in arg and (flag is None or flag.kind != "bool")
            if takes_value and (arg.startswith("--") or len(arg) == 2) and index < len(argv):
                rest.append(argv[index])
                index += 1
            continue
        child = path[-1].children.get(arg)
        if child is not None:
            path.append(child)
            continue
        if len(path) == 1 and path[0].children:
            raise CliError(f'unknown command "{arg}" for "{root.name}"')
        rest += argv[index - 1 :]
        break
    return path, rest


def _lookup(known: dict[str, Flag], arg: str) -> Flag | None:
    if arg.startswith("--"):
        return known.get(arg[2:].partition("=")[0])
    return next((flag for flag in known.values() if flag.short and flag.short == arg[1:2]), None)


def _convert(flag: Flag, value: str) -> FlagValue:
    if flag.kind == "int":
        try:
            return int(value, 0)
        except ValueError:
            reason = f'strconv.ParseInt: parsing "{value}": invalid syntax'
    elif flag.kind == "bool":
        parsed = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True}
        parsed.update(dict.fromkeys(("0", "f", "F", "false", "FALSE", "False"), False))
        if value in parsed:
            return parsed[value]
        reason = f'strconv.ParseBool: parsing "{value}": invalid syntax'
    else:
        return value
    raise CliError(f'invalid argument "{value}" for "{flag.label()}" flag: {reason}', flag_error=True)


def parse(path: list[Command], args: list[str]) -> tuple[Values, list[str]]:
    """pflag's `Parse` for the last command of `path`: (flag values, positional arguments)."""
    known = _known_flags(path)
    values: Values = {
        name: list(flag.default) if isinstance(flag.default, list) else flag.default
        for name, flag in known.items()
    }
    changed: set[str] = set()
    positional: list[str] = []
    remaining = list(args)

    def assign(flag: Flag, value: str) -> None:
        if flag.kind == "stringArray":
            previous = values[flag.name] if flag.name in changed else []
            values[flag.name] = [*(previous if isinstance(previous, list) else []), value]
        else:
            values[flag.name] = _convert(flag, value)
        changed.add(flag.name)

    while remaining:
        arg = remaining.pop(0)
        if arg == "--":
            positional += remaining
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
        elif arg.startswith("--"):
            name, has_value, value = arg[2:].partition("=")
            flag = known.get(name)
            if flag is None:
                raise CliError(f"unknown flag: --{name}", flag_error=True)
            if not has_value and flag.kind == "bool":
                value = "true"
            elif not has_value:
                if not remaining:
                    raise CliError(f"flag needs an argument: {arg}", flag_error=True)
                value = remaining.pop(0)
            assign(flag, value)
        else:
            _parse_shorthands(arg[1:], known, remaining, assign)
    return values, positional


def _parse_shorthands(
    shorthands: str, known: dict[str, Flag], remaining: list[str], assign: Callable[[Flag, str], None]
) -> None:
    by_short = {flag.short: flag for flag in known.values() if flag.short}
    while shorthands:
        letter = shorthands[0]
        flag = by_short.get(letter)
        if flag is None:
            raise CliError(f"unknown shorthand flag: '{letter}' in -{shorthands}", flag_error=True)
        if len(shorthands) > 2 and shorthands[1] == "=":
            value, shorthands = shorthands[2:], ""
        elif flag.kind == "bool":
            value, shorthands = "true", shorthands[1:]
        elif len(shorthands) > 1:
            value, shorthands = shorthands[1:], ""
        elif remaining:
            value, shorthands = remaining.pop(0), ""
        else:
            raise CliError(f"flag needs an argument: '{letter}' in -{shorthands}", flag_error=True)
        assign(flag, value)


def _flag_lines(flags: list[Flag]) -> list[str]:
    # pflag's FlagUsages: name and type, padded to one column, then the usage and a non-zero default.
    heads = []
    for flag in sorted(flags, key=lambda flag: flag.name):
        head = f"  -{flag.short}, --{flag.name}" if flag.short else f"      --{flag.name}"
        heads.append((head + ("" if flag.kind == "bool" else f" {flag.kind}"), flag))
    width = max((len(head) for head, _ in heads), default=0)
    lines = []
    for head, flag in heads:
        default = flag.default_text()
        suffix = f" (default {default})" if default and default != "[]" else ""
        lines.append(f"{head.ljust(width)}   {flag.usage}{suffix}")
    return lines


def command_path(path: list[Command]) -> str:
    return " ".join(command.name for command in path)


def usage_text(path: list[Command]) -> str:
    command = path[-1]
    lines = ["Usage:"]
    if command.action is not None:
        lines.append(f"  {command_path(path)} [flags]")
    if command.children:
        lines.append(f"  {command_path(path)} [command]")
        width = max(11, *(len(name) for name in command.children))  # cobra's minNamePadding
        lines += ["", "Available Commands:"]
        lines += [f"  {name.ljust(width)} {child.short}" for name, child in sorted(command.children.items())]
    lines += ["", "Flags:", *_flag_lines(list(command.flags))]
    inherited = [flag for parent in path[:-1] for flag in parent.flags if flag.persistent]
    if inherited:
        lines += ["", "Global Flags:", *_flag_lines(inherited)]
    if command.children:
        lines += ["", f'Use "{command_path(path)} [command] --help" for more information about a command.']
    return "\n".join(lines) + "\n"


def help_text(path: list[Command]) -> str:
    return f"{path[-1].short}\n\n{usage_text(path)}"


def string(values: Values, name: str) -> str:
    value: Any = values[name]
    return str(value)


def strings(values: Values, name: str) -> list[str]:
    value: Any = values[name]
    return [str(item) for item in value] if isinstance(value, list) else []

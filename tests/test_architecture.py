"""The structure the code promises (`awscli_gitpod/__init__.py` has the map): commands are leaves, no
import cycles (imports inside functions and by name included), and one table of exit codes that the README
states exactly."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from awscli_gitpod import errors
from awscli_gitpod.builtin import BUILTIN_PLUGINS
from awscli_gitpod.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "awscli_gitpod"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported(path: Path) -> Iterator[str]:
    """Every package module `path` imports, wherever the import statement is."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def import_graph() -> dict[str, set[str]]:
    graph = {
        name: {target for target in imported(path) if target in MODULES and target != name}
        for name, path in MODULES.items()
    }
    # Imports by name, which no import statement shows.
    graph["awscli_gitpod.cli"] |= {f"awscli_gitpod.commands.{module}" for module, _ in COMMANDS.values()}
    graph["awscli_gitpod.plugins"] |= set(BUILTIN_PLUGINS)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_commands_are_leaves_only_the_dispatcher_imports() -> None:
    commands = {name for name in MODULES if name.startswith("awscli_gitpod.commands.")}
    importers = {
        source: sorted(targets & commands) for source, targets in import_graph().items() if targets & commands
    }
    assert importers == {"awscli_gitpod.cli": sorted(commands)}


def readme_exit_codes() -> dict[int, str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    return {int(code): meaning for code, meaning in re.findall(r"^\| (\d+) \| (.+) \|$", section, re.M)}


def test_the_readme_exit_code_table_is_the_code_table() -> None:
    documented = readme_exit_codes()
    assert sorted(documented) == sorted(errors.EXIT_CODES)
    named = {value for name, value in vars(errors).items() if name.isupper() and isinstance(value, int)}
    assert named == set(errors.EXIT_CODES), "every exit code constant is in EXIT_CODES, and only those"


# `return 2`, `Failure(..., 126)`, `SystemExit(1)`: an exit code spelled as a number instead of by name.
EXIT_LITERAL = re.compile(
    r"(?:\breturn |exit_code=|SystemExit\(|Failure\(.*, )(?:[0-7]|70|12[67]|130|255)\)?$"
)


def test_the_exit_literal_pattern() -> None:
    spelled = ["return 2", "raise SystemExit(1)", 'raise errors.Failure(f"{x}: not found", 127)']
    named = ["return errors.USAGE", "return status.code", "return [0, 1]", "x = 2"]
    assert [bool(EXIT_LITERAL.search(line)) for line in spelled + named] == [True] * 3 + [False] * 4


def test_no_module_outside_errors_spells_an_exit_code_number() -> None:
    offenders = []
    for name, path in MODULES.items():
        # The cache-hit path (__main__, cache) spells 0 and 74: importing errors there would cost every hit.
        hit_path = ("awscli_gitpod.__main__", "awscli_gitpod.cache")
        if name == "awscli_gitpod.errors" or name in hit_path or name.startswith("awscli_gitpod.testing"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if EXIT_LITERAL.search(line.split("#", 1)[0].rstrip()):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []

"""Finding the AWS CLIs on PATH and what each can load, for `aws-gitpod plugin install`.

Version 1 imports every `[plugins]` value as a module from its own Python; version 2 only loads plugins
when `cli_legacy_plugin_path` is also set, a key version 1 would try to import, and fail on.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

from awscli_gitpod.process import ProcessFailed, run_bounded

VERSION = re.compile(r"aws-cli/(\d+)\.(\S+)")


@dataclass(frozen=True)
class AwsCli:
    path: str
    major: int
    version: str
    python: str | None  # the interpreter of a script install (pip, Debian); None for a frozen binary


def _interpreter(path: str) -> str | None:
    try:
        with open(path, "rb") as file:
            first_line = file.readline(512)
    except OSError:
        return None
    if not first_line.startswith(b"#!"):
        return None
    interpreter = first_line[2:].decode(errors="replace").strip().split()
    return interpreter[0] if interpreter and "python" in interpreter[0] else None


def describe(path: str) -> AwsCli | None:
    try:
        output = run_bounded([path, "--version"], timeout=30, env=dict(os.environ, AWS_PAGER=""))
    except ProcessFailed:
        return None
    match = VERSION.search(output)
    if match is None:
        return None
    return AwsCli(path, int(match.group(1)), f"{match.group(1)}.{match.group(2)}", _interpreter(path))


def find_clis(search_path: str | None = None) -> list[AwsCli]:
    """Every distinct `aws` on PATH, in PATH order (the first is the one `aws` runs)."""
    found: list[AwsCli] = []
    seen: set[str] = set()
    for directory in (search_path or os.environ.get("PATH", "")).split(os.pathsep):
        candidate = os.path.join(directory or ".", "aws")
        real = os.path.realpath(candidate)
        if real in seen or not os.access(candidate, os.X_OK) or os.path.isdir(candidate):
            continue
        seen.add(real)
        cli = describe(candidate)
        if cli is not None:
            found.append(cli)
    return found


def can_import(cli: AwsCli, module: str) -> bool:
    """Whether this CLI's own Python can import `module` (what version 1 will do on every call)."""
    if cli.python is None:
        return False
    result = subprocess.run(
        [cli.python, "-c", f"import {module}"],
        cwd="/",  # not this directory, which `-c` would put on sys.path
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        check=False,
    )
    return result.returncode == 0

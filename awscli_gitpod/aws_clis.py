"""The AWS CLIs on PATH, for `aws-gitpod plugin`: which version each is, whether it starts with the AWS config
file as it is, and where a v1's own Python imports plugins from.

A CLI whose `[plugins]` entry cannot be imported fails before it can print its version, so the version is
asked with an empty config file, and whether it starts is asked with the real one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass

from awscli_gitpod.process import ProcessFailed, run_bounded

VERSION = re.compile(r"aws-cli/(\d+)\.(\S+)")
TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class AwsCli:
    path: str
    major: int
    version: str
    python: str | None  # the interpreter of a script install (pip, Debian); None for a frozen binary
    failure: str | None = None  # why it does not start with the AWS config file as it is, else None

    @property
    def label(self) -> str:
        return f"the AWS CLI {self.version} at {self.path}"


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


def _version(path: str, config: str | None) -> tuple[str | None, str | None]:
    """(`aws --version` output, None) or (None, the failure's last line), with `config` as AWS_CONFIG_FILE."""
    env = dict(os.environ, AWS_PAGER="")
    if config is not None:
        env["AWS_CONFIG_FILE"] = config
    try:
        return run_bounded([path, "--version"], timeout=TIMEOUT_SECONDS, env=env), None
    except ProcessFailed as error:
        lines = [line for line in str(error).splitlines() if line.strip()]
        return None, (lines[-1].strip() if lines else "it exits with an error")


def starts(path: str) -> str | None:
    """None when `aws --version` works with the AWS config file as it is, else why not (one line)."""
    output, failure = _version(path, None)
    return failure if output is None or VERSION.search(output) else None


def describe(path: str) -> AwsCli | None:
    output, _ = _version(path, os.devnull)  # no plugins: what this CLI is, whatever the config holds
    match = VERSION.search(output or "")
    if match is None:
        return None
    version = f"{match.group(1)}.{match.group(2)}"
    return AwsCli(path, int(match.group(1)), version, _interpreter(path), starts(path))


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


PROBE = (
    "import json, site, sysconfig; "
    "print(json.dumps([sysconfig.get_path('purelib'), site.getusersitepackages() if site.ENABLE_USER_SITE "
    "else None]))"
)


def plugin_directories(cli: AwsCli) -> list[str]:
    """Where this v1's Python imports modules from that a user can add one to: its site-packages, then the
    user's site directory when that Python reads it. Empty for a CLI without a Python we can ask."""
    if cli.python is None:
        return []
    try:
        result = subprocess.run(
            [cli.python, "-c", PROBE],
            cwd="/",  # not this directory, which `-c` would put on sys.path
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        found = json.loads(result.stdout) if result.returncode == 0 else []
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return []
    return [str(directory) for directory in found if isinstance(directory, str) and directory]

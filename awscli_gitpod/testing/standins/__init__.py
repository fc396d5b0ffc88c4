"""Stand-in `gp`, `gitpod` and `ona` executables that mint tokens from the test issuer.

They take the real CLIs' flags and print what the real CLIs print, errors and exit codes included, so code
that shells out to them is tested as it will run in a workspace: `gp` in `standins.gp`, the Ona CLI (`ona`
and its older name `gitpod`) in `standins.ona`, both on cobra's rules (`standins.cobra`). `idp login aws`
reproduces what the real commands do today (`standins.awslogin`): the baseline this project improves on.

Never register these as console scripts: they would shadow the real `gp` in a real workspace.
`install_standins` writes them into a directory that tests put first on PATH.

What they mint, and how minting fails, is set by the environment (`standins.backend`):
`AWS_GITPOD_TESTBED_ISSUER` (the issuer; unset: no supervisor), `AWS_GITPOD_TESTBED_MODE`,
`AWS_GITPOD_TESTBED_SHAPE`, `AWS_GITPOD_TESTBED_CLAIMS`, `AWS_GITPOD_TESTBED_SUB_KEYS`, and the workspace's
own variables. `AWS_GITPOD_TESTBED_LOG` names a file that gets one JSON line per invocation (never a token).
`IDP_AWS_ROLE_ARN` is the default of `gp idp login aws --role-arn`.
"""

from __future__ import annotations

# Only cheap stdlib imports at module level: the stand-ins run many times per test session.
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from awscli_gitpod.testing.standins.backend import (
    ENV_CLAIMS,
    ENV_ISSUER,
    ENV_MODE,
    ENV_SHAPE,
    ENV_SUB_KEYS,
    GARBAGE_TOKEN,
    HANG_SECONDS,
)

__all__ = [
    "ENV_CLAIMS",
    "ENV_ISSUER",
    "ENV_LOG",
    "ENV_MODE",
    "ENV_SHAPE",
    "ENV_SUB_KEYS",
    "GARBAGE_TOKEN",
    "HANG_SECONDS",
    "PROGRAMS",
    "install_standins",
    "main",
    "read_log",
]

PROGRAMS = ("gp", "gitpod", "ona")
ENV_LOG = "AWS_GITPOD_TESTBED_LOG"


def install_standins(
    bin_dir: Path, python: str = sys.executable, names: tuple[str, ...] = PROGRAMS
) -> dict[str, Path]:
    """Write executable stand-ins into `bin_dir`; returns {name: path}."""
    unknown = set(names) - set(PROGRAMS)
    if unknown:
        raise ValueError(f"no stand-in for {', '.join(sorted(unknown))}")
    bin_dir.mkdir(parents=True, exist_ok=True)
    # The directory holding `awscli_gitpod`, so the stand-ins run this very code from any cwd,
    # whether the package is installed or used from a checkout.
    package_root = str(Path(__file__).resolve().parents[3])
    scripts: dict[str, Path] = {}
    for name in names:
        script = bin_dir / name
        script.write_text(
            f"#!{python}\n"
            f"# Stand-in `{name}` written by awscli_gitpod.testing.standins, for tests only.\n"
            "import sys\n"
            f"sys.path.insert(0, {package_root!r})\n"
            "from awscli_gitpod.testing.standins import main\n"
            f"sys.exit(main({name!r}, sys.argv[1:]))\n",
            encoding="utf-8",
        )
        script.chmod(0o755)
        scripts[name] = script
    return scripts


def main(program: str, argv: list[str]) -> int:
    _log_invocation(program, argv)
    if program == "gp":
        from awscli_gitpod.testing.standins.gp import CLI

        return CLI.execute(argv)
    if program in PROGRAMS:
        from awscli_gitpod.testing.standins.ona import cli

        return cli(program).execute(argv)
    sys.stderr.write(f"no stand-in for {program!r}\n")
    return 1


# --- observability ------------------------------------------------------------------------------


def _redact(arg: str) -> str:
    # A token on a stand-in's command line (`aws ... --web-identity-token` is not one of ours) stays out.
    return "<redacted-token>" if arg.startswith("eyJ") and arg.count(".") == 2 else arg


def _log_invocation(program: str, argv: list[str]) -> None:
    path = os.environ.get(ENV_LOG)
    if not path:
        return
    record = {
        "program": program,
        "argv": [_redact(arg) for arg in argv],
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "time": time.time(),
        "mode": os.environ.get(ENV_MODE, ""),
    }
    # One write on an O_APPEND descriptor: lines from parallel stand-ins do not interleave.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (json.dumps(record) + "\n").encode("utf-8"))
    finally:
        os.close(descriptor)


def read_log(path: Path) -> list[dict[str, Any]]:
    """The invocation records in a stand-in log (empty when nothing ran)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

"""Check what `make dist` built before anyone installs it: `python tests/dist_check.py dist/`.

- the wheel: its metadata names this version and Python, `aws-gitpod` is its console script, and it holds
  the package (with `py.typed` and the self-contained plugin module) and nothing else: no `tests/`,
  `hooks/` or `benchmarks/`;
- the sdist: it holds what builds the wheel (setup.cfg, pyproject.toml, README.md, LICENSE);
- the console script works from a fresh `pipx install` of the wheel, in a temporary PIPX_HOME.

Metadata as PyPI renders it is `twine check --strict`, which `make dist` runs first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from awscli_gitpod import __version__  # noqa: E402 - this checkout's version, whatever is installed

NAME = "awscli-gitpod"
NOT_IN_THE_WHEEL = ("tests/", "hooks/", "benchmarks/")
IN_THE_WHEEL = ("awscli_gitpod/__init__.py", "awscli_gitpod/py.typed", "awscli_gitpod/awscli_plugin.py")
IN_THE_SDIST = ("setup.cfg", "pyproject.toml", "README.md", "LICENSE", "awscli_gitpod/__init__.py")


class DistProblem(Exception):
    pass


def check_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"awscli_gitpod-{__version__}.dist-info"
        metadata = Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    stray = sorted(name for name in names if name.startswith(NOT_IN_THE_WHEEL))
    if stray:
        raise DistProblem(f"{wheel.name} holds files that are not the package: {', '.join(stray[:5])}")
    tops = sorted({name.split("/")[0] for name in names} - {"awscli_gitpod", info})
    if tops:
        raise DistProblem(f"{wheel.name} installs more than awscli_gitpod: {', '.join(tops)}")
    missing = [name for name in IN_THE_WHEEL if name not in names]
    if missing:
        raise DistProblem(f"{wheel.name} lacks {', '.join(missing)}")
    expected = {"Name": NAME, "Version": __version__, "Requires-Python": ">=3.9"}
    for field, value in expected.items():
        if metadata.get(field) != value:
            raise DistProblem(f"{wheel.name}: {field} is {metadata.get(field)!r}, not {value!r}")
    if "aws-gitpod = awscli_gitpod.__main__:main" not in entry_points:
        raise DistProblem(f"{wheel.name} has no aws-gitpod console script")


def check_sdist(sdist: Path) -> None:
    prefix = f"awscli_gitpod-{__version__}/"
    with tarfile.open(sdist) as archive:
        names = {name[len(prefix) :] for name in archive.getnames() if name.startswith(prefix)}
    missing = [name for name in IN_THE_SDIST if name not in names]
    if missing:
        raise DistProblem(f"{sdist.name} lacks {', '.join(missing)}")


def check_pipx(wheel: Path, pipx: str) -> None:
    """`pipx install` the wheel into a temporary PIPX_HOME and run its `aws-gitpod`."""
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "PIPX_HOME": f"{home}/pipx",
            "PIPX_BIN_DIR": f"{home}/bin",
            "PIPX_MAN_DIR": f"{home}/man",
        }
        subprocess.run([pipx, "install", str(wheel)], env=env, check=True, stdout=subprocess.DEVNULL)
        script = f"{home}/bin/aws-gitpod"
        version = subprocess.run([script, "--version"], env=env, capture_output=True, text=True, check=True)
        if version.stdout.strip() != f"aws-gitpod {__version__}":
            raise DistProblem(f"the pipx-installed aws-gitpod says {version.stdout.strip()!r}")
        usage = subprocess.run(
            [script, "creds", "--role", "x"], env=env, capture_output=True, text=True, check=False
        )
        if usage.returncode != 2 or "is not an IAM role ARN" not in usage.stderr:
            raise DistProblem(f"the pipx-installed aws-gitpod does not run: {usage.stderr.strip()[-300:]}")


def main(argv: list[str]) -> int:
    directory = Path(argv[0] if argv else "dist")
    wheels, sdists = sorted(directory.glob("*.whl")), sorted(directory.glob("*.tar.gz"))
    try:
        if len(wheels) != 1 or len(sdists) != 1:
            raise DistProblem(f"{directory} should hold one wheel and one sdist, not {wheels + sdists}")
        check_wheel(wheels[0])
        check_sdist(sdists[0])
        check_pipx(wheels[0], str(Path(sys.executable).with_name("pipx")))
    except (DistProblem, subprocess.CalledProcessError, KeyError) as problem:
        print(f"check_dist: {problem}", file=sys.stderr)
        return 1
    print(f"check_dist: {wheels[0].name} and {sdists[0].name} are sound; pipx install of the wheel works")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

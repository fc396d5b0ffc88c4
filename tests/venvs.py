"""Throwaway virtualenvs for the plugin tests: one holding awscli-gitpod (to be removed), one holding the
AWS CLI v1 on a Python that cannot import awscli_gitpod, as a separately installed v1 would be.

Each is a real venv with its own interpreter and `bin/`, made without pip in a fraction of a second; the
dependencies come from this virtualenv's site-packages through a `.pth` line (a plain directory, whose own
`.pth` files, this checkout's editable install among them, are not read).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import awscli_gitpod

DEPENDENCIES = sysconfig.get_path("purelib")


def site_packages(root: Path) -> Path:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return root / "lib" / version / "site-packages"


def _script(path: Path, python: Path, body: str) -> None:
    path.write_text(f"#!{python}\nimport sys\n{body}\n")
    path.chmod(0o755)


def make_venv(root: Path, *, package: bool = False, aws_v1: bool = False) -> Path:
    """A venv at `root`: with `package`, awscli_gitpod copied in and its `aws-gitpod` console script; with
    `aws_v1`, an `aws` script running the AWS CLI v1."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    site = site_packages(root)
    (site / "dependencies.pth").write_text(DEPENDENCIES + "\n")
    python = root / "bin" / "python"
    if package:
        shutil.copytree(
            Path(awscli_gitpod.__file__).parent,
            site / "awscli_gitpod",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        _script(
            root / "bin" / "aws-gitpod", python, "from awscli_gitpod.__main__ import main\nsys.exit(main())"
        )
    if aws_v1:
        _script(root / "bin" / "aws", python, "import awscli.clidriver\nsys.exit(awscli.clidriver.main())")
    return root

"""What a new user does first, as the README says it: install from the repository, then the pre-commit snippet
as written (and `pre-commit autoupdate --freeze`), with the real pip, pipx and pre-commit; and what the wheel
holds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from awscli_gitpod import __version__
from tests.dist_check import check_wheel
from tests.test_precommit_hooks import GIT_ENV, INSECURE, ROOT, _git, commit_snapshot

README = (ROOT / "README.md").read_text()
REPOSITORY = "https://github.com/<owner>/awscli-gitpod"
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.e2e  # real pip, pipx and pre-commit, with the package index


def test_the_wheel_holds_the_package_and_nothing_else(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    check_wheel(wheel)


def test_the_readme_installs_from_the_repository_not_from_pypi(tmp_path: Path) -> None:
    assert not re.search(r"^\s*pipx? install (--user )?awscli-gitpod\b", README, re.MULTILINE)
    (line,) = [line for line in README.splitlines() if line.startswith("pipx install git+")]
    command = line.split("#")[0].split()
    assert command[-1] == f"git+{REPOSITORY}"
    repository = commit_snapshot(tmp_path / "repo")
    command[-1] = f"git+file://{repository}"
    env = {
        **os.environ,
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
    }
    command[0] = str(BIN / "pipx")
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=600)
    version = subprocess.run(
        [str(tmp_path / "bin" / "aws-gitpod"), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == f"aws-gitpod {__version__}"


def snippet() -> str:
    blocks = re.findall(r"```yaml\n(repos:\n.*?)```", README, re.DOTALL)
    assert len(blocks) == 1, "the README has one pre-commit snippet"
    return str(blocks[0])


def test_the_precommit_snippet_works_as_written(tmp_path: Path) -> None:
    repository = commit_snapshot(tmp_path / "repo")
    work = tmp_path / "project"
    work.mkdir()
    (work / "trust-policy.json").write_text(INSECURE)
    (work / ".pre-commit-config.yaml").write_text(snippet().replace(REPOSITORY, str(repository)))
    _git("init", "-q", cwd=work)
    _git("add", "-A", cwd=work)
    cache = Path(os.environ.get("AWS_GITPOD_TEST_CACHE", ROOT / ".pytest_cache"))
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(cache / "pre-commit-snippet"),
        "PRE_COMMIT_COLOR": "never",
    }
    env.pop("PRE_COMMIT", None)
    pre_commit = str(BIN / "pre-commit")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, *args], cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False
        )

    # The README's command, for the README's repository: no release yet, so the newest commit.
    freeze = re.search(r"`(pre-commit autoupdate --freeze --repo \S+)`", README)
    assert freeze is not None and freeze.group(1).endswith(REPOSITORY)
    updated = run(*freeze.group(1).replace(REPOSITORY, str(repository)).split()[1:])
    assert updated.returncode == 0, updated.stdout + updated.stderr
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repository, capture_output=True, text=True, check=True
    )
    config = yaml.safe_load((work / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["rev"] == head.stdout.strip()

    checked = run("run", "--all-files")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "trust-policy.json:16: GP004 tenant-wildcard: error:" in checked.stdout

    # At a release, the tag the project makes is what autoupdate pins.
    (repository / "CHANGELOG").write_text(f"v{__version__}\n")
    _git("add", "-A", cwd=repository)
    _git("commit", "-q", "-m", "release", cwd=repository)
    _git("tag", f"v{__version__}", cwd=repository)
    again = run("autoupdate", "--freeze", "--repo", str(repository))
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"  # frozen: v{__version__}" in (work / ".pre-commit-config.yaml").read_text()

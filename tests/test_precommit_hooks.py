"""The hooks in `.pre-commit-hooks.yaml`, through the real pre-commit.

`pre-commit try-repo` installs this package, dependencies from the package index, into a fresh store each
time, so it runs once for both hooks. It would leave out files git does not track yet (work in progress), so
it is pointed at a committed snapshot of the package.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))
SNAPSHOT = ("setup.cfg", "pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "awscli_gitpod")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}
LEAKY = "tasks:\n  - init: gp idp login aws --role-arn arn:aws:iam::123456789012:role/app\n"
ONA_LEAKY = "tasks:\n  aws:\n    command: ona idp login aws --role-arn arn:aws:iam::123456789012:role/app\n"
INSECURE = (ROOT / "tests" / "data" / "policies" / "insecure" / "tenant-prefix.json").read_text()
SECURE = (ROOT / "tests" / "data" / "policies" / "secure" / "ona-project.json").read_text()


def hooks() -> dict[str, dict[str, str]]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


def test_the_manifest_is_valid() -> None:
    result = subprocess.run(
        [PRE_COMMIT, "validate-manifest", str(MANIFEST)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(hooks()) == {"aws-gitpod-policy-lint", "aws-gitpod-lint-gitpod-yml"}
    for hook in hooks().values():
        assert hook["entry"].startswith("aws-gitpod policy ")
        assert hook["language"] == "python"


@pytest.mark.parametrize(
    ("hook", "path", "selected"),
    [
        ("aws-gitpod-policy-lint", "iam/trust-policy.json", True),
        ("aws-gitpod-policy-lint", "roles/app-assume-role-policy.json", True),
        ("aws-gitpod-policy-lint", "TrustPolicy.JSON", True),
        ("aws-gitpod-policy-lint", "infra/main.tf.json", True),
        ("aws-gitpod-policy-lint", "cloudformation/app.yaml", True),
        ("aws-gitpod-policy-lint", "deploy/stack.template.yml", True),
        ("aws-gitpod-policy-lint", "deploy/stack.template", True),
        ("aws-gitpod-policy-lint", "package.json", False),
        ("aws-gitpod-policy-lint", "trust-policy.json.bak", False),
        ("aws-gitpod-policy-lint", "infra/main.tf", False),
        ("aws-gitpod-policy-lint", ".github/workflows/ci.yml", False),
        ("aws-gitpod-lint-gitpod-yml", ".gitpod.yml", True),
        ("aws-gitpod-lint-gitpod-yml", "sub/.gitpod.yml", False),
        ("aws-gitpod-lint-gitpod-yml", ".gitpod.Dockerfile", False),
        ("aws-gitpod-lint-gitpod-yml", ".ona/automations.yaml", True),
        ("aws-gitpod-lint-gitpod-yml", ".gitpod/automations.yaml", True),
        ("aws-gitpod-lint-gitpod-yml", ".gitpod/automations.yml", True),
        ("aws-gitpod-lint-gitpod-yml", ".devcontainer/devcontainer.json", True),
        ("aws-gitpod-lint-gitpod-yml", ".devcontainer/python/devcontainer.json", True),
        ("aws-gitpod-lint-gitpod-yml", ".devcontainer.json", True),
        ("aws-gitpod-lint-gitpod-yml", ".devcontainer/Dockerfile", False),
        ("aws-gitpod-lint-gitpod-yml", "docs/.ona/automations.yaml", False),
    ],
)
def test_file_patterns(hook: str, path: str, selected: bool) -> None:
    assert bool(re.search(hooks()[hook]["files"], path)) == selected


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def commit_snapshot(destination: Path) -> Path:
    """This checkout's package files, committed as a fresh git repository at `destination` (replaced)."""
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    for name in SNAPSHOT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, destination / name)
    _git("init", "-q", "-b", "main", cwd=destination)
    _git("add", "-A", cwd=destination)
    _git("commit", "-q", "-m", "snapshot", cwd=destination)
    return destination


@pytest.fixture(scope="session")
def hook_repo() -> tuple[Path, dict[str, str]]:
    """A committed snapshot of the package to install hooks from, and the environment to run pre-commit in."""
    cache = Path(os.environ.get("AWS_GITPOD_TEST_CACHE", ROOT / ".pytest_cache")) / "pre-commit-hooks"
    snapshot = commit_snapshot(cache / "repo")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(cache / "home"), "PRE_COMMIT_COLOR": "never"}
    env.pop("PRE_COMMIT", None)
    return snapshot, env


@pytest.mark.e2e
def test_try_repo(hook_repo: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """Both hooks at once (try-repo installs into a fresh store every time: one install, not two)."""
    snapshot, env = hook_repo
    work = tmp_path / "project"
    files = {
        "trust-policy.json": INSECURE,
        "ok/trust-policy.json": SECURE,
        ".gitpod.yml": LEAKY,
        ".ona/automations.yaml": ONA_LEAKY,
        "a.txt": "",
    }
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    _git("init", "-q", cwd=work)
    _git("add", "-A", cwd=work)
    command = [PRE_COMMIT, "try-repo", str(snapshot), "--files", *files]
    result = subprocess.run(
        command, cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "trust-policy.json:16: GP004 tenant-wildcard: error:" in output
    assert ".gitpod.yml:2: GY005 gp-idp-login-aws: warning:" in output
    assert ".ona/automations.yaml:3: GY005 gp-idp-login-aws: warning:" in output
    assert not re.search(r"ok/trust-policy\.json:\d+: GP\d+ [a-z-]+: (error|warning)", output)
    assert "a.txt" not in output  # neither hook selects it

"""The credential_process launcher `login` writes: the profile runs it, a hit through it loads neither `site`
nor `re`, and when its Python or package is gone it says, in one line, what to run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from awscli_gitpod import launcher
from tests.creds_helpers import document

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace


def logged_in(workspace: Workspace, role_arn: str) -> tuple[Path, list[str]]:
    """Log in; the launcher's path and the profile's credential_process words."""
    result = workspace.run(
        "aws-gitpod", "login", "--role-arn", role_arn, "-p", "gitpod", "--region", "eu-west-1"
    )
    assert result.returncode == 0, result.stderr
    script = workspace.home / ".local" / "share" / "awscli-gitpod" / "bin" / "aws-gitpod"
    line = next(
        line.split("=", 1)[1].strip()
        for line in workspace.aws_config_file.read_text().splitlines()
        if line.startswith("credential_process")
    )
    return script, line.split()


@pytest.mark.e2e
def test_login_points_the_profile_at_the_launcher(workspace_env: Workspace, role_arn: str) -> None:
    script, words = logged_in(workspace_env, role_arn)
    assert words[:2] == [str(script), "creds"]
    assert os.stat(script).st_mode & 0o777 == 0o700
    assert script.read_text().startswith("#!/bin/sh\n")
    hit = workspace_env.run(*words)
    assert document(hit)["AccessKeyId"]
    exported = workspace_env.run("aws-gitpod", "export", "--profile", "gitpod", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["AWS_ACCESS_KEY_ID"] == document(hit)["AccessKeyId"]
    again, _ = logged_in(workspace_env, role_arn)
    assert again == script


@pytest.mark.e2e
def test_a_hit_through_the_launcher_loads_neither_site_nor_re(
    workspace_env: Workspace, role_arn: str
) -> None:
    _, words = logged_in(workspace_env, role_arn)
    workspace_env.run(*words)  # fill the cache
    # Python reports every import it makes on stderr when PYTHONPROFILEIMPORTTIME is set.
    result = subprocess.run(
        words,
        env={**workspace_env.env, "PYTHONPROFILEIMPORTTIME": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "awscli_gitpod.cache" in imported, "the probe must see our own imports"
    assert imported.isdisjoint({"site", "re", "json", "typing", "argparse", "botocore"}), sorted(imported)


@pytest.mark.parametrize("gone", ["package", "python"])
def test_a_launcher_whose_install_is_gone_says_what_to_run(tmp_path: Path, gone: str) -> None:
    python = sys.executable if gone == "package" else str(tmp_path / "removed-venv" / "bin" / "python")
    package = str(tmp_path / "uninstalled") if gone == "package" else launcher.PACKAGE_PARENT
    script = tmp_path / "aws-gitpod"
    script.write_text(launcher.script(python, package))
    script.chmod(0o700)
    result = subprocess.run(
        [str(script), "creds", "--role", "r"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 127
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("aws-gitpod: awscli-gitpod is no longer installed where this launcher expects it")
    assert line.endswith("reinstall it, then run `aws-gitpod login` again")


def test_the_launcher_quotes_odd_paths_and_passes_arguments_as_they_are(tmp_path: Path) -> None:
    odd = tmp_path / "it's a $HOME dir"
    (odd / "awscli_gitpod").mkdir(parents=True)
    (odd / "awscli_gitpod" / "__init__.py").write_text("")
    (odd / "awscli_gitpod" / "__main__.py").write_text(
        "import json, sys\ndef launched():\n    print(json.dumps([__file__, sys.argv[1:]]))\n    return 3\n"
    )
    script = tmp_path / "aws-gitpod"
    script.write_text(launcher.script(sys.executable, str(odd)))
    script.chmod(0o700)
    result = subprocess.run(
        [str(script), "creds", "--policy", '{"a": "$b c"}'], capture_output=True, text=True, check=False
    )
    assert result.returncode == 3, result.stderr
    where, argv = json.loads(result.stdout)
    assert where == str(odd / "awscli_gitpod" / "__main__.py")
    assert argv == ["creds", "--policy", '{"a": "$b c"}']

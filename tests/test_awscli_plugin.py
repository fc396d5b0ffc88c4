"""`aws gitpod ...` through the real AWS CLI v1 (PyPI, in this virtualenv) and v2 (Debian's `awscli`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import awscli_gitpod
from awscli_gitpod import errors
from tests.clis import AWS_V2, PACKAGE_PARENT, PLUGIN_MODULE

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace


def test_the_plugin_imports_only_the_standard_library() -> None:
    probe = (
        "import sys; before = set(sys.modules); import awscli_gitpod.awscli_plugin; "
        "added = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(added - set(sys.stdlib_module_names) - {'awscli_gitpod'}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_aws_gitpod_creds_through_the_cli(aws_cli: str, workspace_env: Workspace, role_arn: str) -> None:
    result = workspace_env.run(aws_cli, "gitpod", "creds", "--role", role_arn, "--region", "eu-west-1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Version"] == 1


def test_global_region_and_exit_codes_pass_through(aws_cli: str, workspace_env: Workspace) -> None:
    # `--region` is a global option of `aws`: the CLI consumes it, the plugin hands it back.
    result = workspace_env.run(aws_cli, "gitpod", "creds", "--role", "not-an-arn", "--region", "eu-west-1")
    assert result.returncode == errors.USAGE
    assert result.stderr.strip().splitlines() == [
        "aws-gitpod: error: --role 'not-an-arn' is not an IAM role ARN "
        "(expected arn:aws:iam::<12-digit account>:role/<name>, or `auto`)"
    ]


def test_help_is_aws_gitpods_help(aws_cli: str, workspace_env: Workspace) -> None:
    for args in (["gitpod", "help"], ["gitpod"]):
        result = workspace_env.run(aws_cli, *args)
        assert result.returncode == 0, result.stderr
        assert "usage: aws-gitpod" in result.stdout


def test_token_decode_through_the_cli(aws_cli: str, workspace_env: Workspace) -> None:
    result = workspace_env.run(aws_cli, "gitpod", "token", "--decode")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Payload"]["sub"] == workspace_env.subject


def copy_plugin_only(destination: Path) -> Path:
    """A half-installed package: the plugin and the package marker, and a cli.py that cannot import."""
    package = destination / "awscli_gitpod"
    package.mkdir(parents=True)
    source = Path(awscli_gitpod.__file__).parent
    shutil.copy(source / "__init__.py", package / "__init__.py")
    shutil.copy(source / "awscli_plugin.py", package / "awscli_plugin.py")
    (package / "cli.py").write_text("import a_dependency_that_is_missing\n")
    return destination


def test_a_half_installed_package_does_not_break_other_commands(
    workspace_env: Workspace, tmp_path: Path
) -> None:
    if not os.access(AWS_V2, os.X_OK):
        pytest.skip("needs the AWS CLI v2, whose plugins load from cli_legacy_plugin_path")
    plugin_dir = copy_plugin_only(tmp_path / "half")
    workspace_env.aws_config_file.write_text(
        f"[plugins]\ncli_legacy_plugin_path = {plugin_dir}\ngitpod = {PLUGIN_MODULE}\n"
    )
    env = dict(workspace_env.env, PAGER="cat", AWS_PAGER="")
    help_text = subprocess.run(
        [AWS_V2, "sts", "help"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert help_text.returncode == 0, help_text.stderr
    assert "assume-role-with-web-identity" in help_text.stdout

    env["PATH"] = "/usr/bin:/bin"  # and no aws-gitpod anywhere
    missing = subprocess.run(
        [AWS_V2, "gitpod", "token"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert missing.returncode == 255
    assert "aws-gitpod is not installed or not on PATH" in missing.stderr


# --- aws-gitpod plugin install / uninstall ----------------------------------------------------------


def test_install_for_the_first_aws_on_path_then_again(workspace_env: Workspace) -> None:
    existing = "# mine\n[profile dev]\nregion = eu-west-1\n"
    workspace_env.aws_config_file.write_text(existing)
    first = workspace_env.run("aws-gitpod", "plugin", "install")
    assert first.returncode == 0, first.stderr
    assert "installed `aws gitpod` for the AWS CLI v1" in first.stdout
    assert workspace_env.aws_config_file.read_text() == existing + f"\n[plugins]\ngitpod = {PLUGIN_MODULE}\n"
    again = workspace_env.run("aws-gitpod", "plugin", "install")
    assert "already installed" in again.stdout
    assert workspace_env.run("aws", "gitpod", "token", "--decode").returncode == 0


def test_install_for_v2_warns_about_a_v1_sharing_the_file_and_uninstall_restores_it(
    workspace_env: Workspace,
) -> None:
    if not os.access(AWS_V2, os.X_OK):
        pytest.skip("needs Debian's awscli")
    existing = "[default]\nregion = eu-west-1\n"
    workspace_env.aws_config_file.write_text(existing)
    result = workspace_env.run("aws-gitpod", "plugin", "install", "--cli", "v2")
    assert result.returncode == 0, result.stderr
    assert (
        "the AWS CLI v1 at" in result.stderr and "cannot start with cli_legacy_plugin_path" in result.stderr
    )
    assert f"cli_legacy_plugin_path = {PACKAGE_PARENT}\n" in workspace_env.aws_config_file.read_text()
    decoded = workspace_env.run(AWS_V2, "gitpod", "token", "--decode")
    assert decoded.returncode == 0, decoded.stderr

    refused = workspace_env.run("aws-gitpod", "plugin", "install", "--cli", "v1")
    assert refused.returncode == errors.USAGE
    assert "makes the AWS CLI v1 fail on every command" in refused.stderr

    removed = workspace_env.run("aws-gitpod", "plugin", "uninstall")
    assert removed.returncode == 0, removed.stderr
    assert workspace_env.aws_config_file.read_text() == existing


def test_install_refuses_a_v1_that_cannot_import_the_plugin(workspace_env: Workspace, tmp_path: Path) -> None:
    fake_bin = tmp_path / "other-v1"
    fake_bin.mkdir()
    fake_aws = fake_bin / "aws"
    fake_aws.write_text("#!/usr/bin/python3\nprint('aws-cli/1.99.0 Python/3 Linux botocore/1.99')\n")
    fake_aws.chmod(0o755)
    workspace_env.env["PATH"] = f"{fake_bin}:{workspace_env.env['PATH']}"
    del workspace_env.env["PYTHONPATH"]  # the test bed's, which would let any Python import this checkout
    result = workspace_env.run("aws-gitpod", "plugin", "install")
    assert result.returncode == errors.USAGE
    assert f"the AWS CLI v1 at {fake_aws} runs on /usr/bin/python3 that cannot import awscli_gitpod" in (
        result.stderr
    )
    assert not workspace_env.aws_config_file.exists()

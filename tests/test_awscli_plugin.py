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

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

AWS_V2 = "/usr/bin/aws"
PACKAGE_PARENT = str(Path(awscli_gitpod.__file__).resolve().parents[1])
PLUGIN_MODULE = "awscli_gitpod.awscli_plugin"


def aws_v1() -> str:
    found = shutil.which("aws", path=str(Path(sys.executable).parent))
    assert found is not None, "the test extra installs the AWS CLI v1 into the virtualenv"
    return found


@pytest.fixture(params=["v1", "v2"])
def aws_cli(request: pytest.FixtureRequest, workspace_env: Workspace) -> str:
    """The `aws` executable of each major version, with the plugin configured as its version needs."""
    if request.param == "v1":
        workspace_env.aws_config_file.write_text(f"[plugins]\ngitpod = {PLUGIN_MODULE}\n")
        return aws_v1()
    if not os.access(AWS_V2, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail(f"{AWS_V2} (Debian's awscli, the AWS CLI v2) is missing: `make test` installs it")
        pytest.skip(f"{AWS_V2} (Debian's awscli) is not installed")
    workspace_env.aws_config_file.write_text(
        f"[plugins]\ncli_legacy_plugin_path = {PACKAGE_PARENT}\ngitpod = {PLUGIN_MODULE}\n"
    )
    return AWS_V2


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
        "(expected arn:aws:iam::<12-digit account>:role/<name>)"
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

"""`aws gitpod ...` through the real AWS CLI v1 (PyPI, in this virtualenv) and v2 (Debian's `awscli`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import awscli_gitpod
from awscli_gitpod import errors
from tests.clis import AWS_V2, PLUGIN_MODULE
from tests.test_input_checks import drop_file_permission_override
from tests.venvs import make_venv, site_packages

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


@dataclass
class Machine:
    """A workspace with awscli-gitpod in its own virtualenv, a separately installed AWS CLI v1 and
    Debian's v2 on PATH, and nothing that would let another Python import this checkout."""

    workspace: Workspace
    tool: Path  # the virtualenv holding awscli-gitpod
    v1: str

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.workspace.run(*args)

    def aws_gitpod(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(str(self.tool / "bin" / "aws-gitpod"), *args)

    @property
    def clis(self) -> list[str]:
        return [self.v1, AWS_V2]


@pytest.fixture
def machine(workspace_env: Workspace, tmp_path: Path) -> Machine:
    if not os.access(AWS_V2, os.X_OK):
        pytest.skip(f"needs {AWS_V2} (Debian's awscli, the AWS CLI v2)")
    tool = make_venv(tmp_path / "tool", package=True)
    v1 = make_venv(tmp_path / "awscli-v1", aws_v1=True)
    standins = workspace_env.env["PATH"].split(os.pathsep)[0]
    workspace_env.env["PATH"] = os.pathsep.join(
        [standins, str(v1 / "bin"), str(tool / "bin"), "/usr/bin", "/bin"]
    )
    del workspace_env.env["PYTHONPATH"]  # the test bed's, which lets any Python import this checkout
    workspace_env.env.update(PAGER="cat", AWS_PAGER="")
    return Machine(workspace_env, tool, str(v1 / "bin" / "aws"))


def test_the_plugin_survives_the_removal_of_the_virtualenv_that_installed_it(machine: Machine) -> None:
    config = machine.workspace.aws_config_file
    config.write_text("# mine\n[profile dev]\nregion = eu-west-1\n")
    installed = machine.aws_gitpod("plugin", "install")
    assert installed.returncode == 0, installed.stderr
    assert "installed `aws gitpod` for the AWS CLI v1 and v2" in installed.stdout
    assert installed.stdout.count("checked: `") == 2
    plugin_dir = config.parent / "aws-gitpod-plugin"
    assert config.read_text() == (
        "# mine\n[profile dev]\nregion = eu-west-1\n\n[plugins]\ngitpod = awscli_gitpod_plugin\n"
        f"cli_legacy_plugin_path = {plugin_dir}\n"
    )
    for cli in machine.clis:
        decoded = machine.run(cli, "gitpod", "token", "--decode")
        assert decoded.returncode == 0, (cli, decoded.stderr)
        assert json.loads(decoded.stdout)["Payload"]["sub"] == machine.workspace.subject
    again = machine.aws_gitpod("plugin", "install")
    assert again.returncode == 0 and "already installed" in again.stdout

    shutil.rmtree(machine.tool)  # `pipx uninstall`, a new Python, a reinstall elsewhere
    for cli in machine.clis:
        version = machine.run(cli, "--version")
        assert version.returncode == 0, (cli, version.stderr)
        listed = machine.run(cli, "configure", "list")
        assert listed.returncode == 0, (cli, listed.stderr)
        gone = machine.run(cli, "gitpod", "token")
        assert gone.returncode == errors.AWS_CLI_ERROR
        assert gone.stderr.splitlines() == [
            f"aws gitpod: aws-gitpod is not installed or not on PATH (it was {machine.tool}/bin/aws-gitpod); "
            "reinstall awscli-gitpod and run `aws-gitpod plugin install`, or delete the `gitpod =` line of "
            "[plugins] in the AWS config file; every other aws command works as before"
        ]


def test_install_repairs_a_v1_an_earlier_install_broke_and_uninstall_restores_the_file(
    machine: Machine, tmp_path: Path
) -> None:
    config = machine.workspace.aws_config_file
    mine = "[default]\nregion = eu-west-1\n"
    earlier = tmp_path / "gone" / "lib" / "python3.11" / "site-packages"  # an earlier install, removed since
    config.write_text(mine + f"\n[plugins]\ncli_legacy_plugin_path = {earlier}\ngitpod = {PLUGIN_MODULE}\n")
    broken = machine.run(machine.v1, "--version")
    assert broken.returncode != 0

    installed = machine.aws_gitpod("plugin", "install")
    assert installed.returncode == 0, installed.stderr
    assert (
        "repaired: the AWS CLI 1." in installed.stdout and f"at {machine.v1} starts again" in installed.stdout
    )
    assert str(earlier) not in config.read_text()
    v1_copy = site_packages(Path(machine.v1).parent.parent) / "awscli_gitpod_plugin.py"
    assert v1_copy.is_file()

    removed = machine.aws_gitpod("plugin", "uninstall")
    assert removed.returncode == 0, removed.stderr
    assert config.read_text() == mine
    assert not v1_copy.exists() and not (config.parent / "aws-gitpod-plugin").exists()
    for cli in machine.clis:
        assert machine.run(cli, "--version").returncode == 0


def test_install_for_v1_only_leaves_v2_without_plugin_path(machine: Machine) -> None:
    installed = machine.aws_gitpod("plugin", "install", "--cli", "v1")
    assert installed.returncode == 0, installed.stderr
    assert "cli_legacy_plugin_path" not in machine.workspace.aws_config_file.read_text()
    assert "`aws gitpod` is not installed for it" in installed.stderr
    assert machine.run(machine.v1, "gitpod", "token", "--decode").returncode == 0
    assert machine.run(AWS_V2, "--version").returncode == 0


def test_install_refuses_a_v1_whose_site_packages_it_cannot_write(machine: Machine) -> None:
    site = site_packages(Path(machine.v1).parent.parent)
    site.chmod(0o555)
    try:
        result = machine.run(
            *drop_file_permission_override(), str(machine.tool / "bin" / "aws-gitpod"), "plugin", "install"
        )
    finally:
        site.chmod(0o755)
    assert result.returncode == errors.USAGE, result.stderr
    assert (
        f"imports plugins only from its own Python's site-packages, which this user cannot write to ({site})"
        in (result.stderr)
    )
    assert not machine.workspace.aws_config_file.exists()

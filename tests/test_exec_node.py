"""A Node.js program on the AWS SDK for JavaScript v3 under `aws-gitpod exec`: it must use exec's
credentials even when the shell has `AWS_PROFILE` set, which that SDK otherwise prefers (`credentialenv`).

The SDK is installed by `make node-deps` (pinned by tests/node/package-lock.json); without npm the test is
skipped, as the machine cannot run it.
"""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

from tests.conftest import NODE_SCRIPT as SCRIPT

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace


def test_the_javascript_sdk_uses_exec_credentials_despite_aws_profile(
    workspace_env: Workspace, role_arn: str, node: str
) -> None:
    # The shell's profile has static keys of its own: the SDK would present those if it read the profile.
    workspace_env.aws_credentials_file.write_text(
        "[shell]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    environment = dict(workspace_env.env, AWS_PROFILE="shell", AWS_DEFAULT_PROFILE="shell")
    direct = subprocess.run(
        [node, str(SCRIPT)], env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    assert direct.returncode == 0, direct.stderr
    assert "assumed-role" not in json.loads(direct.stdout)["Arn"], "the profile is what the SDK uses alone"

    result = subprocess.run(
        ["aws-gitpod", "exec", "--role", role_arn, "--", node, str(SCRIPT)],
        env=environment,
        cwd=workspace_env.home,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    role_name = role_arn.rsplit("/", 1)[1]
    assert f":assumed-role/{role_name}/" in json.loads(result.stdout)["Arn"]
    assert "Multiple credential sources" not in result.stderr

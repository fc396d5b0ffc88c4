"""The test bed's fixtures (issuer, moto server, stand-in CLIs, workspaces) and the two AWS CLIs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.clis import AWS_V2, PACKAGE_PARENT, PLUGIN_MODULE, aws_v1

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

pytest_plugins = ["awscli_gitpod.testing.fixtures"]

# A test that needs one of these runs real programs against the test bed's servers: an end-to-end test.
# `make unit` leaves them out (`-m "not e2e"`); `make test` runs everything.
E2E_FIXTURES = frozenset(
    {"issuer", "aws_server", "workspace_env", "ona_env", "role_arn", "aws_cli", "standin_bin", "testbed_log"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.e2e)


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


NODE_PROJECT = Path(__file__).resolve().parent / "node"
NODE_SCRIPT = NODE_PROJECT / "caller_identity.mjs"  # prints the caller identity the JS SDK v3 finds


@pytest.fixture
def node() -> str:
    """Node.js with the AWS SDK for JavaScript v3 from `make node-deps`, or a skip saying why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the AWS SDK for JavaScript v3 (they are not installed)")
    if not (NODE_PROJECT / "node_modules" / "@aws-sdk" / "client-sts").is_dir():
        message = "the AWS SDK for JavaScript v3 is not installed: run `make node-deps`"
        if os.environ.get("CI"):
            pytest.fail(message + " (`make test` does)")
        pytest.skip(message)
    return node

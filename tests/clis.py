"""Where the two AWS CLIs the tests drive live, and what the plugin's `[plugins]` entries name."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import awscli_gitpod

AWS_V2 = "/usr/bin/aws"
PACKAGE_PARENT = str(Path(awscli_gitpod.__file__).resolve().parents[1])
PLUGIN_MODULE = "awscli_gitpod.awscli_plugin"


def aws_v1() -> str:
    found = shutil.which("aws", path=str(Path(sys.executable).parent))
    assert found is not None, "the test extra installs the AWS CLI v1 into the virtualenv"
    return found

"""The environment of a throwaway workspace on the test bed, for tests, the demo and the benchmarks.

Every variable that could carry real credentials, a real profile or a real endpoint is dropped, so nothing
run in it can reach real AWS: the stand-in CLIs mint tokens from the local issuer, and `AWS_ENDPOINT_URL`
points every AWS client at the local moto server.
"""

from __future__ import annotations

import os
import secrets
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path

from awscli_gitpod.testing.standins import ENV_ISSUER, ENV_LOG
from awscli_gitpod.testing.standins.backend import identity_fields, shape_for, sub_keys
from awscli_gitpod.testing.tokenshapes import DEFAULT_CONTEXT_URL, build_claims, split_fields

REGION = "eu-west-1"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
SCRUBBED_PREFIXES = ("AWS_", "GITPOD_", "IDP_AWS_", "BOTO_")


def workspace_environment(
    kind: str,
    home: Path,
    bin_dir: Path,
    issuer_url: str,
    endpoint_url: str,
    log_path: Path,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """`base` (default: this process's environment) made into a Classic (`kind="classic"`) workspace or
    an Ona (`kind="ona"`) environment whose home is `home` and whose token CLIs are in `bin_dir`.

    An Ona environment gets `GITPOD_ENVIRONMENT_ID` alone: the only variable confirmed inside one, so the
    product is tested with nothing more."""
    environment = {
        name: value
        for name, value in (os.environ if base is None else base).items()
        if not name.startswith(SCRUBBED_PREFIXES)
    }
    for directory in (home / ".aws", home / ".cache", home / ".config"):
        directory.mkdir(parents=True, exist_ok=True)
    python_path = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), environment.get("PYTHONPATH")]))
    environment.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        # The stand-ins first, then this interpreter's scripts (`aws`, `aws-gitpod`), then the system.
        PATH=os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
        PYTHONPATH=python_path,  # subprocesses import this checkout even when it is not installed
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,  # botocore and the CLI v1 read only this one
        AWS_EC2_METADATA_DISABLED="true",  # no IMDS probe to 169.254.169.254
        AWS_PAGER="",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    environment[ENV_ISSUER] = issuer_url
    environment[ENV_LOG] = str(log_path)
    if kind == "classic":
        workspace_id = f"gitpodio-myapplication-{secrets.token_hex(6)[:11]}"
        environment.update(
            GITPOD_WORKSPACE_ID=workspace_id,
            GITPOD_INSTANCE_ID=str(uuid.uuid4()),
            GITPOD_HOST="https://gitpod.io",
            GITPOD_WORKSPACE_URL=f"https://{workspace_id}.ws-eu114.gitpod.io",
            GITPOD_WORKSPACE_CONTEXT_URL=DEFAULT_CONTEXT_URL,
        )
    elif kind == "ona":
        environment.update(GITPOD_ENVIRONMENT_ID=str(uuid.uuid4()))
    else:
        raise ValueError(f"unknown workspace kind {kind!r}")
    return environment


def claims_of(environment: Mapping[str, str], issuer_url: str = "") -> dict[str, object]:
    """The claims the stand-ins' tokens carry in this environment (audience `sts.amazonaws.com`)."""
    program = "gp" if "GITPOD_WORKSPACE_ID" in environment else "ona"
    identity, overrides = split_fields(identity_fields(program, environment))
    shape = shape_for(program, environment)
    return build_claims(
        shape, issuer_url, identity=identity, sub_keys=sub_keys(environment), overrides=overrides
    )


def subject_of(environment: Mapping[str, str]) -> str:
    """The `sub` the stand-ins' tokens carry in this environment."""
    return str(claims_of(environment)["sub"])

"""pytest fixtures for the test bed: `pytest_plugins = ["awscli_gitpod.testing.fixtures"]`.

- `issuer`, `ona_issuer`, `aws_server` (session): Gitpod Classic's OIDC issuer (at `/idp`), Ona's (no path,
  kid `k0`) and moto; their counters, injected faults and the issuers' availability are reset before every
  test that uses them.
- `standin_bin` (session): a directory with the stand-in `gp`, `gitpod` and `ona`.
- `testbed_log`: the stand-ins' invocation log of this test.
- `workspace_env` / `ona_env`: this process (and `Workspace.env` for subprocesses) made to look like a
  Classic workspace minting from `issuer` / an Ona environment minting from `ona_issuer`, with no way to
  reach real AWS or real credentials.
- `role_arn`: an IAM OIDC provider for the workspace's issuer and a fresh role it may assume.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from awscli_gitpod.testing.aws import AwsServer, create_oidc_role
from awscli_gitpod.testing.issuer import DEFAULT_CONTEXT_URL, Issuer
from awscli_gitpod.testing.standins import install_standins, read_log
from awscli_gitpod.testing.workspace import subject_of, workspace_environment


@dataclass(frozen=True)
class TestbedLog:
    """The stand-ins' invocation log: one record per run (program, argv, pid, time, mode)."""

    __test__ = False  # not a pytest test class despite the name

    path: Path

    def records(self, program: str | None = None) -> list[dict[str, Any]]:
        return [r for r in read_log(self.path) if program in (None, r.get("program"))]

    def count(self, program: str | None = None) -> int:
        return len(self.records(program))


@dataclass(frozen=True)
class Workspace:
    """A throwaway workspace: `env` is the full environment for subprocesses (also set in os.environ)."""

    kind: str  # "classic" or "ona"
    env: dict[str, str]
    home: Path
    bin_dir: Path
    cache_dir: Path
    aws_config_file: Path
    aws_credentials_file: Path
    log: TestbedLog
    issuer_url: str
    endpoint_url: str

    @property
    def subject(self) -> str:
        """The `sub` the stand-ins' tokens carry in this workspace."""
        return subject_of(self.env)

    def run(
        self, *args: str, timeout: float = 60, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the workspace (cwd = HOME), capturing text output; never raises on exit."""
        return subprocess.run(
            list(args),
            env=self.env,
            cwd=self.home,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="session")
def issuer() -> Iterator[Issuer]:
    with Issuer.start() as running:
        yield running


@pytest.fixture(scope="session")
def ona_issuer() -> Iterator[Issuer]:
    with Issuer.start(path="", flavor="ona") as running:
        yield running


@pytest.fixture(scope="session")
def aws_server() -> Iterator[AwsServer]:
    with AwsServer.start() as running:
        yield running


@pytest.fixture(autouse=True)
def _testbed_reset(request: pytest.FixtureRequest) -> None:
    # Only for tests that use the test bed: asking for the fixtures here would start the servers
    # for every test of the project.
    if "aws_server" in request.fixturenames:
        server: AwsServer = request.getfixturevalue("aws_server")
        server.reset()
    for name in ("issuer", "ona_issuer"):
        if name in request.fixturenames:
            running: Issuer = request.getfixturevalue(name)
            running.set_unavailable(False)
            running.reset_counters()


@pytest.fixture(scope="session")
def _standin_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("standins")
    dirs = {"all": root / "all", "classic": root / "classic", "ona": root / "ona"}
    install_standins(dirs["all"])
    # A Classic workspace has `gp` and no Ona CLI; an Ona environment the reverse.
    install_standins(dirs["classic"], names=("gp",))
    install_standins(dirs["ona"], names=("gitpod", "ona"))
    return dirs


@pytest.fixture(scope="session")
def standin_bin(_standin_dirs: dict[str, Path]) -> Path:
    """A directory with executable stand-in `gp`, `gitpod` and `ona`."""
    return _standin_dirs["all"]


@pytest.fixture
def testbed_log(tmp_path: Path) -> TestbedLog:
    return TestbedLog(tmp_path / "standins.log")


def _make_workspace(
    kind: str,
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    issuer: Issuer,
    aws_server: AwsServer,
    bin_dir: Path,
    log: TestbedLog,
) -> Workspace:
    home = root / "home"
    environment = workspace_environment(kind, home, bin_dir, issuer.url, aws_server.endpoint_url, log.path)
    for name in list(os.environ):
        if name not in environment:
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return Workspace(
        kind=kind,
        env=environment,
        home=home,
        bin_dir=bin_dir,
        cache_dir=home / ".cache",
        aws_config_file=home / ".aws" / "config",
        aws_credentials_file=home / ".aws" / "credentials",
        log=log,
        issuer_url=issuer.url,
        endpoint_url=aws_server.endpoint_url,
    )


@pytest.fixture
def workspace_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    issuer: Issuer,
    aws_server: AwsServer,
    _standin_dirs: dict[str, Path],
    testbed_log: TestbedLog,
) -> Workspace:
    """A Gitpod Classic workspace (`gp` on PATH)."""
    return _make_workspace(
        "classic",
        tmp_path / "classic",
        monkeypatch,
        issuer,
        aws_server,
        _standin_dirs["classic"],
        testbed_log,
    )


@pytest.fixture
def ona_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ona_issuer: Issuer,
    aws_server: AwsServer,
    _standin_dirs: dict[str, Path],
    testbed_log: TestbedLog,
) -> Workspace:
    """An Ona environment (`gitpod` and `ona` on PATH, only `GITPOD_ENVIRONMENT_ID` set)."""
    return _make_workspace(
        "ona", tmp_path / "ona", monkeypatch, ona_issuer, aws_server, _standin_dirs["ona"], testbed_log
    )


@pytest.fixture
def role_arn(request: pytest.FixtureRequest, issuer: Issuer, aws_server: AwsServer) -> str:
    """A fresh role trusting the workspace's issuer (else `issuer`), its trust policy pinning `aud` and the
    workspace's `sub`."""
    subject, issuer_url = DEFAULT_CONTEXT_URL, issuer.url
    for name in ("workspace_env", "ona_env"):
        if name in request.fixturenames:
            workspace: Workspace = request.getfixturevalue(name)
            subject, issuer_url = workspace.subject, workspace.issuer_url
    return create_oidc_role(
        aws_server.endpoint_url,
        issuer_url,
        role_name=f"gitpod-test-{uuid.uuid4().hex[:12]}",
        subject=subject,
    )

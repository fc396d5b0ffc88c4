"""The whole test bed in one context manager, for the demo, the benchmarks and plugin authors' scripts:
the issuer, moto, the stand-in CLIs, a role that trusts the issuer and a workspace environment.

    with running_testbed(Path(tmp)) as bed:
        subprocess.run(["aws-gitpod", "creds", "--role", bed.role_arn], env=bed.env)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from awscli_gitpod.testing.aws import AwsServer, create_oidc_role
from awscli_gitpod.testing.issuer import Issuer
from awscli_gitpod.testing.standins import install_standins, read_log
from awscli_gitpod.testing.workspace import subject_of, workspace_environment


@dataclass(frozen=True)
class TestBed:
    __test__ = False  # not a pytest test class despite the name

    issuer: Issuer
    aws: AwsServer
    env: dict[str, str]
    home: Path
    role_arn: str
    log_path: Path

    def standin_runs(self, program: str) -> int:
        """How often the stand-in `program` (`gp`, `gitpod`, `ona`) has run."""
        return sum(1 for record in read_log(self.log_path) if record.get("program") == program)


@contextmanager
def running_testbed(root: Path, kind: str = "classic", role_name: str = "gitpod-demo") -> Iterator[TestBed]:
    bin_dir = root / "bin"
    install_standins(bin_dir, names=("gp",) if kind == "classic" else ("gitpod", "ona"))
    flavor = {"path": "/idp"} if kind == "classic" else {"path": "", "flavor": "ona"}
    with Issuer.start(**flavor) as issuer, AwsServer.start() as aws:
        log_path = root / "standins.log"
        env = workspace_environment(kind, root / "home", bin_dir, issuer.url, aws.endpoint_url, log_path)
        role_arn = create_oidc_role(
            aws.endpoint_url, issuer.url, role_name=role_name, subject=subject_of(env)
        )
        yield TestBed(issuer, aws, env, root / "home", role_arn, log_path)

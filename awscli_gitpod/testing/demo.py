"""`make demo`: the whole flow against the local test bed, each step printed with what it ran.

No Gitpod and no AWS are involved: a local OIDC issuer plays the Gitpod server, a stand-in `gp` plays the
workspace CLI, and moto (behind a layer that checks tokens as STS does) plays STS and IAM.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from awscli_gitpod.testing.aws import admin_client
from awscli_gitpod.testing.issuer import DEFAULT_CONTEXT_URL
from awscli_gitpod.testing.testbed import TestBed, running_testbed

PARALLEL = 20
ACTION = "AssumeRoleWithWebIdentity"


def step(title: str) -> None:
    print(f"\n=== {title}", flush=True)


def run(
    bed: TestBed, *argv: str, show: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    print(f"$ {shlex.join(argv)}", flush=True)
    environment = bed.env if env is None else env
    result = subprocess.run(argv, env=environment, cwd=bed.home, capture_output=True, text=True, check=False)
    if show:
        sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    if result.returncode:
        print(f"(exit code {result.returncode})")
    return result


def show_token_and_profile(bed: TestBed) -> None:
    step("The test bed")
    print(f"issuer (plays services.<installation>/idp): {bed.issuer.url}")
    print(f"AWS (moto over HTTP, AWS_ENDPOINT_URL):       {bed.aws.endpoint_url}")
    print(f"role trusting the issuer:                    {bed.role_arn}")

    step("The workspace token, as the vendor's troubleshooting step shows it")
    run(bed, "gp", "idp", "token", "--decode", "--audience", "sts.amazonaws.com")

    step("The same token checked as AWS will check it")
    run(bed, "aws-gitpod", "token", "--verify")

    step("One command writes a profile whose credentials never go stale (gp idp login aws's flags)")
    run(bed, "aws-gitpod", "login", "--role-arn", bed.role_arn, "--region", "eu-west-1", "-p", "gitpod")
    config = Path(bed.env["AWS_CONFIG_FILE"])
    print(f"{config}:\n{config.read_text()}")
    bed.aws.reset_calls()

    step("The AWS CLI uses the profile, twice: login's credentials are cached, so no token and no STS call")
    gp_runs_before = bed.standin_runs("gp")
    for _ in range(2):
        started = time.monotonic()
        run(bed, "aws", "sts", "get-caller-identity", "--profile", "gitpod", "--output", "json")
        print(f"took {time.monotonic() - started:.2f} s (most of it the AWS CLI's own start)")
    gp_runs = bed.standin_runs("gp") - gp_runs_before
    print(f"for both calls: gp ran {gp_runs} time(s), STS was called {bed.aws.calls(ACTION)} time(s)")


def show_single_flight(bed: TestBed) -> None:
    step(f"{PARALLEL} processes asking at once with an empty cache (a new session name: a new cache entry)")
    bed.aws.reset_calls()
    argv = ["aws-gitpod", "creds", "--role", bed.role_arn, "--region", "eu-west-1", "--session-name", "burst"]
    print(f"$ {shlex.join(argv)}   (x{PARALLEL}, in parallel)")
    processes = [
        subprocess.Popen(argv, env=bed.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(PARALLEL)
    ]
    outputs = {process.communicate()[0] for process in processes}
    codes = sorted({process.returncode for process in processes})
    print(f"exit codes: {codes}; distinct documents: {len(outputs)}; STS calls: {bed.aws.calls(ACTION)}")
    document = json.loads(next(iter(outputs)))
    print(
        f"the document: Version {document['Version']}, Expiration {document['Expiration']}, "
        f"AccountId {document['AccountId']} (keys not shown)"
    )


def show_plugin_and_secrets(bed: TestBed) -> None:
    step("The same through the AWS CLI plugin: aws gitpod ...")
    run(bed, "aws-gitpod", "plugin", "install")
    run(bed, "aws", "gitpod", "export", "--profile", "gitpod", "--format", "json", show=False)
    print("(aws gitpod export printed the four AWS_* variables; not shown)")

    step("A secret from Secrets Manager into a task's environment, with the workspace's own role")
    secrets = admin_client(bed.aws.endpoint_url, "secretsmanager", "eu-west-1")
    secrets.create_secret(Name="prod/database_url", SecretString="postgres://app:s3cret@db.internal/app")
    run(
        bed,
        "aws-gitpod",
        "secrets",
        "exec",
        "DATABASE_URL=prod/database_url",
        "--role",
        bed.role_arn,
        "--region",
        "eu-west-1",
        "--mask",
        "--",
        "sh",
        "-c",
        'echo "DATABASE_URL is set to $DATABASE_URL"',
    )


def show_denial_explained(bed: TestBed) -> None:
    step("When the trust policy says no: one line, exit code 4, no retries")
    pull_request = dict(bed.env, GITPOD_WORKSPACE_CONTEXT_URL=f"{DEFAULT_CONTEXT_URL}/pull/7")
    run(bed, "aws-gitpod", "creds", "--role", bed.role_arn, "--no-cache", env=pull_request)

    step("... and why: the trust policy checked against that workspace's claims, as IAM does")
    iam = admin_client(bed.aws.endpoint_url, "iam")
    role = iam.get_role(RoleName=bed.role_arn.rsplit("/", 1)[1])["Role"]
    policy_file = bed.home / "trust-policy.json"
    policy_file.write_text(json.dumps(role["AssumeRolePolicyDocument"], indent=2))
    run(bed, "aws-gitpod", "policy", "check", str(policy_file), "--sub", f"{DEFAULT_CONTEXT_URL}/pull/7")

    step("... or everything at once: doctor, with an admin profile to read IAM (moto takes any keys)")
    credentials = Path(bed.env["AWS_SHARED_CREDENTIALS_FILE"])
    credentials.write_text("[admin]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    run(bed, "aws-gitpod", "doctor", "--role", bed.role_arn, "--iam-profile", "admin", env=pull_request)

    step("For contrast: gp idp login aws writes static keys that die with the session")
    run(bed, "gp", "idp", "login", "aws", "--role-arn", bed.role_arn, "--profile", "static")
    credentials = Path(bed.env["AWS_SHARED_CREDENTIALS_FILE"])
    static = credentials.read_text().split("[static]", 1)[1]
    keys = [line.split("=")[0].strip() for line in static.splitlines() if "=" in line]
    print(f"{credentials} now holds {keys} for profile static: no expiry, no refresh")


def demo(bed: TestBed) -> None:
    show_token_and_profile(bed)
    show_single_flight(bed)
    show_plugin_and_secrets(bed)
    show_denial_explained(bed)
    print("\nDone: every step ran against the local test bed.")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="awscli-gitpod-demo-") as root:
        print("Starting the test bed (OIDC issuer, moto, stand-in gp)...", flush=True)
        with running_testbed(Path(root)) as bed:
            demo(bed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

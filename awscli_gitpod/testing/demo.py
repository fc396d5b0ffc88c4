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

from awscli_gitpod.testing.testbed import TestBed, running_testbed

PARALLEL = 20
ACTION = "AssumeRoleWithWebIdentity"


def step(title: str) -> None:
    print(f"\n=== {title}", flush=True)


def run(bed: TestBed, *argv: str, show: bool = True) -> subprocess.CompletedProcess[str]:
    print(f"$ {shlex.join(argv)}", flush=True)
    result = subprocess.run(argv, env=bed.env, cwd=bed.home, capture_output=True, text=True, check=False)
    if show:
        sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    if result.returncode:
        print(f"(exit code {result.returncode})")
    return result


def demo(bed: TestBed) -> None:
    step("The test bed")
    print(f"issuer (plays services.<installation>/idp): {bed.issuer.url}")
    print(f"AWS (moto over HTTP, AWS_ENDPOINT_URL):       {bed.aws.endpoint_url}")
    print(f"role trusting the issuer:                    {bed.role_arn}")

    step("The workspace token, as the vendor's troubleshooting step shows it")
    run(bed, "gp", "idp", "token", "--decode", "--audience", "sts.amazonaws.com")

    step("The same token checked as AWS will check it")
    run(bed, "aws-gitpod", "token", "--verify")

    step("A profile whose credentials never go stale")
    config = Path(bed.env["AWS_CONFIG_FILE"])
    command = f"aws-gitpod creds --role {bed.role_arn} --region eu-west-1"
    config.write_text(f"[profile gitpod]\nregion = eu-west-1\ncredential_process = {command}\n")
    print(f"{config}:\n{config.read_text()}")

    step("The AWS CLI uses it (first call: token from gp, one STS call)")
    gp_runs_before = bed.standin_runs("gp")
    started = time.monotonic()
    run(bed, "aws", "sts", "get-caller-identity", "--profile", "gitpod", "--output", "json")
    print(f"took {time.monotonic() - started:.2f} s")

    step("Second call: served from the cache")
    started = time.monotonic()
    run(bed, "aws", "sts", "get-caller-identity", "--profile", "gitpod", "--output", "json")
    print(f"took {time.monotonic() - started:.2f} s")
    gp_runs = bed.standin_runs("gp") - gp_runs_before
    print(f"for both calls: gp ran {gp_runs} time(s), STS was called {bed.aws.calls(ACTION)} time(s)")

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

    step("When the trust policy says no: one line, exit code 4, no retries")
    bed.aws.inject(
        "AssumeRoleWithWebIdentity",
        code="AccessDenied",
        status=403,
        message="Not authorized to perform sts:AssumeRoleWithWebIdentity",
        times=1,
    )
    run(bed, "aws-gitpod", "creds", "--role", bed.role_arn, "--no-cache")

    step("For contrast: gp idp login aws writes static keys that die with the session")
    run(bed, "gp", "idp", "login", "aws", "--role-arn", bed.role_arn, "--profile", "static")
    credentials = Path(bed.env["AWS_SHARED_CREDENTIALS_FILE"])
    keys = [line.split("=")[0].strip() for line in credentials.read_text().splitlines() if "=" in line]
    print(f"{credentials} now holds {keys}: no expiry, no refresh")
    print("\nDone: every step ran against the local test bed.")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="awscli-gitpod-demo-") as root:
        print("Starting the test bed (OIDC issuer, moto, stand-in gp)...", flush=True)
        with running_testbed(Path(root)) as bed:
            demo(bed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

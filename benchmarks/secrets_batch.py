"""How much more 20 secrets cost than one, through `aws-gitpod secrets export`, on the local test bed.

Run by hand: `.venv/bin/python benchmarks/secrets_batch.py`. (Not `secrets.py`: a script of that name
shadows the standard library's `secrets`, for itself and for mypy.) Each run is a whole CLI process with
`--role` (credentials from the shared cache after the warm-up run), as a `.gitpod.yml` task runs it:

1. one secret (one GetSecretValue) against twenty (one BatchGetSecretValue): target ratio <= 1.3;
2. for information, twenty when the batch call is denied (one GetSecretValue each).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from awscli_gitpod.testing.aws import admin_client
from awscli_gitpod.testing.testbed import running_testbed

TARGET = 1.3


def measure(argv: list[str], env: dict[str, str], runs: int) -> float:
    """Median seconds over `runs` runs, after one warm-up run."""
    samples = []
    for index in range(runs + 1):
        started = time.perf_counter()
        result = subprocess.run(argv, env=env, capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"{' '.join(argv[:4])} failed: {result.stderr.decode().strip()}")
        if index:
            samples.append(elapsed)
    return statistics.median(samples)


def command_line(description: str) -> tuple[int, str | None]:
    """The runs per measurement asked for, and the virtualenv's aws-gitpod (None, said why, when missing)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=15, help="runs per measurement")
    runs = int(parser.parse_args().runs)
    executable = shutil.which("aws-gitpod", path=str(Path(sys.executable).parent))
    if executable is None:
        print(f"run with the project's virtualenv python: no aws-gitpod next to {sys.executable}")
    return runs, executable


def main() -> int:
    runs, executable = command_line("How much more 20 secrets cost than one.")
    if executable is None:
        return 2

    with tempfile.TemporaryDirectory() as root, running_testbed(Path(root)) as bed:
        client = admin_client(bed.aws.endpoint_url, "secretsmanager", "eu-west-1")
        names = [f"bench/secret-{index:02d}" for index in range(20)]
        for index, name in enumerate(names):
            client.create_secret(Name=name, SecretString=f"value-{index}-" + "x" * 200)
        export = [executable, "secrets", "export", "--format", "json", "--role", bed.role_arn]

        one = measure([*export, names[0]], bed.env, runs)
        bed.aws.reset_calls()
        twenty = measure([*export, *names], bed.env, runs)
        batch_calls = bed.aws.calls("BatchGetSecretValue") / runs
        bed.aws.inject("BatchGetSecretValue", code="AccessDeniedException", status=400, times=None)
        fallback = measure([*export, *names], bed.env, runs)
        bed.aws.clear_faults()

        print(f"1 secret:                 {one * 1000:6.0f} ms  (1 GetSecretValue)")
        print(f"20 secrets:               {twenty * 1000:6.0f} ms  ({batch_calls:.0f} BatchGetSecretValue)")
        print(f"ratio:                    {twenty / one:6.2f}     (target <= {TARGET})")
        print(f"20 secrets, batch denied: {fallback * 1000:6.0f} ms  (20 GetSecretValue)")
    return 0 if twenty / one <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())

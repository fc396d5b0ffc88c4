"""How much `aws-gitpod creds` costs, on the local test bed.

Run by hand: `.venv/bin/python benchmarks/creds.py`. It measures:

1. A cache hit, which runs before every AWS call that uses the profile, against a bare `python -c pass`
   of the same interpreter (target: ratio <= 1.5, peak RSS <= 20 MiB).
2. A cold `aws-gitpod creds --no-cache` (mint a token through `gp`, one STS call) against what
   `gp idp login aws` runs: `gp idp token`, `aws sts assume-role-with-web-identity` and three
   `aws configure set` (target: ratio <= 0.35).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from awscli_gitpod.testing.testbed import running_testbed

# Runs the command from a bare interpreter: a child's peak RSS (ru_maxrss) includes what it inherited
# across fork, so forking from this process, with moto loaded, would report our size, not the child's.
LAUNCHER = """
import os, sys, time
runs, argv = int(sys.argv[1]), sys.argv[2:]
for _ in range(runs):
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.execvp(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status), flush=True)
"""


def measure(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, int]:
    """Median seconds and the largest peak RSS (KiB) over `runs` runs, after one warm-up run."""
    output = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(runs + 1), *argv],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    samples = [line.split() for line in output.stdout.splitlines()][1:]
    if any(code != "0" for _, _, code in samples):
        sys.exit(f"{' '.join(argv[:3])} failed: {output.stderr.strip()}")
    return statistics.median(float(t) for t, _, _ in samples), max(int(rss) for _, rss, _ in samples)


def main() -> int:
    parser = argparse.ArgumentParser(description="How much aws-gitpod creds costs.")
    parser.add_argument("--runs", type=int, default=40, help="runs per cached measurement")
    parser.add_argument("--cold-runs", type=int, default=8, help="runs per cold measurement")
    options = parser.parse_args()

    executable = shutil.which("aws-gitpod", path=str(Path(sys.executable).parent))
    aws = shutil.which("aws", path=str(Path(sys.executable).parent))
    if executable is None or aws is None:
        print(f"run with the project's virtualenv python: no aws-gitpod or aws next to {sys.executable}")
        return 2
    wrapper = Path(executable).read_text()
    if "import re" in wrapper:
        print(
            "note: this console-script wrapper imports `re` (pip < 25.3 wrote it); reinstall with a newer pip"
        )

    with tempfile.TemporaryDirectory() as root, running_testbed(Path(root)) as bed:
        creds = [executable, "creds", "--role", bed.role_arn, "--region", "eu-west-1"]
        bare, bare_rss = measure([sys.executable, "-c", "pass"], bed.env, options.runs)
        hit, hit_rss = measure(creds, bed.env, options.runs)  # the warm-up run fills the cache
        print(f"cache hit:  aws-gitpod creds {hit * 1000:6.1f} ms, peak RSS {hit_rss / 1024:5.1f} MiB")
        print(f"baseline:   python -c pass   {bare * 1000:6.1f} ms, peak RSS {bare_rss / 1024:5.1f} MiB")
        print(f"ratio:      {hit / bare:.2f}  (target <= 1.5; peak RSS target <= 20 MiB)")

        cold, _ = measure([*creds, "--no-cache"], bed.env, options.cold_runs)
        login = ["gp", "idp", "login", "aws", "--role-arn", bed.role_arn, "--profile", "bench"]
        gp_login, _ = measure(login, bed.env, options.cold_runs)
        print(f"cold:       aws-gitpod creds --no-cache {cold * 1000:6.0f} ms")
        print(
            f"baseline:   gp idp login aws            {gp_login * 1000:6.0f} ms"
            "  (token, STS, 3x aws configure set)"
        )
        print(f"ratio:      {cold / gp_login:.2f}  (target <= 0.35)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What a refresh costs the callers that meet it: before the refresh margin (refresh ahead) and at it.

Run by hand: `.venv/bin/python benchmarks/refresh.py`. On the local test bed, with STS behind the fault
proxy taking `--delay` seconds per call (a real STS call takes a few hundred milliseconds), it makes the
cached entry due, then starts 1 and 20 `aws-gitpod creds` at once (Terraform's providers), and reports
the worst caller's latency and the STS calls made, background refreshes included:

- before the margin (the entry is 1 minute from due, inside its refresh-ahead window): every caller
  answers from the cache at once, and one background refresh renews the entry (target: worst latency
  that of a cache hit, 1 STS call);
- at the margin (the entry is due): one caller refreshes, the others wait for it without loading the
  command line (target: 1 STS call, worst latency that of one refresh).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import run_callers

from awscli_gitpod import cache
from awscli_gitpod.refreshahead import claim_path
from awscli_gitpod.testing.faults import Fault, FaultProxy
from awscli_gitpod.testing.testbed import running_testbed


def age(directory: Path, due_in: int) -> Path:
    (path,) = directory.glob("*.json")
    entry = cache.read_entry(str(path))
    if entry is None:
        sys.exit(f"no cache entry in {directory}")
    now = int(time.time())
    cache.store_entry(str(path), entry.body, now - 3000, now + cache.DEFAULT_REFRESH_MARGIN + due_in)
    return path


def callers(argv: list[str], env: dict[str, str], count: int) -> float:
    """The worst latency of `count` callers started at once; exits if any failed."""
    outcomes = run_callers(argv, env, count)
    if any(code != 0 for _, code in outcomes):
        sys.exit("a caller failed")
    return max(took for took, _ in outcomes)


def settle(entry: Path) -> None:
    """Wait until no background refresh is left running (its claim file is gone or pushed out)."""
    deadline = time.monotonic() + 60
    while Path(claim_path(str(entry))).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description="What a refresh costs the callers that meet it.")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds each STS call takes")
    options = parser.parse_args()
    executable = shutil.which("aws-gitpod", path=str(Path(sys.executable).parent))
    if executable is None:
        print(f"run with the project's virtualenv python: no aws-gitpod next to {sys.executable}")
        return 2
    with contextlib.ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        bed = stack.enter_context(running_testbed(root))
        proxy = stack.enter_context(FaultProxy.start(bed.aws.endpoint_url))
        env = dict(bed.env, AWS_ENDPOINT_URL_STS=proxy.url)
        argv = [executable, "creds", "--role", bed.role_arn]
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
        directory = root / "home" / ".cache" / "awscli-gitpod"
        proxy.plan.set(Fault("delay", seconds=options.delay))
        print(f"STS takes {options.delay:g} s a call")
        print(f"{'':<18}{'callers':>8}{'worst latency':>15}{'STS calls':>11}")
        for label, due_in in (("before the margin", 60), ("at the margin", -10)):
            for count in (1, 20):
                entry = age(directory, due_in)
                before = proxy.plan.total_requests()
                worst = callers(argv, env, count)
                settle(entry)
                calls = proxy.plan.total_requests() - before
                print(f"{label:<18}{count:>8}{worst * 1000:>12.0f} ms{calls:>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

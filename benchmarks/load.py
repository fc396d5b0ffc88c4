"""Many cold callers against a failing, slow STS: how many STS calls, how many failures, how long at worst.

Run by hand: `.venv/bin/python benchmarks/load.py`. It starts the local test bed with the fault proxy in
front of its STS (by default 30% of calls fail with 503 ServiceUnavailable and every other one takes
0.5 s), then starts N `aws-gitpod creds` processes at once for the same role with an empty cache, as
Terraform's providers or a parallel build would, and reports:

- STS calls: requests that reached the proxy (single-flight: one holder and its retries, not one per caller);
- failures: callers that did not get credentials (target: 0);
- latency: the median and the worst caller, from start to exit.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from awscli_gitpod.testing.faults import Fault, FaultProxy
from awscli_gitpod.testing.testbed import running_testbed


def run_callers(argv: list[str], env: dict[str, str], count: int) -> list[tuple[float, int]]:
    """(seconds from its start to its exit, exit code) of each of `count` processes started at once."""

    def run(_: int) -> tuple[float, int]:
        started = time.monotonic()
        code = subprocess.run(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        return time.monotonic() - started, code.returncode

    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def main() -> int:
    parser = argparse.ArgumentParser(description="Many cold callers against a failing, slow STS.")
    parser.add_argument("--callers", type=int, default=200)
    parser.add_argument("--failure-rate", type=float, default=0.3)
    parser.add_argument("--delay", type=float, default=0.5, help="seconds every successful STS call takes")
    parser.add_argument("--timeout", type=float, default=45.0, help="each caller's --timeout")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    executable = shutil.which("aws-gitpod", path=str(Path(sys.executable).parent))
    if executable is None:
        print(f"run with the project's virtualenv python: no aws-gitpod next to {sys.executable}")
        return 2

    with contextlib.ExitStack() as stack:
        bed = stack.enter_context(running_testbed(Path(stack.enter_context(tempfile.TemporaryDirectory()))))
        proxy = stack.enter_context(FaultProxy.start(bed.aws.endpoint_url))
        proxy.plan.set(
            Fault("error", rate=options.failure_rate, status=503, code="ServiceUnavailable"),
            Fault("delay", seconds=options.delay),
            seed=options.seed,
        )
        env = dict(bed.env, AWS_ENDPOINT_URL_STS=proxy.url)
        argv = [executable, "creds", "--role", bed.role_arn, "--timeout", f"{options.timeout:g}"]
        latencies = run_callers(argv, env, options.callers)
        failures = sum(1 for _, code in latencies if code != 0)
        calls = proxy.plan.total_requests()
        injected = proxy.plan.applied["error"]

    print(
        f"{options.callers} cold callers, one role; STS: {options.failure_rate:.0%} of calls fail (503), "
        f"the others take {options.delay:g} s"
    )
    print(f"STS calls:  {calls} ({injected} failed by injection)")
    print(f"failures:   {failures} of {options.callers} callers")
    seconds = [took for took, _ in latencies]
    print(f"latency:    median {statistics.median(seconds):.2f} s, worst {max(seconds):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How a fleet of workspaces loads STS over a working day, with the real refresh rules.

Run by hand: `.venv/bin/python benchmarks/fleet.py [--workspaces 10000]`. Each simulated workspace makes
an AWS call every `--call-interval` seconds (at its own phase) for `--hours`, with one-hour sessions and
the default refresh margin. A call refreshes when `awscli_gitpod.cache.Entry` says so: at
`prefetch_after` (refresh ahead, the rule today: 5 to 15 minutes before the margin, jittered per entry)
or, for comparison, at `refresh_after` (the margin alone, the rule before refresh ahead). Workspaces start
either together (within one minute: a team at 9:00, a CI burst) or staggered (over two hours).

It prints, per rule and start pattern, the mean and the peak STS calls per second (and the peak over any
minute), against `--sts-rate`: the request rate STS allows your account in a Region. AWS sets it per
account (see Service Quotas); 600 per second, the default here, is a figure often quoted, not verified here.
"""

from __future__ import annotations

import argparse
import math
import random
import secrets
from collections import Counter

from awscli_gitpod import cache

SESSION = 3600


def refresh_times(
    start: float, phase: float, interval: float, end: float, key: str, ahead: bool
) -> list[float]:
    """The moments one workspace calls STS: its first call, then each call that finds its entry due."""
    calls = []
    now = start
    while now < end:
        calls.append(now)
        entry = cache.Entry(int(now), int(now) + SESSION, b"", key)
        due = entry.prefetch_after() if ahead else entry.refresh_after(cache.DEFAULT_REFRESH_MARGIN)
        # The first call at or after `due`: calls come at `phase + k * interval`.
        now = phase + math.ceil((due - phase) / interval) * interval
    return calls


def simulate(
    count: int, spread: float, hours: float, interval: float, ahead: bool, seed: int
) -> Counter[int]:
    rng = random.Random(seed)  # noqa: S311 - a simulation
    per_second: Counter[int] = Counter()
    for _ in range(count):
        start = rng.uniform(0, spread)
        phase = start % interval
        key = secrets.token_hex(32)  # the cache key: a digest, different for every workspace
        for moment in refresh_times(start, phase, interval, start + hours * 3600, key, ahead):
            per_second[int(moment)] += 1
    return per_second


def main() -> int:
    parser = argparse.ArgumentParser(description="How a fleet of workspaces loads STS over a day.")
    parser.add_argument("--workspaces", type=int, default=10000)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument(
        "--call-interval", type=float, default=30.0, help="seconds between a workspace's calls"
    )
    parser.add_argument(
        "--sts-rate", type=float, default=600.0, help="STS requests per second the account gets"
    )
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    print(
        f"{options.workspaces} workspaces, {options.hours:g} h each, a call every {options.call_interval:g} "
        f"s, one-hour sessions; STS rate {options.sts_rate:g}/s"
    )
    print(f"{'rule':<22}{'starts':<12}{'mean/s':>8}{'peak/s':>8}{'peak/min':>10}{'peak % of rate':>16}")
    for rule, ahead in (("refresh ahead", True), ("margin only (before)", False)):
        for pattern, spread in (("together", 60.0), ("staggered", 7200.0)):
            per_second = simulate(
                options.workspaces, spread, options.hours, options.call_interval, ahead, options.seed
            )
            first, last = min(per_second), max(per_second)
            mean = sum(per_second.values()) / (last - first + 1)
            # After the first calls, which every rule makes at start-up alike.
            steady = {second: calls for second, calls in per_second.items() if second >= first + 600}
            peak = max(steady.values())
            minutes: Counter[int] = Counter()
            for second, calls in steady.items():
                minutes[second // 60] += calls
            peak_minute = max(minutes.values()) / 60
            print(
                f"{rule:<22}{pattern:<12}{mean:>8.1f}{peak:>8}{peak_minute:>10.1f}"
                f"{peak / options.sts_rate:>15.0%}"
            )
    print(
        "peak/s and peak/min leave out the first 10 minutes (each workspace's first call, the same for all)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

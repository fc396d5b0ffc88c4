"""Time as STS and the credential_process contract see it: the clock skew STS tolerates, and RFC 3339.

`Clock` is what the retry loop reads and sleeps on; tests hand in a fake one instead of
sleeping for real (as botocore's `ProcessProvider` takes its `popen`).
"""

from __future__ import annotations

import calendar
import time

# STS accepts a token up to five minutes past its `exp` (and an `iat` that far in the future).
CLOCK_SKEW = 300
RFC3339 = "%Y-%m-%dT%H:%M:%SZ"  # the only form the Go SDK accepts for Expiration; the others accept it too


def rfc3339(seconds: float) -> str:
    """Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`."""
    return time.strftime(RFC3339, time.gmtime(seconds))


def parse_rfc3339(text: str) -> int:
    """`YYYY-MM-DDTHH:MM:SSZ` as unix seconds; ValueError otherwise."""
    return calendar.timegm(time.strptime(text, RFC3339))


class Clock:
    """The real clock: `monotonic()` for deadlines, `sleep()` for pauses."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


REAL_CLOCK = Clock()

"""The retry policy of the workspace exchange: how many attempts, how long to pause, within a deadline.

Transient failures are retried with "full jitter" exponential backoff (a pause drawn uniformly between
zero and `base * 2**n`, capped), so that many workspaces failing together do not retry together. A retry
is not started when its pause would end past the deadline: giving up early with a clear message beats
being killed mid-attempt by the SDK that ran us. The clock and the random source are injectable, so the
policy is tested without sleeping.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

from awscli_gitpod.clock import REAL_CLOCK, Clock


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # in all, the first attempt included
    base: float = 0.25  # the pause before the n-th retry is at most base * 2**n seconds...
    cap: float = 4.0  # ...and never more than this
    clock: Clock = REAL_CLOCK
    uniform: Callable[[float, float], float] = field(default=random.uniform)

    def pause(self, failures: int) -> float:
        """The jittered pause after `failures` transient failures in a row."""
        return self.uniform(0, min(self.cap, self.base * 2**failures))

    def wait_before_retry(self, failures: int, deadline: float) -> bool:
        """Sleep before the next attempt and return True; False when no attempt is left in the budget."""
        if failures >= self.max_attempts:
            return False
        pause = self.pause(failures)
        if self.clock.monotonic() + pause >= deadline:
            return False
        self.clock.sleep(pause)
        return True


DEFAULT_POLICY = RetryPolicy()

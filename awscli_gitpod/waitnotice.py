"""One line on stderr when a wait for another process gets long, so that a person at a terminal knows why
nothing happens; nothing at all in logs, pipes and `credential_process` (whose stderr the SDK keeps)."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

AFTER_SECONDS = 3.0


class WaitNotice:
    def __init__(self, message: str, after: float = AFTER_SECONDS, stream: TextIO | None = None) -> None:
        self.message = message
        self.after = after
        self.stream = stream if stream is not None else sys.stderr
        self._timer: threading.Timer | None = None

    def start(self) -> None:
        """Say `message` in `after` seconds, unless `stop` comes first; only when the stream is a terminal."""
        try:
            terminal = self.stream.isatty()
        except (AttributeError, ValueError):
            terminal = False
        if terminal and self._timer is None:
            self._timer = threading.Timer(self.after, self._say)
            self._timer.daemon = True  # never what keeps the process alive
            self._timer.start()

    def _say(self) -> None:
        try:
            self.stream.write(f"aws-gitpod: {self.message}\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
            self._timer = None

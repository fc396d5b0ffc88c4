"""What a message may show of text that came from elsewhere (a child's stderr, an AWS error, an exception).

Anything shaped like a JWT or a long secret is hidden before it can reach stderr, a log or a traceback.
"""

from __future__ import annotations

import re

_JWT = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_LONG_SECRET = re.compile(r"[A-Za-z0-9/+=]{40,}")


def redact(text: str) -> str:
    """`text` with JWT-shaped and long-secret-shaped runs replaced."""
    return _LONG_SECRET.sub("<redacted>", _JWT.sub("<redacted-jwt>", text))


def last_line(text: str, limit: int = 200) -> str:
    """The last non-empty line of `text`, redacted and cut to `limit` characters."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    line = redact(lines[-1]) if lines else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."

"""The one error type commands raise, and the exit codes it maps to.

Nothing below `cli.error_handler` calls `sys.exit`: a command raises `Failure` with a code from this table
and a one-line message that says what to do. Messages never contain a token or a credential.
"""

from __future__ import annotations

# Documented in the README's "Exit codes" table; tests pin these numbers.
OK = 0
CHECK_FAILED = 1  # a diagnostic command (`token --verify`) ran and found a problem
USAGE = 2  # bad option or value; argparse uses 2 as well
NO_TOKEN = 3  # no token source produced a workspace token
AWS_DENIED = 4  # STS refused the token or the role (trust policy, issuer, audience, expiry)
AWS_REJECTED_REQUEST = 5  # STS refused the request itself (duration, session policy, region)
AWS_UNAVAILABLE = 6  # STS or the network failed and retries ran out, or the time budget did
SECRETS_FAILED = 7  # one or more secrets could not be read or used (each is named on stderr)
INTERNAL = 70  # a bug in awscli-gitpod or a plugin (EX_SOFTWARE)
INTERRUPTED = 130


# Where a denied exchange sends the user next: `DIAGNOSE_HINT.format(role_arn=...)`. A format string rather
# than a function, so that code still using it as a plain string keeps working.
DIAGNOSE_HINT = "run `aws-gitpod doctor --role {role_arn}`: it names the failing check and its fix"


class Failure(Exception):
    """An expected failure: one actionable line for stderr and an exit code from the table above."""

    def __init__(self, message: str, exit_code: int = INTERNAL) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(Failure):
    def __init__(self, message: str) -> None:
        super().__init__(message, USAGE)

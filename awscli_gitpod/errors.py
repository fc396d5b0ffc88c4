"""Every exit code the program can return, the one error type commands raise, and warnings.

Nothing below `cli.error_handler` calls `sys.exit` or prints an error: a command raises `Failure` with a code
from `EXIT_CODES` and a one-line message that says what to do, and the handler prints it. Messages never
contain a token or a credential. This module imports nothing, so that even the AWS CLI plugin can use it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

# The README's "Exit codes" table is tested against `EXIT_CODES`, both ways.
OK = 0
CHECK_FAILED = 1  # a diagnostic command (`token --verify`, `doctor`, `policy check`) ran and found a problem
USAGE = 2  # bad option or value; argparse uses 2 as well
NO_TOKEN = 3  # no token source produced a workspace token
AWS_DENIED = 4  # STS refused the token or the role (trust policy, issuer, audience, expiry)
AWS_REJECTED_REQUEST = 5  # STS refused the request itself (duration, session policy, region)
AWS_UNAVAILABLE = 6  # STS or the network failed and retries ran out, or the time budget did
SECRETS_FAILED = 7  # one or more secrets could not be read or used (each is named on stderr)
INTERNAL = 70  # a bug in awscli-gitpod or a plugin (EX_SOFTWARE)
OUTPUT_FAILED = 74  # stdout could not take the output: its reader went away, or the disk is full (EX_IOERR)
COMMAND_NOT_EXECUTABLE = 126  # `exec`: the program exists but cannot be run (as shells report it)
COMMAND_NOT_FOUND = 127  # `exec`: no such program on the child's PATH (as shells report it)
INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT
AWS_CLI_ERROR = 255  # `aws gitpod` could not start aws-gitpod: the AWS CLI's own code for a failed command

# The pre-commit hooks (`policy lint`, `policy lint-gitpod-yml`) follow pre-commit's convention, which the
# codes above already spell: 0 clean, 1 findings, 2 cannot run.
LINT_CLEAN = OK
LINT_FINDINGS = CHECK_FAILED
LINT_CANNOT_RUN = USAGE

EXIT_CODES = {
    OK: "success",
    CHECK_FAILED: "a check failed",
    USAGE: "bad option or value",
    NO_TOKEN: "no workspace token",
    AWS_DENIED: "AWS refused the token or the role",
    AWS_REJECTED_REQUEST: "AWS refused the request",
    AWS_UNAVAILABLE: "AWS unreachable, or the time budget ran out",
    SECRETS_FAILED: "secrets could not be read or used",
    INTERNAL: "internal error",
    OUTPUT_FAILED: "the output could not be written",
    COMMAND_NOT_EXECUTABLE: "exec: the command cannot be run",
    COMMAND_NOT_FOUND: "exec: the command was not found",
    INTERRUPTED: "interrupted",
    AWS_CLI_ERROR: "aws gitpod: aws-gitpod could not be started",
}

# Where a denied exchange sends the user next: `DIAGNOSE_HINT.format(role_arn=...)`.
DIAGNOSE_HINT = "run `aws-gitpod doctor --role {role_arn}`: it names the failing check and its fix"

PROG = "aws-gitpod"


class Failure(Exception):
    """An expected failure: one actionable line for stderr and an exit code from `EXIT_CODES`.

    `details` are lines printed before it, each an error of its own (one per secret that failed, say),
    when the message sums them up.
    """

    def __init__(self, message: str, exit_code: int = INTERNAL, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.details = details

    def __str__(self) -> str:
        return self.message


class UsageError(Failure):
    def __init__(self, message: str) -> None:
        super().__init__(message, USAGE)


def warn(message: str) -> None:
    """One line on stderr for something the user should know that does not stop the command."""
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def note(message: str) -> None:
    """One line on stderr that is neither an error nor a warning: what the command is doing, or why."""
    print(f"{PROG}: {message}", file=sys.stderr)


@contextlib.contextmanager
def error_handler() -> Iterator[list[int]]:
    """Yield a one-item list for the exit code; map failures to it and to one line each on stderr.

    A `Failure` prints its details and its message; Ctrl-C is 130; anything else is a bug: exit 70 with a
    redacted one-line message (and a redacted traceback with `AWS_GITPOD_DEBUG=1`).
    """
    status = [OK]
    try:
        yield status
    except Failure as failure:
        for detail in failure.details:
            print(f"{PROG}: error: {detail}", file=sys.stderr)
        print(f"{PROG}: error: {failure.message}", file=sys.stderr)
        status[0] = failure.exit_code
    except BrokenPipeError:
        print(f"{PROG}: error: cannot write the output: the reader went away", file=sys.stderr)
        silence_stdout()
        status[0] = OUTPUT_FAILED
    except KeyboardInterrupt:
        status[0] = INTERRUPTED
    except Exception as error:
        from awscli_gitpod.redaction import redact

        if os.environ.get("AWS_GITPOD_DEBUG"):
            import traceback

            print(redact(traceback.format_exc()), file=sys.stderr)
        print(
            f"{PROG}: internal error: {type(error).__name__}: {redact(str(error))} "
            "(please report it; AWS_GITPOD_DEBUG=1 shows a traceback)",
            file=sys.stderr,
        )
        status[0] = INTERNAL


def silence_stdout() -> None:
    """Point stdout at /dev/null after it failed, so that Python's final flush cannot fail (and print a
    traceback-like warning) a second time."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)

"""`doctor`: every step from the workspace token to AWS credentials, each a check that says what to fix.

The checks run in the order a token travels: the token itself (`diagnosis.token`), then IAM and STS
(`diagnosis.aws`), then the cache and the AWS credential chain (`diagnosis.local`). Each returns a `Result`
(`diagnosis.result`): ok, fail with its fix, or skip when it could not be checked (and why). A check that
needs what an earlier one failed to produce skips. The failure rule: doctor fails when any check fails;
skips never fail it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from awscli_gitpod import errors
from awscli_gitpod.deadline import DeadlineExceeded, ceiling
from awscli_gitpod.diagnosis.aws import AWS_CHECKS
from awscli_gitpod.diagnosis.local import LOCAL_CHECKS
from awscli_gitpod.diagnosis.result import FAIL, OK, SKIP, Context, Result
from awscli_gitpod.diagnosis.token import TOKEN_CHECKS

__all__ = ["CHECKS", "FAIL", "OK", "SKIP", "Context", "Result", "failed", "run_checks"]

CHECKS = (*TOKEN_CHECKS, *AWS_CHECKS, *LOCAL_CHECKS)
DEADLINE_GRACE = 1.0  # the STS check is given a second even when the ones before used the budget


def _crashed(name: str, error: Exception) -> Result:
    from awscli_gitpod.redaction import redact

    if isinstance(error, errors.Failure):
        return Result(name, FAIL, error.message)
    detail = f"internal error: {type(error).__name__}: {redact(str(error))}"
    return Result(
        name, FAIL, detail, "please report it (AWS_GITPOD_DEBUG=1 aws-gitpod creds ... shows a traceback)"
    )


def _name(check: Callable[[Context], Result]) -> str:
    return check.__name__[len("check_") :].replace("_", "-")


def run_checks(context: Context) -> list[Result]:
    """Every check in order, each ended by the deadline (with a second's grace for the STS call):
    a check cut short fails, and the ones after it are skipped."""
    results = []
    out_of_time = False
    for check in CHECKS:
        if out_of_time:
            results.append(Result(_name(check), SKIP, "not checked: --timeout ran out"))
            continue
        try:
            with ceiling(context.deadline + DEADLINE_GRACE):
                result = check(context)
        except DeadlineExceeded:
            out_of_time = True
            result = Result(
                _name(check), FAIL, "did not finish within --timeout", "raise --timeout, then retry"
            )
        except Exception as error:  # one broken step (a plugin, a config file) must not hide the others
            result = _crashed(_name(check), error)
        if result.status == FAIL:
            context.failed.append(result.check)
        results.append(result)
    return results


def failed(results: Sequence[Result]) -> bool:
    """The failure rule: any failed check fails doctor; a skip does not."""
    return any(result.status == FAIL for result in results)

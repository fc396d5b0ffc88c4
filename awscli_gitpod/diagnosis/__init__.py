"""`doctor`: every step from the workspace token to AWS credentials, each a check that says what to fix.

The checks run in the order a token travels: the token itself (`diagnosis.token`), then IAM and STS
(`diagnosis.aws`), then the cache and the AWS credential chain (`diagnosis.local`). Each returns a `Result`
(`diagnosis.result`): ok, fail with its fix, or skip when it could not be checked (and why). A check that
needs what an earlier one failed to produce skips. The failure rule: doctor fails when any check fails;
skips never fail it.
"""

from __future__ import annotations

from collections.abc import Sequence

from awscli_gitpod import errors
from awscli_gitpod.diagnosis.aws import AWS_CHECKS
from awscli_gitpod.diagnosis.local import LOCAL_CHECKS
from awscli_gitpod.diagnosis.result import FAIL, OK, SKIP, Context, Result
from awscli_gitpod.diagnosis.token import TOKEN_CHECKS

__all__ = ["CHECKS", "FAIL", "OK", "SKIP", "Context", "Result", "failed", "run_checks"]

CHECKS = (*TOKEN_CHECKS, *AWS_CHECKS, *LOCAL_CHECKS)


def _crashed(name: str, error: Exception) -> Result:
    from awscli_gitpod.redaction import redact

    if isinstance(error, errors.Failure):
        return Result(name, FAIL, error.message)
    detail = f"internal error: {type(error).__name__}: {redact(str(error))}"
    return Result(
        name, FAIL, detail, "please report it (AWS_GITPOD_DEBUG=1 aws-gitpod creds ... shows a traceback)"
    )


def run_checks(context: Context) -> list[Result]:
    results = []
    for check in CHECKS:
        try:
            result = check(context)
        except Exception as error:  # one broken step (a plugin, a config file) must not hide the others
            result = _crashed(check.__name__[len("check_") :].replace("_", "-"), error)
        if result.status == FAIL:
            context.failed.append(result.check)
        results.append(result)
    return results


def failed(results: Sequence[Result]) -> bool:
    """The failure rule: any failed check fails doctor; a skip does not."""
    return any(result.status == FAIL for result in results)

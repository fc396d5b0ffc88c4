"""What `gp idp login aws` does after minting, and `ona idp login aws` like it: the baseline this project
improves on.

`aws sts assume-role-with-web-identity` with the token on its command line (visible in `ps`) and no
`--output json`, its combined output parsed as JSON whatever the user's output format is, then three
`aws configure set` writing static keys that die with the session (`idp-login-aws.go`).
"""

from __future__ import annotations

import json
import subprocess

from awscli_gitpod.testing.standins.cobra import CliError
from awscli_gitpod.testing.standins.gojson import unmarshal_error


def run_aws(args: list[str]) -> str:
    """Run the `aws` on PATH like Go's `CombinedOutput`; errors read as Go's `fmt.Errorf("%w: %s")`."""
    try:
        completed = subprocess.run(
            ["aws", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
        )
    except FileNotFoundError:
        raise CliError('exec: "aws": executable file not found in $PATH') from None
    except OSError as error:
        raise CliError(f"fork/exec aws: {error.strerror}") from None
    if completed.returncode != 0:
        raise CliError(f"exit status {completed.returncode}: {completed.stdout}")
    return completed.stdout


def assume_and_configure(role_arn: str, session_name: str, token: str, duration: int, profile: str) -> None:
    output = run_aws(
        [
            "sts",
            "assume-role-with-web-identity",
            "--role-arn",
            role_arn,
            "--role-session-name",
            session_name,
            "--web-identity-token",
            token,
            "--duration-seconds",
            str(duration),
        ]
    )
    # Go's json.Unmarshal error names the first bad character, never the output (which in text format
    # holds the secret key).
    try:
        credentials = json.loads(output)["Credentials"]
    except (ValueError, KeyError, TypeError):
        raise CliError(unmarshal_error(output)) from None
    for key, field in (
        ("aws_access_key_id", "AccessKeyId"),
        ("aws_secret_access_key", "SecretAccessKey"),
        ("aws_session_token", "SessionToken"),
    ):
        run_aws(["configure", "set", "--profile", profile, key, str(credentials.get(field, ""))])

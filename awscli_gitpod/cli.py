"""The `aws-gitpod` command line: the parser and the dispatch, nothing else.

Every command function takes plain parameters and returns an exit code; `error_handler` turns a `Failure`
into one line on stderr, and anything unexpected into exit 70 with a redacted message.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import NoReturn

from awscli_gitpod import __version__, errors
from awscli_gitpod.exchange import DEFAULT_TIMEOUT, ExchangeOptions
from awscli_gitpod.tokens import TokenOptions

PROG = "aws-gitpod"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print the whole usage first; one line that names the fix is easier to act on.
        raise errors.UsageError(f"{message} (see `{self.prog} --help`)")


def _policy(value: str) -> str:
    text = value
    if value.startswith("file://"):
        try:
            with open(value[len("file://") :], encoding="utf-8") as file:
                text = file.read()
        except OSError as error:
            raise argparse.ArgumentTypeError(f"cannot read {value}: {error.strerror}") from None
    try:
        json.loads(text)
    except ValueError:
        raise argparse.ArgumentTypeError("the session policy is not valid JSON") from None
    return text


def _add_token_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("token")
    group.add_argument(
        "--audience", default=TokenOptions.audience, help="token audience (default: %(default)s)"
    )
    group.add_argument("--scope", help="token scope (Gitpod Classic `gp idp token --scope`)")
    group.add_argument(
        "--token-source", metavar="NAME", help="use only this token source (gp, ona, gitpod, ...)"
    )
    group.add_argument(
        "--token-file", metavar="PATH", help="read the token from this file (re-read on refresh)"
    )
    group.add_argument("--token-command", metavar="CMD", help="run this shell command to print a token")
    group.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="give up after this long (default: %(default)g)",
    )


def build_parser() -> Parser:
    # No abbreviated options: the cached path of `creds` recognises options by their full names only.
    parser = Parser(
        prog=PROG, description="AWS credentials from a Gitpod or Ona workspace token.", allow_abbrev=False
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    creds = commands.add_parser(
        "creds",
        allow_abbrev=False,
        help="print credentials for credential_process (cached)",
        description="Print temporary credentials as one credential_process JSON document.",
    )
    creds.add_argument("--role", required=True, metavar="ARN", help="IAM role to assume")
    creds.add_argument(
        "--region", help="STS region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)"
    )
    creds.add_argument("--duration-seconds", type=int, metavar="N", help="900 to 43200")
    creds.add_argument("--session-name", metavar="NAME", help="default: <workspace id>-<unix time>")
    creds.add_argument("--policy", type=_policy, metavar="JSON", help="session policy or file://path")
    creds.add_argument(
        "--policy-arn", action="append", default=[], metavar="ARN", help="managed session policy"
    )
    creds.add_argument(
        "--refresh-margin",
        type=int,
        metavar="SECONDS",
        help="refresh when fewer seconds than this remain (default: 960)",
    )
    creds.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    _add_token_options(creds)

    token = commands.add_parser(
        "token",
        allow_abbrev=False,
        help="print the workspace OIDC token",
        description="Print the workspace token, decode it, or verify it as AWS will.",
    )
    token.add_argument("--decode", action="store_true", help="print header and claims as JSON")
    token.add_argument(
        "--verify", action="store_true", help="check discovery, signature, expiry and audience"
    )
    _add_token_options(token)
    return parser


def _token_options(args: argparse.Namespace) -> TokenOptions:
    return TokenOptions(
        audience=args.audience,
        scope=args.scope,
        source=args.token_source,
        file=args.token_file,
        command=args.token_command,
    )


def dispatch(args: argparse.Namespace, raw: list[str]) -> int:
    if args.command == "creds":
        from awscli_gitpod.cache import DEFAULT_REFRESH_MARGIN
        from awscli_gitpod.commands.creds import creds

        options = ExchangeOptions(
            role_arn=args.role,
            region=args.region,
            token=_token_options(args),
            duration_seconds=args.duration_seconds,
            session_name=args.session_name,
            policy=args.policy,
            policy_arns=tuple(args.policy_arn),
            timeout=args.timeout,
        )
        margin = DEFAULT_REFRESH_MARGIN if args.refresh_margin is None else args.refresh_margin
        return creds(options, raw[1:], margin, use_cache=not args.no_cache)
    if args.command == "token":
        from awscli_gitpod.commands.token import token

        return token(_token_options(args), decode=args.decode, verify=args.verify, timeout=args.timeout)
    raise AssertionError(f"no handler for {args.command}")


@contextlib.contextmanager
def error_handler() -> Iterator[list[int]]:
    """Yield a one-item list for the exit code; map failures to it and to one line on stderr."""
    status = [errors.OK]
    try:
        yield status
    except errors.Failure as failure:
        print(f"{PROG}: error: {failure.message}", file=sys.stderr)
        status[0] = failure.exit_code
    except KeyboardInterrupt:
        status[0] = errors.INTERRUPTED
    except Exception as error:
        from awscli_gitpod.process import redact

        if os.environ.get("AWS_GITPOD_DEBUG"):
            import traceback

            print(redact(traceback.format_exc()), file=sys.stderr)
        print(
            f"{PROG}: internal error: {type(error).__name__}: {redact(str(error))} "
            "(please report it; AWS_GITPOD_DEBUG=1 shows a traceback)",
            file=sys.stderr,
        )
        status[0] = errors.INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    with error_handler() as status:
        status[0] = dispatch(build_parser().parse_args(raw), raw)
    return status[0]

"""Fetch AWS Secrets Manager secrets and SSM Parameter Store parameters (`ssm:`) for workspace tasks: `get`
one, `export` several as environment variables, or `exec` a command with them in its environment.

Credentials come from `--role ARN` (the workspace token exchanged through the shared cache, no profile
needed) or else from AWS's usual chain (`--profile`, the AWS_* variables). Values go to stdout, a 0600 file
or a child's environment, never to stderr, a log, a command line or the cache. Nothing is printed or run
unless every secret asked for was read: failures are listed by ID, one line each, and exit 7.

In a prebuild nothing is fetched (Gitpod Classic) or written to disk (a task that sets AWS_GITPOD_PREBUILD)
unless `--allow-prebuild` is given: a prebuild's snapshot is shared with everyone (`awscli_gitpod.prebuild`).

This module is the glue only: SPECs are `secretspec`, reading them all is `secretsources` (through
`secretstore` and `parameterstore`), formats are `envformat`, running the command is `childprocess`, what
`--mask` hides is `maskforms`, and what `--with-credentials` gives the command is `credentialenv`.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from awscli_gitpod import errors, prebuild
from awscli_gitpod.envformat import FORMATS
from awscli_gitpod.options import add_role_options, exchange_options, refresh_margin

if TYPE_CHECKING:
    from awscli_gitpod.storeaccess import Connection

COMMAND_MARKER = "--"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    subcommands = parser.add_subparsers(dest="secrets_command", metavar="SUBCOMMAND")
    subcommands.required = True

    get = subcommands.add_parser(
        "get",
        help="print one secret exactly (no newline added), or write it to a 0600 file",
        description="Print a secret's value exactly as stored, with no newline added (binary secrets as "
        "bytes), or write it to a new 0600 file with --output-file.",
        allow_abbrev=False,
    )
    get.add_argument("secret_id", metavar="ID", help="secret name or ARN, or ssm:PARAMETER[:VERSION|:LABEL]")
    get.add_argument("--key", metavar="KEY", help="print only this key of a JSON secret")
    version = get.add_mutually_exclusive_group()
    version.add_argument("--version-id", metavar="ID", help="a version ID (default: AWSCURRENT)")
    version.add_argument("--version-stage", metavar="STAGE", help="a staging label, e.g. AWSPREVIOUS")
    # Not `--output`: through `aws gitpod`, the AWS CLI takes that global option for itself.
    get.add_argument(
        "--output-file", dest="output", metavar="FILE", help="write to a new file, mode 0600, not stdout"
    )
    get.add_argument("--force", action="store_true", help="with --output-file: replace an existing file")
    _add_common_options(get)
    get.set_defaults(secrets_run=_run_get)

    export = subcommands.add_parser(
        "export",
        help="print secrets as environment variables for eval, a .env file or JSON",
        description='Print secrets as environment variables: `eval "$(aws-gitpod secrets export ...)"`.',
        allow_abbrev=False,
    )
    export.add_argument(
        "specs", nargs="+", metavar="SPEC", help="[NAME=]ID[#KEY]; ID a secret, ssm:PARAMETER or ssm:/PATH/"
    )
    export.add_argument(
        "--format", choices=FORMATS, default="env", help="output format (default: %(default)s)"
    )
    _add_variable_options(export)
    _add_common_options(export)
    export.set_defaults(secrets_run=_run_export)

    run = subcommands.add_parser(
        "exec",
        help="run a command with secrets in its environment",
        description="Run COMMAND with the secrets in its environment (never on its command line); its exit "
        "status is ours.",
        allow_abbrev=False,
    )
    _add_exec_arguments(run)
    # Everything after the first SPEC is taken as it is and split at `--` by `_run_exec`: argparse alone
    # cannot take options between SPECs and still leave the command's own options alone.
    run.add_argument("words", nargs=argparse.REMAINDER, metavar="SPEC... -- COMMAND [ARG...]")
    run.set_defaults(secrets_run=_run_exec)


def _add_exec_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mask",
        action="store_true",
        help="replace secret values in the command's output with **** (its output is then not a terminal)",
    )
    parser.add_argument(
        "--with-credentials",
        action="store_true",
        help="also give the command the credentials of --role, as `aws-gitpod exec` does",
    )
    _add_variable_options(parser)
    _add_common_options(parser)


def _add_variable_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expand-json", action="store_true", help="one variable per key of each secret holding a JSON object"
    )
    parser.add_argument("--prefix", default="", metavar="P", help="put P before every derived variable name")


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="AWS profile for the credentials when --role is not given")
    parser.add_argument(
        "--allow-prebuild", action="store_true", help="fetch, and write --output, even in a prebuild"
    )
    add_role_options(parser, role_required=False)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    handler: Callable[[argparse.Namespace, list[str]], int] = args.secrets_run
    return handler(args, raw_args)


# --- get ----------------------------------------------------------------------------------------


def _run_get(args: argparse.Namespace, raw_args: list[str]) -> int:
    prebuild.refuse_write(f"the secret to {args.output}", allowed=args.allow_prebuild or args.output is None)
    return get(
        args.secret_id,
        _connection_from(args),
        key=args.key,
        version_id=args.version_id,
        version_stage=args.version_stage,
        output=args.output,
        force=args.force,
    )


def get(
    secret_id: str,
    connection: Callable[[], Connection],
    key: str | None = None,
    version_id: str | None = None,
    version_stage: str | None = None,
    output: str | None = None,
    force: bool = False,
) -> int:
    from awscli_gitpod.parameterstore import PREFIX
    from awscli_gitpod.privatefile import write_private_file

    if force and output is None:
        raise errors.UsageError("--force only applies with --output-file FILE")
    if secret_id.startswith(PREFIX):
        data = _parameter_bytes(secret_id[len(PREFIX) :], connection, key, version_id or version_stage)
    else:
        data = _secret_bytes(secret_id, connection, key, version_id, version_stage)
        if output is None and data.binary and sys.stdout.isatty():
            raise errors.UsageError(f"{secret_id} is binary: redirect stdout or use --output-file FILE")
    if output is not None:
        write_private_file(output, data.value, replace=force)
    else:
        _write_stdout(data.value)
    return errors.OK


@dataclass(frozen=True)
class _Value:
    value: bytes = field(repr=False)
    binary: bool = False


def _secret_bytes(
    secret_id: str,
    connection: Callable[[], Connection],
    key: str | None,
    version_id: str | None,
    version_stage: str | None,
) -> _Value:
    from awscli_gitpod.secretstore import SecretRequest, fetch

    request = SecretRequest(secret_id, version_id, version_stage)
    results = fetch([request], connection())
    failures = results.failures_in_order([request])
    if failures:
        raise errors.Failure(failures[0].explanation, errors.SECRETS_FAILED)
    secret = results.secrets[request]
    if secret.binary is not None:
        if key is not None:
            raise errors.Failure(
                f"{secret_id}: the secret is binary, so it has no key", errors.SECRETS_FAILED
            )
        return _Value(secret.binary, binary=True)
    return _Value(_text_or_key(secret.string or "", key, secret_id))


def _parameter_bytes(
    name: str, connection: Callable[[], Connection], key: str | None, version: str | None
) -> _Value:
    from awscli_gitpod.parameterstore import ParameterRequest, fetch

    request = ParameterRequest(name)
    if version is not None:
        raise errors.UsageError(
            f"--version-id and --version-stage are for secrets; for a parameter write "
            f"ssm:{name or 'NAME'}:VERSION or ssm:{name or 'NAME'}:LABEL"
        )
    if not name or request.is_path:
        raise errors.UsageError(
            f"{request.label!r}: secrets get reads one parameter by name; for every parameter under a path "
            "use secrets export or secrets exec"
        )
    results = fetch([request], connection())
    failures = results.failures_in_order([request])
    if failures:
        raise errors.Failure(failures[0].explanation, errors.SECRETS_FAILED)
    return _Value(_text_or_key(results.found[request][0].value, key, request.label))


def _text_or_key(text: str, key: str | None, label: str) -> bytes:
    """The value as stored, or one key of it as a JSON object, as bytes."""
    from awscli_gitpod.secretspec import SecretProblem, key_value

    if key is not None:
        try:
            text = key_value(text, key, f"{label}#{key}")
        except SecretProblem as problem:
            raise errors.Failure(str(problem), errors.SECRETS_FAILED) from None
    return text.encode("utf-8", "surrogatepass")


# --- export -------------------------------------------------------------------------------------


def _run_export(args: argparse.Namespace, raw_args: list[str]) -> int:
    return export(args.specs, _connection_from(args), args.format, args.expand_json, args.prefix)


def export(
    specs: list[str],
    connection: Callable[[], Connection],
    format: str = "shell",
    expand_json: bool = False,
    prefix: str = "",
) -> int:
    from awscli_gitpod.envformat import render
    from awscli_gitpod.secretsources import read_variables

    found = read_variables(specs, connection, expand_json, prefix, "nothing was exported")
    _write_stdout(render([(v.name, v.value) for v in found.variables], format).encode("utf-8"))
    return errors.OK


# --- exec ---------------------------------------------------------------------------------------


def _run_exec(args: argparse.Namespace, raw_args: list[str]) -> int:
    options, command = _split_exec_arguments(raw_args)
    if options.with_credentials and not options.role:
        raise errors.UsageError(
            "--with-credentials gives the command the credentials of --role ARN; with a profile, the "
            "command can use the profile itself"
        )
    return exec_command(
        options.specs,
        command,
        _connection_from(options),
        options.mask,
        options.expand_json,
        options.prefix,
        with_credentials=(options.role, options.region) if options.with_credentials else None,
    )


def _split_exec_arguments(raw_args: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The exec options and SPECs (in any order) before the first `--`, and the command after it."""
    from awscli_gitpod.options import Parser

    start = raw_args.index("exec") + 1
    if COMMAND_MARKER not in raw_args[start:]:
        raise errors.UsageError("give the command after --: secrets exec SPEC... -- COMMAND [ARG...]")
    marker = raw_args.index(COMMAND_MARKER, start)
    parser = Parser(prog="aws-gitpod secrets exec", allow_abbrev=False)
    _add_exec_arguments(parser)
    parser.add_argument("specs", nargs="+", metavar="SPEC")
    return parser.parse_intermixed_args(raw_args[start:marker]), raw_args[marker + 1 :]


def exec_command(
    specs: list[str],
    command: list[str],
    connection: Callable[[], Connection],
    mask: bool = False,
    expand_json: bool = False,
    prefix: str = "",
    with_credentials: tuple[str, str | None] | None = None,
) -> int:
    """Run `command` with the variables; `with_credentials` (role ARN, region): also with the credentials the
    secrets were read with, as `aws-gitpod exec` gives them."""
    from awscli_gitpod.childprocess import exit_like, run_child_status
    from awscli_gitpod.credentialenv import credential_environment, refuse_nesting
    from awscli_gitpod.maskforms import mask_forms
    from awscli_gitpod.secretsources import read_variables

    if not command:
        raise errors.UsageError("no command after --: secrets exec SPEC... -- COMMAND [ARG...]")
    if with_credentials:
        refuse_nesting()
    reached: list[Connection] = []

    def connect() -> Connection:
        reached.append(connection())
        return reached[-1]

    found = read_variables(specs, connect, expand_json, prefix, "the command was not run")
    environment = dict(os.environ)
    if with_credentials and reached and reached[-1].credentials is not None:
        role_arn, region = with_credentials
        environment = credential_environment(environment, reached[-1].credentials, region, role_arn)
    environment.update((variable.name, variable.value) for variable in found.variables)
    status = run_child_status(command, environment, mask_forms(found.secret_texts) if mask else None)
    return exit_like(status)


# --- shared -------------------------------------------------------------------------------------


def _connection_from(args: argparse.Namespace) -> Callable[[], Connection]:
    """How to reach Secrets Manager, resolved only when needed: usage errors come before any token."""

    def connect() -> Connection:
        from awscli_gitpod.storeaccess import Connection

        prebuild.refuse_secrets(args.allow_prebuild)
        credentials = None
        if args.role:
            if args.profile:
                raise errors.UsageError("give --role or --profile, not both")
            from awscli_gitpod.provider import role_credentials

            credentials = role_credentials(
                exchange_options(args), refresh_margin(args), use_cache=not args.no_cache
            )
        return Connection(args.region, args.profile, credentials, args.timeout)

    return connect


def _write_stdout(data: bytes) -> None:
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # The reader stopped early (`| head -c 4`): not our failure. Point stdout at /dev/null so that
        # Python's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)

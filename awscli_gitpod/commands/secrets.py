"""Fetch AWS Secrets Manager secrets for workspace tasks: `get` one, `export` several as environment
variables, or `exec` a command with them in its environment.

Credentials come from `--role ARN` (the workspace token exchanged through the shared cache, no profile
needed) or else from AWS's usual chain (`--profile`, the AWS_* variables). Values go to stdout, a 0600 file
or a child's environment, never to stderr, a log, a command line or the cache. Nothing is printed or run
unless every secret asked for was read: failures are listed by ID, one line each, and exit 7.

In a prebuild (GITPOD_HEADLESS=true) nothing is fetched unless `--allow-prebuild` is given: a prebuild's
snapshot and logs are shared with everyone who opens the project.

This module is the glue only: SPECs are `secretspec`, reading is `secretstore`, formats are `envformat`,
running the command is `childprocess`.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Callable, NoReturn

from awscli_gitpod import errors
from awscli_gitpod.envformat import FORMATS
from awscli_gitpod.options import add_role_options, exchange_options, refresh_margin

if TYPE_CHECKING:
    from awscli_gitpod.secretspec import Variable
    from awscli_gitpod.secretstore import Connection

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
    get.add_argument("secret_id", metavar="ID", help="secret name or ARN")
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
    export.add_argument("specs", nargs="+", metavar="SPEC", help="[NAME=]ID[#KEY]")
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
        "--allow-prebuild", action="store_true", help="fetch even in a prebuild (GITPOD_HEADLESS=true)"
    )
    add_role_options(parser, role_required=False)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    handler: Callable[[argparse.Namespace, list[str]], int] = args.secrets_run
    return handler(args, raw_args)


# --- get ----------------------------------------------------------------------------------------


def _run_get(args: argparse.Namespace, raw_args: list[str]) -> int:
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
    from awscli_gitpod.privatefile import write_private_file
    from awscli_gitpod.secretspec import SecretProblem, key_value
    from awscli_gitpod.secretstore import SecretRequest, fetch

    if force and output is None:
        raise errors.UsageError("--force only applies with --output-file FILE")
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
        data = secret.binary
        if output is None and sys.stdout.isatty():
            raise errors.UsageError(f"{secret_id} is binary: redirect stdout or use --output-file FILE")
    else:
        text = secret.string or ""
        if key is not None:
            try:
                text = key_value(text, key, f"{secret_id}#{key}")
            except SecretProblem as problem:
                raise errors.Failure(str(problem), errors.SECRETS_FAILED) from None
        data = text.encode("utf-8", "surrogatepass")
    if output is not None:
        write_private_file(output, data, replace=force)
    else:
        _write_stdout(data)
    return errors.OK


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

    found = secret_variables(specs, connection, expand_json, prefix, "nothing was exported")
    _write_stdout(render([(v.name, v.value) for v in found], format).encode("utf-8"))
    return errors.OK


# --- exec ---------------------------------------------------------------------------------------


def _run_exec(args: argparse.Namespace, raw_args: list[str]) -> int:
    options, command = _split_exec_arguments(raw_args)
    return exec_command(
        options.specs, command, _connection_from(options), options.mask, options.expand_json, options.prefix
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
) -> int:
    from awscli_gitpod.childprocess import exit_like, run_child_status

    if not command:
        raise errors.UsageError("no command after --: secrets exec SPEC... -- COMMAND [ARG...]")
    found = secret_variables(specs, connection, expand_json, prefix, "the command was not run")
    environment = dict(os.environ)
    environment.update((variable.name, variable.value) for variable in found)
    status = run_child_status(command, environment, [v.value for v in found] if mask else None)
    return exit_like(status)


# --- shared -------------------------------------------------------------------------------------


def secret_variables(
    spec_texts: list[str],
    connection: Callable[[], Connection],
    expand_json: bool,
    prefix: str,
    consequence: str,
) -> list[Variable]:
    """Every variable the SPECs ask for, or a Failure listing every secret that could not be used."""
    from awscli_gitpod.envformat import check_pairs
    from awscli_gitpod.secretspec import (
        SecretProblem,
        check_collisions,
        check_prefix,
        parse_spec,
        variables,
    )
    from awscli_gitpod.secretstore import SecretRequest, fetch

    specs = [parse_spec(text) for text in spec_texts]  # usage errors first, before any AWS call
    check_prefix(prefix)
    requests = [SecretRequest(spec.secret_id) for spec in specs]
    results = fetch(requests, connection())
    problems = [failure.explanation for failure in results.failures_in_order(requests)]
    found: list[Variable] = []
    for spec, request in zip(specs, requests):
        secret = results.secrets.get(request)
        if secret is None:
            continue
        try:
            found += variables(spec, secret.name, secret.string, expand_json, prefix)
        except SecretProblem as problem:
            problems.append(str(problem))
    if problems:
        _fail(problems, consequence)
    check_collisions(found)
    try:
        check_pairs([(variable.name, variable.value) for variable in found])
    except ValueError as error:
        raise errors.Failure(f"{error}; {consequence}", errors.SECRETS_FAILED) from None
    return found


def _fail(problems: list[str], consequence: str) -> NoReturn:
    if len(problems) == 1:
        raise errors.Failure(f"{problems[0]}; {consequence}", errors.SECRETS_FAILED)
    raise errors.Failure(
        f"{len(problems)} secrets could not be used; {consequence}", errors.SECRETS_FAILED, tuple(problems)
    )


def _connection_from(args: argparse.Namespace) -> Callable[[], Connection]:
    """How to reach Secrets Manager, resolved only when needed: usage errors come before any token."""

    def connect() -> Connection:
        from awscli_gitpod.secretstore import Connection

        _refuse_in_prebuild(args.allow_prebuild)
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


def _refuse_in_prebuild(allowed: bool) -> None:
    if os.environ.get("GITPOD_HEADLESS") == "true" and not allowed:
        raise errors.UsageError(
            "not fetching secrets in a prebuild (GITPOD_HEADLESS=true): its snapshot and logs are shared "
            "with everyone who opens the project; fetch them in the task's `command`, or add --allow-prebuild"
        )


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

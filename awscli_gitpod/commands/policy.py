"""Generate, check and lint IAM trust policies for workspace tokens.

`generate` writes the least-privilege trust policy for a repository or an Ona organization; `check`
decides, as IAM does, whether a token (or claims) may assume a role with a given policy, and says which
condition failed and the smallest fix; `lint` and `lint-gitpod-yml` are the pre-commit hooks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from awscli_gitpod import errors
from awscli_gitpod.policy.arguments import POLICY_FORMATS, add_lint_arguments, add_scope_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="policy_command", metavar="ACTION")
    actions.required = True
    generate = actions.add_parser("generate", help="print a least-privilege trust policy", allow_abbrev=False)
    generate.add_argument("--account", required=True, metavar="ID", help="the AWS account (12 digits)")
    add_scope_arguments(generate)
    generate.add_argument("--audience", default="sts.amazonaws.com", help="default: %(default)s")
    generate.add_argument("--format", dest="output_format", choices=POLICY_FORMATS, default="json")
    generate.set_defaults(policy_run=_generate)

    check = actions.add_parser("check", help="would this token be allowed? and why not", allow_abbrev=False)
    check.add_argument("policy", metavar="POLICY", help="trust policy: IAM JSON, CloudFormation or .tf.json")
    given = check.add_mutually_exclusive_group()
    given.add_argument("--token", metavar="JWT", help="a token (`-`: read it from stdin)")
    given.add_argument(
        "--claims",
        metavar="FILE",
        help="claims JSON, or what `gp idp token --decode`, `ona idp token --decode` or `aws-gitpod token "
        "--decode` print (`-`: stdin)",
    )
    given.add_argument("--sub", metavar="S", help="check these claims instead of a token")
    check.add_argument("--aud", action="append", metavar="A", help="with --sub (default: sts.amazonaws.com)")
    check.add_argument("--iss", metavar="URL", help="with --sub (default: the policy's provider)")
    check.add_argument("--provider-arn", metavar="ARN", help="the IAM OIDC provider STS matches iss to")
    check.add_argument(
        "--known-provider",
        action="append",
        default=[],
        metavar="ISSUER[=CLIENT,...]",
        help="an IAM OIDC provider of the account (repeatable): an iss without one is rejected, as by STS",
    )
    check.add_argument("--json", action="store_true", help="print the decision as JSON")
    check.set_defaults(policy_run=_check)

    for name, summary, files in (
        (
            "lint",
            "lint trust policies (pre-commit hook)",
            "IAM policy JSON, CloudFormation or Terraform JSON",
        ),
        (
            "lint-gitpod-yml",
            "find static AWS keys in .gitpod.yml, Ona automations and devcontainer.json (pre-commit hook)",
            ".gitpod.yml, automations.yaml and devcontainer.json files",
        ),
    ):
        command = actions.add_parser(name, help=summary, allow_abbrev=False)
        add_lint_arguments(command, files)
        command.set_defaults(policy_run=_lint if name == "lint" else _lint_gitpod_yml)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    return int(args.policy_run(args))


def _lint(args: argparse.Namespace) -> int:
    from awscli_gitpod.policy.lint import LINTER

    return LINTER.run(args.files, args.output_format, args.accept_file)


def _lint_gitpod_yml(args: argparse.Namespace) -> int:
    from awscli_gitpod.policy.gitpodyml import LINTER

    return LINTER.run(args.files, args.output_format, args.accept_file)


def _workspace_claims() -> dict[str, Any]:
    from awscli_gitpod.cache import DEFAULT_TIMEOUT
    from awscli_gitpod.claims import decode_unverified
    from awscli_gitpod.exchange import fetch_token
    from awscli_gitpod.tokens import TokenOptions

    _, token = fetch_token(TokenOptions(), time.monotonic() + DEFAULT_TIMEOUT)
    return decode_unverified(token)[1]


def _generate(args: argparse.Namespace) -> int:
    from awscli_gitpod.policy.generate import Request, trust_policy
    from awscli_gitpod.policy.render import render
    from awscli_gitpod.policy.subjects import MULTI_TENANT

    issuer = args.issuer or str(_workspace_claims().get("iss") or "")
    request = Request(
        account=args.account,
        issuer=issuer,
        repo=args.repo,
        branches=list(args.branch),
        scm=args.scm,
        ona_org=args.ona_org,
        project=args.project,
        audience=args.audience,
    )
    if args.repo and args.ona_org:
        raise errors.UsageError("--repo is for Gitpod Classic and --ona-org for Ona: give one")
    try:
        policy = trust_policy(request)
    except ValueError as error:
        raise errors.UsageError(str(error)) from None
    sys.stdout.write(render(policy, args.output_format))
    provider = issuer.split("://", 1)[-1].rstrip("/")
    if args.repo and MULTI_TENANT.get(provider) == "classic":
        errors.note(
            f"note: anyone can open a {provider.split('/')[0]} workspace on a public repository; "
            "this policy is safe only if the repository is private (lint rule GP013)"
        )
    return errors.OK


def _read(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise errors.UsageError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None


def _claims(args: argparse.Namespace, providers: list[str]) -> tuple[dict[str, Any], bool]:
    """The claims to check, and whether they came from a token (whose expiry STS checks)."""
    from awscli_gitpod.claims import MalformedToken, claims_of_document, decode_unverified

    if args.sub is not None:
        issuer = args.iss or (f"https://{providers[0]}" if providers else "")
        return {"iss": issuer, "sub": args.sub, "aud": args.aud or ["sts.amazonaws.com"]}, False
    if args.claims is not None:
        try:
            document = json.loads(_read(args.claims))
        except ValueError:
            raise errors.UsageError(f"{args.claims} is not JSON") from None
        payload = claims_of_document(document)
        if payload is None:
            raise errors.UsageError(f"{args.claims} holds no claims object")
        return payload, False
    token = _read("-").strip() if args.token == "-" else args.token  # noqa: S105 (`-` is stdin)
    try:
        return (decode_unverified(token)[1] if token else _workspace_claims()), True
    except MalformedToken as error:
        raise errors.UsageError(f"--token: {error}") from None


def _known(entries: list[str]) -> dict[str, list[str]] | None:
    if not entries:
        return None
    known = {}
    for entry in entries:
        name, _, clients = entry.partition("=")
        known[name] = [client for client in clients.split(",") if client]
    return known


def _check(args: argparse.Namespace) -> int:
    from awscli_gitpod.policy.decision import explain
    from awscli_gitpod.policy.document import federated, provider_path, statements
    from awscli_gitpod.policy.engine import evaluate
    from awscli_gitpod.policy.located import ParseError
    from awscli_gitpod.policy.sources import policies

    try:
        sources = policies(args.policy, _read(args.policy))
    except ParseError as error:
        raise errors.UsageError(f"{args.policy}:{error.line}: {error.message}") from None
    if not sources:
        raise errors.UsageError(f"{args.policy} holds no trust policy")
    providers = [
        path
        for source in sources
        for _, statement in statements(source.document)
        for path in (provider_path(arn) for arn in federated(statement))
        if path
    ]
    claims, from_token = _claims(args, providers)
    results = []
    for source in sources:
        decision = evaluate(
            source.document,
            claims,
            provider_arn=args.provider_arn,
            known_providers=_known(args.known_provider),
            now=time.time() if from_token else None,
        )
        results.append((source, decision))
    if args.json:
        document = [{"policy": s.where or s.path, **d.to_dict()} for s, d in results]
        print(json.dumps(document[0] if len(document) == 1 else document, indent=2))
    else:
        for source, decision in results:
            title = f"{source.path} {source.where}: " if len(results) > 1 else ""
            print("\n".join(explain(decision, claims, title)))
    return errors.OK if all(decision.allowed for _, decision in results) else errors.CHECK_FAILED

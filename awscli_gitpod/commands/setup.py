"""Create the IAM OIDC provider and a least-privilege role for workspace tokens: plan first, idempotent.

Runs with admin credentials from the normal AWS chain (`--profile`, `AWS_PROFILE`, environment keys). It
checks everything it can before changing anything (options, region, that each policy ARN exists, that this
workspace's token would be admitted when `--write-profile` asks for it), prints the plan (provider, role,
the trust policy as a unified diff, policies, session duration), then applies it, each change printed as it
is made: a failure midway names what was changed and what is left. `--dry-run` stops after the plan, and a
second run changes nothing. A change that would let more tokens assume an existing role than its current
trust policy does needs `--yes`.
"""

from __future__ import annotations

import argparse
import re
import time
from typing import Any

from awscli_gitpod import errors
from awscli_gitpod.options import add_token_options, token_options
from awscli_gitpod.policy.arguments import add_scope_arguments
from awscli_gitpod.tokens import TokenOptions

ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
POLICY_ARN = re.compile(r"arn:aws(-[a-z]+)*:iam::(aws|\d{12}):policy/[\w+=,.@/-]{1,512}")
ISSUER_URL = re.compile(r"https?://[^/\s*?]+(/[^\s*?]*)?")
MIN_MAX_SESSION, MAX_MAX_SESSION = 3600, 43200  # IAM's bounds for a role's MaxSessionDuration
PROFILE_ATTEMPTS = 4  # IAM changes take seconds to reach STS: a fresh role may be refused at first


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role-name", required=True, metavar="NAME", help="the IAM role to create or update")
    scope = parser.add_argument_group("which workspaces may assume the role (as `policy generate`)")
    add_scope_arguments(scope)
    role = parser.add_argument_group("role")
    role.add_argument(
        "--policy-arn",
        action="append",
        default=[],
        metavar="ARN",
        help="managed policy to attach (repeatable)",
    )
    role.add_argument("--max-session-duration", type=int, metavar="SECONDS", help="3600 to 43200")
    how = parser.add_argument_group("how")
    how.add_argument("--profile", help="AWS profile with IAM permissions (default: the usual AWS chain)")
    how.add_argument("--region", help="region for STS (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1)")
    how.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    how.add_argument("--yes", action="store_true", help="allow widening an existing role's trust policy")
    how.add_argument(
        "--write-profile", metavar="NAME", help="then write this profile, as `aws-gitpod login` does"
    )
    add_token_options(parser)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    return setup(
        role_name=args.role_name,
        repo=args.repo,
        branches=list(args.branch),
        scm=args.scm,
        ona_org=args.ona_org,
        project=args.project,
        issuer=args.issuer,
        policy_arns=tuple(args.policy_arn),
        max_session_duration=args.max_session_duration,
        admin_profile=args.profile,
        region=args.region,
        token=token_options(args),
        timeout=args.timeout,
        dry_run=args.dry_run,
        yes=args.yes,
        write_profile=args.write_profile,
    )


def _validate(
    role_name: str,
    repo: str | None,
    ona_org: str | None,
    issuer: str | None,
    policy_arns: tuple[str, ...],
    max_session_duration: int | None,
) -> None:
    if not ROLE_NAME.fullmatch(role_name):
        raise errors.UsageError(
            f"--role-name {role_name!r} is not an IAM role name (1-64 of [A-Za-z0-9+=,.@_-])"
        )
    if repo and ona_org:
        raise errors.UsageError("--repo is for Gitpod Classic and --ona-org for Ona: give one")
    if issuer is not None and not ISSUER_URL.fullmatch(issuer):
        raise errors.UsageError(
            f"--issuer {issuer!r} is not an issuer URL (https://host[/path], the token's iss)"
        )
    for arn in policy_arns:
        if not POLICY_ARN.fullmatch(arn):
            raise errors.UsageError(f"--policy-arn {arn!r} is not a managed policy ARN")
    if max_session_duration is not None and not MIN_MAX_SESSION <= max_session_duration <= MAX_MAX_SESSION:
        raise errors.UsageError(
            f"--max-session-duration {max_session_duration} is out of range: IAM accepts "
            f"{MIN_MAX_SESSION} to {MAX_MAX_SESSION} seconds"
        )


def _workspace_claims(token: TokenOptions, deadline: float, why: str) -> dict[str, Any]:
    """The claims of this workspace's token (unverified: only to read `iss` and to test the policy)."""
    from awscli_gitpod.claims import MalformedToken, decode_unverified
    from awscli_gitpod.exchange import fetch_token

    try:
        return dict(decode_unverified(fetch_token(token, deadline)[1])[1])
    except errors.Failure as failure:
        raise errors.Failure(f"{failure.message}; {why}", failure.exit_code) from None
    except MalformedToken as error:
        raise errors.UsageError(f"the workspace token cannot be read ({error}); {why}") from None


def _issuer_of(claims: dict[str, Any]) -> str:
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not ISSUER_URL.fullmatch(issuer):
        raise errors.UsageError(
            f"the workspace token's iss {issuer!r} is not an issuer URL: pass --issuer URL"
        )
    return issuer


def _admits(policy: dict[str, Any], claims: dict[str, Any], provider: str) -> str | None:
    """None when the trust policy may admit this workspace's token; else why it certainly does not."""
    from awscli_gitpod.claims import describe
    from awscli_gitpod.policy import evaluate

    decision = evaluate(policy, claims, provider_arn=provider)
    if decision.allowed or not decision.certain:
        return None
    return f"the trust policy does not admit this workspace's token ({describe(claims)}): {decision.reason}"


def setup(
    role_name: str,
    repo: str | None,
    branches: list[str],
    scm: str | None,
    ona_org: str | None,
    project: str | None,
    issuer: str | None,
    policy_arns: tuple[str, ...],
    max_session_duration: int | None,
    admin_profile: str | None,
    region: str | None,
    token: TokenOptions,
    timeout: float,
    dry_run: bool,
    yes: bool,
    write_profile: str | None,
) -> int:
    """Validate everything (options, policy ARNs, whether the workspace would be admitted), plan, apply."""
    from awscli_gitpod import awsadmin, awsclient, iam_setup
    from awscli_gitpod.policy.document import issuer_path, provider_arn
    from awscli_gitpod.policy.generate import Request, trust_policy
    from awscli_gitpod.policy.subjects import MULTI_TENANT
    from awscli_gitpod.regions import resolve_region

    _validate(role_name, repo, ona_org, issuer, policy_arns, max_session_duration)
    resolve_region(region)  # a typo is a usage error here, not "STS unavailable" later
    deadline = time.monotonic() + timeout
    claims: dict[str, Any] | None = None
    if write_profile is not None or issuer is None:
        why = "--write-profile needs it" if write_profile is not None else "or pass --issuer URL"
        claims = _workspace_claims(token, deadline, why)
    # Workspace tokens carry iss without a trailing slash; a provider URL spelled with one may match none.
    issuer = (issuer or _issuer_of(claims or {})).rstrip("/")
    path = issuer_path(issuer)
    aws = awsclient.session(admin_profile)
    caller = awsadmin.caller(aws, region)
    for arn in policy_arns:
        if arn.split(":")[1] != caller.partition:
            raise errors.UsageError(
                f"--policy-arn {arn} is not in the partition of the account ({caller.partition})"
            )
    request = Request(
        account=caller.account,
        # The policy names the provider by the issuer without its scheme; the generator wants https, which
        # is also all IAM accepts (a test bed's http issuer gets the same policy).
        issuer=f"https://{path}",
        repo=repo,
        branches=branches,
        scm=scm,
        ona_org=ona_org,
        project=project,
        audience=token.audience,
        partition=caller.partition,
    )
    try:
        policy = trust_policy(request)
    except ValueError as error:
        raise errors.UsageError(str(error)) from None
    if repo and MULTI_TENANT.get(path) == "classic":
        errors.note(
            f"note: anyone can open a {path.split('/')[0]} workspace on a public repository; "
            "this role is safe only if the repository is private"
        )
    desired = iam_setup.Desired(
        role_name=role_name,
        issuer=issuer,
        audience=token.audience,
        provider_arn=provider_arn(caller.account, path, caller.partition),
        trust_policy=policy,
        policy_arns=policy_arns,
        max_session_duration=max_session_duration,
        account=caller.account,
        partition=caller.partition,
    )
    iam = awsadmin.client(aws, "iam", region)
    iam_setup.check_policies_exist(iam, policy_arns)
    plan = iam_setup.plan(iam, desired)
    print(f"plan for account {caller.account} (as {caller.arn}):")
    print("\n".join("  " + line for line in plan.lines()))
    role_arn = plan.role.arn if plan.role else desired.role_arn
    refusal = _admits(policy, claims, desired.provider_arn) if write_profile and claims else None
    if refusal is not None:
        errors.warn(f"{refusal}; --write-profile {write_profile} will not be attempted")
    if not plan.changes:
        print("nothing to change: the provider, the role, its trust policy and its policies are as requested")
    elif dry_run:
        refused = (
            " (applying it needs --yes: it widens the role's trust)" if plan.widening and not yes else ""
        )
        print(f"dry run: nothing was changed{refused}")
        return errors.OK
    elif plan.widening and not yes:
        raise errors.UsageError(
            f"the new trust policy of {role_arn} admits tokens the current one refuses (e.g. sub "
            f"{plan.widening[0]}); nothing was changed: rerun with --yes to widen it"
        )
    else:
        iam_setup.apply(iam, plan)
    if write_profile is None or dry_run:
        return errors.OK
    if refusal is not None:
        raise errors.Failure(
            f"profile {write_profile!r} was not written: {refusal}; run `aws-gitpod login -p {write_profile} "
            f"--role-arn {role_arn}` in a workspace the role admits",
            errors.AWS_DENIED,
        )
    return _write_profile(role_arn, write_profile, region, token, timeout, fresh=plan.changes)


def _write_profile(
    role_arn: str, profile: str, region: str | None, token: TokenOptions, timeout: float, fresh: bool
) -> int:
    """`aws-gitpod login` for the role; retried a few times while a fresh change reaches STS (only when the
    policy admits this workspace: `_admits` said so, or could not be sure)."""
    from awscli_gitpod.exchange import ExchangeOptions
    from awscli_gitpod.login import login
    from awscli_gitpod.regions import resolve_region

    options = ExchangeOptions(role_arn=role_arn, region=resolve_region(region), token=token, timeout=timeout)
    for attempt in range(1, PROFILE_ATTEMPTS + 1):
        try:
            return login(options, profile, write_region=region, static=False, force=False)
        except errors.Failure as failure:
            # login exchanges before it writes anything, so a denied attempt leaves no trace to undo.
            if failure.exit_code != errors.AWS_DENIED or not fresh or attempt == PROFILE_ATTEMPTS:
                raise
            errors.note(f"STS does not know the change yet; retrying in {2**attempt} s")
            time.sleep(2**attempt)
    return errors.OK  # not reached: the last attempt returns or raises

"""`doctor`'s AWS checks: the IAM OIDC provider, the role's trust policy against the claims, and the STS
call itself.

IAM is read with the caller's own credentials (`--iam-profile`, else the usual AWS chain). In a workspace
there are often none, or they may not read IAM: the provider and trust-policy checks then say what was
not checked, as a skip; the STS call, which needs no credentials, still tells whether it works.
"""

from __future__ import annotations

import time
from typing import Any

from awscli_gitpod import awsadmin, awsclient, errors
from awscli_gitpod.diagnosis.result import FAIL, OK, SKIP, Context, Result
from awscli_gitpod.policy.document import issuer_path, provider_arn


class _Unreadable(Exception):
    """IAM could not be read (no credentials, access denied, unreachable): the check is skipped."""


def _role_arn(context: Context) -> str | None:
    """The role's ARN; for `--role auto`, the one the role rules and plugins choose for these claims."""
    from awscli_gitpod.exchange import AUTO_ROLE, ROLE_ARN, choose_role, facts_of

    if context.exchange is None:
        return None
    arn = context.exchange.role_arn
    if arn == AUTO_ROLE and context.claims is not None:
        try:
            arn = choose_role(context.exchange, context.claims, facts_of(context.claims)).role_arn
        except errors.Failure:
            return None  # the STS check reports why no role was chosen
    return arn if ROLE_ARN.fullmatch(arn) else None


def _role_parts(context: Context) -> tuple[str, str, str] | None:
    """(partition, account, role name) of the role's ARN (its path dropped); None without a role ARN."""
    arn = _role_arn(context)
    if arn is None:
        return None
    parts = arn.split(":", 5)
    return parts[1], parts[4], parts[5].rsplit("/", 1)[-1]


def _iam_call(context: Context, method: str, **parameters: Any) -> Any:
    """`iam.<method>(**parameters)`; None when the entity is missing; _Unreadable when IAM cannot be read."""
    from botocore.exceptions import BotoCoreError, ClientError

    if context.iam_unreadable is not None:
        raise _Unreadable(context.iam_unreadable)
    try:
        if context.iam is None:
            region = context.exchange.region if context.exchange else None
            context.iam = awsadmin.client(awsclient.session(context.iam_profile), "iam", region)
        return getattr(context.iam, method)(**parameters)
    except ClientError as error:
        if awsclient.error_code(error) == "NoSuchEntity":
            return None
        context.iam_unreadable = f"cannot read IAM ({awsadmin.describe(error)})"
    except (BotoCoreError, errors.Failure) as error:
        context.iam_unreadable = f"cannot read IAM ({awsadmin.describe(error)})"
    raise _Unreadable(context.iam_unreadable)


def _issuer(context: Context) -> str | None:
    issuer = context.claims.get("iss") if context.claims else None
    return issuer if isinstance(issuer, str) and issuer else None


def _find_provider(context: Context, issuer: str) -> tuple[str, dict[str, Any] | None]:
    """The provider ARN for `issuer` (in the role's account) and its description, None when it is missing."""
    path = issuer_path(issuer)
    role = _role_parts(context)
    if role is not None:
        partition, account, _ = role
        arn = provider_arn(account, path, partition)
        return arn, _iam_call(context, "get_open_id_connect_provider", OpenIDConnectProviderArn=arn)
    listed = _iam_call(context, "list_open_id_connect_providers") or {}
    for entry in listed.get("OpenIDConnectProviderList", []):
        arn = str(entry["Arn"])
        if arn.endswith(f":oidc-provider/{path}"):
            return arn, _iam_call(context, "get_open_id_connect_provider", OpenIDConnectProviderArn=arn)
    return f"arn:aws:iam::<account>:oidc-provider/{path}", None


def check_role(context: Context) -> Result:
    """The role `--role auto` asks for, and why: the rule or plugin that chose it, each rule's verdict."""
    from awscli_gitpod.builtin.role_rules import explain
    from awscli_gitpod.exchange import AUTO_ROLE, choose_role, facts_of

    if context.exchange is None:
        return Result("role", SKIP, "no role given")
    if context.exchange.role_arn != AUTO_ROLE:
        return Result("role", OK, f"{context.exchange.role_arn} (given)")
    if context.claims is None:
        return Result("role", SKIP, "--role auto needs the token's claims")
    facts = facts_of(context.claims)
    rules = "; ".join(explain(context.claims, facts)) or "no role rules"
    try:
        choice = choose_role(context.exchange, context.claims, facts)
    except errors.Failure as failure:
        return Result("role", FAIL, f"{failure.message} ({rules})", "add a matching rule, or pass --role ARN")
    return Result("role", OK, f"{choice.role_arn} chosen by {choice.reason or 'a plugin'} ({rules})")


def check_provider(context: Context) -> Result:
    from awscli_gitpod.claims import audiences

    issuer = _issuer(context)
    if issuer is None:
        return Result("provider", SKIP, "no token issuer to look for")
    try:
        arn, found = _find_provider(context, issuer)
    except _Unreadable as why:
        return Result("provider", SKIP, f"not checked: {why}; pass --iam-profile with IAM read access")
    wanted = context.token_options.audience
    if found is None:
        role = _role_parts(context)
        name = role[2] if role else "NAME"
        fix = (
            f"`aws-gitpod setup --role-name {name} --repo URL` creates it (or: aws iam "
            f"create-open-id-connect-provider --url {issuer} --client-id-list {wanted})"
        )
        return Result("provider", FAIL, f"no IAM OIDC provider {arn}: STS cannot match iss {issuer}", fix)
    context.provider_arn = arn
    client_ids = [str(client) for client in found.get("ClientIDList", [])]
    matching = [aud for aud in audiences(context.claims or {}) if aud in client_ids]
    if not matching:
        fix = (
            f"aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {arn} "
            f"--client-id {wanted} (or rerun `aws-gitpod setup`)"
        )
        detail = (
            f"{arn} lists client IDs [{', '.join(client_ids)}], none of the token's aud: STS says "
            "Incorrect token audience"
        )
        return Result("provider", FAIL, detail, fix)
    return Result("provider", OK, f"{arn} lists client ID {matching[0]}")


def check_trust_policy(context: Context) -> Result:
    from awscli_gitpod.policy.decision import closest_failures
    from awscli_gitpod.policy.engine import evaluate

    role = _role_parts(context)
    if context.exchange is None or role is None:
        return Result("trust-policy", SKIP, "no role ARN: pass --role ARN or --profile P")
    issuer = _issuer(context)
    if context.claims is None or issuer is None:
        return Result("trust-policy", SKIP, "no claims to evaluate")
    role_arn = str(_role_arn(context))
    partition, account, name = role
    try:
        found = _iam_call(context, "get_role", RoleName=name)
    except _Unreadable as why:
        return Result("trust-policy", SKIP, f"not checked: {why}; pass --iam-profile with IAM read access")
    if found is None:
        fix = f"`aws-gitpod setup --role-name {name} --repo URL` creates it"
        return Result("trust-policy", FAIL, f"{role_arn} does not exist", fix)
    if found["Role"]["Arn"] != role_arn:  # credentials of another account read a namesake
        detail = f"not checked: the IAM credentials see {found['Role']['Arn']}, not {role_arn}"
        return Result("trust-policy", SKIP, detail)
    provider = context.provider_arn or provider_arn(account, issuer_path(issuer), partition)
    decision = evaluate(found["Role"].get("AssumeRolePolicyDocument"), context.claims, provider_arn=provider)
    if decision.allowed:
        return Result("trust-policy", OK, decision.reason)
    detail = "; ".join([decision.reason, *closest_failures(decision)])
    return Result("trust-policy", FAIL, detail, decision.smallest_fix)


def _sts_fix(context: Context, failure: errors.Failure) -> str:
    if context.failed:
        return f"fix the failed checks above first ({', '.join(context.failed)})"
    if failure.exit_code == errors.AWS_DENIED:
        return (
            "STS refuses though the checks above pass: IAM changes take a few seconds to reach STS (retry), "
            "or the IAM credentials read another account than the role's"
        )
    if failure.exit_code == errors.AWS_REJECTED_REQUEST:
        return (
            "lower --duration-seconds, or raise the role's maximum (aws-gitpod setup --max-session-duration)"
        )
    if failure.exit_code == errors.AWS_UNAVAILABLE:
        return "STS is unreachable from here: check the network (and AWS_ENDPOINT_URL), then retry"
    return "fix the command line or the profile's creds line"


def check_sts(context: Context) -> Result:
    from awscli_gitpod.exchange import exchange

    if context.exchange is None:
        return Result("sts", SKIP, "no role: pass --role ARN or --profile P")
    if context.token is None:
        return Result("sts", SKIP, "no token: STS was not called")
    try:
        # The checks before may have used most of the budget; STS still gets a moment.
        credentials = exchange(context.exchange, max(context.deadline, time.monotonic() + 1))
    except errors.Failure as failure:
        hint = "; " + errors.DIAGNOSE_HINT.format(role_arn=_role_arn(context) or context.exchange.role_arn)
        return Result("sts", FAIL, failure.message.replace(hint, ""), _sts_fix(context, failure))
    assumed = credentials.assumed_role_arn or context.exchange.role_arn
    return Result("sts", OK, f"assumed {assumed}, valid until {credentials.expiration}")


AWS_CHECKS = (check_role, check_provider, check_trust_policy, check_sts)

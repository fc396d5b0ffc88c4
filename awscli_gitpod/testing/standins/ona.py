"""The stand-in `ona` CLI, and `gitpod`, its older name (Ona, formerly Gitpod Flex; closed source).

From Ona's docs and public repositories:
- `ona idp token --audience A [--decode]`; `--decode` prints go-jose's view of the token:
  `{"Claims": {...}, "Header": [{"KeyID": ..., "JSONWebKey": null, "Algorithm": ..., "Nonce": "",
  "ExtraHeaders": null}]}`, tab-indented as in the docs' example;
- inside an environment it mints as the environment; after `ona login --token <PAT>` as the user
  (`org:O/user:U`) until `ona config context use environment`;
- `ona idp login aws --role-arn R [--duration-seconds N] [--profile P] [--role-session-name S]` runs
  `aws sts assume-role-with-web-identity` and writes the keys, as `gp` does.

Unverified, and chosen here: `--audience` repeatable and `--scope` unknown; errors in cobra's default form
(`Error: <message>`, the usage after a flag error); the minting error text; `--role-arn` required and the
default session name `<environment id>-<unix seconds>`; where the CLI keeps its context (here
`~/.ona/testbed-context`); a V3 organization's user token (the V2 user shape is minted).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from awscli_gitpod.testing.standins import backend
from awscli_gitpod.testing.standins.cobra import Cli, CliError, Command, Flag, Values, string, strings
from awscli_gitpod.testing.standins.gojson import marshal_indent, parse_compact_jws

USER_CONTEXT = "user"
ENVIRONMENT_CONTEXT = "environment"


def _context_file() -> Path:
    return Path(os.path.expanduser("~")) / ".ona" / "testbed-context"


def current_context() -> str:
    try:
        return _context_file().read_text(encoding="utf-8").strip() or ENVIRONMENT_CONTEXT
    except OSError:
        return ENVIRONMENT_CONTEXT


def _set_context(name: str) -> None:
    path = _context_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(name + "\n", encoding="utf-8")


def _shape() -> str:
    shape = backend.shape_for("ona", os.environ)
    if current_context() == USER_CONTEXT and shape in ("ona-v2", "ona-v3"):
        return "ona-v2-user"
    return shape


def _mint(audiences: list[str]) -> str:
    try:
        return backend.mint("ona", audiences, None, _shape(), deadline=None)
    except backend.SupervisorDown:
        raise CliError(
            "failed to get environment token: unavailable: dial tcp: connect: connection refused"
        ) from None
    except backend.MintFailed as error:
        raise CliError(f"failed to get environment token: {error}") from None


def idp_token(values: Values, positional: list[str]) -> int:
    token = _mint(strings(values, "audience"))
    if not values["decode"]:
        sys.stdout.write(token + "\n")
        return 0
    try:
        header, claims = parse_compact_jws(token)
    except ValueError as error:
        raise CliError(str(error)) from None
    extra = {key: value for key, value in header.items() if key not in ("alg", "kid", "jwk", "nonce")}
    go_jose_header = {
        "KeyID": header.get("kid", ""),
        "JSONWebKey": None,
        "Algorithm": header.get("alg", ""),
        "Nonce": "",
        "ExtraHeaders": extra or None,
    }
    # A struct, not a map: its fields keep their declared order, which sorted keys would not.
    text = marshal_indent({"Claims": claims, "Header": ["\0header\0"]}, "\t")
    header_text = marshal_indent(go_jose_header, "\t", struct=True).replace("\n", "\n\t\t")
    sys.stdout.write(text.replace('"\\u0000header\\u0000"', header_text) + "\n")
    return 0


def idp_login_aws(values: Values, positional: list[str]) -> int:
    from awscli_gitpod.testing.standins.awslogin import assume_and_configure  # runs `aws`: only here

    role_arn = string(values, "role-arn")
    if not role_arn:
        raise CliError('required flag(s) "role-arn" not set', flag_error=True)
    token = _mint(["sts.amazonaws.com"])
    environment_id = os.environ.get("GITPOD_ENVIRONMENT_ID") or "environment"
    session_name = string(values, "role-session-name") or f"{environment_id}-{int(time.time())}"
    assume_and_configure(
        role_arn, session_name, token, int(str(values["duration-seconds"])), string(values, "profile")
    )
    return 0


def login(values: Values, positional: list[str]) -> int:
    if not string(values, "token"):
        raise CliError("interactive login is not available in the test bed: pass --token")
    _set_context(USER_CONTEXT)
    return 0


def context_use(values: Values, positional: list[str]) -> int:
    if len(positional) != 1 or positional[0] not in (USER_CONTEXT, ENVIRONMENT_CONTEXT):
        raise CliError(f"unknown context {' '.join(positional)!r}", flag_error=True)
    _set_context(positional[0])
    return 0


def cli(program: str) -> Cli:
    return Cli(
        Command(
            program,
            "Ona command line interface",
            children=(
                Command(
                    "idp",
                    "Interact with the OIDC identity provider",
                    children=(
                        Command(
                            "token",
                            "Print an OIDC token",
                            flags=(
                                Flag("audience", "stringArray", [], "audience of the token"),
                                Flag("decode", "bool", False, "decode the token"),
                            ),
                            action=idp_token,
                            required=("audience",),
                        ),
                        Command(
                            "login",
                            "Log in to a cloud provider",
                            children=(
                                Command(
                                    "aws",
                                    "Log in to AWS",
                                    flags=(
                                        Flag("role-arn", "string", "", "AWS role to assume"),
                                        Flag("duration-seconds", "int", 3600, "session duration in seconds"),
                                        Flag("profile", "string", "default", "AWS profile to configure"),
                                        Flag("role-session-name", "string", "", "role session name"),
                                    ),
                                    action=idp_login_aws,
                                ),
                            ),
                        ),
                    ),
                ),
                Command(
                    "login",
                    "Log in to Ona",
                    flags=(Flag("token", "string", "", "a personal access token"),),
                    action=login,
                ),
                Command(
                    "config",
                    "Manage the CLI configuration",
                    children=(
                        Command(
                            "context",
                            "Manage contexts",
                            children=(Command("use", "Use a context", action=context_use),),
                        ),
                    ),
                ),
            ),
        ),
        bare_errors=False,
    )

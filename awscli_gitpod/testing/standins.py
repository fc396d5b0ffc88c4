"""Stand-in `gp`, `gitpod` and `ona` executables that mint tokens from the test issuer.

They accept the real CLIs' flags and print what the real CLIs print, so code that shells out to them
is tested as it will run in a workspace. `gp idp login aws` reproduces what the real command does
today (mint, `aws sts assume-role-with-web-identity` with the token on the command line, three
`aws configure set`): it is the baseline this project improves on.

Never register these as console scripts: they would shadow the real `gp` in a real workspace.
`install_standins` writes them into a directory that tests put first on PATH.

Environment read by the stand-ins:
- `AWS_GITPOD_TESTBED_ISSUER`: the issuer URL; tokens come from `<issuer>/_testbed/token`. Unset means
  "no supervisor": every token command fails as the real CLI does outside a workspace.
- Classic: `GITPOD_WORKSPACE_ID` (claim `workspace_id`, session name of `gp idp login aws`),
  `GITPOD_WORKSPACE_CONTEXT_URL` (claims `context` and `sub`), `GITPOD_INSTANCE_ID`, `GITPOD_HOST`.
- Ona (names UNVERIFIED): `GITPOD_ENVIRONMENT_ID`, `GITPOD_ORGANIZATION_ID`, `GITPOD_PROJECT_ID`; an
  empty value removes the claim (and its part of `sub`).
- `AWS_GITPOD_TESTBED_CLAIMS`: a JSON object of claim overrides (`null` removes a claim).
- `AWS_GITPOD_TESTBED_SHAPE`: the token shape (`classic`, `classic-keyed`, `ona`, `ona-v3`).
- `AWS_GITPOD_TESTBED_MODE`: `fail`, `hang`, `garbage` or `slow=<seconds>`.
- `AWS_GITPOD_TESTBED_LOG`: a file that gets one JSON line per invocation (never a token).
- `IDP_AWS_ROLE_ARN`: the default of `gp idp login aws --role-arn`.
"""

from __future__ import annotations

# Only cheap stdlib imports at module level: the stand-ins run many times per test session.
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Union

PROGRAMS = ("gp", "gitpod", "ona")
ENV_ISSUER = "AWS_GITPOD_TESTBED_ISSUER"
ENV_CLAIMS = "AWS_GITPOD_TESTBED_CLAIMS"
ENV_SHAPE = "AWS_GITPOD_TESTBED_SHAPE"
ENV_MODE = "AWS_GITPOD_TESTBED_MODE"
ENV_LOG = "AWS_GITPOD_TESTBED_LOG"
HANG_SECONDS = 3600
GARBAGE_TOKEN = "this-is-not-a-jwt"  # noqa: S105 (deliberately not a token)
CommandTree = dict[str, "CommandTree"]
COMMANDS: CommandTree = {"idp": {"token": {}, "login": {"aws": {}}}}

# A flag: (short name or "", kind, default). Kinds: string, strings (repeatable), bool, int.
FlagValue = Union[str, list[str], bool, int]
FlagSpec = dict[str, tuple[str, str, FlagValue]]


class CliError(Exception):
    """An error the real CLI reports as `Error: <message>` on stderr, with exit status 1."""

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage


def install_standins(
    bin_dir: Path, python: str = sys.executable, names: tuple[str, ...] = PROGRAMS
) -> dict[str, Path]:
    """Write executable stand-ins into `bin_dir`; returns {name: path}."""
    unknown = set(names) - set(PROGRAMS)
    if unknown:
        raise ValueError(f"no stand-in for {', '.join(sorted(unknown))}")
    bin_dir.mkdir(parents=True, exist_ok=True)
    # The directory holding `awscli_gitpod`, so the stand-ins run this very code from any cwd,
    # whether the package is installed or used from a checkout.
    package_root = str(Path(__file__).resolve().parents[2])
    scripts: dict[str, Path] = {}
    for name in names:
        script = bin_dir / name
        script.write_text(
            f"#!{python}\n"
            f"# Stand-in `{name}` written by awscli_gitpod.testing.standins, for tests only.\n"
            "import sys\n"
            f"sys.path.insert(0, {package_root!r})\n"
            "from awscli_gitpod.testing.standins import main\n"
            f"sys.exit(main({name!r}, sys.argv[1:]))\n",
            encoding="utf-8",
        )
        script.chmod(0o755)
        scripts[name] = script
    return scripts


def main(program: str, argv: list[str]) -> int:
    _log_invocation(program, argv)
    try:
        return _dispatch(program, argv)
    except CliError as error:
        sys.stderr.write(f"Error: {error}\n")
        if error.usage:
            sys.stderr.write(f"Usage:\n  {error.usage}\n\nRun '{program} --help' for usage.\n")
        return 1


def _dispatch(program: str, argv: list[str]) -> int:
    if program not in PROGRAMS:
        raise CliError(f"unknown stand-in {program!r}")
    # The leading words that name a known command; the rest are its flags.
    words: list[str] = []
    node = COMMANDS
    while len(words) < len(argv) and argv[len(words)] in node:
        node = node[argv[len(words)]]
        words.append(argv[len(words)])
    rest = argv[len(words) :]
    if words[:2] == ["idp", "token"]:
        return _idp_token(program, rest)
    if words[:3] == ["idp", "login", "aws"]:
        if program == "gp":
            return _gp_login_aws(rest)
        return _ona_login_aws(program, rest)
    if not rest or "-h" in argv or "--help" in argv:
        sys.stdout.write(
            f"Stand-in {program}: supports `{program} idp token` and `{program} idp login aws`.\n"
        )
        return 0
    unknown = rest[0] if rest else ""
    raise CliError(f'unknown command "{unknown}" for "{" ".join([program, *words])}"')


def _split_flag(arg: str, spec: FlagSpec, usage: str) -> tuple[str, str | None]:
    """(flag name, inline value or None) of `--name`, `--name=value`, `-n`, `-nvalue`."""
    if arg.startswith("--"):
        name, has_value, value = arg[2:].partition("=")
        if name in spec:
            return name, value if has_value else None
    elif arg.startswith("-") and len(arg) >= 2:
        for name, (short, _, _) in spec.items():
            if short and short == arg[1]:
                return name, arg[2:].lstrip("=") or None
    else:
        raise CliError(f'unknown command "{arg}"', usage)
    raise CliError(f"unknown flag: {arg.partition('=')[0]}", usage)


def _convert(name: str, value: str, spec: FlagSpec, usage: str) -> FlagValue:
    short, kind, _ = spec[name]
    if kind != "int":
        return value
    try:
        return int(value)
    except ValueError:
        label = f"-{short}, --{name}" if short else f"--{name}"
        raise CliError(
            f'invalid argument "{value}" for "{label}" flag: '
            f'strconv.ParseInt: parsing "{value}": invalid syntax',
            usage,
        ) from None


def parse_flags(spec: FlagSpec, args: list[str], usage: str) -> dict[str, FlagValue]:
    """pflag-style parsing: `--name value`, `--name=value`, `-n value`, repeatable string arrays."""
    values: dict[str, FlagValue] = {
        name: (list(default) if isinstance(default, list) else default)
        for name, (_, _, default) in spec.items()
    }
    seen: set[str] = set()
    remaining = list(args)
    while remaining:
        arg = remaining.pop(0)
        if arg in ("-h", "--help"):
            continue
        name, inline = _split_flag(arg, spec, usage)
        kind = spec[name][1]
        if kind == "bool":
            values[name] = inline is None or inline.lower() in ("1", "t", "true")
            continue
        if inline is None:
            if not remaining:
                raise CliError(f"flag needs an argument: --{name}", usage)
            inline = remaining.pop(0)
        if kind == "strings":
            # A repeated array flag replaces its default on first use, then appends.
            previous = values[name] if name in seen else []
            values[name] = [*(previous if isinstance(previous, list) else []), inline]
        else:
            values[name] = _convert(name, inline, spec, usage)
        seen.add(name)
    return values


# --- tokens -------------------------------------------------------------------------------------


def _shape(program: str) -> str:
    return os.environ.get(ENV_SHAPE) or ("classic" if program == "gp" else "ona")


def _env_claims(program: str) -> dict[str, Any]:
    """Claims the issuer would take from the workspace this process runs in."""
    claims: dict[str, Any] = {}
    if program == "gp":
        if os.environ.get("GITPOD_WORKSPACE_ID"):
            claims["workspace_id"] = os.environ["GITPOD_WORKSPACE_ID"]
        if os.environ.get("GITPOD_WORKSPACE_CONTEXT_URL"):
            claims["context"] = os.environ["GITPOD_WORKSPACE_CONTEXT_URL"]
    else:
        for variable, claim in (
            ("GITPOD_ENVIRONMENT_ID", "environment_id"),
            ("GITPOD_ORGANIZATION_ID", "organization_id"),
            ("GITPOD_PROJECT_ID", "project_id"),
        ):
            if variable in os.environ:
                claims[claim] = os.environ[variable] or None
    extra = os.environ.get(ENV_CLAIMS)
    if extra:
        try:
            overrides = json.loads(extra)
        except ValueError:
            overrides = None
        if not isinstance(overrides, dict):
            raise CliError(f"{ENV_CLAIMS} must be a JSON object")
        claims.update(overrides)
    return claims


def _apply_mode(program: str) -> str | None:
    """Act out the failure mode; returns a token to use instead of minting one, if any."""
    mode = os.environ.get(ENV_MODE, "")
    if mode == "fail":
        if program == "gp":
            raise CliError(
                "cannot connect to supervisor: dial tcp 127.0.0.1:22999: connect: connection refused"
            )
        raise CliError("failed to get environment token: unavailable: dial tcp: connect: connection refused")
    if mode == "hang":
        time.sleep(HANG_SECONDS)
    elif mode == "garbage":
        return GARBAGE_TOKEN
    elif mode.startswith("slow="):
        time.sleep(float(mode.partition("=")[2]))
    elif mode:
        raise CliError(f"unknown {ENV_MODE} {mode!r}")
    return None


def mint_token(program: str, audiences: list[str], scope: str | None = None) -> str:
    """Ask the test issuer for a token, as the real CLI asks the supervisor (5 s timeout)."""
    replacement = _apply_mode(program)
    if replacement is not None:
        return replacement
    issuer = os.environ.get(ENV_ISSUER)
    if not issuer:
        raise CliError("cannot connect to supervisor: dial tcp 127.0.0.1:22999: connect: connection refused")
    import http.client
    from urllib.parse import urlsplit

    target = urlsplit(issuer)
    body = json.dumps(
        {
            "shape": _shape(program),
            "audience": audiences,
            "scope": scope or None,
            "claims": _env_claims(program),
        }
    )
    try:
        connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=5)
        connection.request(
            "POST",
            target.path.rstrip("/") + "/_testbed/token",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        payload = response.read()
        connection.close()
    except OSError as error:
        raise CliError(f"cannot get token from the IdP: {error}") from None
    if response.status != 200:
        raise CliError(f"cannot get token from the IdP: {response.status} {payload!r}")
    return str(json.loads(payload)["token"])


def _decode(token: str) -> dict[str, Any]:
    import base64

    parts = token.split(".")
    if len(parts) != 3:
        raise CliError("token is malformed")
    try:
        header, payload = (
            json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))) for part in parts[:2]
        )
    except ValueError:
        raise CliError("token is malformed: could not JSON decode segment") from None
    return {"Header": header, "Payload": payload}


def _idp_token(program: str, args: list[str]) -> int:
    usage = f"{program} idp token [flags]"
    spec: FlagSpec = {
        "audience": ("", "strings", []),
        "decode": ("", "bool", False),
    }
    if program == "gp":
        spec["scope"] = ("", "string", "")
    values = parse_flags(spec, args, usage)
    audiences = values["audience"]
    if not isinstance(audiences, list) or not audiences:
        raise CliError('required flag(s) "audience" not set', usage)
    token = mint_token(program, audiences, str(values.get("scope") or "") or None)
    if values["decode"]:
        # Go's json.MarshalIndent of maps: two-space indent, keys sorted.
        sys.stdout.write(json.dumps(_decode(token), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(token + "\n")
    return 0


# --- idp login aws ------------------------------------------------------------------------------


def _run_aws(args: list[str]) -> str:
    """Run the `aws` on PATH like Go's `CombinedOutput`: stdout and stderr in one string."""
    import subprocess

    try:
        completed = subprocess.run(
            ["aws", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    except OSError as error:
        raise CliError(f'exec: "aws": {error.strerror}') from None
    if completed.returncode != 0:
        raise CliError(f"exit status {completed.returncode}: {completed.stdout}")
    return completed.stdout


def _assume_and_configure(role_arn: str, session_name: str, token: str, duration: int, profile: str) -> None:
    output = _run_aws(
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
    # Parsed as JSON whatever the user's output format is: the real command breaks the same way.
    # The error names the position, never the output: in text format it holds the secret key.
    try:
        credentials = json.loads(output)["Credentials"]
    except (ValueError, KeyError, TypeError) as error:
        raise CliError(f"cannot parse the output of aws sts: {error}") from None
    for key, field in (
        ("aws_access_key_id", "AccessKeyId"),
        ("aws_secret_access_key", "SecretAccessKey"),
        ("aws_session_token", "SessionToken"),
    ):
        _run_aws(["configure", "set", "--profile", profile, key, str(credentials[field])])


def _gp_login_aws(args: list[str]) -> int:
    usage = "gp idp login aws [flags]"
    spec: FlagSpec = {
        "role-arn": ("", "string", os.environ.get("IDP_AWS_ROLE_ARN", "")),
        "audience": ("", "strings", ["sts.amazonaws.com"]),
        "profile": ("p", "string", "default"),
        "duration-seconds": ("d", "int", 3600),
        "scope": ("", "string", ""),
    }
    values = parse_flags(spec, args, usage)
    role_arn = str(values["role-arn"])
    if not role_arn:
        raise CliError("missing --role-arn or IDP_AWS_ROLE_ARN env var", usage)
    workspace_id = os.environ.get("GITPOD_WORKSPACE_ID")
    if not workspace_id:
        raise CliError("cannot get workspace info: GITPOD_WORKSPACE_ID is not set")
    audiences = values["audience"]
    token = mint_token("gp", audiences if isinstance(audiences, list) else [], str(values["scope"]) or None)
    _assume_and_configure(
        role_arn,
        f"{workspace_id}-{int(time.time())}",
        token,
        int(str(values["duration-seconds"])),
        str(values["profile"]),
    )
    return 0


def _ona_login_aws(program: str, args: list[str]) -> int:
    usage = f"{program} idp login aws [flags]"
    environment_id = os.environ.get("GITPOD_ENVIRONMENT_ID") or "environment"
    spec: FlagSpec = {
        "role-arn": ("", "string", ""),
        "duration-seconds": ("", "int", 3600),
        "profile": ("", "string", "default"),
        "role-session-name": ("", "string", ""),
    }
    values = parse_flags(spec, args, usage)
    if not values["role-arn"]:
        raise CliError('required flag(s) "role-arn" not set', usage)
    token = mint_token(program, ["sts.amazonaws.com"])
    _assume_and_configure(
        str(values["role-arn"]),
        str(values["role-session-name"]) or f"{environment_id}-{int(time.time())}",
        token,
        int(str(values["duration-seconds"])),
        str(values["profile"]),
    )
    return 0


# --- observability ------------------------------------------------------------------------------


def _redact(arg: str) -> str:
    # No stand-in takes a token as an argument; this guards the log if one ever does.
    return "<redacted-token>" if arg.startswith("eyJ") and arg.count(".") == 2 else arg


def _log_invocation(program: str, argv: list[str]) -> None:
    path = os.environ.get(ENV_LOG)
    if not path:
        return
    record = {
        "program": program,
        "argv": [_redact(arg) for arg in argv],
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "time": time.time(),
        "mode": os.environ.get(ENV_MODE, ""),
    }
    # One write on an O_APPEND descriptor: lines from parallel stand-ins do not interleave.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (json.dumps(record) + "\n").encode("utf-8"))
    finally:
        os.close(descriptor)


def read_log(path: Path) -> list[dict[str, Any]]:
    """The invocation records in a stand-in log (empty when nothing ran)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

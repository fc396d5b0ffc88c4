"""`aws-gitpod secrets` end to end: the real CLI in real processes against moto over HTTP (and the local
issuer for `--role`), with the test bed's fault injection for what moto does not produce itself."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from awscli_gitpod import errors
from awscli_gitpod.testing.aws import AwsServer, admin_client

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

dotenv = pytest.importorskip("dotenv")

BATCH = "BatchGetSecretValue"
GET = "GetSecretValue"
NASTY = 'it\'s "quoted" $HOME `id` \\back\\slash\nnext line ☃\r\n#end\n'
RDS_PASSWORD = "pa'ss$word\\"
RDS: dict[str, object] = {"username": "admin", "password": RDS_PASSWORD, "host": "db.internal", "port": 5432}


class Secrets:
    """Secrets created for one test, under a unique prefix (moto lives for the whole session)."""

    def __init__(self, endpoint_url: str, region: str = "eu-west-1") -> None:
        self.client = admin_client(endpoint_url, "secretsmanager", region)
        self.prefix = f"t{uuid.uuid4().hex[:8]}"
        self.arns: dict[str, str] = {}

    def create(self, name: str, value: str | bytes | dict[str, Any]) -> str:
        full = f"{self.prefix}/{name}"
        if isinstance(value, bytes):
            response = self.client.create_secret(Name=full, SecretBinary=value)
        else:
            text = value if isinstance(value, str) else json.dumps(value)
            response = self.client.create_secret(Name=full, SecretString=text)
        self.arns[full] = str(response["ARN"])
        return full


@pytest.fixture
def secrets(aws_server: AwsServer) -> Secrets:
    return Secrets(aws_server.endpoint_url)


@pytest.fixture
def env(workspace_env: Workspace) -> dict[str, str]:
    """The workspace's environment with moto's dummy keys: the AWS chain, no --role."""
    return dict(workspace_env.env, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")


def cli(env: dict[str, str], *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["aws-gitpod", "secrets", *args],
        env=env,
        cwd=env["HOME"],
        input=input,
        capture_output=True,
        timeout=60,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[bytes]) -> bytes:
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    return result.stdout


def assert_failed(result: subprocess.CompletedProcess[bytes], code: int, *fragments: str) -> list[str]:
    """Exit `code`, nothing on stdout, each fragment on stderr, and no value of any test secret there."""
    stderr = result.stderr.decode()
    assert result.returncode == code, stderr
    assert result.stdout == b""
    for fragment in fragments:
        assert fragment in stderr
    for value in (NASTY, *map(str, RDS.values()), "top-secret", "v1-old", "v2-current"):
        assert value not in stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert all(line.startswith("aws-gitpod: error: ") for line in lines), stderr
    return lines


# --- get ----------------------------------------------------------------------------------------


def test_get_prints_the_value_exactly(env: dict[str, str], secrets: Secrets) -> None:
    with_newline = secrets.create("nasty", NASTY)
    without = secrets.create("token", "top-secret")
    assert ok(cli(env, "get", with_newline)) == NASTY.encode()
    assert ok(cli(env, "get", without)) == b"top-secret"  # no newline added


def test_get_one_key_of_a_json_secret(env: dict[str, str], secrets: Secrets) -> None:
    rds = secrets.create("rds", RDS)
    assert ok(cli(env, "get", rds, "--key", "password")) == RDS_PASSWORD.encode()
    assert ok(cli(env, "get", rds, "--key", "port")) == b"5432"
    lines = assert_failed(cli(env, "get", rds, "--key", "nope"), errors.SECRETS_FAILED, "its keys: host,")
    assert len(lines) == 1
    token = secrets.create("token", "top-secret")
    assert_failed(cli(env, "get", token, "--key", "x"), errors.SECRETS_FAILED, "not a JSON object")


def test_get_binary_to_stdout_and_to_a_private_file(env: dict[str, str], secrets: Secrets) -> None:
    payload = bytes(range(256)) * 3
    cert = secrets.create("cert", payload)
    assert ok(cli(env, "get", cert)) == payload

    target = Path(env["HOME"]) / "cert.der"
    ok(cli(env, "get", cert, "--output-file", str(target)))
    assert target.read_bytes() == payload
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    assert_failed(cli(env, "get", cert, "--output-file", str(target)), errors.USAGE, "exists; add --force")
    target.write_bytes(b"old")
    target.chmod(0o644)
    ok(cli(env, "get", cert, "--output-file", str(target), "--force"))
    assert target.read_bytes() == payload
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_output_never_writes_through_a_symlink(env: dict[str, str], secrets: Secrets, tmp_path: Path) -> None:
    token = secrets.create("token", "top-secret")
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    link = Path(env["HOME"]) / "link"
    link.symlink_to(victim)
    assert_failed(cli(env, "get", token, "--output-file", str(link)), errors.USAGE, "exists")
    ok(cli(env, "get", token, "--output-file", str(link), "--force"))
    assert victim.read_text() == "untouched"
    assert not link.is_symlink()
    assert link.read_text() == "top-secret"


def test_get_versions_by_id_and_stage(env: dict[str, str], secrets: Secrets) -> None:
    name = secrets.create("rotating", "v1-old")
    first = secrets.client.describe_secret(SecretId=name)
    old_version = next(v for v, stages in first["VersionIdsToStages"].items() if "AWSCURRENT" in stages)
    secrets.client.put_secret_value(SecretId=name, SecretString="v2-current")
    assert ok(cli(env, "get", name)) == b"v2-current"
    assert ok(cli(env, "get", name, "--version-stage", "AWSPREVIOUS")) == b"v1-old"
    assert ok(cli(env, "get", name, "--version-id", old_version)) == b"v1-old"
    assert_failed(
        cli(env, "get", name, "--version-id", old_version, "--version-stage", "AWSCURRENT"),
        errors.USAGE,
        "not allowed with argument",
    )
    assert_failed(
        cli(env, "get", name, "--version-stage", "NOSUCHSTAGE"), errors.SECRETS_FAILED, "ResourceNotFound"
    )


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("AccessDeniedException", "access denied (AccessDeniedException); the credentials need"),
        ("DecryptionFailure", "Secrets Manager could not decrypt it (DecryptionFailure)"),
    ],
)
def test_get_errors_moto_cannot_produce(
    env: dict[str, str], secrets: Secrets, aws_server: AwsServer, code: str, fragment: str
) -> None:
    name = secrets.create("token", "top-secret")
    aws_server.inject(GET, code=code, status=400, message=f"injected {code}")
    lines = assert_failed(cli(env, "get", name), errors.SECRETS_FAILED, f"{name}: {fragment}")
    assert len(lines) == 1


def test_get_missing_and_deleted(env: dict[str, str], secrets: Secrets) -> None:
    assert_failed(
        cli(env, "get", f"{secrets.prefix}/missing"), errors.SECRETS_FAILED, "not found in eu-west-1"
    )
    doomed = secrets.create("doomed", "top-secret")
    secrets.client.delete_secret(SecretId=doomed, RecoveryWindowInDays=7)
    assert_failed(cli(env, "get", doomed), errors.SECRETS_FAILED, "scheduled for deletion", "restore-secret")


def test_a_closed_pipe_is_not_an_error(env: dict[str, str], secrets: Secrets) -> None:
    big = secrets.create("big", "x" * 60000)
    result = subprocess.run(
        ["bash", "-c", f'aws-gitpod secrets get {big} | head -c 3; echo " ${{PIPESTATUS[0]}}"'],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert (result.stdout, result.stderr) == (b"xxx 0\n", b"")


# --- export -------------------------------------------------------------------------------------


def bash_eval(env: dict[str, str], export_args: list[str], names: list[str]) -> list[str]:
    printed = " ".join(f'"${name}"' for name in names)
    script = f'set -e; out="$(aws-gitpod secrets export "$@")"; eval "$out"; printf "%s\\0" {printed}'
    result = subprocess.run(
        ["bash", "-c", script, "bash", *export_args], env=env, capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().split("\0")[:-1]


def test_export_round_trips_through_bash_eval(env: dict[str, str], secrets: Secrets) -> None:
    nasty = secrets.create("nasty-value", NASTY)
    rds = secrets.create("rds", RDS)
    values = bash_eval(
        env,
        [nasty, f"PG={rds}", f"{rds}#password", f"PORT={rds}#port", "--expand-json"],
        ["NASTY_VALUE", "PG_USERNAME", "PG_PASSWORD", "PG_HOST", "PG_PORT", "PASSWORD", "PORT"],
    )
    assert values == [NASTY, "admin", RDS_PASSWORD, "db.internal", "5432", RDS_PASSWORD, "5432"]


def test_export_names_variables_after_the_secret_not_the_arn_suffix(
    env: dict[str, str], secrets: Secrets
) -> None:
    token = secrets.create("api-token", "top-secret")
    assert secrets.arns[token].split("-")[-1] != ""
    out = ok(cli(env, "export", secrets.arns[token], "--prefix", "APP_"))
    assert out == b"export APP_API_TOKEN='top-secret'\n"


def test_export_dotenv_reads_back_with_python_dotenv(env: dict[str, str], secrets: Secrets) -> None:
    nasty = secrets.create("nasty", NASTY)
    rds = secrets.create("rds", RDS)
    out = ok(cli(env, "export", nasty, rds, "--expand-json", "--format", "dotenv"))
    path = Path(env["HOME"]) / ".env"
    path.write_bytes(out)
    assert dotenv.dotenv_values(path, interpolate=False) == {
        "NASTY": NASTY,
        "USERNAME": "admin",
        "PASSWORD": RDS_PASSWORD,
        "HOST": "db.internal",
        "PORT": "5432",
    }


def test_export_json(env: dict[str, str], secrets: Secrets) -> None:
    rds = secrets.create("rds", RDS)
    token = secrets.create("token", "top-secret")
    out = json.loads(ok(cli(env, "export", token, f"DB_PASS={rds}#password", "--format", "json")))
    assert out == {"TOKEN": "top-secret", "DB_PASS": RDS_PASSWORD}


def test_collisions_name_both_sources(env: dict[str, str], secrets: Secrets, aws_server: AwsServer) -> None:
    a = secrets.create("a/token", "top-secret")
    b = secrets.create("b/token", "top-secret")
    lines = assert_failed(cli(env, "export", a, b), errors.USAGE, f"TOKEN would come from both {a} and {b}")
    assert len(lines) == 1


def test_usage_errors_come_before_any_aws_call(env: dict[str, str], aws_server: AwsServer) -> None:
    assert_failed(cli(env, "export", "bad-name=x"), errors.USAGE, "'bad-name' is not a valid variable name")
    assert_failed(cli(env, "export", "x", "--prefix", "9"), errors.USAGE, "--prefix '9'")
    assert_failed(cli(env, "export", "x", "--format", "xml"), errors.USAGE, "invalid choice")
    assert aws_server.all_calls() == {}


def test_forty_five_secrets_take_three_batch_calls(
    env: dict[str, str], secrets: Secrets, aws_server: AwsServer
) -> None:
    names = [secrets.create(f"s{index:02d}", f"value-{index}") for index in range(45)]
    aws_server.reset_calls()
    out = json.loads(ok(cli(env, "export", *names, "--format", "json")))
    assert out == {f"S{index:02d}": f"value-{index}" for index in range(45)}
    assert aws_server.calls(BATCH) == 3
    assert aws_server.calls(GET) == 0


def test_a_denied_batch_falls_back_to_one_call_per_secret(
    env: dict[str, str], secrets: Secrets, aws_server: AwsServer
) -> None:
    names = [secrets.create(f"s{index:02d}", f"value-{index}") for index in range(25)]
    aws_server.reset_calls()
    aws_server.inject(BATCH, code="AccessDeniedException", status=400, times=None)
    out = json.loads(ok(cli(env, "export", *names, "--format", "json")))
    assert out == {f"S{index:02d}": f"value-{index}" for index in range(25)}
    assert aws_server.calls(BATCH) == 1, "a denied batch is not tried again for the next 20"
    assert aws_server.calls(GET) == 25


def test_missing_and_deleted_secrets_in_a_batch_are_each_reported(
    env: dict[str, str], secrets: Secrets, aws_server: AwsServer
) -> None:
    good = secrets.create("good", "top-secret")
    doomed = secrets.create("doomed", "top-secret")
    secrets.client.delete_secret(SecretId=doomed, RecoveryWindowInDays=7)
    missing = f"{secrets.prefix}/missing"
    aws_server.reset_calls()
    lines = assert_failed(cli(env, "export", good, missing, doomed), errors.SECRETS_FAILED)
    assert lines == [
        f"aws-gitpod: error: {missing}: not found in eu-west-1 (ResourceNotFoundException); check the name "
        "or ARN, --region, and the version asked for",
        f"aws-gitpod: error: {doomed}: scheduled for deletion (InvalidRequestException); restore it with "
        f"`aws secretsmanager restore-secret --secret-id {doomed}` or stop asking for it",
        "aws-gitpod: error: 2 secrets could not be used; nothing was exported",
    ]
    assert aws_server.calls(BATCH) == 1


def test_denied_and_missing_secrets_after_a_denied_batch(
    env: dict[str, str], secrets: Secrets, aws_server: AwsServer
) -> None:
    denied = secrets.create("denied", "top-secret")
    good = secrets.create("good", "top-secret")
    missing = f"{secrets.prefix}/missing"
    aws_server.inject(BATCH, code="AccessDeniedException", status=400, times=None)
    aws_server.inject(GET, code="AccessDeniedException", status=400, message="not authorized", times=1)
    lines = assert_failed(cli(env, "export", denied, missing, good), errors.SECRETS_FAILED)
    assert len(lines) == 3
    assert lines[0].startswith(f"aws-gitpod: error: {denied}: access denied (AccessDeniedException)")
    assert lines[1].startswith(f"aws-gitpod: error: {missing}: not found")
    assert aws_server.calls(GET) == 3, "the rest are still read"


def test_binary_secrets_cannot_be_exported(env: dict[str, str], secrets: Secrets) -> None:
    cert = secrets.create("cert", b"\x00\x01")
    assert_failed(cli(env, "export", cert), errors.SECRETS_FAILED, "is binary", "--output-file FILE")


def test_rejected_credentials_and_an_unhealthy_service(
    env: dict[str, str], secrets: Secrets, aws_server: AwsServer
) -> None:
    names = [secrets.create(f"s{index}", "top-secret") for index in range(2)]
    aws_server.inject(BATCH, code="UnrecognizedClientException", status=400, times=1)
    assert_failed(cli(env, "export", *names), errors.AWS_DENIED, "rejected the credentials")
    aws_server.inject(BATCH, code="InternalServiceError", status=500, times=None)
    assert_failed(cli(env, "export", *names), errors.AWS_UNAVAILABLE, "unavailable", "retry later")
    assert aws_server.calls(BATCH) == 1 + 3, "botocore retries a 5xx twice, then we stop"


def test_no_credentials_at_all(workspace_env: Workspace, secrets: Secrets) -> None:
    token = secrets.create("token", "top-secret")
    assert_failed(cli(workspace_env.env, "get", token), errors.USAGE, "give --role ARN")


def test_an_arn_is_read_in_its_own_region(env: dict[str, str], aws_server: AwsServer) -> None:
    elsewhere = Secrets(aws_server.endpoint_url, region="us-west-2")
    name = elsewhere.create("token", "top-secret")
    assert ok(cli(env, "get", elsewhere.arns[name])) == b"top-secret"
    assert_failed(cli(env, "get", name), errors.SECRETS_FAILED, "not found in eu-west-1")
    assert ok(cli(env, "get", name, "--region", "us-west-2")) == b"top-secret"


def test_with_role_the_workspace_token_is_used_and_cached(
    workspace_env: Workspace, role_arn: str, secrets: Secrets, aws_server: AwsServer
) -> None:
    token = secrets.create("token", "top-secret")
    rds = secrets.create("rds", RDS)
    for _ in range(2):
        out = ok(cli(workspace_env.env, "export", token, f"{rds}#host", "--role", role_arn))
        assert out == b"export TOKEN='top-secret'\nexport HOST='db.internal'\n"
    assert aws_server.calls("AssumeRoleWithWebIdentity") == 1
    assert workspace_env.log.count("gp") == 1
    assert_failed(
        cli(workspace_env.env, "get", token, "--role", role_arn, "--profile", "x"), errors.USAGE, "not both"
    )


def test_prebuilds_fetch_nothing_unless_allowed(
    env: dict[str, str], secrets: Secrets, aws_server: AwsServer
) -> None:
    token = secrets.create("token", "top-secret")
    aws_server.reset_calls()
    headless = dict(env, GITPOD_HEADLESS="true")
    assert_failed(cli(headless, "export", token), errors.USAGE, "prebuild", "--allow-prebuild")
    assert_failed(cli(headless, "exec", token, "--", "true"), errors.USAGE, "prebuild")
    assert aws_server.all_calls() == {}
    assert ok(cli(headless, "get", token, "--allow-prebuild")) == b"top-secret"


# --- exec ---------------------------------------------------------------------------------------

SHOW = "import json, os, sys; print(json.dumps({'argv': sys.argv[1:], 'env': os.environ.get(sys.argv[1])}))"


def test_exec_puts_values_in_the_environment_only(env: dict[str, str], secrets: Secrets) -> None:
    nasty = secrets.create("nasty", NASTY)
    out = ok(cli(env, "exec", f"VALUE={nasty}", "--", "python", "-c", SHOW, "VALUE", "--mask"))
    assert json.loads(out) == {"argv": ["VALUE", "--mask"], "env": NASTY}


def test_exec_options_may_follow_the_specs(env: dict[str, str], secrets: Secrets) -> None:
    rds = secrets.create("rds", RDS)
    out = ok(cli(env, "exec", rds, "--expand-json", "--prefix", "PG_", "--", "python", "-c", SHOW, "PG_HOST"))
    assert json.loads(out)["env"] == "db.internal"
    assert_failed(cli(env, "exec", rds, "python"), errors.USAGE, "give the command after --")
    assert_failed(cli(env, "exec", rds, "--"), errors.USAGE, "no command after --")


@pytest.mark.parametrize("code", [3, 42])
def test_exec_passes_the_exit_code_through(env: dict[str, str], secrets: Secrets, code: int) -> None:
    token = secrets.create("token", "top-secret")
    assert cli(env, "exec", token, "--", "sh", "-c", f"exit {code}").returncode == code


def test_exec_dies_of_the_signal_that_killed_the_child(env: dict[str, str], secrets: Secrets) -> None:
    token = secrets.create("token", "top-secret")
    assert cli(env, "exec", token, "--", "sh", "-c", "kill -TERM $$").returncode == -signal.SIGTERM
    # A core-dumping signal becomes 128 + N: a core of aws-gitpod would mislead.
    assert cli(env, "exec", token, "--", "sh", "-c", "kill -ABRT $$").returncode == 128 + signal.SIGABRT


def test_exec_forwards_sigterm_to_the_child(env: dict[str, str], secrets: Secrets, tmp_path: Path) -> None:
    token = secrets.create("token", "top-secret")
    ready = tmp_path / "ready"
    child = (
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(
        ["aws-gitpod", "secrets", "exec", token, "--", "python", "-c", child],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    while not ready.exists():
        assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 42


def test_exec_mask(env: dict[str, str], secrets: Secrets) -> None:
    token = secrets.create("token", "top-secret")
    printer = "import os, sys; print('t=' + os.environ['TOKEN']); sys.stderr.write(os.environ['TOKEN'])"
    masked = cli(env, "exec", "--mask", token, "--", "python", "-c", printer)
    assert (masked.returncode, masked.stdout, masked.stderr) == (0, b"t=****\n", b"****")
    plain = cli(env, "exec", token, "--", "python", "-c", printer)
    assert plain.stdout == b"t=top-secret\n"


def pem_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


PEM = pem_key()
# The forms that `--mask` once let through, each as a child prints it: the secret's value, what the child
# prints (Python, given the value as `v`), and text of that which must not appear.
LEAKS: dict[str, tuple[str, str, str]] = {
    "one line of a PEM key": (PEM, "print(v.splitlines()[4])", PEM.splitlines()[4]),
    "the value without its trailing newline": (
        "Tr0ub4dor&3-horse-staple\n",
        "print('password=' + v.strip() + '.')",
        "Tr0ub4dor&3-horse-staple.",
    ),
    "the value JSON-escaped": (
        'pa"ss\\wörd\n/two',
        "import json; print(json.dumps({'password': v}))",
        json.dumps('pa"ss\\wörd\n/two')[1:-1],
    ),
    "CRLF line ends": (
        "first-line-of-secret\nsecond-line-of-secret\n",
        "sys.stdout.buffer.write(v.replace('\\n', '\\r\\n').encode())",
        "first-line-of-secret\r\nsecond",
    ),
    "the value URL-encoded": (
        "p@ss:w/rd?&=#x",
        "from urllib.parse import quote; print('postgres://app:' + quote(v, safe='') + '@db/app')",
        "p%40ss%3Aw%2Frd",
    ),
    "the password field of a JSON (RDS) secret": (
        json.dumps(RDS),
        "import json; print('connecting as admin with', json.loads(v)['password'])",
        RDS_PASSWORD,
    ),
}


@pytest.mark.parametrize("leak", list(LEAKS))
def test_exec_mask_hides_the_forms_programs_print(env: dict[str, str], secrets: Secrets, leak: str) -> None:
    value, printer, shown = LEAKS[leak]
    name = secrets.create("value", value)
    code = f"import os, sys\nv = os.environ['VALUE']\n{printer}\nsys.stdout.flush()\n"
    plain = cli(env, "exec", f"VALUE={name}", "--", "python", "-c", code)
    assert shown.encode() in plain.stdout, "the child prints the form"
    masked = cli(env, "exec", "--mask", f"VALUE={name}", "--", "python", "-c", code)
    assert masked.returncode == 0, masked.stderr
    assert shown.encode() not in masked.stdout
    assert b"****" in masked.stdout


def test_exec_mask_lets_pipes_close(env: dict[str, str], secrets: Secrets) -> None:
    token = secrets.create("token", "top-secret")
    script = f'aws-gitpod secrets exec --mask {token} -- yes | head -1; echo "status ${{PIPESTATUS[0]}}"'
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, timeout=60, check=False)
    assert (result.stdout, result.stderr) == (f"y\nstatus {128 + signal.SIGPIPE}\n".encode(), b"")


def child_environment(result: subprocess.CompletedProcess[bytes]) -> dict[str, str]:
    """What `env -0` printed."""
    assert result.returncode == 0, result.stderr.decode()
    return dict(item.split("=", 1) for item in result.stdout.decode().split("\0") if item)


def test_exec_with_credentials_gives_the_role_and_removes_what_outranks_it(
    workspace_env: Workspace, role_arn: str, secrets: Secrets
) -> None:
    token = secrets.create("token", "top-secret")
    shell = dict(workspace_env.env, AWS_PROFILE="shell", AWS_SECRET_KEY="stale")
    found = child_environment(
        cli(shell, "exec", token, "--with-credentials", "--role", role_arn, "--", "env", "-0")
    )
    creds = json.loads(
        subprocess.run(
            ["aws-gitpod", "creds", "--role", role_arn], env=shell, capture_output=True, check=True
        ).stdout
    )
    assert (found["TOKEN"], found["AWS_ACCESS_KEY_ID"], found["AWS_GITPOD_EXEC"]) == (
        "top-secret",
        creds["AccessKeyId"],
        role_arn,
    )
    assert "AWS_PROFILE" not in found and "AWS_SECRET_KEY" not in found
    # Without it the command gets no credentials from us, so the shell's own stay its way to AWS.
    plain = child_environment(cli(shell, "exec", token, "--role", role_arn, "--", "env", "-0"))
    assert (plain["AWS_PROFILE"], "AWS_GITPOD_EXEC" in plain) == ("shell", False)
    assert "AWS_SESSION_TOKEN" not in plain


def test_exec_with_credentials_needs_a_role_and_refuses_to_nest(
    env: dict[str, str], secrets: Secrets, aws_server: AwsServer
) -> None:
    token = secrets.create("token", "top-secret")
    assert_failed(cli(env, "exec", token, "--with-credentials", "--", "true"), errors.USAGE, "--role ARN")
    nested = dict(env, AWS_GITPOD_EXEC="arn:aws:iam::123456789012:role/outer")
    aws_server.reset_calls()
    assert_failed(
        cli(
            nested,
            "exec",
            token,
            "--with-credentials",
            "--role",
            "arn:aws:iam::123456789012:role/x",
            "--",
            "true",
        ),
        errors.USAGE,
        "already inside `aws-gitpod exec` for arn:aws:iam::123456789012:role/outer",
    )
    assert aws_server.all_calls() == {}
    assert ok(cli(nested, "exec", token, "--", "true")) == b"", "reading secrets inside exec is fine"


def test_exec_runs_nothing_when_a_secret_fails(env: dict[str, str], secrets: Secrets) -> None:
    token = secrets.create("token", "top-secret")
    marker = Path(env["HOME"]) / "ran"
    result = cli(env, "exec", token, f"{secrets.prefix}/missing", "--", "touch", str(marker))
    assert_failed(result, errors.SECRETS_FAILED, "the command was not run")
    assert not marker.exists()


def test_exec_reports_a_missing_program(env: dict[str, str], secrets: Secrets) -> None:
    token = secrets.create("token", "top-secret")
    assert_failed(cli(env, "exec", token, "--", "no-such-program"), 127, "no-such-program: command not found")


def test_the_secret_never_reaches_a_command_line(env: dict[str, str], secrets: Secrets) -> None:
    token = secrets.create("token", "top-secret")
    # The child reads every command line on the machine while it runs under exec.
    scan = (
        "import os, sys\n"
        "found = []\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    try:\n"
        "        found.append(open(f'/proc/{pid}/cmdline', 'rb').read())\n"
        "    except OSError:\n"
        "        pass\n"
        "print(sum(os.environ['TOKEN'].encode() in line for line in found), len(found))\n"
    )
    count, seen = ok(cli(env, "exec", token, "--", "python", "-c", scan)).split()
    assert (count, int(seen) > 2) == (b"0", True)
    assert os.environ.get("TOKEN") != "top-secret"

"""Input is checked where it is given, before any network call: regions by form and partition, an unreadable
AWS config file, options `--profile` would ignore, flags that collide with the AWS CLI's own globals."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from awscli_gitpod import errors
from awscli_gitpod.cli import build_parser
from awscli_gitpod.regions import PARTITIONS, partition_of, suggestion
from tests.clis import AWS_V2, aws_v1

ROLE = "arn:aws:iam::123456789012:role/app"
CN_ROLE = "arn:aws-cn:iam::123456789012:role/app"
GOV_ROLE = "arn:aws-us-gov:iam::123456789012:role/app"
ISSUER = ("--issuer", "https://services.gitpod.io/idp")


@pytest.fixture
def bare_env(tmp_path: Path) -> dict[str, str]:
    """No workspace, no token source, a private cache and AWS config."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_GITPOD_CACHE_DIR": str(tmp_path / "c"),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }


def run(*args: str, env: dict[str, str], prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "awscli_gitpod", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str], code: int = errors.USAGE) -> str:
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("aws-gitpod: error: ")
    return lines[0]


# --- regions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "extra_env", "fragment"),
    [
        (
            ["--region", "eu-west1"],
            {},
            "--region 'eu-west1' is not an AWS region name; did you mean eu-west-1?",
        ),
        (["--region", "EU_WEST_1"], {}, "did you mean eu-west-1?"),
        (["--region", "eu-wset-1x"], {}, "did you mean eu-west-1?"),
        (["--region", "nowhere"], {}, "regions look like us-east-1"),
        # An endpoint URL makes botocore accept any region; a typo must still not reach a profile.
        (["--region", "eu-west1"], {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, "did you mean eu-west-1?"),
        ([], {"AWS_REGION": "us-east1"}, "AWS_REGION 'us-east1' is not an AWS region name"),
        ([], {"AWS_DEFAULT_REGION": "frankfurt"}, "AWS_DEFAULT_REGION 'frankfurt'"),
    ],
)
def test_a_region_typo_is_a_usage_error_not_sts_unavailable(
    bare_env: dict[str, str], args: list[str], extra_env: dict[str, str], fragment: str
) -> None:
    line = one_error_line(run("creds", "--role", ROLE, *args, env={**bare_env, **extra_env}))
    assert fragment in line


@pytest.mark.parametrize(
    ("role", "args", "fragment"),
    [
        (CN_ROLE, ["--region", "eu-west-1"], "is in partition aws-cn, but --region eu-west-1 is in aws"),
        (CN_ROLE, [], "but the default region us-east-1 is in aws; pass --region with a region of aws-cn"),
        (GOV_ROLE, ["--region", "us-east-1"], "(e.g. us-gov-west-1)"),
        (ROLE, ["--region", "cn-north-1"], "is in partition aws, but --region cn-north-1 is in aws-cn"),
    ],
)
def test_the_roles_partition_and_the_regions_must_agree(
    bare_env: dict[str, str], role: str, args: list[str], fragment: str
) -> None:
    line = one_error_line(run("creds", "--role", role, *args, env=bare_env))
    assert fragment in line


@pytest.mark.parametrize(("role", "region"), [(CN_ROLE, "cn-northwest-1"), (GOV_ROLE, "us-gov-west-1")])
def test_a_region_of_the_roles_own_partition_goes_on_to_the_token(
    bare_env: dict[str, str], role: str, region: str
) -> None:
    line = one_error_line(run("creds", "--role", role, "--region", region, env=bare_env), errors.NO_TOKEN)
    assert "no workspace token" in line


def test_login_checks_the_region_before_writing_it_into_the_profile(bare_env: dict[str, str]) -> None:
    line = one_error_line(run("login", "--role-arn", ROLE, "--region", "eu-west1", "-p", "dev", env=bare_env))
    assert "did you mean eu-west-1?" in line
    assert not Path(bare_env["AWS_CONFIG_FILE"]).exists()


def test_every_region_botocore_knows_has_the_form_of_its_partition() -> None:
    import botocore

    endpoints = Path(botocore.__file__).parent / "data" / "endpoints.json"
    partitions = json.loads(endpoints.read_text())["partitions"]
    known = {partition["partition"] for partition in partitions}
    assert {name for name, _, _ in PARTITIONS} >= known - {"aws-iso-f", "aws-eusc"} & known
    for partition in partitions:
        for region in partition["regions"]:
            assert partition_of(region) == partition["partition"], region


@pytest.mark.parametrize(
    ("typo", "fixed"),
    [
        ("eu-west1", "eu-west-1"),
        ("us east 2", "us-east-2"),
        ("ap-southeast1", "ap-southeast-1"),
        ("zz", None),
    ],
)
def test_suggestions(typo: str, fixed: str | None) -> None:
    assert suggestion(typo) == fixed


# --- the AWS config file ---------------------------------------------------------------------------------


def drop_file_permission_override() -> tuple[str, ...]:
    """A prefix that makes file permissions apply to this test's child even when the tests run as root."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv, which would let permissions apply to root")
    return (setpriv, "--bounding-set", "-dac_override,-dac_read_search")


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--profile", "dev"],
        ["exec", "--profile", "dev", "--", "true"],
        ["setup", "--role-name", "app", "--repo", "https://github.com/a/b", "--profile", "admin", *ISSUER],
    ],
)
def test_an_unreadable_config_is_named_not_the_profile(bare_env: dict[str, str], args: list[str]) -> None:
    config = Path(bare_env["AWS_CONFIG_FILE"])
    config.write_text("[profile dev]\ncredential_process = aws-gitpod creds --role x\n")
    config.chmod(0)
    line = one_error_line(run(*args, env=bare_env, prefix=drop_file_permission_override()))
    assert line == f"aws-gitpod: error: cannot read {config}: Permission denied"


# --- --profile and the options it would ignore -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "ignored"),
    [
        (["export", "--profile", "dev", "--region", "eu-west-1"], "--region would be ignored"),
        # Given its default value, an option is still one the user meant, and still ignored.
        (["export", "--profile", "dev", "--audience", "sts.amazonaws.com"], "--audience would be ignored"),
        (["export", "--profile", "dev", "--region", "nope", "--scope", "x"], "--region, --scope would be"),
        (["exec", "--profile", "dev", "--duration-seconds", "5", "--", "true"], "--duration-seconds would"),
        (["export", "--profile", "dev", "--policy-arn", "arn:aws:iam::aws:policy/x"], "--policy-arn would"),
    ],
)
def test_options_profile_would_ignore_are_refused(
    bare_env: dict[str, str], args: list[str], ignored: str
) -> None:
    line = one_error_line(run(*args, env=bare_env))
    assert "--profile dev takes its role and token options from its credential_process line" in line
    assert ignored in line


def test_profile_keeps_the_options_it_uses(bare_env: dict[str, str]) -> None:
    line = one_error_line(
        run("export", "--profile", "dev", "--no-cache", "--refresh-margin", "60", env=bare_env)
    )
    assert "profile 'dev'" in line and "does not use `aws-gitpod creds`" in line


# --- flags and the AWS CLI's global options --------------------------------------------------------------

# The AWS CLI consumes its global options wherever they appear; the plugin hands these back.
FORWARDED = {"--profile", "--region"}


def aws_globals() -> set[str]:
    found: set[str] = set()
    for cli in (aws_v1(), AWS_V2):
        if not os.access(cli, os.X_OK):
            continue
        probe = "import awscli, json, os; print(os.path.join(os.path.dirname(awscli.__file__), 'data'))"
        python = Path(cli).read_text(errors="replace").splitlines()[0][2:].strip().split()[0]
        data = subprocess.run(
            [python, "-c", probe], capture_output=True, text=True, check=True
        ).stdout.strip()
        found |= {f"--{name}" for name in json.loads((Path(data) / "cli.json").read_text())["options"]}
    return found


def option_strings(parser: argparse.ArgumentParser, path: str = "") -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= option_strings(sub, f"{path} {name}".strip())
        elif path:  # `aws gitpod --version` is the AWS CLI's own, as `aws s3 --version` is
            found |= {(path, option) for option in action.option_strings}
    return found


def test_no_flag_collides_with_an_aws_cli_global_but_those_handed_back() -> None:
    globals_ = aws_globals()
    assert "--output" in globals_ and "--query" in globals_
    colliding = {(path, option) for path, option in option_strings(build_parser()) if option in globals_}
    assert {option for _, option in colliding} <= FORWARDED, sorted(colliding)

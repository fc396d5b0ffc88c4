"""`exec --server` and `serve`: a credentials endpoint on 127.0.0.1 that real SDKs (boto3, the AWS SDK for
JavaScript v3) use, that refuses requests without its token, that serves refreshed credentials through the
cache, and that lives exactly as long as it should."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from awscli_gitpod.testing.aws import AwsServer
from tests.conftest import NODE_SCRIPT
from tests.creds_helpers import ACTION

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

pytestmark = pytest.mark.e2e

# Run under `exec --server`: what the child sees, and what its SDK gets.
BOTO_CHILD = """
import json, os
import boto3
keys = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
static = [name for name in keys if name in os.environ]
arn = boto3.client("sts").get_caller_identity()["Arn"]
print(json.dumps({"static": static, "uri": os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"], "arn": arn}))
"""

# Asks the endpoint without the token, with a wrong one, elsewhere, and rightly; then ages the cache entry
# (as the passing of time would) and asks again.
PROBE_CHILD = """
import json, os, sys, time, urllib.error, urllib.request
from awscli_gitpod import cache
uri, token = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"], os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]

def ask(url, header=None):
    request = urllib.request.Request(url, headers={"Authorization": header} if header else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)

statuses = [ask(uri)[0], ask(uri, "wrong")[0], ask(uri.replace("/credentials", "/other"), token)[0]]
first = ask(uri, token)[1]
directory = cache.cache_dir()
(path,) = [os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(".json")]
entry = cache.read_entry(path)
now = int(time.time())
cache.store_entry(path, entry.body, issued=now - 3000, expires=now + 600)  # due for refresh, still valid
second = ask(uri, token)[1]
print(json.dumps({"statuses": statuses, "first": first, "second": second}))
"""


def exec_server(workspace: Workspace, role_arn: str, *child: str) -> subprocess.CompletedProcess[str]:
    return workspace.run("aws-gitpod", "exec", "--server", "--role", role_arn, "--", *child)


def test_a_boto3_child_gets_credentials_from_the_endpoint_and_no_keys(
    workspace_env: Workspace, role_arn: str
) -> None:
    workspace_env.env["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"  # the parent's keys must not reach it
    workspace_env.env["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    result = exec_server(workspace_env, role_arn, sys.executable, "-c", BOTO_CHILD)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["static"] == []
    assert urlsplit(seen["uri"]).hostname == "127.0.0.1"
    assert f":assumed-role/{role_arn.rsplit('/', 1)[1]}/" in seen["arn"]
    port = urlsplit(seen["uri"]).port
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # the endpoint stopped with the child


def test_the_javascript_sdk_child_uses_the_endpoint(
    workspace_env: Workspace, role_arn: str, node: str
) -> None:
    result = exec_server(workspace_env, role_arn, node, str(NODE_SCRIPT))
    assert result.returncode == 0, result.stderr
    assert f":assumed-role/{role_arn.rsplit('/', 1)[1]}/" in json.loads(result.stdout)["Arn"]


def test_the_endpoint_refuses_without_its_token_and_serves_refreshed_credentials(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    result = exec_server(workspace_env, role_arn, sys.executable, "-c", PROBE_CHILD)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["statuses"] == [401, 403, 404]
    assert set(seen["first"]) >= {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    assert seen["second"]["AccessKeyId"] != seen["first"]["AccessKeyId"], "a due entry is refreshed"
    assert aws_server.calls(ACTION) == 2


def test_serve_prints_the_variables_serves_and_stops_on_sigterm(
    workspace_env: Workspace, role_arn: str
) -> None:
    server = subprocess.Popen(
        ["aws-gitpod", "serve", "--role", role_arn],
        env=workspace_env.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    try:
        variables = dict(
            line.removeprefix("export ").replace("'", "").split("=", 1)
            for line in (server.stdout.readline().strip(), server.stdout.readline().strip())
        )
        request = urllib.request.Request(  # noqa: S310 - the endpoint's own http URL
            variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
            headers={"Authorization": variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"]},
        )
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
            assert json.load(reply)["AccessKeyId"].startswith("ASIA")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"], timeout=30)  # noqa: S310
        assert refused.value.code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    assert time.monotonic() - started < 10
    assert "serving credentials at http://127.0.0.1:" in stderr

"""A credentials endpoint for programs that cannot run a credential process, or outlive one session.

It speaks the container-credentials protocol every AWS SDK reads (ECS tasks use it): the program gets
`AWS_CONTAINER_CREDENTIALS_FULL_URI` (this endpoint, on 127.0.0.1) and `AWS_CONTAINER_AUTHORIZATION_TOKEN`
(a fresh random token), sends the token as its `Authorization` header, and receives
`{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`. It asks again by itself before `Expiration`,
so a dev server or a watcher keeps working for as long as the workspace lives. Answers come from the same
cache as `aws-gitpod creds` (one STS call per session, shared with every other caller).

A request without the token is refused with 401, one with another token with 403; only GET of the
credentials path is served. The endpoint listens on the loopback interface only: SDKs accept plain http
only for loopback hosts, and nothing else on the network should reach it.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from awscli_gitpod import errors
from awscli_gitpod.credentials import Credentials

PATH = "/credentials"
HOST = "127.0.0.1"
URI_VARIABLE = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN_VARIABLE = "AWS_CONTAINER_AUTHORIZATION_TOKEN"  # noqa: S105 - a variable's name


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    token: str
    fetch: Callable[[], Credentials]
    fetching: threading.Lock


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests carry a secret header; and the child's own output is what the terminal is for

    def _answer(self, status: int, document: dict[str, Any] | dict[str, object]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path != PATH:
            self._answer(404, {"message": f"not found: the credentials are at {PATH}"})
            return
        given = self.headers.get("Authorization")
        if not given:
            self._answer(401, {"message": f"no Authorization header: send {TOKEN_VARIABLE}"})
            return
        if not hmac.compare_digest(given.encode(), self.server.token.encode()):
            self._answer(403, {"message": f"the Authorization header is not {TOKEN_VARIABLE}"})
            return
        try:
            with self.server.fetching:  # one refresh for many concurrent requests: the cache answers the rest
                credentials = self.server.fetch()
        except errors.Failure as failure:
            self._answer(503, {"code": "CredentialsUnavailable", "message": failure.message})
            return
        self._answer(200, credentials.container_document())

    def do_POST(self) -> None:
        self._answer(405, {"message": "only GET"})

    do_PUT = do_DELETE = do_POST


class CredentialServer:
    """The endpoint, in a daemon thread: `start()`, hand `environment()` to the program, `stop()`."""

    def __init__(self, fetch: Callable[[], Credentials], port: int = 0) -> None:
        self.token = secrets.token_urlsafe(32)
        self._server = _Server((HOST, port), _Handler)
        self._server.token = self.token
        self._server.fetch = fetch
        self._server.fetching = threading.Lock()
        self._thread = threading.Thread(target=self._server.serve_forever, name="credentials", daemon=True)
        self._started = False

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}{PATH}"

    def environment(self) -> dict[str, str]:
        return {URI_VARIABLE: self.url, TOKEN_VARIABLE: self.token}

    def start(self) -> CredentialServer:
        self._thread.start()
        self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._server.shutdown()  # waits for the serving loop, which only a started server has
            self._thread.join(timeout=5)
        self._server.server_close()

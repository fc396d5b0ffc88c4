"""moto in server mode behind a WSGI middleware: a realistic STS, call counters and fault injection.

moto's AssumeRoleWithWebIdentity hands out credentials for any token; code that handles real STS's errors
can only be tested against something that raises them. The middleware makes the checks real STS makes
(`sts_checks.check_web_identity`), then lets moto answer, and adds the response fields moto leaves out.

Everything is real HTTP: clients reach the server through `AWS_ENDPOINT_URL`. Other processes read
the counters at `GET /_testbed/calls` and inject faults with `POST /_testbed/inject`.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl
from urllib.request import ProxyHandler, Request, build_opener
from xml.sax.saxutils import escape

from awscli_gitpod.testing.issuer import DEFAULT_AUDIENCE, DEFAULT_CONTEXT_URL
from awscli_gitpod.testing.serving import BackgroundServer
from awscli_gitpod.testing.sts_checks import (
    ACCOUNT_ID,
    JWKS_TIMEOUT,
    StsError,
    TrustPolicyHook,
    WebIdentity,
    check_web_identity,
    fetch_json,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from werkzeug.serving import BaseWSGIServer

TESTBED_PREFIX = "/_testbed/"
# Unsigned calls carry no credential scope naming their service.
_UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity": "sts", "AssumeRoleWithSAML": "sts"}
_QUERY_NAMESPACES = {
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}

# --- the middleware -----------------------------------------------------------------------------


@dataclass
class Fault:
    """The next `times` calls of `action` (None: every call) wait `delay` s, then fail if `code`/`status`."""

    action: str
    code: str | None = None
    status: int | None = None
    message: str | None = None
    times: int | None = 1
    delay: float = 0.0
    service: str | None = None


@dataclass(frozen=True)
class _Call:
    service: str
    action: str
    params: dict[str, str]
    json_protocol: bool


def _identify(environ: WSGIEnvironment, body: bytes) -> _Call | None:
    params = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    if str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8", "replace")))
    scope_service = ""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    match = re.search(r"Credential=[^/,]+/[^/]+/[^/]+/([^/,]+)/", authorization)
    if match:
        scope_service = match.group(1)
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        prefix, _, action = target.rpartition(".")
        return _Call(scope_service or prefix.lower(), action, params, True)
    if "Action" in params:
        action = params["Action"]
        service = scope_service or _UNSIGNED_ACTIONS.get(action, "")
        return _Call(service, action, params, False)
    rpc = re.fullmatch(r"/service/([^/]+)/operation/([^/]+)", str(environ.get("PATH_INFO", "")))
    if rpc:  # Smithy RPC v2 (CBOR): no form, no target
        return _Call(scope_service or rpc.group(1).lower(), rpc.group(2), params, True)
    return None


def _error_response(call: _Call, error: StsError, start_response: StartResponse) -> Iterable[bytes]:
    request_id = str(uuid.uuid4())
    if call.json_protocol:
        body = json.dumps({"__type": error.code, "message": error.message}).encode("utf-8")
        content_type = "application/x-amz-json-1.1"
    else:
        kind = "Receiver" if error.status >= 500 else "Sender"
        namespace = _QUERY_NAMESPACES.get(call.service, "")
        xmlns = f' xmlns="{namespace}"' if namespace else ""
        body = (
            f"<ErrorResponse{xmlns}>\n  <Error>\n    <Type>{kind}</Type>\n"
            f"    <Code>{escape(error.code)}</Code>\n    <Message>{escape(error.message)}</Message>\n"
            f"  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n"
        ).encode()
        content_type = "text/xml"
    reasons = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable"}
    start_response(
        f"{error.status} {reasons.get(error.status, 'Error')}",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", request_id),
        ],
    )
    return [body]


def _json_response(start_response: StartResponse, status: str, document: object) -> Iterable[bytes]:
    body = json.dumps(document, indent=2, sort_keys=True).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _default_error(status: int) -> tuple[str, str]:
    if status == 503:
        return "ServiceUnavailable", "Service is unable to handle request."
    if status >= 500:
        return "InternalFailure", "The request processing has failed because of an unknown error."
    if status == 429:
        return "Throttling", "Rate exceeded"
    return "InvalidAction", "The action is not valid for this endpoint."


class TestbedMiddleware:
    """Counts, injects faults, and checks web identity tokens in front of moto's WSGI app."""

    __test__ = False  # not a pytest test class despite the name

    def __init__(self, app: WSGIApplication, trust_policy: TrustPolicyHook | None = None) -> None:
        self.app = app
        self.trust_policy = trust_policy
        self._lock = threading.Lock()
        self._calls: Counter[tuple[str, str]] = Counter()
        self._last_params: dict[str, dict[str, str]] = {}
        self._faults: list[Fault] = []

    # counters and faults

    def calls(self, action: str, service: str | None = None) -> int:
        with self._lock:
            return sum(
                count
                for (call_service, call_action), count in self._calls.items()
                if call_action == action and service in (None, call_service)
            )

    def all_calls(self) -> dict[str, int]:
        with self._lock:
            return {f"{service}:{action}": count for (service, action), count in self._calls.items()}

    def last_params(self, action: str) -> dict[str, str]:
        """The form parameters of the latest `action` request (query-protocol services), token and all."""
        with self._lock:
            return dict(self._last_params.get(action, {}))

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()
            self._last_params.clear()

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, call: _Call) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.action == call.action and fault.service in (None, call.service):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # WSGI

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(TESTBED_PREFIX):
            return self._control(path[len(TESTBED_PREFIX) :], environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
        call = _identify(environ, body)
        if call is None:
            return self.app(environ, start_response)
        with self._lock:
            self._calls[(call.service, call.action)] += 1
            self._last_params[call.action] = dict(call.params)
        fault = self._take_fault(call)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.code is not None or fault.status is not None:
                status = fault.status or 400
                code, message = _default_error(status)
                error = StsError(fault.code or code, fault.message or message, status)
                return _error_response(call, error, start_response)
        if call.service == "sts" and call.action == "AssumeRoleWithWebIdentity":
            try:
                identity = check_web_identity(call.params, self.trust_policy)
            except StsError as error:
                return _error_response(call, error, start_response)
            return self._assume_role(identity, environ, start_response)
        return self.app(environ, start_response)

    def _assume_role(
        self, identity: WebIdentity, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """Let moto answer, then add the fields real STS returns and moto does not."""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        if str(captured["status"]).startswith("200"):
            extra = (
                f"<SubjectFromWebIdentityToken>{escape(str(identity.claims.get('sub', '')))}"
                f"</SubjectFromWebIdentityToken>"
                f"<Audience>{escape(identity.audience)}</Audience>"
                f"<Provider>{escape(identity.provider_arn)}</Provider>"
            ).encode()
            body = body.replace(
                b"</AssumeRoleWithWebIdentityResult>", extra + b"</AssumeRoleWithWebIdentityResult>", 1
            )
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _control(
        self, command: str, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if command == "calls" and method == "GET":
            return _json_response(start_response, "200 OK", {"calls": self.all_calls()})
        if command == "reset" and method == "POST":
            self.reset_calls()
            self.clear_faults()
            return _json_response(start_response, "200 OK", {"ok": True})
        if command == "inject" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                request = json.loads(environ["wsgi.input"].read(length) or b"{}")
                fault = Fault(**request)
            except (TypeError, ValueError) as error:
                return _json_response(start_response, "400 Bad Request", {"error": str(error)})
            self.inject(fault)
            return _json_response(start_response, "200 OK", {"ok": True, "fault": asdict(fault)})
        return _json_response(start_response, "404 Not Found", {"error": "unknown testbed command"})


# --- the server ---------------------------------------------------------------------------------


class AwsServer(BackgroundServer):
    """moto behind `TestbedMiddleware` on 127.0.0.1, in a daemon thread; create it with `start()`."""

    def __init__(self, trust_policy: TrustPolicyHook | None = None, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self._trust_policy = trust_policy
        self._middleware: TestbedMiddleware | None = None

    @classmethod
    def start(cls, trust_policy: TrustPolicyHook | None = None) -> AwsServer:
        server = cls(trust_policy)
        server._serve()
        return server

    def _create_server(self) -> BaseWSGIServer:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log(self, type: str, message: str, *args: Any) -> None:
                pass  # one line per request would drown test output

        self._middleware = TestbedMiddleware(
            DomainDispatcherApplication(create_backend_app), self._trust_policy
        )
        return make_server(self._host, 0, self._middleware, threaded=True, request_handler=QuietHandler)

    @property
    def middleware(self) -> TestbedMiddleware:
        if self._middleware is None:
            raise RuntimeError("the server is not running; use AwsServer.start()")
        return self._middleware

    @property
    def endpoint_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def calls(self, action: str, service: str | None = None) -> int:
        """How many requests for `action` (e.g. `AssumeRoleWithWebIdentity`) reached the server."""
        return self.middleware.calls(action, service)

    def all_calls(self) -> dict[str, int]:
        return self.middleware.all_calls()

    def last_params(self, action: str) -> dict[str, str]:
        return self.middleware.last_params(action)

    def reset_calls(self) -> None:
        self.middleware.reset_calls()

    def inject(
        self,
        action: str,
        code: str | None = None,
        status: int | None = None,
        message: str | None = None,
        times: int | None = 1,
        delay: float = 0.0,
        service: str | None = None,
    ) -> None:
        """Make the next `times` calls (None: all) of `action` fail, or wait `delay` seconds first.

        `status` defaults to 400 with a `code`; without a `code` it picks one: 500 InternalFailure,
        503 ServiceUnavailable, 429 Throttling. With only `delay` the call succeeds, late.
        Note that botocore retries 5xx and throttling errors by itself.
        """
        self.middleware.inject(Fault(action, code, status, message, times, delay, service))

    def clear_faults(self) -> None:
        self.middleware.clear_faults()

    def reset(self) -> None:
        """Counters and faults, not moto's state."""
        self.reset_calls()
        self.clear_faults()


# --- helpers for tests, demos and other processes -----------------------------------------------


def fetch_calls(endpoint_url: str) -> dict[str, int]:
    """The server's counters, `{"sts:AssumeRoleWithWebIdentity": 2, ...}`, over HTTP."""
    calls = fetch_json(endpoint_url.rstrip("/") + TESTBED_PREFIX + "calls")["calls"]
    return {str(name): int(count) for name, count in calls.items()}


def remote_inject(endpoint_url: str, action: str, **fault: Any) -> None:
    """`AwsServer.inject` over HTTP, for a server in another process."""
    body = json.dumps({"action": action, **fault}).encode("utf-8")
    request = Request(  # noqa: S310 (the test server's own URL)
        endpoint_url.rstrip("/") + TESTBED_PREFIX + "inject",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with build_opener(ProxyHandler({})).open(request, timeout=JWKS_TIMEOUT) as reply:
        reply.read()


def admin_client(endpoint_url: str, service: str, region: str = "us-east-1") -> Any:
    """A boto3 client with dummy credentials against the server (moto accepts any)."""
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (moto's dummy credentials)
        region_name=region,
    )
    return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]


def create_oidc_role(
    endpoint_url: str,
    issuer_url: str,
    role_name: str = "gitpod-test",
    audience: str = DEFAULT_AUDIENCE,
    max_session_duration: int = 3600,
    subject: str = DEFAULT_CONTEXT_URL,
) -> str:
    """An IAM OIDC provider for `issuer_url` (created or extended) and a role it may assume; the role ARN.

    The trust policy pins `<provider>:aud` and `<provider>:sub` with StringEquals, as the docs advise.
    """
    iam = admin_client(endpoint_url, "iam")
    provider_path = issuer_url.split("://", 1)[-1].rstrip("/")
    provider_arn = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{provider_path}"
    existing = {p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
    if provider_arn in existing:
        client_ids = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)["ClientIDList"]
        if audience not in client_ids:
            iam.add_client_id_to_open_id_connect_provider(
                OpenIDConnectProviderArn=provider_arn, ClientID=audience
            )
    else:
        provider_arn = iam.create_open_id_connect_provider(Url=issuer_url, ClientIDList=[audience])[
            "OpenIDConnectProviderArn"
        ]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{provider_path}:aud": audience,
                        f"{provider_path}:sub": subject,
                    }
                },
            }
        ],
    }
    role = iam.create_role(
        RoleName=role_name,
        AssumeRolePolicyDocument=json.dumps(policy),
        MaxSessionDuration=max_session_duration,
    )
    return str(role["Role"]["Arn"])

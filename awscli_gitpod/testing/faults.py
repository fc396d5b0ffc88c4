"""Faults on the wire, for proving what the credential path promises when STS or the issuer misbehaves.

- `FaultProxy`: an HTTP proxy on 127.0.0.1 in front of a real server (the test bed's STS): point
  `AWS_ENDPOINT_URL_STS` at it and give it a `FaultPlan`.
- `HostileIssuer`: an OIDC issuer of its own on 127.0.0.1 whose discovery document and keys come with the
  same faults (tokens name it in `iss`; they are signed with a test bed `Issuer`'s key, whose JWKS it serves).

A plan is a list of `Fault`s. For each request the first fault that matches (its path prefix, its count
not used up, and a draw under its `rate` from the plan's seeded random source) decides what happens:

| kind | what the client sees |
|---|---|
| `delay` | the real answer, `seconds` late |
| `stall` | nothing at all: the connection stays open and silent until the server stops |
| `reset` | the connection closed before any answer |
| `error` | HTTP `status` with an AWS error `code` (query-protocol XML) |
| `truncate` | the real headers (with the full Content-Length), half the body, then a closed connection |
| `garble` | the real answer with its body scrambled (same length, same headers) |
| `drip` | the real answer, one byte every `seconds` |
| `huge` | a 200 with a body of `size` bytes (without a Content-Length unless `declared`) |
| `redirect` | a 302 to `location` |
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from awscli_gitpod.testing.serving import BackgroundServer

KINDS = ("delay", "stall", "reset", "error", "truncate", "garble", "drip", "huge", "redirect")


@dataclass
class Fault:
    kind: str
    rate: float = 1.0  # the chance that a matching request gets this fault
    times: int | None = None  # at most this many (None: no limit)
    path: str = ""  # only requests whose path starts with this
    seconds: float = 1.0  # delay; drip: the pause between bytes
    status: int = 503
    code: str = "ServiceUnavailable"
    size: int = 8 * 1024 * 1024
    declared: bool = True  # huge: whether the Content-Length announces the size
    location: str = "http://127.0.0.2:9/elsewhere"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (expected one of {', '.join(KINDS)})")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class FaultPlan:
    """The faults in force, thread-safe, with a seeded random source so that a run can be repeated."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._random = random.Random(seed)  # noqa: S311 - test faults, not secrets
        self.requests: Counter[str] = Counter()
        self.applied: Counter[str] = Counter()

    def set(self, *faults: Fault, seed: int | None = None) -> None:
        """Replace the plan (and reseed it, when `seed` is given)."""
        with self._lock:
            self._faults = list(faults)
            if seed is not None:
                self._random.seed(seed)

    def clear(self) -> None:
        self.set()
        with self._lock:
            self.requests.clear()
            self.applied.clear()

    def pick(self, path: str) -> Fault | None:
        with self._lock:
            self.requests[path] += 1
            for fault in self._faults:
                if not path.startswith(fault.path) or fault.times == 0:
                    continue
                if self._random.random() >= fault.rate:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                self.applied[fault.kind] += 1
                return fault
        return None

    def total_requests(self) -> int:
        with self._lock:
            return sum(self.requests.values())


def aws_error_body(code: str, message: str) -> bytes:
    return (
        f"<ErrorResponse><Error><Type>Receiver</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    ).encode()


class _FaultyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    plan: FaultPlan
    answer: Callable[[BaseHTTPRequestHandler, bytes], Answer]
    stopping: threading.Event


class _Handler(BaseHTTPRequestHandler):
    server: _FaultyServer
    protocol_version = "HTTP/1.0"  # one request per connection: a fault never leaks into the next request

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown test output

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length) if length else b"")

    def _handle(self, body: bytes) -> None:
        fault = self.server.plan.pick(urlsplit(self.path).path)
        kind = fault.kind if fault is not None else None
        if fault is not None and kind == "stall":
            self.server.stopping.wait(3600)
            self.close_connection = True
            return
        if fault is not None and kind == "reset":
            self.close_connection = True
            return
        if fault is not None and kind == "error":
            self._send(
                Answer(fault.status, [("Content-Type", "text/xml")], aws_error_body(fault.code, "injected"))
            )
            return
        if fault is not None and kind == "huge":
            self._send_huge(fault.size, fault.declared)
            return
        if fault is not None and kind == "redirect":
            self._send(Answer(302, [("Location", fault.location)], b""))
            return
        if fault is not None and kind == "delay":
            self.server.stopping.wait(fault.seconds)
        answer = self.server.answer(self, body)
        if fault is not None and kind == "truncate":
            self._send(answer, body=answer.body[: len(answer.body) // 2])
        elif fault is not None and kind == "garble":
            self._send(Answer(answer.status, answer.headers, _garble(answer.body)))
        elif fault is not None and kind == "drip":
            self._send(answer, drip=fault.seconds)
        else:
            self._send(answer)

    def _send(self, answer: Answer, body: bytes | None = None, drip: float = 0.0) -> None:
        """The answer's status and headers with its full Content-Length, then `body` (default: all)."""
        self.send_response(answer.status)
        for name, value in answer.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        data = answer.body if body is None else body
        try:
            if not drip:
                self.wfile.write(data)
                return
            for index in range(len(data)):
                if self.server.stopping.wait(drip):
                    return
                self.wfile.write(data[index : index + 1])
                self.wfile.flush()
        except OSError:
            pass  # the client gave up: that is what the fault is for

    def _send_huge(self, size: int, declared: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if declared:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b" " * 65536
        try:
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            pass


def _garble(body: bytes) -> bytes:
    # Same length, every other byte replaced: a parser sees something, never a valid document.
    return bytes(byte if index % 2 else 0x7E for index, byte in enumerate(body))


class _FaultyBackground(BackgroundServer):
    def __init__(self, plan: FaultPlan | None = None, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.plan = plan or FaultPlan()
        self._stopping = threading.Event()

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> Answer:
        raise NotImplementedError

    def _create_server(self) -> _FaultyServer:
        server = _FaultyServer((self._host, 0), _Handler)
        server.plan = self.plan
        server.answer = self._answer
        server.stopping = self._stopping
        return server

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def stop(self) -> None:
        self._stopping.set()  # ends stalls and drips, so that shutdown does not wait for them
        super().stop()


class FaultProxy(_FaultyBackground):
    """Forwards every request to `upstream` (scheme, host and port), applying the plan."""

    def __init__(self, upstream: str, plan: FaultPlan | None = None) -> None:
        super().__init__(plan)
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)

    @classmethod
    def start(cls, upstream: str, plan: FaultPlan | None = None) -> FaultProxy:
        proxy = cls(upstream, plan)
        proxy._serve()
        return proxy

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> Answer:
        connection = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            headers = {name: value for name, value in handler.headers.items() if name.lower() != "host"}
            connection.request(handler.command, handler.path, body=body, headers=headers)
            reply = connection.getresponse()
            return Answer(reply.status, reply.getheaders(), reply.read())
        finally:
            connection.close()


class HostileIssuer(_FaultyBackground):
    """An issuer at its own URL (`url + path`), serving the keys `jwks()` returns, with the plan's faults."""

    def __init__(self, jwks: Callable[[], dict[str, Any]], plan: FaultPlan | None = None, path: str = "/idp"):
        super().__init__(plan)
        self._jwks = jwks
        self._path = path

    @classmethod
    def start(cls, jwks: Callable[[], dict[str, Any]], plan: FaultPlan | None = None) -> HostileIssuer:
        issuer = cls(jwks, plan)
        issuer._serve()
        return issuer

    @property
    def issuer_url(self) -> str:
        return self.url + self._path

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> Answer:
        path = urlsplit(handler.path).path
        if path == self._path + "/.well-known/openid-configuration":
            document: object = {"issuer": self.issuer_url, "jwks_uri": self.issuer_url + "/keys"}
        elif path == self._path + "/keys":
            document = self._jwks()
        else:
            return Answer(404, [("Content-Type", "text/plain")], b"not found")
        return Answer(200, [("Content-Type", "application/json")], json.dumps(document).encode())

    def claims(
        self, subject: str = "https://github.com/gitpod-io/my-application", **extra: Any
    ) -> dict[str, Any]:
        """Classic-shaped claims naming this issuer."""
        now = int(time.time())
        return {
            "iss": self.issuer_url,
            "aud": ["sts.amazonaws.com"],
            "azp": "sts.amazonaws.com",
            "sub": subject,
            "iat": now,
            "exp": now + 3600,
            **extra,
        }

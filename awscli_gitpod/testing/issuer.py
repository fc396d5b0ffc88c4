"""A local OIDC issuer that signs workspace tokens the way Gitpod's IdP does.

Gitpod Classic serves `<iss>/.well-known/openid-configuration` and the keys at `<iss>/keys` (not
`/.well-known/jwks.json`), signs with RS256 and an RSA-2048 key whose `kid` is `id-<hex>`, and sends no
`typ` header. Each replica has its own key and makes a new one when it restarts (`rotate_key`).

Besides the two public endpoints, `POST <iss>/_testbed/token` mints a token for processes that cannot
call `Issuer.mint` (the stand-in `gp`/`gitpod`/`ona` executables).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from awscli_gitpod.testing.serving import BackgroundServer

DEFAULT_AUDIENCE = "sts.amazonaws.com"
DEFAULT_CONTEXT_URL = "https://github.com/gitpod-io/my-application"
DEFAULT_WORKSPACE_ID = "gitpodio-myapplication-abc12345xyz"
DEFAULT_USER_ID = "6c7f1b2e-4d3a-4b8e-9f10-2a5c7d8e9f01"
DEFAULT_ORG_ID = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
DEFAULT_NAME = "Gitpod Tester"
DEFAULT_EMAIL = "tester@example.com"
# Ona identifiers; the environment variables that carry them in an Ona environment are UNVERIFIED.
DEFAULT_PROJECT_ID = "019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5b"
DEFAULT_ENVIRONMENT_ID = "019a2b3c-5e6f-7a80-9b0c-1d2e3f4a5b6c"
DEFAULT_RUNNER_ID = "019a2b3c-6f70-7b81-8c9d-2e3f4a5b6c7d"

SHAPES = ("classic", "classic-keyed", "ona", "ona-v3")
TOKEN_PATH = "/_testbed/token"  # noqa: S105 (a URL path, not a secret)
DISCOVERY_PATH = "/.well-known/openid-configuration"
KEYS_PATH = "/keys"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _json_bytes(value: object) -> bytes:
    # Compact separators: what Go's encoding/json produces, so token sizes are realistic.
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


class SigningKey:
    """An RSA-2048 key with a Gitpod-style `kid`."""

    def __init__(self, kid: str | None = None) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = kid or f"id-{secrets.token_hex(8)}"

    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        header = {"alg": "RS256", "kid": kid or self.kid}
        signing_input = f"{b64url(_json_bytes(header))}.{b64url(_json_bytes(claims))}"
        signature = self.private.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"


def repository_of(context_url: str) -> str | None:
    """The clone URL Gitpod reports for a context URL: `https://github.com/o/r/pull/1` -> `.../o/r.git`."""
    parts = urlsplit(context_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # GitLab puts branch/tree views after `/-/` and allows nested groups; elsewhere it is owner/repo.
    path = parts.path.split("/-/", 1)[0] if "/-/" in parts.path else parts.path
    segments = [segment for segment in path.split("/") if segment]
    if "/-/" not in parts.path:
        segments = segments[:2]
    if len(segments) < 2:
        return None
    return f"{parts.scheme}://{parts.netloc}/{'/'.join(segments)}.git"


def _audiences(audience: list[str] | tuple[str, ...] | str) -> list[str]:
    audiences = [audience] if isinstance(audience, str) else list(audience)
    if not audiences:
        raise ValueError("at least one audience is required")
    return audiences


def build_claims(
    shape: str,
    issuer: str,
    audience: list[str] | tuple[str, ...] | str = DEFAULT_AUDIENCE,
    scope: str | None = None,
    lifetime: int = 3600,
    now: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The claims of a token of the given shape; see `Issuer.mint`."""
    if shape not in SHAPES:
        raise ValueError(f"unknown token shape {shape!r} (expected one of {', '.join(SHAPES)})")
    overrides = dict(overrides or {})
    issued = int(time.time()) if now is None else now
    audiences = _audiences(audience)

    def pick(name: str, default: str) -> str | None:
        # Derived claims (sub, repository) follow the overridden ids, so a test that sets
        # `environment_id=None` gets an Ona subject without `env:`, as the issuer would produce.
        return cast("str | None", overrides[name]) if name in overrides else default

    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audiences,  # always an array, even with one audience: Gitpod does this
        "azp": audiences[0],
        "iat": issued,
        "exp": issued + lifetime,
    }
    if shape.startswith("classic"):
        context = pick("context", DEFAULT_CONTEXT_URL) or "no-context"
        org_id = pick("org_id", DEFAULT_ORG_ID)
        user_id = pick("user_id", DEFAULT_USER_ID)
        claims.update(
            auth_time=issued,
            name=DEFAULT_NAME,
            email=DEFAULT_EMAIL,
            email_verified=False,
            user_id=user_id,
            org_id=org_id,
            workspace_id=DEFAULT_WORKSPACE_ID,
            context=context,
            repository=repository_of(context),
            c_hash=b64url(secrets.token_bytes(16)),
        )
        if shape == "classic-keyed":
            # The per-organization subject format: `key:value:...`, values not URL-encoded.
            claims["sub"] = f"org_id:{org_id}:user_id:{user_id}:context:{context}"
        else:
            claims["sub"] = context
    else:
        organization = pick("organization_id", DEFAULT_ORG_ID)
        project = pick("project_id", DEFAULT_PROJECT_ID)
        environment = pick("environment_id", DEFAULT_ENVIRONMENT_ID)
        claims.update(
            organization_id=organization,
            project_id=project,
            environment_id=environment,
            runner_id=DEFAULT_RUNNER_ID,
            creator_id=DEFAULT_USER_ID,
            context_url=pick("context_url", DEFAULT_CONTEXT_URL),
        )
        if shape == "ona":
            pairs = (("org", organization), ("prj", project), ("env", environment))
            claims["sub"] = "/".join(f"{key}:{value}" for key, value in pairs if value)
        else:
            second = ("project_id", project) if project else ("environment_id", environment)
            claims["sub"] = f"organization_id:{organization}:{second[0]}:{second[1]}"
    if scope:
        claims["scope"] = scope
    for name, value in overrides.items():
        claims[name] = value
    return {name: value for name, value in claims.items() if value is not None}


class Issuer(BackgroundServer):
    """A running issuer; create it with `Issuer.start()`."""

    def __init__(self, path: str = "/idp", host: str = "127.0.0.1") -> None:
        self.path = "/" + path.strip("/") if path.strip("/") else ""
        super().__init__(host)
        self._lock = threading.Lock()
        self._keys = [SigningKey()]
        self._foreign: SigningKey | None = None
        self._minted = 0
        self._hits: Counter[str] = Counter()
        self._unavailable = False

    @classmethod
    def start(cls, path: str = "/idp") -> Issuer:
        issuer = cls(path)
        issuer._serve()
        return issuer

    def _create_server(self) -> _IssuerHTTPServer:
        server = _IssuerHTTPServer((self._host, 0), _Handler)
        server.issuer = self
        return server

    @property
    def url(self) -> str:
        """The `iss` of every token, e.g. `http://127.0.0.1:PORT/idp`."""
        return f"http://{self._host}:{self.port}{self.path}"

    @property
    def token_endpoint(self) -> str:
        return self.url + TOKEN_PATH

    @property
    def kid(self) -> str:
        with self._lock:
            return self._keys[0].kid

    @property
    def minted(self) -> int:
        """How many tokens were minted, through `mint` or the HTTP endpoint."""
        with self._lock:
            return self._minted

    def hits(self, endpoint: str) -> int:
        """HTTP requests served per endpoint: `discovery`, `keys` or `token`."""
        with self._lock:
            return self._hits[endpoint]

    def reset_counters(self) -> None:
        with self._lock:
            self._minted = 0
            self._hits.clear()

    def set_unavailable(self, unavailable: bool = True) -> None:
        """Make discovery and JWKS answer 503, as an issuer that is down (minting still works)."""
        with self._lock:
            self._unavailable = unavailable

    @property
    def unavailable(self) -> bool:
        with self._lock:
            return self._unavailable

    def rotate_key(self, keep_previous: bool = False) -> str:
        """Replace the signing key, as a restarted IdP replica does; returns the new kid.

        With `keep_previous` the old key stays in the JWKS (another replica still using it).
        """
        key = SigningKey()
        with self._lock:
            self._keys = [key, *self._keys] if keep_previous else [key]
        return key.kid

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/auth",
            "jwks_uri": self.url + KEYS_PATH,
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid"],
            "claims_supported": ["iss", "sub", "aud", "azp", "exp", "iat", "auth_time"],
        }

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [key.jwk() for key in self._keys]}

    def mint(
        self,
        shape: str = "classic",
        audience: list[str] | str = DEFAULT_AUDIENCE,
        scope: str | None = None,
        lifetime: int = 3600,
        now: int | None = None,
        *,
        sign_with_foreign_key: bool = False,
        **overrides: Any,
    ) -> str:
        """An RS256 token of `shape` (`classic`, `classic-keyed`, `ona`, `ona-v3`).

        `overrides` replace or add claims; a value of `None` removes the claim. Ids given as overrides
        (`context`, `org_id`, `environment_id`...) also feed the derived `sub`, unless `sub` is given.
        `sign_with_foreign_key` signs with a key the issuer never published, under the current kid.
        """
        claims = build_claims(shape, self.url, audience, scope, lifetime, now, overrides)
        return self.sign(claims, sign_with_foreign_key=sign_with_foreign_key)

    def sign(self, claims: dict[str, Any], *, sign_with_foreign_key: bool = False) -> str:
        """Sign exactly these claims with the current key (counts as a mint)."""
        with self._lock:
            key = self._keys[0]
            if sign_with_foreign_key and self._foreign is None:
                self._foreign = SigningKey()
            signer = self._foreign if sign_with_foreign_key and self._foreign else key
            self._minted += 1
        return signer.sign(claims, kid=key.kid)

    def _count(self, endpoint: str) -> None:
        with self._lock:
            self._hits[endpoint] += 1


class _IssuerHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    issuer: Issuer


class _Handler(BaseHTTPRequestHandler):
    server: _IssuerHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _send_json(self, status: int, body: object) -> None:
        data = json.dumps(body, indent=2).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self) -> str | None:
        prefix = self.server.issuer.path
        path = urlsplit(self.path).path
        if not path.startswith(prefix):
            return None
        return path[len(prefix) :] or "/"

    def do_GET(self) -> None:
        issuer = self.server.issuer
        route = self._route()
        endpoint = {DISCOVERY_PATH: "discovery", KEYS_PATH: "keys"}.get(route or "")
        if endpoint is None:
            self._send_json(404, {"error": "not found"})
            return
        issuer._count(endpoint)
        if issuer.unavailable:
            self._send_json(503, {"error": "service unavailable"})
        elif endpoint == "discovery":
            self._send_json(200, issuer.discovery())
        else:
            self._send_json(200, issuer.jwks())

    def do_POST(self) -> None:
        issuer = self.server.issuer
        if self._route() != TOKEN_PATH:
            self._send_json(404, {"error": "not found"})
            return
        issuer._count("token")
        try:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(request, dict):
                raise TypeError("the request body must be a JSON object")
            claims = request.get("claims") or {}
            if not isinstance(claims, dict):
                raise TypeError("`claims` must be a JSON object")
            built = build_claims(
                shape=str(request.get("shape") or "classic"),
                issuer=issuer.url,
                audience=request.get("audience") or DEFAULT_AUDIENCE,
                scope=request.get("scope"),
                lifetime=int(request.get("lifetime") or 3600),
                overrides=claims,
            )
            token = issuer.sign(built, sign_with_foreign_key=bool(request.get("sign_with_foreign_key")))
        except (TypeError, ValueError) as error:
            self._send_json(400, {"error": str(error)})
            return
        self._send_json(200, {"token": token})

"""A local OIDC issuer that signs workspace tokens the way Gitpod Classic's IdP or Ona's does.

`flavor="classic"` is the Classic IdP (public-api-server `identityprovider`): the discovery document at
`<iss>/.well-known/openid-configuration` with every endpoint but the keys at `<iss>/not-supported`, the keys
at `<iss>/keys` (not `/.well-known/jwks.json`), RS256 with an RSA-2048 key whose `kid` is
`id-<sha256 of the modulus, hex>`, and no `typ` header. Each replica has its own key and makes a new one when
it restarts (`rotate_key`); the JWKS keeps every key still persisted.

`flavor="ona"` is `https://app.gitpod.io`: no path, kid `k0` as in Ona's documented example. Its JWKS path
and discovery contents are unverified: the keys are served at `/.well-known/jwks.json`, a path other than
Classic's, so that a client is seen to follow `jwks_uri` rather than guess it.

Either flavor mints any shape (`awscli_gitpod.testing.tokenshapes`). Besides the public endpoints,
`POST <iss>/_testbed/token` mints a token for processes that cannot call `Issuer.mint` (the stand-in
`gp`/`gitpod`/`ona` executables).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from awscli_gitpod.testing.serving import BackgroundServer
from awscli_gitpod.testing.tokenshapes import (
    DEFAULT_AUDIENCE,
    DEFAULT_CONTEXT_URL,
    DEFAULT_EMAIL,
    DEFAULT_ENVIRONMENT_ID,
    DEFAULT_LIFETIME,
    DEFAULT_NAME,
    DEFAULT_ORG_ID,
    DEFAULT_PROJECT_ID,
    DEFAULT_RUNNER_ID,
    DEFAULT_USER_ID,
    DEFAULT_WORKSPACE_ID,
    SHAPES,
    build_claims,
    repository_of,
    split_fields,
)

__all__ = [
    "DEFAULT_AUDIENCE",
    "DEFAULT_CONTEXT_URL",
    "DEFAULT_EMAIL",
    "DEFAULT_ENVIRONMENT_ID",
    "DEFAULT_NAME",
    "DEFAULT_ORG_ID",
    "DEFAULT_PROJECT_ID",
    "DEFAULT_RUNNER_ID",
    "DEFAULT_USER_ID",
    "DEFAULT_WORKSPACE_ID",
    "FLAVORS",
    "SHAPES",
    "Issuer",
    "SigningKey",
    "build_claims",
    "repository_of",
]

FLAVORS = {"classic": "classic", "ona": "ona-v2"}  # flavor -> the shape `mint` makes by default
TOKEN_PATH = "/_testbed/token"  # noqa: S105 (a URL path, not a secret)
DISCOVERY_PATH = "/.well-known/openid-configuration"
KEYS_PATHS = {"classic": "/keys", "ona": "/.well-known/jwks.json"}
# The Classic IdP's discovery document lists these, all answered by `<iss>/not-supported`.
NOT_SUPPORTED_ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "introspection_endpoint",
    "userinfo_endpoint",
    "revocation_endpoint",
    "end_session_endpoint",
)
CLASSIC_CLAIMS_SUPPORTED = [
    "sub",
    "aud",
    "exp",
    "iat",
    "iss",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "c_hash",
    "at_hash",
    "act",
    "scopes",
    "client_id",
    "azp",
    "preferred_username",
    "name",
    "family_name",
    "given_name",
    "locale",
    "email",
]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _json_bytes(value: object) -> bytes:
    # Compact separators: what Go's encoding/json produces, so token sizes are realistic.
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


class SigningKey:
    """An RSA-2048 key; its `kid` is Classic's `id-<sha256 of the modulus>` unless one is given."""

    def __init__(self, kid: str | None = None) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        modulus = self.private.public_key().public_numbers().n
        self.kid = (
            kid
            or "id-" + hashlib.sha256(modulus.to_bytes((modulus.bit_length() + 7) // 8, "big")).hexdigest()
        )

    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {
            "use": "sig",
            "kty": "RSA",
            "kid": self.kid,
            "alg": "RS256",
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        header = {"alg": "RS256", "kid": kid or self.kid}
        signing_input = f"{b64url(_json_bytes(header))}.{b64url(_json_bytes(claims))}"
        signature = self.private.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"


class Issuer(BackgroundServer):
    """A running issuer; create it with `Issuer.start()` (Classic at `/idp`) or
    `Issuer.start(path="", flavor="ona")`."""

    def __init__(self, path: str = "/idp", host: str = "127.0.0.1", flavor: str = "classic") -> None:
        if flavor not in FLAVORS:
            raise ValueError(f"unknown issuer flavor {flavor!r} (expected one of {', '.join(FLAVORS)})")
        self.path = "/" + path.strip("/") if path.strip("/") else ""
        self.flavor = flavor
        super().__init__(host)
        self._lock = threading.Lock()
        self._rotations = 0
        self._keys = [self._new_key()]
        self._foreign: SigningKey | None = None
        self._minted = 0
        self._hits: Counter[str] = Counter()
        self._unavailable = False

    @classmethod
    def start(cls, path: str = "/idp", flavor: str = "classic") -> Issuer:
        issuer = cls(path, flavor=flavor)
        issuer._serve()
        return issuer

    def _new_key(self) -> SigningKey:
        # Ona's documented example names its key `k0`; later keys are numbered on.
        return SigningKey(f"k{self._rotations}" if self.flavor == "ona" else None)

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
    def jwks_uri(self) -> str:
        return self.url + KEYS_PATHS[self.flavor]

    @property
    def default_shape(self) -> str:
        return FLAVORS[self.flavor]

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
        with self._lock:
            self._rotations += 1
            key = self._new_key()
            self._keys = [key, *self._keys] if keep_previous else [key]
        return key.kid

    def discovery(self) -> dict[str, Any]:
        if self.flavor == "ona":
            return {
                "issuer": self.url,
                "jwks_uri": self.jwks_uri,
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        not_supported = self.url + "/not-supported"
        return {
            "issuer": self.url,
            **dict.fromkeys(NOT_SUPPORTED_ENDPOINTS, not_supported),
            "jwks_uri": self.jwks_uri,
            "scopes_supported": ["openid", "profile", "email", "phone", "address", "offline_access"],
            "response_types_supported": ["code", "id_token", "id_token token"],
            "grant_types_supported": ["authorization_code", "implicit"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "introspection_endpoint_auth_methods_supported": ["none"],
            "introspection_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "claims_supported": CLASSIC_CLAIMS_SUPPORTED,
            "request_uri_parameter_supported": False,
        }

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [key.jwk() for key in self._keys]}

    def mint(
        self,
        shape: str | None = None,
        audience: list[str] | str = DEFAULT_AUDIENCE,
        scope: str | None = None,
        lifetime: int = DEFAULT_LIFETIME,
        now: int | None = None,
        *,
        sub_keys: list[str] | None = None,
        sign_with_foreign_key: bool = False,
        **fields: Any,
    ) -> str:
        """An RS256 token of `shape` (one of `tokenshapes.SHAPES`; default: the flavor's own).

        `fields` named after an `Identity` field (`context_url`, `environment_id`, `project_id`...) say who
        the token is for, and the claims derived from them (`sub`, `context`, `repository`...) follow; any
        other name replaces that claim, and `None` removes it. `sub_keys`: the Classic keyed subject's keys,
        or Ona V3's extra sub fields. `sign_with_foreign_key` signs with a key the issuer never published,
        under the current kid.
        """
        identity, overrides = split_fields(fields)
        claims = build_claims(
            shape or self.default_shape,
            self.url,
            audience,
            scope,
            lifetime,
            now,
            identity,
            sub_keys,
            overrides,
        )
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
        # Compact, with a final newline: what Go's json.Encoder writes.
        data = (json.dumps(body, separators=(",", ":")) + "\n").encode("utf-8")
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
        endpoint = {DISCOVERY_PATH: "discovery", KEYS_PATHS[issuer.flavor]: "keys"}.get(route or "")
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
            fields = request.get("claims") or {}
            sub_keys = request.get("sub_keys")
            if not isinstance(fields, dict) or not isinstance(sub_keys, (list, type(None))):
                raise TypeError("`claims` must be a JSON object and `sub_keys` a list")
            identity, overrides = split_fields(fields)
            built = build_claims(
                shape=str(request.get("shape") or issuer.default_shape),
                issuer=issuer.url,
                audience=request.get("audience") or DEFAULT_AUDIENCE,
                scope=request.get("scope"),
                lifetime=int(request.get("lifetime") or DEFAULT_LIFETIME),
                identity=identity,
                sub_keys=sub_keys,
                overrides=overrides,
            )
            token = issuer.sign(built, sign_with_foreign_key=bool(request.get("sign_with_foreign_key")))
        except (TypeError, ValueError) as error:
            self._send_json(400, {"error": str(error)})
            return
        self._send_json(200, {"token": token})

"""Fetching an issuer's discovery document and keys as STS would: bounded in time and size, and never
from another host than the one asked.

A real discovery document or JWKS is a few KiB; one over `MAX_DOCUMENT_BYTES` is refused rather than
read into memory. The whole fetch, headers and body, ends by the deadline, even when the server drips one
byte at a time (each read returns what arrived, and the deadline is checked between reads). A redirect to
another scheme, host or port is refused: the issuer's keys must come from the issuer.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

MAX_DOCUMENT_BYTES = 1024 * 1024
_READ_SIZE = 65536


class FetchFailed(Exception):
    """One line saying why the document could not be had (never its content)."""


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, origin: tuple[str, str]) -> None:
        self.origin = origin

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if _origin(newurl) != self.origin:
            raise FetchFailed(f"redirected to another host ({urlsplit(newurl).netloc or newurl}); refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def get_json(url: str, deadline: float) -> dict[str, Any]:
    """The JSON object at `url`, fetched before the monotonic `deadline`; FetchFailed otherwise."""
    if not url.startswith(("https://", "http://")):
        raise FetchFailed(f"not an http(s) URL: {url or '(none)'}")
    opener = urllib.request.build_opener(_SameOriginRedirects(_origin(url)))
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchFailed("no time left")
    try:
        with opener.open(request, timeout=left) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
                raise FetchFailed(
                    f"the document is {int(declared)} bytes, over the {MAX_DOCUMENT_BYTES} bytes allowed"
                )
            body = _read_bounded(response, deadline)
    except FetchFailed:
        raise
    except urllib.error.HTTPError as error:
        raise FetchFailed(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise FetchFailed(f"cannot connect: {error.reason}") from None
    except (OSError, ValueError) as error:  # timeouts, resets, a malformed response
        raise FetchFailed(f"{type(error).__name__}: {error}") from None
    try:
        document = json.loads(body)
    except ValueError:
        raise FetchFailed("the response is not JSON") from None
    if not isinstance(document, dict):
        raise FetchFailed("the response is not a JSON object")
    return document


def _read_bounded(response: Any, deadline: float) -> bytes:
    body = bytearray()
    while True:
        if time.monotonic() >= deadline:
            raise FetchFailed(f"the document did not arrive in time ({len(body)} bytes by the deadline)")
        chunk = response.read1(_READ_SIZE)
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > MAX_DOCUMENT_BYTES:
            raise FetchFailed(f"the document is over the {MAX_DOCUMENT_BYTES} bytes allowed")

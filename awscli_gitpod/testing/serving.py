"""A socket server on 127.0.0.1 in a daemon thread: the lifecycle the issuer and the AWS server share."""

from __future__ import annotations

import socketserver
import threading
from types import TracebackType
from typing import TypeVar

Running = TypeVar("Running", bound="BackgroundServer")


class BackgroundServer:
    """Subclasses build their server in `_create_server`; `_serve()` starts it, `stop()` ends it."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._server: socketserver.TCPServer | None = None
        self._thread: threading.Thread | None = None

    def _create_server(self) -> socketserver.TCPServer:
        raise NotImplementedError

    def _serve(self) -> None:
        self._server = self._create_server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"testbed-{type(self).__name__}", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running; use {type(self).__name__}.start()")
        return int(self._server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self: Running) -> Running:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

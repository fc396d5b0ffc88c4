"""Serve the credentials on 127.0.0.1 for programs started elsewhere, refreshing, until stopped.

    aws-gitpod serve --profile gitpod
    export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:PORT/credentials
    export AWS_CONTAINER_AUTHORIZATION_TOKEN=...

The two lines are printed on stdout (set them in the programs' environment: the token is what lets them
in), then the endpoint runs in the foreground until Ctrl-C or SIGTERM, which end it with exit 0. It is
`exec --server` without a child; see `awscli_gitpod.credserver`.
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType

from awscli_gitpod import envformat, errors
from awscli_gitpod.options import add_source_options, refresh_margin, role_or_profile
from awscli_gitpod.output import write_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_options(parser)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    parser.add_argument(
        "--format", choices=envformat.FORMATS, default="shell", help="how to print the variables"
    )


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    from awscli_gitpod.credserver import CredentialServer
    from awscli_gitpod.provider import credentials_for

    if not 0 <= args.port <= 65535:
        raise errors.UsageError(f"--port {args.port} is not a port number")
    role, profile = role_or_profile(args)
    margin, use_cache = refresh_margin(args), not args.no_cache
    credentials_for(role, profile, margin, use_cache)  # a denied role fails now, not at the first request
    try:
        server = CredentialServer(lambda: credentials_for(role, profile, margin, use_cache)[0], args.port)
    except OSError as error:
        raise errors.UsageError(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}") from None
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    server.start()
    try:
        write_text(envformat.render(sorted(server.environment().items()), args.format))
        errors.note(f"serving credentials at {server.url}; Ctrl-C stops")
        while not stopped.wait(3600):
            pass
    finally:
        server.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return errors.OK

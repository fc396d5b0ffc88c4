"""Print temporary credentials as one credential_process JSON document, cached and refreshed in time.

A cache hit never gets here (`awscli_gitpod.__main__` answers it); the miss path is
`awscli_gitpod.provider.cached_document`, and the background refresh a hit starts ahead of the refresh
margin (`--background-refresh`, see `awscli_gitpod.refreshahead`) is `provider.refresh_ahead`.
"""

from __future__ import annotations

import argparse

from awscli_gitpod import errors
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.options import add_creds_arguments, exchange_options, refresh_margin
from awscli_gitpod.output import write_stdout


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_creds_arguments(parser)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    if args.background_refresh:
        from awscli_gitpod.provider import refresh_ahead

        refresh_ahead(exchange_options(args), raw_args, refresh_margin(args))
        return errors.OK
    return creds(exchange_options(args), raw_args, refresh_margin(args), use_cache=not args.no_cache)


def creds(options: ExchangeOptions, creds_args: list[str], refresh_margin: int, use_cache: bool) -> int:
    from awscli_gitpod.provider import cached_document

    write_stdout(cached_document(options, creds_args, refresh_margin, use_cache))
    return errors.OK

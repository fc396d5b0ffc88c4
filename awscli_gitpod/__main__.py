"""`aws-gitpod` and `python -m awscli_gitpod`.

`aws-gitpod creds` runs before every AWS CLI and SDK call that uses the profile, so a cache hit is answered
here, having imported only `awscli_gitpod.cache` (os and time, nothing else), and written with `os.write`:
a reader that goes away costs one line on stderr and exit 74, never a traceback. In the last minutes
before the entry is due, the hit also starts one background refresh (`refreshahead`). A miss first waits
for whoever is refreshing (`waiting`), still without the heavy imports. Every other path goes through the
full command line in `awscli_gitpod.cli`.
"""

from __future__ import annotations

import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["creds"]:
        served = answer_from_cache(args[1:])
        if served is not None:
            return served
    from awscli_gitpod.cli import main as cli_main

    return cli_main(args)


def launched() -> int:
    """`main` for the credential_process launcher (`launcher.py`), which starts Python with `-S`: `site`
    runs only once the cache could not answer, so that a hit pays for neither it nor its `.pth` files."""
    args = sys.argv[1:]
    if args[:1] == ["creds"]:
        served = answer_from_cache(args[1:])
        if served is not None:
            return served
    import site

    site.main()
    from awscli_gitpod.cli import main as cli_main

    return cli_main(args)


def answer_from_cache(args: list[str]) -> int | None:
    """The hot path: print a fresh cached document for these `creds` arguments, if there is one.

    None when there is none (the full command takes over, holding the entry's lock when
    `waiting.wait_for_refresh` took it), else the exit code: 0, or 74 (`errors.OUTPUT_FAILED`, which
    this path must not import) when stdout cannot take the document.
    """
    if "-h" in args or "--help" in args:
        return None
    from awscli_gitpod.cache import cache_key, entry_path, read_entry, split_arguments, write_stdout

    split = split_arguments(args)
    if not split.use_cache or split.refresh_margin is None or split.background:
        return None  # a background refresh (`refreshahead`) goes straight to the full command
    key = cache_key(split.identity, os.environ)
    if key is None:
        return None
    path = entry_path(key)
    entry, now = read_entry(path), time.time()
    if entry is not None and entry.fresh(now, split.refresh_margin):
        if now >= entry.prefetch_after(split.refresh_margin):
            from awscli_gitpod import refreshahead  # only in the last minutes of an entry's freshness

            refreshahead.start(path, args)
        return write_stdout(entry.body)
    from awscli_gitpod import waiting  # a miss: wait for whoever refreshes, before any heavy import

    return waiting.wait_for_refresh(path, split.refresh_margin, split.timeout)


if __name__ == "__main__":
    raise SystemExit(main())

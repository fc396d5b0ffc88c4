"""`aws-gitpod` and `python -m awscli_gitpod`.

`aws-gitpod creds` runs before every AWS CLI and SDK call that uses the profile, so a cache hit is answered
here, having imported only `awscli_gitpod.cache` (os and time, nothing else), and written with `os.write`:
a reader that goes away costs one line on stderr and exit 74, never a traceback. Every other path goes
through the full command line in `awscli_gitpod.cli`.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["creds"]:
        from awscli_gitpod.cache import serve_cached_credentials

        served = serve_cached_credentials(args[1:])
        if served is not None:
            return served
    from awscli_gitpod.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    raise SystemExit(main())

"""The command `login` writes into a profile: a launcher of our own, so that a cached `creds` costs about a
bare Python start whatever installed the package.

Console-script wrappers differ by installer: pip before 25.3 writes one that imports `re`, which alone adds
more than half a bare interpreter start to every AWS call. So `login` writes a small POSIX shell script,
`$XDG_DATA_HOME/awscli-gitpod/bin/aws-gitpod` (default `~/.local/share/...`), that starts this package's
Python with `-S`: no `site` at start-up, only the directory holding the package on `sys.path`. A cache hit
then needs nothing else; anything more (`__main__.launched`) runs `site` first and goes on as usual.

The script names the interpreter and the package directory it was written for. After an upgrade in the
same environment it keeps working; when either is gone (the package was uninstalled, moved, or its Python
replaced), it prints one line saying to reinstall and run `aws-gitpod login` again, and exits 127. Its
name is `aws-gitpod`, so a profile's line still reads `aws-gitpod creds ...` to `export --profile`,
`exec --profile` and `doctor`. The newest `login` rewrites it (the last environment to log in wins).
"""

from __future__ import annotations

import os
import shlex
import sys

import awscli_gitpod
from awscli_gitpod import errors

NAME = "aws-gitpod"
# Where the package's import path starts: site-packages, or a checkout for an editable install.
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(awscli_gitpod.__file__)))
_ENTRY = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from awscli_gitpod.__main__ import launched; raise SystemExit(launched())"
)


def directory() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "awscli-gitpod", "bin")


def path() -> str:
    return os.path.join(directory(), NAME)


def script(python: str, package_parent: str) -> str:
    """The launcher's text for this interpreter and package directory."""
    quoted_python, quoted_parent = shlex.quote(python), shlex.quote(package_parent)
    missing = (
        f"aws-gitpod: awscli-gitpod is no longer installed where this launcher expects it ({package_parent} "
        f"for {python}): reinstall it, then run \\`aws-gitpod login\\` again"
    )
    return f"""#!/bin/sh
# The credential_process launcher of awscli-gitpod, written by `aws-gitpod login` (run it again to rewrite
# this file). It runs aws-gitpod on the Python that has the package, with no installer's wrapper in between.
python={quoted_python}
package={quoted_parent}
if [ -x "$python" ] && [ -f "$package/awscli_gitpod/__main__.py" ]; then
    exec "$python" -S -c {shlex.quote(_ENTRY)} "$package" "$@"
fi
echo "{missing}" >&2
exit 127
"""


def install() -> str:
    """Write (or keep) the launcher for this interpreter and package; its path."""
    from awscli_gitpod.privatefile import replace_file

    target = path()
    text = script(sys.executable, PACKAGE_PARENT)
    try:
        with open(target, encoding="utf-8") as current:
            if current.read() == text and os.access(target, os.X_OK):
                return target
    except OSError:
        pass
    try:
        os.makedirs(directory(), mode=0o700, exist_ok=True)
        replace_file(target, text.encode("utf-8"), mode=0o700)
    except OSError as error:
        raise errors.Failure(
            f"cannot write the credential_process launcher {target}: {error.strerror}", errors.USAGE
        ) from None
    return target

"""The copies of the plugin module that `aws-gitpod plugin install` writes outside the package.

`awscli_gitpod/awscli_plugin.py` imports only the standard library; a copy of it, named `MODULE`, with the
path of the installing `aws-gitpod` filled in, is what the AWS CLI imports. For v2 it lives in `SHIM_DIR`
beside the AWS config file that lists it, so that the file and what it names come and go together (a
Gitpod Classic workspace keeps only /workspace: a config file kept there keeps its plugin there too); for v1
it lives in the v1's own site-packages, the only place v1 imports plugins from. Neither is touched by
uninstalling, upgrading or moving the package, or by a new Python.
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
from pathlib import Path

from awscli_gitpod import awscli_plugin, errors
from awscli_gitpod.privatefile import replace_file

MODULE = "awscli_gitpod_plugin"  # the name `[plugins] gitpod =` gives; distinct from the package's module
FILE_NAME = MODULE + ".py"
SHIM_DIR = "aws-gitpod-plugin"
_MARKER = "\nINSTALLED_BY: str | None = None\n"


def shim_dir(config_path: Path) -> str:
    """Where the v2 copy lives: beside the config file that lists it, as the user names that file."""
    return os.path.join(os.path.dirname(os.path.abspath(config_path)), SHIM_DIR)


def source(executable: str) -> bytes:
    """The plugin module with `INSTALLED_BY` set to `executable`."""
    text = Path(awscli_plugin.__file__).read_text(encoding="utf-8")
    if _MARKER not in text:
        raise errors.Failure("internal: the plugin module has no INSTALLED_BY line", errors.INTERNAL)
    return text.replace(_MARKER, f"\nINSTALLED_BY: str | None = {executable!r}\n", 1).encode("utf-8")


def holds_shim(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, FILE_NAME))


def _check_directory(directory: str) -> None:
    # Whatever is imported into the AWS CLI must not be replaceable by someone else.
    status = os.stat(directory)
    if status.st_uid not in (os.geteuid(), 0) or status.st_mode & stat.S_IWOTH:
        raise errors.Failure(
            f"{directory} is writable by others or not yours: the AWS CLI must not import a plugin from "
            "there",
            errors.USAGE,
        )


def write(directory: str, executable: str, create: bool = False) -> bool:
    """Write (or rewrite) the copy in `directory`; True if it changed. `create`: make the directory."""
    try:
        if create:
            os.makedirs(directory, mode=0o755, exist_ok=True)
        _check_directory(directory)
        path = os.path.join(directory, FILE_NAME)
        wanted = source(executable)
        with contextlib.suppress(OSError):
            if Path(path).read_bytes() == wanted:
                return False
        replace_file(path, wanted, 0o644)
    except OSError as error:
        raise errors.Failure(
            f"cannot write the plugin into {directory}: {error.strerror}", errors.USAGE
        ) from None
    return True


def remove(directory: str, drop_directory: bool = False) -> bool:
    """Remove the copy in `directory` and its compiled files; True if there was one. `drop_directory`:
    also the directory, if nothing else is left in it."""
    path = os.path.join(directory, FILE_NAME)
    if not os.path.isfile(path):
        return False
    try:
        os.unlink(path)
        for compiled in glob.glob(os.path.join(glob.escape(directory), "__pycache__", MODULE + ".*.pyc")):
            os.unlink(compiled)
        if drop_directory:
            with contextlib.suppress(OSError):  # not empty: someone else's files, which stay
                pycache = os.path.join(directory, "__pycache__")
                if os.path.isdir(pycache) and not os.listdir(pycache):
                    os.rmdir(pycache)
                os.rmdir(directory)
    except OSError as error:
        raise errors.Failure(f"cannot remove {path}: {error.strerror}", errors.USAGE) from None
    return True

"""Where the files are, as botocore finds them, and reading one as text."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from awscli_gitpod.awsconfig.lines import AwsConfigError

# --- where the files are -------------------------------------------------------------------------------


def _expand(path: str | os.PathLike[str]) -> Path:
    # botocore's raw_config_parse expands variables, then `~`.
    return Path(os.path.expanduser(os.path.expandvars(os.fspath(path))))


def _path_from_environment(variable: str, default: str) -> Path:
    value = os.environ.get(variable)
    if value == "":
        # botocore takes the empty string as a path and finds no file: nothing written anywhere is read.
        raise AwsConfigError(f"{variable} is set but empty, so the AWS CLI reads no such file; unset it")
    return _expand(value if value is not None else default)


def config_path() -> Path:
    """`$AWS_CONFIG_FILE`, else `~/.aws/config`, expanded as botocore expands it (not resolved)."""
    return _path_from_environment("AWS_CONFIG_FILE", "~/.aws/config")


def credentials_path() -> Path:
    """`$AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`, expanded as botocore expands it."""
    return _path_from_environment("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")


# --- reading ---------------------------------------------------------------------------------------------


def _read_text(path: Path) -> str | None:
    """The file's text, or None when it does not exist."""
    try:
        with open(path, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise AwsConfigError(f"{path} is not a regular file")
            data = file.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise AwsConfigError(f"cannot read {path}: {error.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AwsConfigError(f"{path} is not UTF-8 text (byte {error.start}); fix or move it") from None

"""What `secrets export` and `secrets exec` are asked for: SPECs, and the variables a fetched secret or
parameter becomes.

A SPEC is `[NAME=]ID[#KEY]`, where ID is a Secrets Manager secret (a name or ARN) or, written `ssm:...`, an
SSM Parameter Store parameter (a name or ARN, optionally `:version` or `:label`) or path (ending in `/`):

- `ID`: one variable named after the secret or parameter (the last `/` component of its name,
  upper-cased, other characters made `_`, `_` before a leading digit; `--prefix` in front), holding its
  value. With `--expand-json`, a value holding a JSON object becomes one variable per key instead.
- `ssm:/path/`: one variable per parameter below the path, at any depth, named after its name relative to
  the path (`/app/db/password` under `ssm:/app/` is `DB_PASSWORD`), with `--prefix` or `NAME_` in front;
  with `--expand-json`, a JSON object value becomes `DB_PASSWORD_KEY`... A path takes no `#KEY`.
- `NAME=ID`: the variable is called NAME, exactly as written. The first `=` separates, so a secret whose
  name contains `=` is written `NAME=ID`. With `--expand-json`, NAME becomes the prefix: `NAME_KEY`.
- `ID#KEY` / `NAME=ID#KEY`: one key of a JSON value; the variable is named after the key unless NAME is
  given. Secret and parameter names and ARNs cannot contain `#`, so the first `#` separates.

A JSON value that is a string is used as it is; numbers, booleans, null, arrays and objects as compact JSON
text (`5432`, `true`). Nothing here ever puts a value in a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from awscli_gitpod import errors
from awscli_gitpod.envformat import sanitize_env_name, valid_env_name


class SecretProblem(Exception):
    """A fetched secret that cannot become what was asked (binary, not JSON, no such key): one line."""


SSM_PREFIX = "ssm:"


@dataclass(frozen=True)
class Spec:
    text: str  # as written, for messages
    secret_id: str  # the secret's name or ARN; for a parameter, its name, ARN or path (without `ssm:`)
    name: str | None = None
    key: str | None = None
    parameter: bool = False  # from SSM Parameter Store (`ssm:`), not Secrets Manager

    @property
    def source(self) -> str:
        """The ID as written: `prod/db`, `ssm:/app/db`."""
        return SSM_PREFIX + self.secret_id if self.parameter else self.secret_id

    @property
    def is_path(self) -> bool:
        return self.parameter and self.secret_id.endswith("/")


@dataclass(frozen=True)
class Variable:
    name: str
    value: str = field(repr=False)
    source: str  # where it came from, for messages: `prod/db` or `prod/db#password`


def parse_spec(text: str) -> Spec:
    name: str | None = None
    rest = text
    if "=" in text:
        name, rest = text.split("=", 1)
        if not valid_env_name(name):
            raise errors.UsageError(
                f"{text!r}: {name!r} is not a valid variable name (letters, digits, _; for a secret whose "
                f"name contains '=', write NAME={text})"
            )
    secret_id, hash_sign, key = rest.partition("#")
    parameter = secret_id.startswith(SSM_PREFIX)
    if parameter:
        secret_id = secret_id[len(SSM_PREFIX) :]
    if not secret_id:
        what = "parameter name or path" if parameter else "secret name or ARN"
        raise errors.UsageError(f"{text!r}: no {what}")
    if hash_sign and not key:
        raise errors.UsageError(f"{text!r}: nothing after '#'; write ID#KEY to take one key of a JSON secret")
    spec = Spec(text, secret_id, name=name, key=key if hash_sign else None, parameter=parameter)
    if spec.is_path and not secret_id.startswith("/"):
        raise errors.UsageError(f"{text!r}: a parameter path starts with '/', e.g. ssm:/{secret_id}")
    if spec.is_path and hash_sign:
        raise errors.UsageError(
            f"{text!r}: a path ending in '/' is many parameters; take a key of one with ssm:NAME#KEY"
        )
    return spec


def check_prefix(prefix: str) -> str:
    if prefix and not valid_env_name(prefix):
        raise errors.UsageError(
            f"--prefix {prefix!r} must be letters, digits and _, not starting with a digit"
        )
    return prefix


def name_for_secret(secret_name: str, prefix: str = "") -> str:
    """`prod/api-key` -> `API_KEY`: the last `/` component of the name, upper-cased, sanitised."""
    return sanitize_env_name(prefix + secret_name.rsplit("/", 1)[-1].upper())


def name_for_key(key: str, prefix: str = "") -> str:
    """`db-host` -> `DB_HOST`: the whole key (a `/` in a key is no path), upper-cased, sanitised."""
    return sanitize_env_name(prefix + key.upper())


def json_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_object(secret_string: str) -> dict[str, object] | None:
    """The secret's JSON object, or None when it holds something else."""
    try:
        parsed = json.loads(secret_string)
    except ValueError:
        return None  # never the parser's message: it quotes the text around the error
    return parsed if isinstance(parsed, dict) else None


def key_value(secret_string: str, key: str, source: str) -> str:
    """One key of a JSON secret as text; SecretProblem (naming the keys, never a value) otherwise."""
    document = json_object(secret_string)
    if document is None:
        raise SecretProblem(f"{source}: the secret is not a JSON object, so it has no key {key!r}")
    if key not in document:
        keys = ", ".join(sorted(document)[:20]) or "none"
        raise SecretProblem(f"{source}: the JSON secret has no key {key!r} (its keys: {keys})")
    return json_text(document[key])


def variables(
    spec: Spec, secret_name: str, secret_string: str | None, expand_json: bool = False, prefix: str = ""
) -> list[Variable]:
    """The variables `spec` asks for, given the fetched secret (`secret_string` None: a binary secret).

    `secret_name` is the secret's name as Secrets Manager reports it, so an ARN names the variable by the
    secret's name rather than by the ARN's random suffix.
    """
    if secret_string is None:
        raise SecretProblem(
            f"{spec.source}: the secret is binary and cannot be an environment variable; "
            f"use `aws-gitpod secrets get {spec.source} --output-file FILE`"
        )
    if spec.key is not None:
        source = f"{spec.source}#{spec.key}"
        value = key_value(secret_string, spec.key, source)
        return [Variable(spec.name or name_for_key(spec.key, prefix), value, source)]
    document = json_object(secret_string) if expand_json else None
    if document is None:
        return [Variable(spec.name or name_for_secret(secret_name, prefix), secret_string, spec.source)]
    key_prefix = f"{spec.name}_" if spec.name else prefix
    return _expanded(document, key_prefix, spec.source)


def path_variables(
    spec: Spec, found: list[tuple[str, str]], expand_json: bool = False, prefix: str = ""
) -> list[Variable]:
    """The variables of a parameter path: `found` holds (name relative to the path, value) pairs."""
    key_prefix = f"{spec.name}_" if spec.name else prefix
    named: list[Variable] = []
    for relative, value in found:
        name, source = name_for_key(relative, key_prefix), f"{spec.source}{relative}"
        document = json_object(value) if expand_json else None
        if document is None:
            named.append(Variable(name, value, source))
        else:
            named += _expanded(document, f"{name}_", source)
    return named


def _expanded(document: dict[str, object], key_prefix: str, source: str) -> list[Variable]:
    return [
        Variable(name_for_key(key, key_prefix), json_text(value), f"{source}#{key}")
        for key, value in document.items()
    ]


def check_collisions(found: list[Variable]) -> None:
    """Two sources for one name is an error naming both: neither may silently win."""
    sources: dict[str, str] = {}
    for variable in found:
        if variable.name in sources:
            raise errors.UsageError(
                f"{variable.name} would come from both {sources[variable.name]} and {variable.source}; "
                "name one of them explicitly (NAME=ID) or use --prefix"
            )
        sources[variable.name] = variable.source

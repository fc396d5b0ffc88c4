"""What `secrets export` and `secrets exec` are asked for: SPECs, and the variables a fetched secret becomes.

A SPEC is `[NAME=]ID[#KEY]`:

- `ID`: a secret name or ARN; one variable named after the secret (the last component of its name,
  upper-cased, other characters made `_`, `_` before a leading digit; `--prefix` in front), holding the
  SecretString. With `--expand-json`, a secret holding a JSON object becomes one variable per key instead.
- `NAME=ID`: the variable is called NAME, exactly as written. The first `=` separates, so a secret whose
  name contains `=` is written `NAME=ID`. With `--expand-json`, NAME becomes the prefix: `NAME_KEY`.
- `ID#KEY` / `NAME=ID#KEY`: one key of a JSON secret; the variable is named after the key unless NAME is
  given. Secret names and ARNs cannot contain `#`, so the first `#` separates.

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


@dataclass(frozen=True)
class Spec:
    text: str  # as written, for messages
    secret_id: str
    name: str | None = None
    key: str | None = None


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
    if not secret_id:
        raise errors.UsageError(f"{text!r}: no secret name or ARN")
    if hash_sign and not key:
        raise errors.UsageError(f"{text!r}: nothing after '#'; write ID#KEY to take one key of a JSON secret")
    return Spec(text=text, secret_id=secret_id, name=name, key=key if hash_sign else None)


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
            f"{spec.secret_id}: the secret is binary and cannot be an environment variable; "
            f"use `aws-gitpod secrets get {spec.secret_id} --output-file FILE`"
        )
    if spec.key is not None:
        source = f"{spec.secret_id}#{spec.key}"
        value = key_value(secret_string, spec.key, source)
        return [Variable(spec.name or name_for_key(spec.key, prefix), value, source)]
    document = json_object(secret_string) if expand_json else None
    if document is None:
        return [Variable(spec.name or name_for_secret(secret_name, prefix), secret_string, spec.secret_id)]
    key_prefix = f"{spec.name}_" if spec.name else prefix
    return [
        Variable(name_for_key(key, key_prefix), json_text(value), f"{spec.secret_id}#{key}")
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

"""Policy variables in condition values, as IAM substitutes them (IAM User Guide, "IAM policy elements:
Variables and tags").

- Only under `"Version": "2012-10-17"`; with an older or no Version `${...}` is literal text.
- Only in the values of string and ARN operators (the caller decides which values go through here).
- `${key}` takes the value of a single-valued key of the request context (key names case-insensitive);
  `${key, 'default'}` takes the default when the key has no value; `${*}`, `${?}`, `${$}` are the literal
  characters.
- A key with no value makes the policy value "effectively null": positive operators match nothing against it,
  negated ones match (`conditions` does this with `Resolved.pieces is None`).
- Not settled by the docs, so uncertain: a multivalued key as a variable ("you can't use" one, but what IAM
  then does is not said), a key whose value is unknown here, and, in a wildcard operator, a substituted value
  that itself holds `*` or `?` (`Resolved.pieces` keeps substituted text apart so `conditions` can tell).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from awscli_gitpod.policy.context import ContextValue

POLICY, LITERAL, VALUE = "policy", "literal", "value"
VARIABLES_VERSION = "2012-10-17"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_NAME = re.compile(r"\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?")
_SPECIAL = {"*", "?", "$"}


@dataclass(frozen=True)
class Piece:
    text: str
    kind: (
        str  # POLICY: the policy's own text; LITERAL: `${*}` and its kin; VALUE: substituted from the request
    )


@dataclass(frozen=True)
class Resolved:
    """One condition value after substitution."""

    written: str
    pieces: tuple[Piece, ...] | None  # None: a variable without a value, so the value is null
    uncertain: str | None = None  # why the value cannot be known, when it cannot

    @property
    def text(self) -> str:
        """The value as plain text, wildcards not interpreted (what StringEquals compares)."""
        return "".join(piece.text for piece in self.pieces or ())

    @property
    def substituted(self) -> bool:
        return any(piece.kind != POLICY for piece in self.pieces or ())


def literal(written: str) -> Resolved:
    return Resolved(written, (Piece(written, POLICY),))


def resolve(written: str, lookup: Callable[[str], ContextValue | None]) -> Resolved:
    """`written` with its variables substituted from the request context."""
    pieces: list[Piece] = []
    position = 0
    for match in _VARIABLE.finditer(written):
        if match.start() > position:
            pieces.append(Piece(written[position : match.start()], POLICY))
        position = match.end()
        inner = match.group(1)
        if inner in _SPECIAL:
            pieces.append(Piece(inner, LITERAL))
            continue
        name = _NAME.fullmatch(inner)
        if name is None:
            return Resolved(written, None, f"`{match.group(0)}` is not a policy variable the IAM docs define")
        key, default = name.group(1), name.group(2)
        found = lookup(key)
        if found is None or found.present is False:
            if default is None:
                return Resolved(written, None)  # no value: null
            pieces.append(Piece(default, VALUE))
        elif found.present is None:
            return Resolved(written, None, f"IAM may or may not set `{key}`, which `{match.group(0)}` reads")
        elif found.values is None:
            return Resolved(written, None, f"`{key}`, which `{match.group(0)}` reads, is not known here")
        elif found.multivalued:
            why = f"`{key}` is multivalued: the IAM docs say it cannot be a variable, not what IAM then does"
            return Resolved(written, None, why)
        else:
            pieces.append(Piece(found.values[0], VALUE))
    if position < len(written):
        pieces.append(Piece(written[position:], POLICY))
    return Resolved(written, tuple(pieces))

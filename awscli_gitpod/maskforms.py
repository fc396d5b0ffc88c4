"""What `secrets exec --mask` hides: every form in which programs print a secret, as literal byte strings.

A program rarely prints a secret exactly as stored. It logs one line of a PEM key, the value without its
trailing newline, a JSON document with the value escaped inside, a connection URL with the password
percent-encoded, an `Authorization: Basic` header in base64, or one field of a JSON secret. So each secret
text becomes these *base texts*:

- the whole value, the value without surrounding whitespace, and both with `\\n` and `\\r\\n` line ends;
- each line of a multi-line value, without surrounding whitespace, when it has at least `MIN_LENGTH`
  characters and is not a PEM boundary line (`-----BEGIN ...-----`): short lines (`}`, `---`) are in
  every program's output;
- for a JSON object or array, each string leaf, at any depth, treated as a value of its own (its lines,
  its own JSON leaves): when it has at least `MIN_LENGTH` characters, or whatever its length when its key
  names a secret (`password`, `secret`, `token`, `key`...). Numbers, booleans and null are never masked.

and each base text is masked as it is, JSON-escaped (as Python, JavaScript and Go write it, with `/` as is
or as `\\/`), URL-encoded (upper-case hex; space as `%20` or `+`; the sets `encodeURIComponent`,
`urllib.parse.quote` and `quote_plus` leave alone) and base64-encoded (standard and URL-safe alphabets,
padded or not). Base64 is also matched inside a longer base64 text: at each of the three byte offsets, the
characters that depend on the value alone are masked, for base texts of at least `MIN_LENGTH` bytes.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Iterator
from urllib.parse import quote, quote_plus

# Shorter lines and JSON leaves are mostly words and punctuation (`production`, `postgres`, `}`), which
# would be masked everywhere they appear. Random passwords and keys are longer.
MIN_LENGTH = 12
# Key names that say their value is a secret, matched anywhere in the key, case-insensitively...
SECRET_KEY_PARTS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credential")
# ...and short ones matched only as a whole word of the key (`db_pass`, `apiKey`, not `bypass`, `monkey`).
SECRET_KEY_WORDS = frozenset({"key", "pass", "pwd", "pin", "otp", "auth", "authorization", "dsn", "private"})
# For JSON documents nested inside JSON strings: deep enough for real secrets, bounded for hostile ones.
_MAX_DEPTH = 8

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JAVASCRIPT_SAFE = "!~*'()"  # what encodeURIComponent leaves alone besides letters, digits and `-_.`


def mask_forms(secret_texts: Iterable[str]) -> frozenset[bytes]:
    """Every byte string to mask for these secret texts (whole secret values), none of them empty."""
    forms: set[bytes] = set()
    for text in secret_texts:
        for base in set(_base_texts(text, always=True, depth=0)):
            forms.update(_encoded_forms(base))
    forms.discard(b"")
    return frozenset(forms)


def names_a_secret(key: str) -> bool:
    """Whether a JSON key says its value is a secret: `password`, `db_pass`, `apiKey`, `client_secret`."""
    folded = key.lower()
    if any(part in folded.replace("_", "").replace("-", "") for part in SECRET_KEY_PARTS):
        return True
    return any(word.lower() in SECRET_KEY_WORDS for word in _WORD.findall(key))


def _base_texts(value: str, always: bool, depth: int) -> Iterator[str]:
    stripped = value.strip()
    if not stripped:
        return
    if always or len(stripped) >= MIN_LENGTH:
        for whole in (value, stripped):
            unix = whole.replace("\r\n", "\n")
            yield from (whole, unix, unix.replace("\n", "\r\n"))
    lines = [line.strip() for line in stripped.splitlines()]
    if len(lines) > 1:
        yield from (line for line in lines if len(line) >= MIN_LENGTH and not _pem_boundary(line))
    if depth < _MAX_DEPTH:
        for key, leaf in _string_leaves(stripped):
            yield from _base_texts(leaf, always=names_a_secret(key), depth=depth + 1)


def _pem_boundary(line: str) -> bool:
    return line.startswith(("-----BEGIN ", "-----END ")) and line.endswith("-----")


def _string_leaves(text: str) -> Iterator[tuple[str, str]]:
    """(nearest key, value) for every string in a JSON object or array; nothing for other text."""
    if not text.startswith(("{", "[")):
        return
    try:
        document = json.loads(text)
    except ValueError:
        return
    stack: list[tuple[str, object]] = [("", document)]
    while stack:
        key, node = stack.pop()
        if isinstance(node, str):
            yield key, node
        elif isinstance(node, dict):
            stack.extend((str(name), child) for name, child in node.items())
        elif isinstance(node, list):
            stack.extend((key, child) for child in node)


def _encoded_forms(text: str) -> set[bytes]:
    raw = text.encode("utf-8", "surrogatepass")
    forms = {raw}
    forms.update(form.encode("utf-8", "surrogatepass") for form in _json_escaped(text))
    for safe in ("", "/", _JAVASCRIPT_SAFE):
        forms.add(quote(raw, safe=safe).encode("ascii"))
    forms.add(quote_plus(raw).encode("ascii"))
    forms.update(_base64_forms(raw))
    return forms


def _json_escaped(text: str) -> set[str]:
    """The inside of a JSON string holding `text`, as common encoders write it."""
    unicode = json.dumps(text, ensure_ascii=False)[1:-1]  # JavaScript's JSON.stringify, Python's with False
    ascii_only = json.dumps(text)[1:-1]  # Python's default: \\uXXXX for everything beyond ASCII
    go = "".join(_GO_ESCAPES.get(character, character) for character in unicode)  # encoding/json
    escaped = {unicode, ascii_only, go}
    return {form for each in escaped for form in (each, each.replace("/", "\\/"))}  # PHP writes `\/`


def _base64_forms(raw: bytes) -> set[bytes]:
    forms: set[bytes] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(raw)
        forms |= {whole, whole.rstrip(b"=")}
        if len(raw) < MIN_LENGTH:
            continue
        for offset in range(3):
            # After `offset` bytes of something else, base64 characters 0..k depend on those bytes too
            # (k = 1 after one byte, 2 after two), and the last one on whatever follows the value.
            shifted = encode(bytes(offset) + raw).rstrip(b"=")
            first = (offset * 8 + 5) // 6
            last = (offset + len(raw)) * 8 // 6
            forms.add(shifted[first:last])
    return forms

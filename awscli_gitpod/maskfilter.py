"""Replace masked byte strings in a stream as it flows, whatever the read boundaries.

`Masks` compiles the strings once (`maskforms` says which); each output stream gets its own `MaskFilter`.
At each position the longest string that matches is replaced by `****`, so no tail of a longer secret
shows. A filter holds back only the end of what it was fed that could still grow into a masked string,
so everything else, a prompt without a newline included, is passed on at once.

Hundreds of strings (every line of a PEM key in every encoding) are matched in one pass: they are
compiled as a trie, one regular expression whose alternatives branch only where the strings differ,
instead of an alternation the regex engine would try one string after another at every byte.
"""

from __future__ import annotations

import re
from collections.abc import Collection

MASK = b"****"

# A trie node: the next byte -> the node after it. `_END` marks a node where a masked string ends.
_Trie = dict[int, "_Trie"]
_END = -1


class Masks:
    """A compiled set of byte strings to mask; immutable, so both output streams can share it."""

    def __init__(self, strings: Collection[bytes]) -> None:
        values = {value for value in strings if value}
        self._trie: _Trie = {}
        for value in values:
            node = self._trie
            for byte in value:
                node = node.setdefault(byte, {})
            node[_END] = {}
        self.longest = max(map(len, values), default=0)
        self.pattern = _compile(self._trie, values)

    def undecided_tail(self, data: bytes) -> int:
        """The length of the longest tail of `data` that is the beginning of a masked string, not all of it:
        what more data could still turn into a match."""
        size, tail = len(data), 0
        for start in range(max(0, size - self.longest + 1), size):
            node = self._trie.get(data[start])
            index = start + 1
            while node is not None and index < size:
                node = node.get(data[index])
                index += 1
            if node is not None and any(byte != _END for byte in node):  # the end, and longer strings go on
                tail = size - start
                break
        return tail


def _compile(trie: _Trie, values: Collection[bytes]) -> re.Pattern[bytes] | None:
    if not values:
        return None
    try:
        return re.compile(_trie_pattern(trie))
    except (RecursionError, OverflowError):
        # Thousands of strings each one byte longer than the last nest too deep for the regex compiler;
        # a plain alternation, longest first, matches the same (only more slowly).
        ordered = sorted(values, key=len, reverse=True)
        return re.compile(b"|".join(re.escape(value) for value in ordered))


def _trie_pattern(node: _Trie) -> bytes:
    """A regex matching the longest string of the trie at a position: single-child runs become literals,
    and where a string ends but longer ones continue, the continuation is optional (and greedy)."""
    branches = []
    for byte, child in node.items():
        if byte == _END:
            continue
        run, rest = bytes([byte]), child
        while len(rest) == 1 and _END not in rest:
            (next_byte, rest), *_ = rest.items()
            run += bytes([next_byte])
        branches.append(re.escape(run) + _trie_pattern(rest))
    if not branches:
        return b""
    body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
    return b"(?:" + body + b")?" if _END in node else body


class MaskFilter:
    """Streaming replacement in one output stream: `feed` each chunk as it arrives, then `finish()`."""

    def __init__(self, masks: Masks) -> None:
        self._masks = masks
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        self._pending += chunk
        return self._drain(final=False)

    def finish(self) -> bytes:
        return self._drain(final=True)

    def _drain(self, final: bool) -> bytes:
        data = self._pending
        pattern = self._masks.pattern
        if pattern is None:
            self._pending = b""
            return data
        # Everything before `cut` is decided: no masked string can start there and still be incomplete.
        cut = len(data) if final else len(data) - self._masks.undecided_tail(data)
        out = bytearray()
        position = 0
        for match in pattern.finditer(data):
            if match.start() >= cut:
                break
            out += data[position : match.start()] + MASK
            position = match.end()
        end = max(position, cut)
        out += data[position:end]
        self._pending = data[end:]
        return bytes(out)

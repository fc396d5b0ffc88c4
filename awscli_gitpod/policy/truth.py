"""Three-valued truth for conditions the IAM User Guide does not settle: True, False, or None (uncertain).

Kleene's rules: an OR is true as soon as one part is true, an AND false as soon as one part is false, so an
unsettled part changes the answer only when the settled parts leave it open. That keeps "uncertain" to the
cases where it really matters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

Truth = Optional[bool]  # None: the IAM documentation does not say which


def any3(values: Iterable[Truth]) -> Truth:
    result: Truth = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def all3(values: Iterable[Truth]) -> Truth:
    result: Truth = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def not3(value: Truth) -> Truth:
    return None if value is None else not value

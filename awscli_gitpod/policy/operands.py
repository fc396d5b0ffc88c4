"""Numbers, dates, Booleans, IP addresses and binary values in conditions, read as the IAM User Guide
("Condition operators") defines them; what it leaves open comes back as None (uncertain).

- Numeric: "an integer or decimal value": `-12`, `3.5`. Not `1e3`, `0x10`, ` 1`, `1_000`, `Infinity`.
- Date: "one of the W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time": `YYYY`,
  `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mmTZD`, `YYYY-MM-DDThh:mm:ssTZD`, `YYYY-MM-DDThh:mm:ss.sTZD`
  (TZD `Z`, `+hh:mm` or `-hh:mm`), or whole epoch seconds. A reduced date stands for its first instant in
  UTC. Four digits read both as a year and as epoch seconds: uncertain when the two readings disagree.
- Bool: `true` or `false`, in any letter case.
- IpAddress: a CIDR range, or one address (/32, /128 for IPv6).
- BinaryEquals: the request's bytes against the base64-decoded policy value.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import re
from decimal import Decimal

from awscli_gitpod.policy.truth import Truth

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_EPOCH = re.compile(r"[0-9]+")
_W3C = re.compile(
    r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?)?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2}))?)?)?"
)
_UTC = datetime.timezone.utc
_EPOCH_START = datetime.datetime(1970, 1, 1, tzinfo=_UTC)


def number(text: str) -> Decimal | None:
    return Decimal(text) if _NUMBER.fullmatch(text) else None


def _w3c(text: str) -> Decimal | None:
    match = _W3C.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    try:
        zone = _UTC
        if parts["zone"] and parts["zone"] != "Z":
            sign = -1 if parts["zone"][0] == "-" else 1
            hours, minutes = int(parts["zone"][1:3]), int(parts["zone"][4:6])
            zone = datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
        moment = datetime.datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None  # month 13, February 30, a zone of 25 hours...
    delta = moment - _EPOCH_START
    seconds = Decimal(delta.days * 86400 + delta.seconds)
    return seconds + (Decimal("0." + parts["fraction"]) if parts["fraction"] else 0)


def instants(text: str) -> list[Decimal]:
    """Every instant (epoch seconds) `text` can stand for under the documented date formats."""
    readings = [reading for reading in (_w3c(text),) if reading is not None]
    if _EPOCH.fullmatch(text):
        readings.append(Decimal(text))
    return readings


def boolean(text: str) -> bool | None:
    lowered = text.lower()
    return True if lowered == "true" else False if lowered == "false" else None


def _compare(left: Decimal, right: Decimal, comparison: str) -> bool:
    return {
        "Equals": left == right,
        "LessThan": left < right,
        "LessThanEquals": left <= right,
        "GreaterThan": left > right,
        "GreaterThanEquals": left >= right,
    }[comparison]


def compare_numbers(request: str, policy: str, comparison: str) -> Truth:
    left, right = number(request), number(policy)
    if left is None or right is None:
        return None
    return _compare(left, right, comparison)


def compare_dates(request: str, policy: str, comparison: str) -> Truth:
    answers = {_compare(left, right, comparison) for left in instants(request) for right in instants(policy)}
    return answers.pop() if len(answers) == 1 else None


def compare_booleans(request: str, policy: str) -> Truth:
    left, right = boolean(request), boolean(policy)
    return None if left is None or right is None else left == right


def in_network(request: str, policy: str) -> Truth:
    try:
        return ipaddress.ip_address(request) in ipaddress.ip_network(policy, strict=False)
    except ValueError:
        return None


def binary_equals(request: str, policy: str) -> Truth:
    try:
        return request.encode() == base64.b64decode(policy, validate=True)
    except (binascii.Error, ValueError):
        return None

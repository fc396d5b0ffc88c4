"""See and clear what `aws-gitpod creds` has cached: `cache list [--json]`, `cache clear [--role ARN]`.

`list` shows each entry's role, region, session name, expiry and refresh state, never a key or a token.
`clear` removes entries (those of one role with `--role`) with their locks and failure records, and the
leftovers of entries that are gone; a lock that a refresh holds right now is kept.
"""

from __future__ import annotations

import argparse
import json
import time

from awscli_gitpod import errors
from awscli_gitpod.cache import cache_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", help="the cached credentials: role, region, expiry", allow_abbrev=False
    )
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    clear = actions.add_parser("clear", help="remove cached credentials and stale locks", allow_abbrev=False)
    clear.add_argument("--role", metavar="ARN", help="only the entries for this role")


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    if args.action == "list":
        return list_entries(as_json=args.json)
    return clear(args.role)


def _describe(state: str, refreshing: bool, last_failure: str | None) -> str:
    notes = [state]
    if refreshing:
        notes.append("refreshing now")
    if last_failure:
        notes.append(f"last refresh failed at {last_failure}")
    return "; ".join(notes)


def list_entries(as_json: bool) -> int:
    from awscli_gitpod import cacheinfo
    from awscli_gitpod.clock import rfc3339

    now = time.time()
    found = cacheinfo.entries()
    if as_json:
        print(json.dumps([entry.to_dict(now) for entry in found], indent=2))
        return errors.OK
    if not found:
        print(f"no cached credentials in {cache_dir()}")
    rows = [
        (
            entry.role_arn or "(role not recorded)",
            entry.region or "?",
            entry.session_name or "?",
            rfc3339(entry.expires),
            _describe(entry.state(now), entry.refreshing, entry.last_failure),
        )
        for entry in found
    ]
    if rows:
        rows.insert(0, ("ROLE", "REGION", "SESSION", "EXPIRES", "STATE"))
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        for row in rows:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    stale = cacheinfo.leftovers()
    if stale:
        print(
            f"{len(stale)} lock or record files of entries that are gone: `aws-gitpod cache clear` "
            "removes them"
        )
    return errors.OK


def clear(role: str | None) -> int:
    from awscli_gitpod import cacheinfo

    found = cacheinfo.entries()
    chosen = [entry for entry in found if role is None or entry.role_arn == role]
    kept_locks = sum(not cacheinfo.remove(entry.path) for entry in chosen)
    leftovers = cacheinfo.leftovers() if role is None else []
    removed_leftovers = sum(cacheinfo.remove_leftover(path) for path in leftovers)
    kept_locks += len(leftovers) - removed_leftovers
    unrecorded = sum(entry.role_arn is None for entry in found) if role is not None else 0
    what = f" for {role}" if role else ""
    print(
        f"removed {len(chosen)} cached credential{'s' if len(chosen) != 1 else ''}{what}"
        + (f" and {removed_leftovers} stale lock or record files" if removed_leftovers else "")
        + f" from {cache_dir()}"
    )
    if kept_locks:
        errors.note(f"{kept_locks} refresh{'es' if kept_locks != 1 else ''} running now kept a lock")
    if unrecorded:
        errors.note(
            f"{unrecorded} entries record no role (cached by an earlier version) and were kept: "
            "`aws-gitpod cache clear` without --role removes them"
        )
    return errors.OK

"""List the plugins that are loaded, where each comes from, and which hooks it implements."""

from __future__ import annotations

import argparse
import json

from awscli_gitpod import errors
from awscli_gitpod.cache import role_rules_path
from awscli_gitpod.plugins import blocked, describe


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON document")


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    rows = describe()
    if args.json:
        document = {
            "plugins": [{"name": name, "origin": origin, "hooks": hooks} for name, origin, hooks in rows],
            "blocked": blocked(),
            "role_rules": role_rules_path(),
        }
        print(json.dumps(document, indent=2))
        return errors.OK
    width = max(len(name) for name, _, _ in rows)
    for name, origin, hooks in rows:
        print(f"{name:<{width}}  {origin}: {', '.join(hooks)}")
    if blocked():
        print(f"blocked by AWS_GITPOD_DISABLE_PLUGINS: {', '.join(blocked())}")
    print(f"role rules for --role auto: {role_rules_path()}")
    return errors.OK

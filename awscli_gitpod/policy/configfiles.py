"""Where a workspace's configuration files keep commands and environment variables, and which of those run in
a prebuild: what `lint-gitpod-yml` checks line by line.

- `.gitpod.yml` (Gitpod Classic): `tasks[].env` and the `before`, `init`, `command` and `prebuild` scripts;
- Ona automation files (`.ona/automations.yaml`, the Flex-era `.gitpod/automations.yaml`, or any file named
  `automations.yaml`/`.yml`, since a project can put it elsewhere): the `tasks` and `services` maps; a task
  whose `triggeredBy` lists `prebuild` runs in the prebuild, whose snapshot every new environment starts from;
- `devcontainer.json` (`.devcontainer/devcontainer.json`, `.devcontainer/<name>/devcontainer.json`,
  `.devcontainer.json`), JSON with comments and trailing commas: every top-level member (`containerEnv`,
  `remoteEnv`, `build.args`, `runArgs`, the lifecycle commands...); `initializeCommand`, `onCreateCommand`
  and `updateContentCommand` run in an Ona prebuild.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from awscli_gitpod.policy.located import Lines, ParseError, load_json, load_yaml

GITPOD_YML, AUTOMATIONS, DEVCONTAINER = "gitpod-yml", "automations", "devcontainer"
TASK_SCRIPTS = ("before", "init", "command", "prebuild")
PREBUILD_LIFECYCLE = ("initializeCommand", "onCreateCommand", "updateContentCommand")
PREBUILD_DECLARATION = re.compile(r"\bAWS_GITPOD_PREBUILD[\"']?\s*[:=]\s*[\"']?(?:true|1|yes)\b", re.I)
_STRING = r'"(?:[^"\\\n]|\\.)*"'
_COMMENTS = re.compile(_STRING + r"|//[^\n]*|/\*.*?\*/", re.S)
_TRAILING_COMMAS = re.compile(_STRING + r"|,(?=\s*[}\]])")


class Region(NamedTuple):
    where: str  # what a finding on the line is in: `tasks init`, `task deploy`, `devcontainer containerEnv`
    prebuild: bool = False  # runs in an Ona prebuild
    declared: bool = False  # ... and says so (`AWS_GITPOD_PREBUILD=true`), so aws-gitpod writes nothing


def kind_of(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if name in ("devcontainer.json", ".devcontainer.json"):
        return DEVCONTAINER
    if name in ("automations.yaml", "automations.yml"):
        return AUTOMATIONS
    return GITPOD_YML


def regions(path: str, text: str) -> dict[int, Region]:
    """Line -> region for every line that holds a command or an environment variable; ParseError when the
    file cannot be read as its kind."""
    kind = kind_of(path)
    if kind == DEVCONTAINER:
        value, lines = load_json(strip_jsonc(text))
        return _devcontainer(value, lines, text.count("\n") + 1)
    value, lines = load_yaml(text)
    if kind == AUTOMATIONS or (isinstance(value, dict) and isinstance(value.get("tasks"), dict)):
        return _automations(value, lines, text.count("\n") + 1)
    return _gitpod_yml(value, lines)


def strip_jsonc(text: str) -> str:
    """JSON with comments and trailing commas as plain JSON, every character kept in its line and column."""

    def blank(match: re.Match[str]) -> str:
        found = match.group()
        return found if found.startswith('"') else re.sub(r"[^\n]", " ", found)

    return _TRAILING_COMMAS.sub(blank, _COMMENTS.sub(blank, text))


def _spans(starts: list[tuple[int, str]], end: int) -> dict[int, str]:
    """Each line from a member's line up to the next member's, labelled with the member."""
    ordered = sorted(starts)
    found: dict[int, str] = {}
    for (first, label), (after, _) in zip(ordered, [*ordered[1:], (end + 1, "")]):
        found.update(dict.fromkeys(range(first, after), label))
    return found


def _gitpod_yml(value: Any, lines: Lines) -> dict[int, Region]:
    found: dict[int, Region] = {}
    tasks = value.get("tasks") if isinstance(value, dict) else None
    for index, task in enumerate(tasks if isinstance(tasks, list) else []):
        if not isinstance(task, dict):
            continue
        env = task.get("env")
        for name in env if isinstance(env, dict) else []:
            found[lines.get(("tasks", index, "env", str(name)), 0)] = Region("tasks env")
        for part in TASK_SCRIPTS:
            script = task.get(part)
            if isinstance(script, str) and ("tasks", index, part) in lines:
                start = lines[("tasks", index, part)]
                # A block scalar (`|`) starts on the line after its key; a plain one stays on it.
                block = script.endswith("\n") or "\n" in script
                for line in range(start, start + (len(script.splitlines()) if block else 0) + 1):
                    found.setdefault(line, Region(f"tasks {part}"))
    return found


def _triggers(entry: Any) -> list[str]:
    triggered = entry.get("triggeredBy") if isinstance(entry, dict) else None
    if isinstance(triggered, str):
        return [triggered]
    return [str(item) for item in triggered] if isinstance(triggered, list) else []


def _automations(value: Any, lines: Lines, end: int) -> dict[int, Region]:
    if not isinstance(value, dict):
        return {}
    members = [(line, str(path[0])) for path, line in lines.items() if len(path) == 1 and line]
    top = _spans(members, end)
    starts, entries = [], {}
    for section, singular in (("tasks", "task"), ("services", "service")):
        block = value.get(section)
        for name, entry in (block if isinstance(block, dict) else {}).items():
            label = f"{singular} {name}"
            starts.append((lines.get((section, str(name)), 0), label))
            entries[label] = entry
    found: dict[int, Region] = {}
    for line, label in _spans([start for start in starts if start[0]], end).items():
        if top.get(line) not in ("tasks", "services"):
            continue
        entry = entries[label]
        prebuild = "prebuild" in _triggers(entry)
        declared = bool(PREBUILD_DECLARATION.search(json.dumps(entry)))
        found[line] = Region(label, prebuild, prebuild and declared)
    return found


def _devcontainer(value: Any, lines: Lines, end: int) -> dict[int, Region]:
    if not isinstance(value, dict):
        raise ParseError("devcontainer.json must hold a JSON object", 1)
    members = [(lines.get((str(key),), 0), str(key)) for key in value]
    found: dict[int, Region] = {}
    for line, key in _spans([member for member in members if member[0]], end).items():
        prebuild = key in PREBUILD_LIFECYCLE
        declared = prebuild and bool(PREBUILD_DECLARATION.search(json.dumps(value[key])))
        found[line] = Region(f"devcontainer {key}", prebuild, declared)
    return found

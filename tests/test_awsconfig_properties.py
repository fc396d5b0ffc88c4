"""Generated files: the model reads what botocore reads, and a random edit changes only its own lines.

The expected layout comes from `layout`, a second, deliberately plain reading of configparser's rules, and
the expected values from botocore itself, so neither check trusts the code under test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from botocore.exceptions import ConfigParseError
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from awscli_gitpod.awsconfig import AwsConfigError, ConfigFile, Value
from tests.test_awsconfig import botocore_reads, ends_like, lines, newline_of, with_setting

SETTINGS = settings(
    # AWSCONFIG_EXAMPLES=5000 for a long search; the default keeps the suite fast.
    max_examples=int(os.environ.get("AWSCONFIG_EXAMPLES", "150")),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # `explain` alone takes a minute
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

INDENTS = st.sampled_from(["", "", "", " ", "  ", "\t", "    ", " \t", "\x0c", "\u3000"])
SECTION_NAMES = st.sampled_from(
    [
        "default",
        "profile a",
        "profile b",
        "profile  c",
        "profile 'd e'",
        "sso-session s",
        "services svc",
        "plugins",
    ]
) | st.from_regex(r"[a-z][a-z0-9 _.-]{0,8}[a-z0-9]", fullmatch=True)
KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,8}", fullmatch=True)
VALUE_TEXT = st.text(alphabet="abcXYZ019 #;=:[]/é☕\t-", max_size=14)
SEPARATORS = st.sampled_from(["=", " = ", ":", " : ", "\t=\t", "   =", "= ", " =  "])
COMMENTS = st.builds(
    lambda indent, mark, text: f"{indent}{mark}{text}", INDENTS, st.sampled_from("#;"), VALUE_TEXT
)
BLANKS = st.sampled_from(["", "", " ", "\t"])
HEADER_TAILS = st.sampled_from(["", "", " # dev", " ; x", "  "])


@st.composite
def fillers(draw: st.DrawFn) -> list[str]:
    return draw(st.lists(COMMENTS | BLANKS, max_size=2))


@st.composite
def option_lines(draw: st.DrawFn, key: str, indent: str) -> list[str]:
    shape = draw(st.sampled_from(["plain", "plain", "plain", "nested", "continued"]))
    deeper = indent + draw(st.sampled_from([" ", "  ", "\t", "    "]))
    if shape == "nested":
        result = [f"{indent}{key}{draw(SEPARATORS).rstrip()}"]
        for sub in draw(st.lists(KEYS, min_size=1, max_size=3)):
            result += [*draw(fillers()), f"{deeper}{sub}{draw(SEPARATORS)}{draw(VALUE_TEXT).strip()}"]
        return result
    result = [f"{indent}{key}{draw(SEPARATORS)}{draw(VALUE_TEXT)}"]
    if shape == "continued":
        for text in draw(st.lists(VALUE_TEXT.filter(str.strip), min_size=1, max_size=2)):
            result += [*draw(fillers()), f"{deeper}{text}"]
    return result


@st.composite
def config_texts(draw: st.DrawFn) -> str:
    """A plausible file: sections with unique names, unique keys, nested blocks, continuations, comments."""
    result = draw(fillers())
    for name in draw(st.lists(SECTION_NAMES, unique=True, max_size=4)):
        result += [f"{draw(INDENTS)}[{name}]{draw(HEADER_TAILS)}", *draw(fillers())]
        indent = draw(INDENTS)
        for key in draw(st.lists(KEYS, unique_by=str.lower, max_size=4)):
            result += [*draw(option_lines(key, indent)), *draw(fillers())]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(result)
    final_newline = draw(st.booleans())
    return text + newline if result and final_newline else text


@st.composite
def wild_texts(draw: st.DrawFn) -> str:
    """Anything line-shaped, including what botocore refuses: both readings must still agree."""
    line = st.one_of(
        st.builds(lambda i, n, t: f"{i}[{n}]{t}", INDENTS, SECTION_NAMES, HEADER_TAILS),
        st.builds(lambda i, k, s, v: f"{i}{k}{s}{v}", INDENTS, KEYS, SEPARATORS, VALUE_TEXT),
        st.builds(lambda i, t: f"{i}{t}", INDENTS, VALUE_TEXT),
        COMMENTS,
        BLANKS,
        st.sampled_from(["[DEFAULT]", "[]", "[a]]", "= x", "[profile default]", "[default]"]),
    )
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(draw(st.lists(line, max_size=12)))


def layout(text: str) -> tuple[dict[str, int], dict[tuple[str, str], tuple[int, int]]]:
    """Where each section's own lines end, and each key's lines (line and continuations) start and stop."""
    ends: dict[str, int] = {}
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    section: str | None = None
    option: tuple[str, str] | None = None
    level = 0
    for index, line in enumerate(lines(text)):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        indent = len(line) - len(line.lstrip())
        if section is not None and option is not None and indent > level:
            spans[option] = (spans[option][0], index + 1)
            ends[section] = index + 1
            continue
        level = indent
        if stripped.startswith("[") and "]" in stripped[2:]:
            section, option = stripped[1 : stripped.rindex("]")], None
            ends[section] = index + 1
        elif section is not None:
            option = (section, re.split("[=:]", stripped, maxsplit=1)[0].strip().lower())
            spans[option] = (index, index + 1)
            ends[section] = index + 1
    return ends, spans


@SETTINGS
@given(text=wild_texts() | config_texts())
def test_the_model_reads_exactly_what_botocore_reads(text: str, tmp_path: Path) -> None:
    try:
        expected = botocore_reads(text, tmp_path)
    except ConfigParseError:
        with pytest.raises(AwsConfigError):
            ConfigFile(text, kind="config")
        return
    config = ConfigFile(text, kind="config")
    assert config.as_dict() == expected
    assert config.render() == text


NEW_VALUES = st.text(alphabet="abcXYZ019 #;=:[]/é☕-", min_size=0, max_size=12).map(str.strip)


@SETTINGS
@given(text=config_texts(), data=st.data())
def test_a_random_edit_changes_its_lines_only_and_botocore_reads_it(
    text: str, data: st.DataObject, tmp_path: Path
) -> None:
    try:
        before = botocore_reads(text, tmp_path)
    except ConfigParseError:
        assume(False)
        return
    ends, spans = layout(text)
    assert set(ends) == set(before)  # the plain reading finds the same sections as botocore
    old, newline = lines(text), newline_of(text)
    config = ConfigFile(text, kind="config")
    value = data.draw(NEW_VALUES, label="value")
    keyed = [section for section, values in before.items() if values]
    operations = ["update", "delete"] if keyed else []
    operations += ["add", "new section"] if before else ["new section"]
    operation = data.draw(st.sampled_from(operations), label="operation")
    expected_value: str | None = value

    if operation in ("update", "delete"):
        section = data.draw(st.sampled_from(keyed), label="section")
        key = data.draw(st.sampled_from(sorted(before[section])), label="key")
        start, stop = spans[(section, key)]
        if operation == "delete":
            expected_value = None
            assert config.delete(section, key)
            expected_lines = old[:start] + old[stop:]
        else:
            changed = config.set(section, key.upper(), value)
            replaced = lines(config.render())[start]
            expected_lines = [*old[:start], replaced, *old[stop:]]
            assert changed == (before[section][key] != value)
            # Same indentation and key spelling, same ending; the value is what follows the separator.
            spelling = re.match(r"\s*[^=:]*?(?=\s*[=:])", old[start])
            assert spelling is not None
            assert replaced.startswith(spelling.group())
            assert replaced.endswith(re.search(r"\r\n|\r|\n", old[start]).group())  # type: ignore[union-attr]
            assert re.fullmatch(r"\s*[=:]\s*" + re.escape(value), replaced[spelling.end() :].rstrip())
    elif operation == "add":
        section = data.draw(st.sampled_from(sorted(before)), label="section")
        key = data.draw(KEYS.filter(lambda k: k.lower() not in before[section]), label="key")
        assert config.set(section, key, value)
        end = ends[section]
        added = lines(config.render())[end]
        assert added.strip() == f"{key} = {value}".rstrip()
        assert added.endswith(newline)
        expected_lines = [*old[:end], added, *old[end:]]
    else:
        section = data.draw(SECTION_NAMES.filter(lambda name: name not in before), label="section")
        key = data.draw(KEYS, label="key")
        assert config.set(section, key, value)
        blank = [newline] if old and old[-1].strip() else []
        expected_lines = [*old, *blank, f"[{section}]{newline}", f"{key} = {value}".rstrip() + newline]

    after = config.render()
    assert lines(after) == expected_lines
    assert ends_like(text, after)
    expected: dict[str, dict[str, Value]] = with_setting(before, section, key, expected_value)
    assert botocore_reads(after, tmp_path) == expected
    assert ConfigFile(after, kind="config").as_dict() == expected

"""`childprocess` in a real wrapper process with real children: environment, exit status, signals, masks."""

from __future__ import annotations

import json
import os
import pty
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscli_gitpod.maskfilter import MASK, MaskFilter, Masks

# The wrapper: run_child in a process of its own, as `aws-gitpod secrets exec` runs it.
WRAPPER = """
import json, sys
from awscli_gitpod import errors
from awscli_gitpod.childprocess import run_child
argv, env, mask = json.loads(sys.argv[1])
try:
    sys.exit(run_child(argv, env, None if mask is None else [value.encode() for value in mask]))
except errors.Failure as failure:
    print(failure.message, file=sys.stderr)
    sys.exit(failure.exit_code)
"""
PATH_ONLY = {"PATH": "/usr/bin:/bin"}


def wrapper_argv(argv: list[str], env: dict[str, str], mask: list[str] | None = None) -> list[str]:
    return [sys.executable, "-c", WRAPPER, json.dumps([argv, env, mask])]


def run_wrapped(
    argv: list[str], env: dict[str, str] | None = None, mask: list[str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        wrapper_argv(argv, PATH_ONLY if env is None else env, mask),
        capture_output=True,
        timeout=30,
        check=False,
        start_new_session=True,  # no controlling terminal: signals below come from us only
    )


def python_child(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_the_child_gets_exactly_the_environment() -> None:
    env = {"PATH": "/usr/bin:/bin", "MULTI": "line\none", "QUOTE": "it's $x", "EMPTY": ""}
    result = run_wrapped(["env", "-0"], env)
    assert result.returncode == 0, result.stderr
    found = dict(item.split("=", 1) for item in result.stdout.decode().split("\0") if item)
    assert found == env


def test_the_program_is_looked_up_on_the_childs_path(tmp_path: Path) -> None:
    tool = tmp_path / "only-here"
    tool.write_text("#!/bin/sh\necho found\n")
    tool.chmod(0o755)
    result = run_wrapped(["only-here"], {"PATH": f"{tmp_path}:/usr/bin:/bin"})
    assert (result.returncode, result.stdout) == (0, b"found\n")


@pytest.mark.parametrize("code", [0, 1, 3, 42, 255])
def test_exit_codes_pass_through(code: int) -> None:
    assert run_wrapped(["sh", "-c", f"exit {code}"]).returncode == code


def test_a_child_killed_by_a_signal_gives_128_plus_n() -> None:
    assert run_wrapped(["sh", "-c", "kill -TERM $$"]).returncode == 128 + signal.SIGTERM
    assert run_wrapped(["sh", "-c", "kill -KILL $$"]).returncode == 128 + signal.SIGKILL


def test_a_missing_program_is_127_and_a_non_executable_one_126(tmp_path: Path) -> None:
    missing = run_wrapped(["no-such-program-anywhere"])
    assert missing.returncode == 127
    assert missing.stderr.decode().strip() == "no-such-program-anywhere: command not found"
    plain = tmp_path / "plain.txt"
    plain.write_text("not a program")
    plain.chmod(0o644)
    denied = run_wrapped([str(plain)])
    assert denied.returncode == 126
    assert "permission denied" in denied.stderr.decode()
    assert run_wrapped([str(tmp_path)]).returncode == 126  # a directory


def start_wrapped_child(
    child_code: str, ready: Path, mask: list[str] | None = None
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        wrapper_argv(python_child(child_code), dict(os.environ), mask),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while not ready.exists():
        assert time.monotonic() < deadline, "the child never became ready"
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    return process


def handling_child(ready: Path, exit_code: int) -> str:
    return (
        "import pathlib, signal, sys, time\n"
        "def stop(signum, frame):\n"
        "    print(f'got {signum}', flush=True)\n"
        f"    sys.exit({exit_code})\n"
        "for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n"
        "    signal.signal(s, stop)\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signals_are_forwarded_and_the_child_decides(tmp_path: Path, signum: int) -> None:
    ready = tmp_path / "ready"
    process = start_wrapped_child(handling_child(ready, 42), ready)
    process.send_signal(signum)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 42, err
    assert out.decode() == f"got {int(signum)}\n"  # once: forwarded, not doubled


def test_a_child_that_dies_of_the_forwarded_signal_gives_143(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    child = f"import pathlib, time\npathlib.Path({str(ready)!r}).touch()\ntime.sleep(60)\n"
    process = start_wrapped_child(child, ready)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=20)
    assert process.returncode == 128 + signal.SIGTERM


def test_without_mask_the_child_keeps_the_terminal() -> None:
    probe = python_child("import os, sys; sys.stderr.write(str(os.isatty(1)))")
    for mask, expected in ((None, b"True"), (["secret-value"], b"False")):
        controller, terminal = pty.openpty()
        try:
            result = subprocess.run(
                wrapper_argv(probe, PATH_ONLY, mask),
                stdout=terminal,
                stderr=subprocess.PIPE,
                timeout=30,
                check=False,
            )
        finally:
            os.close(terminal)
            os.close(controller)
        assert (result.returncode, result.stderr) == (0, expected)


def test_mask_replaces_values_split_across_writes(tmp_path: Path) -> None:
    secret = "s3cr3t-" + "x" * 100 + "-tail"
    child = (
        "import sys, time\n"
        f"value = {secret!r}\n"
        "for out in (sys.stdout, sys.stderr):\n"
        "    out.write('before ' + value[:5]); out.flush(); time.sleep(0.2)\n"
        "    out.write(value[5:60]); out.flush(); time.sleep(0.2)\n"
        "    out.write(value[60:] + ' after\\n' + value); out.flush()\n"
        "sys.stdout.write(' prompt: '); sys.stdout.flush()\n"
    )
    result = run_wrapped(python_child(child), PATH_ONLY, mask=[secret, "unused-value"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"before **** after\n**** prompt: "
    assert result.stderr == b"before **** after\n****"


def test_a_prompt_is_not_held_back(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    child = (
        "import pathlib, sys, time\n"
        "sys.stdout.write('Password: '); sys.stdout.flush()\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )
    process = start_wrapped_child(child, ready, mask=["hunter2-secret"])
    assert process.stdout is not None
    assert os.read(process.stdout.fileno(), 100) == b"Password: "
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=20)


def masked_reference(data: bytes, values: list[bytes]) -> bytes:
    """Replace, longest value first at each position, on the whole data at once."""
    ordered = sorted({v for v in values if v}, key=len, reverse=True)
    out = bytearray()
    index = 0
    while index < len(data):
        for value in ordered:
            if data.startswith(value, index):
                out += MASK
                index += len(value)
                break
        else:
            out.append(data[index])
            index += 1
    return bytes(out)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text("abc", min_size=1, max_size=6), min_size=1, max_size=4),
    st.lists(st.text("abcx", max_size=12), max_size=12),
)
def test_mask_filter_is_independent_of_read_boundaries(values: list[str], chunks: list[str]) -> None:
    mask_filter = MaskFilter(Masks([value.encode() for value in values]))
    streamed = b"".join(mask_filter.feed(chunk.encode()) for chunk in chunks) + mask_filter.finish()
    whole = "".join(chunks).encode()
    assert streamed == masked_reference(whole, [v.encode() for v in values])
    for value in values:
        assert value.encode() not in streamed.replace(MASK, b"\n")


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_with_mask_a_closed_reader_ends_the_child_as_without_us(stream: str) -> None:
    # `secrets exec --mask ... | head -1`: the child must see the closed pipe (SIGPIPE) and end, and its
    # status (128 + SIGPIPE) must be ours, as when it writes to the closed pipe itself.
    writer = f"yes >&{1 if stream == 'stdout' else 2}"
    redirect = "" if stream == "stdout" else "2>&1 >/dev/null"
    for mask in (None, ["secret-value"]):
        wrapped = " ".join(shlex.quote(word) for word in wrapper_argv(["sh", "-c", writer], PATH_ONLY, mask))
        script = f'{wrapped} {redirect} | head -1; echo "status ${{PIPESTATUS[0]}}"'
        result = subprocess.run(["bash", "-c", script], capture_output=True, timeout=30, check=False)
        assert result.stdout == f"y\nstatus {128 + signal.SIGPIPE}\n".encode(), (mask, result.stderr)


def test_with_mask_a_child_ignoring_sigpipe_gets_epipe() -> None:
    child = python_child(
        "import os, sys\n"
        "try:\n"
        "    while True:\n"
        "        sys.stdout.write('line\\n'); sys.stdout.flush()\n"
        "except BrokenPipeError:\n"
        "    sys.stderr.write('EPIPE'); sys.stderr.flush(); os._exit(7)\n"
    )
    wrapped = " ".join(shlex.quote(word) for word in wrapper_argv(child, PATH_ONLY, ["secret-value"]))
    script = f'{wrapped} | head -1; echo "status ${{PIPESTATUS[0]}}"'
    result = subprocess.run(["bash", "-c", script], capture_output=True, timeout=30, check=False)
    assert (result.stdout, result.stderr) == (b"line\nstatus 7\n", b"EPIPE")

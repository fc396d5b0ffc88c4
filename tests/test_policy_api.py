"""The Python API for people who test their trust policies in their own suites: `policy check`'s engine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from awscli_gitpod.cli import main as cli_main
from tests.policy_cases import ISSUER, REPO, pinned

README = Path(__file__).parent.parent / "README.md"


def test_evaluate_from_the_package() -> None:
    from awscli_gitpod.policy import Decision, evaluate

    decision = evaluate(pinned(REPO), {"iss": ISSUER, "aud": ["sts.amazonaws.com"], "sub": REPO})
    assert isinstance(decision, Decision)
    assert decision.allowed and decision.outcome == "Allowed"
    denied = evaluate(pinned(REPO), {"iss": ISSUER, "aud": ["sts.amazonaws.com"], "sub": f"{REPO}-x"})
    assert not denied.allowed and denied.outcome == "ImplicitDeny"
    assert denied.explanation.startswith("Denied (ImplicitDeny): no Allow statement applies")
    assert f"sub is {REPO}-x" in denied.explanation
    assert denied.smallest_fix and denied.smallest_fix in denied.explanation


def test_the_same_engine_as_policy_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from awscli_gitpod.policy import evaluate

    path = tmp_path / "trust.json"
    path.write_text(json.dumps(pinned(REPO)))
    assert cli_main(["policy", "check", str(path), "--sub", f"{REPO}/pull/1"]) == 1
    printed = capsys.readouterr().out.splitlines()
    explanation = evaluate(
        pinned(REPO), {"iss": ISSUER, "sub": f"{REPO}/pull/1", "aud": ["sts.amazonaws.com"]}
    ).explanation.splitlines()
    assert printed[0] == explanation[0]
    assert printed[2:] == explanation[1:]  # `policy check` adds the token's line


def _fresh_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_importing_the_package_imports_nothing_else() -> None:
    """The CLI parser imports `awscli_gitpod.policy.arguments` on every run: the package must stay cheap."""
    loaded = _fresh_python(
        "import sys, awscli_gitpod.policy.arguments; "
        "print(sorted(m for m in sys.modules if m.startswith('awscli_gitpod.policy') or m == 'yaml'))"
    )
    assert loaded == "['awscli_gitpod.policy', 'awscli_gitpod.policy.arguments']"


def test_the_function_survives_an_earlier_import_of_its_module() -> None:
    """Python binds a submodule on its package when it is imported; `doctor` imports `policy.engine`."""
    kind = _fresh_python(
        "from awscli_gitpod.policy.engine import evaluate as e; "
        "from awscli_gitpod.policy import evaluate; print(evaluate is e, type(evaluate).__name__)"
    )
    assert kind == "True function"


def test_the_readme_documents_it() -> None:
    text = README.read_text()
    assert "from awscli_gitpod.policy import evaluate" in text
    for name in ("provider_arn", ".allowed", ".outcome", ".explanation", "Uncertain", "InvalidPolicy"):
        assert name in text, name

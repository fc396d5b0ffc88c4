"""IAM trust policies for workspace tokens: evaluate as IAM does, generate least-privilege ones, lint them.

For your own test suite, the engine `policy check`, `doctor` and the test bed's STS use:

    from awscli_gitpod.policy import evaluate

    decision = evaluate(policy, {"iss": "https://services.gitpod.io/idp", "aud": ["sts.amazonaws.com"],
                                 "sub": "https://github.com/acme/app"})
    assert decision.allowed, decision.explanation

`evaluate(policy, claims, *, provider_arn=None, ...)` returns a `Decision`: `.allowed`, `.outcome`
(Allowed, ExplicitDeny, ImplicitDeny, InvalidPolicy, RejectedBeforePolicy or Uncertain), `.reason`,
`.smallest_fix` and `.explanation`. Nothing is imported until then: the command-line parser imports
`policy.arguments` on every run and must stay cheap.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awscli_gitpod.policy.decision import Decision
    from awscli_gitpod.policy.evaluate import evaluate

__all__ = ["Decision", "evaluate"]
_LAZY = {"evaluate": "awscli_gitpod.policy.evaluate", "Decision": "awscli_gitpod.policy.decision"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


class _Package(types.ModuleType):
    """Importing the submodule `policy.evaluate` (as `doctor` does) makes Python bind it on the package
    under the same name, where it would hide the function: keep the function there instead."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "evaluate" and isinstance(value, types.ModuleType):
            value = value.evaluate
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awscli_gitpod.policy.decision import Decision
    from awscli_gitpod.policy.engine import evaluate

__all__ = ["Decision", "evaluate"]
# The engine's module is `engine`, not `evaluate`: importing a submodule binds it on the package, where a
# module named `evaluate` would hide the function.
_LAZY = {"evaluate": "awscli_gitpod.policy.engine", "Decision": "awscli_gitpod.policy.decision"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value

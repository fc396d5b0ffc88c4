"""awscli-gitpod: AWS credentials for Gitpod and Ona workspaces, from the workspace's OIDC token.

Where things are, one line each:
- cache hit: `__main__.answer_from_cache` answers `creds` with `cache` alone (and starts a refresh ahead
  in `refreshahead`; a miss waits for another process's refresh in `waiting`, before the heavy imports);
- cache miss: `provider.cached_document` (lock, re-read, `exchange.exchange`, store, stale fallback);
  every command that needs credentials calls `provider`; `--timeout` as a ceiling: `deadline`;
- what a profile runs: the launcher `login` writes (`launcher`); credentials for programs that cannot run a
  credential process: the endpoint of `exec --server` and `serve` (`credserver`); what `cache list` shows
  of each entry: `cacheinfo`; the line a long wait prints on a terminal: `waitnotice`;
- input checked where it is given: regions by form and partition in `regions`, options `--profile` would
  ignore in `options`; the AWS CLI plugin and its lifecycle: `awscli_plugin`, `plugin_shim` (the copy that
  survives the package), `plugin_entries`, `aws_clis`; shell completion: `completion`;
- exit codes: all named in `errors` (`EXIT_CODES`); commands raise `errors.Failure`, and
  `errors.error_handler` (run by `cli.main`) prints it;
- STS retry policy: `retry.RetryPolicy`, applied by `sts.assume_role`; botocore clients: `awsclient`;
- how doctor decides: `diagnosis` (the check order and the failure rule in its `__init__`);
- whose token it is, and when it is not the workspace's own (an Ona user token): `principal`;
- what is not fetched or written in a prebuild, and how one is told: `prebuild`;
- trust-policy logic: `policy/` (`evaluate` in `engine`, lint, generate, compare, the `.gitpod.yml` and Ona
  automation linter, the hooks); the Python API is `from awscli_gitpod.policy import evaluate`;
- secrets: `secretsources` (SPECs to variables), `secretstore` and `parameterstore` (reading), masking in
  `maskforms` and `maskfilter`, children in `childprocess` and their environment in `credentialenv`;
- where the hooks are called: `plugins.call_hook`, from `exchange` (token sources, claims, role, session);
  the built-in implementations are plugins in `builtin/`;
- the public API for plugin authors: `awscli_gitpod.hookimpl`, `hookspecs` (every hook), `tokens`
  (`TokenSource`, `TokenRequest`), `roles` (`RoleChoice`), and `testing` (the test bed).
The command line is `cli` (the parser and the dispatch) with one module a command in `commands/`.

This module is imported on every `aws-gitpod creds` call, so it imports nothing: `hookimpl` (and with it
pluggy) is loaded on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False
if TYPE_CHECKING:
    import pluggy

    hookimpl: pluggy.HookimplMarker


def __getattr__(name: str) -> object:
    if name == "hookimpl":
        from awscli_gitpod.hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The extension API: facts from claims, role rules, plugins from files, the examples in hooks/, failures."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from awscli_gitpod import errors, hookspecs
from awscli_gitpod.builtin.claim_facts import classic_facts, enrich_claims, ona_facts
from awscli_gitpod.testing.aws import AwsServer, create_oidc_role
from awscli_gitpod.testing.issuer import Issuer

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

ACTION = "AssumeRoleWithWebIdentity"
HOOKS = Path(__file__).resolve().parents[1] / "hooks"
README = Path(__file__).resolve().parents[1] / "README.md"
REPO = "https://github.com/gitpod-io/my-application"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (REPO, {"owner": "gitpod-io", "repo": "my-application", "repository": "gitpod-io/my-application"}),
        (f"{REPO}/tree/feature/x", {"repository": "gitpod-io/my-application", "branch": "feature/x"}),
        (f"{REPO}/pull/42", {"repository": "gitpod-io/my-application", "pr": "42"}),
        ("https://gitlab.com/a/b/c/-/tree/main/", {"owner": "a/b", "repo": "c", "branch": "main"}),
        ("https://gitlab.com/a/b/-/merge_requests/7", {"repository": "a/b", "pr": "7"}),
        ("https://bitbucket.org/o/r/src/dev", {"repository": "o/r", "branch": "dev"}),
        ("https://gitlab.com/group/src/repo", {"repository": "group/src/repo"}),
        ("https://github.com/o/r.git", {"repo": "r"}),
    ],
)
def test_facts_from_a_classic_context_url(url: str, expected: dict[str, str]) -> None:
    facts = classic_facts(url)
    assert {key: facts.get(key) for key in expected} == expected
    if "pr" not in expected:
        assert "pr" not in facts


def test_facts_from_ona_subjects() -> None:
    assert ona_facts({"sub": "org:O/prj:P/env:E"}) == {
        "organization": "O",
        "project": "P",
        "environment": "E",
    }
    assert ona_facts({"sub": "organization_id:O:project_id:P"}) == {"organization": "O", "project": "P"}
    assert ona_facts({"sub": "org:O/user:U", "environment_id": "E"}) == {
        "organization": "O",
        "user": "U",
        "environment": "E",
    }


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        # Fields an Ona organization appends to a V3 sub (`custom_claim_fields`) may hold colons (URLs).
        (
            "organization_id:O:project_id:P:environment_initializers.context_url:https://github.com/o/r"
            ":environment_id:E",
            {"organization": "O", "project": "P", "environment": "E"},
        ),
        (
            "organization_id:O:environment_id:E:creator_email:dev@example.com",
            {"organization": "O", "environment": "E"},
        ),
        (
            "organization_id:O:project_id:P:runner_name:a:b:runner_id:R",
            {"organization": "O", "project": "P", "runner": "R"},
        ),
        # A user's own text can spell a field: a field named twice is ambiguous, the fixed start always wins.
        (
            "organization_id:O:project_id:P:creator_name:x:environment_id:EVIL:environment_id:E",
            {"organization": "O", "project": "P"},
        ),
        (
            "organization_id:O:project_id:P:creator_name:x:project_id:EVIL",
            {"organization": "O", "project": "P"},
        ),
    ],
)
def test_facts_from_ona_v3_subjects_with_appended_fields(sub: str, expected: dict[str, str]) -> None:
    assert ona_facts({"sub": sub}) == expected


def test_an_ona_v3_token_names_its_repository_through_its_initializers() -> None:
    # V3 tokens carry the context URL only inside `environment_initializers` (real-products.md, section 3).
    claims = {
        "sub": "organization_id:O:project_id:P",
        "organization_id": "O",
        "project_id": "P",
        "environment_initializers": [
            {
                "git": {"remote_uri": "https://github.com/acme/app.git"},
                "context_url": "https://github.com/acme/app/tree/main",
            }
        ],
    }
    facts = enrich_claims(claims)
    assert facts is not None
    assert {key: facts[key] for key in ("kind", "repository", "branch", "organization", "project")} == {
        "kind": "ona",
        "repository": "acme/app",
        "branch": "main",
        "organization": "O",
        "project": "P",
    }
    only_git = {
        **claims,
        "environment_initializers": [{"git": {"remote_uri": "https://gitlab.com/g/s/r.git"}}],
    }
    assert (enrich_claims(only_git) or {})["repository"] == "g/s/r"
    assert "repository" not in (enrich_claims({**claims, "environment_initializers": [{"spec": {}}]}) or {})


def test_flat_ona_claims_win_over_the_sub() -> None:
    claims = {
        "sub": "organization_id:O:project_id:P:environment_id:X",
        "environment_id": "E",
        "project_id": "P",
    }
    assert ona_facts(claims) == {"organization": "O", "project": "P", "environment": "E"}


def open_on(workspace: Workspace, context_url: str, issuer: Issuer, aws_server: AwsServer, name: str) -> str:
    """Make the workspace one opened on `context_url`, and a role that trusts exactly it."""
    workspace.env["GITPOD_WORKSPACE_CONTEXT_URL"] = context_url
    return create_oidc_role(aws_server.endpoint_url, issuer.url, role_name=name, subject=context_url)


def creds(workspace: Workspace, *args: str) -> Any:
    return workspace.run("aws-gitpod", "creds", "--region", "eu-west-1", *args)


def test_role_rules_choose_by_branch_and_edits_take_effect(
    workspace_env: Workspace, issuer: Issuer, aws_server: AwsServer, tmp_path: Path
) -> None:
    main_url = f"{REPO}/tree/main"
    deploy = open_on(workspace_env, main_url, issuer, aws_server, "rules-deploy")
    other = create_oidc_role(aws_server.endpoint_url, issuer.url, role_name="rules-other", subject=main_url)
    rules = tmp_path / "roles.ini"
    rules.write_text(
        "[rule pull-requests]\nrepository = gitpod-io/*\npr = *\n"
        "role = arn:aws:iam::123456789012:role/nope\n\n"
        "[rule deploy-from-main]\nrepository = gitpod-io/my-application\nbranch = main release/*\n"
        f"role = {deploy}\n"
    )
    workspace_env.env["AWS_GITPOD_ROLE_RULES"] = str(rules)
    first = creds(workspace_env, "--role", "auto")
    assert first.returncode == 0, first.stderr
    assert aws_server.last_params(ACTION)["RoleArn"] == deploy

    rules.write_text(f"[rule everything]\nrepository = *\nrole = {other}\nduration_seconds = 1800\n")
    second = creds(workspace_env, "--role", "auto")
    assert second.returncode == 0, second.stderr
    assert aws_server.last_params(ACTION)["RoleArn"] == other
    assert aws_server.last_params(ACTION)["DurationSeconds"] == "1800"


def test_no_matching_rule_says_what_the_workspace_is(workspace_env: Workspace, tmp_path: Path) -> None:
    rules = tmp_path / "roles.ini"
    rules.write_text("[rule only-acme]\nowner = acme\nrole = arn:aws:iam::123456789012:role/x\n")
    workspace_env.env["AWS_GITPOD_ROLE_RULES"] = str(rules)
    result = creds(workspace_env, "--role", "auto")
    assert result.returncode == errors.USAGE
    assert (
        "no role rule or plugin matched this workspace (repository=gitpod-io/my-application)" in result.stderr
    )


def test_a_broken_rules_file_is_one_line(workspace_env: Workspace, tmp_path: Path) -> None:
    rules = tmp_path / "roles.ini"
    rules.write_text("[rule no-role]\nbranch = main\n")
    workspace_env.env["AWS_GITPOD_ROLE_RULES"] = str(rules)
    result = creds(workspace_env, "--role", "auto")
    assert result.returncode == errors.USAGE
    assert result.stderr.strip() == f"aws-gitpod: error: {rules} [rule no-role] has no `role`"


def test_example_session_name_from_email(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    workspace_env.env["AWS_GITPOD_PLUGINS"] = str(HOOKS / "session_name_from_email.py")
    result = creds(workspace_env, "--role", role_arn)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"tester-\d{10}", aws_server.last_params(ACTION)["RoleSessionName"])


def test_example_role_by_branch(workspace_env: Workspace, issuer: Issuer, aws_server: AwsServer) -> None:
    deploy = open_on(workspace_env, f"{REPO}/tree/main", issuer, aws_server, "example-deploy")
    workspace_env.env.update(
        AWS_GITPOD_PLUGINS=str(HOOKS / "role_by_branch.py"),
        GITPOD_DEPLOY_ROLE_ARN=deploy,
        GITPOD_DEVELOPER_ROLE_ARN="arn:aws:iam::123456789012:role/developer",
    )
    result = creds(workspace_env, "--role", "auto")
    assert result.returncode == 0, result.stderr
    assert aws_server.last_params(ACTION)["RoleArn"] == deploy


def test_example_pull_request_session_policy(
    workspace_env: Workspace, issuer: Issuer, aws_server: AwsServer
) -> None:
    role = open_on(workspace_env, f"{REPO}/pull/7", issuer, aws_server, "example-pr")
    workspace_env.env["AWS_GITPOD_PLUGINS"] = str(HOOKS / "pr_session_policy.py")
    result = creds(workspace_env, "--role", role)
    assert result.returncode == 0, result.stderr
    policy = json.loads(aws_server.last_params(ACTION)["Policy"])
    assert policy["Statement"][0]["Sid"] == "PullRequestWorkspacesReadOnly"

    explicit = creds(workspace_env, "--role", role, "--policy", '{"Version": "2012-10-17", "Statement": []}')
    assert explicit.returncode == 0, explicit.stderr
    assert json.loads(aws_server.last_params(ACTION)["Policy"])["Statement"] == []


BROKEN_PLUGIN = """
import os
from awscli_gitpod import hookimpl

@hookimpl
def enrich_claims(claims):
    if os.environ.get("BREAK_THE_PLUGIN"):
        raise RuntimeError("lookup failed for " + str(claims.get("sub")))
    return {"team": "platform"}
"""


def test_a_raising_plugin_is_named_and_can_be_disabled(
    workspace_env: Workspace, role_arn: str, tmp_path: Path
) -> None:
    plugin = tmp_path / "team_facts.py"
    plugin.write_text(BROKEN_PLUGIN)
    workspace_env.env["AWS_GITPOD_PLUGINS"] = str(plugin)
    assert creds(workspace_env, "--role", role_arn).returncode == 0

    # The cached answer runs no plugin, so a plugin that would now fail costs nothing there.
    workspace_env.env["BREAK_THE_PLUGIN"] = "1"
    assert creds(workspace_env, "--role", role_arn).returncode == 0

    failed = creds(workspace_env, "--role", role_arn, "--no-cache")
    assert failed.returncode == errors.INTERNAL
    assert failed.stderr.strip().splitlines() == [
        "aws-gitpod: error: plugin team_facts.py failed in hook enrich_claims: RuntimeError: "
        f"lookup failed for {workspace_env.subject}; disable it with AWS_GITPOD_DISABLE_PLUGINS=team_facts.py"
    ]
    workspace_env.env["AWS_GITPOD_DISABLE_PLUGINS"] = "team_facts.py"
    assert creds(workspace_env, "--role", role_arn, "--no-cache").returncode == 0


def test_a_plugin_that_cannot_load_is_named(workspace_env: Workspace, role_arn: str, tmp_path: Path) -> None:
    plugin = tmp_path / "broken.py"
    plugin.write_text("import a_module_nobody_installed\n")
    workspace_env.env["AWS_GITPOD_PLUGINS"] = str(plugin)
    result = creds(workspace_env, "--role", role_arn)
    assert result.returncode == errors.INTERNAL
    assert f"plugin '{plugin}' from AWS_GITPOD_PLUGINS failed to load: ModuleNotFoundError" in result.stderr


def test_built_in_plugins_can_be_blocked(workspace_env: Workspace, role_arn: str) -> None:
    workspace_env.env["AWS_GITPOD_DISABLE_PLUGINS"] = "awscli_gitpod.builtin.gitpod_cli"
    result = creds(workspace_env, "--role", role_arn)
    assert result.returncode == errors.NO_TOKEN
    assert "gp:" not in result.stderr and "token-file:" in result.stderr


def test_plugins_lists_what_is_loaded(workspace_env: Workspace) -> None:
    workspace_env.env["AWS_GITPOD_PLUGINS"] = (
        f"{HOOKS / 'pr_session_policy.py'},{HOOKS / 'role_by_branch.py'}"
    )
    result = workspace_env.run("aws-gitpod", "plugins", "--json")
    assert result.returncode == 0, result.stderr
    listed = {plugin["name"]: plugin for plugin in json.loads(result.stdout)["plugins"]}
    assert listed["pr_session_policy.py"]["hooks"] == ["session_policy"]
    assert listed["role_by_branch.py"]["origin"] == "AWS_GITPOD_PLUGINS"
    assert listed["awscli_gitpod.builtin.claim_facts"] == {
        "name": "awscli_gitpod.builtin.claim_facts",
        "origin": "built in",
        "hooks": ["enrich_claims"],
    }
    text = workspace_env.run("aws-gitpod", "plugins").stdout
    assert "role rules for --role auto:" in text


def hookspec_names() -> list[str]:
    tree = ast.parse(Path(hookspecs.__file__).read_text())
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any("hookspec" in ast.unparse(decorator) for decorator in node.decorator_list)
    ]


def test_every_hook_is_documented() -> None:
    names = hookspec_names()
    assert {"token_sources", "enrich_claims", "select_role", "session_name", "session_policy"} <= set(names)
    extending = README.read_text().split("## Extending", 1)[1].split("\n## ", 1)[0]
    for name in names:
        assert getattr(hookspecs, name).__doc__, f"hookspec {name} has no docstring"
        assert f"`{name}`" in extending, f"hookspec {name} is missing from the README's Extending section"


def test_every_hook_has_a_built_in_or_example_implementation() -> None:
    implemented = "\n".join(
        path.read_text()
        for path in [*HOOKS.glob("*.py"), *Path(hookspecs.__file__).parent.glob("builtin/*.py")]
    )
    for name in hookspec_names():
        assert f"def {name}(" in implemented, f"no built-in plugin or example implements {name}"

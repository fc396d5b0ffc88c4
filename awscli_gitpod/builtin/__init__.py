"""Built-in plugins: every default behaviour is a plugin, registered before any third-party one, so that a
third-party plugin's answer to a first-result hook comes first."""

BUILTIN_PLUGINS = (
    "awscli_gitpod.builtin.gitpod_cli",
    "awscli_gitpod.builtin.token_file",
    "awscli_gitpod.builtin.claim_facts",
    "awscli_gitpod.builtin.role_rules",
    "awscli_gitpod.builtin.session_name",
)

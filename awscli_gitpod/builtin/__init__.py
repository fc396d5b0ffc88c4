"""Built-in plugins: every default behaviour is a plugin, registered before any third-party one."""

BUILTIN_PLUGINS = (
    "awscli_gitpod.builtin.gitpod_cli",
    "awscli_gitpod.builtin.token_file",
    "awscli_gitpod.builtin.session_name",
)

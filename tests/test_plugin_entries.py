"""The `[plugins]` entries `aws-gitpod plugin` owns: added and removed exactly, earlier installs' included."""

from __future__ import annotations

from pathlib import Path

import pytest

from awscli_gitpod import awsconfig, errors, plugin_entries, plugin_shim


def edited(text: str, change: str, plugin_dir: str | None = None) -> str:
    config = awsconfig.ConfigFile(text, kind="config")
    if change == "add":
        plugin_entries.add(config, plugin_dir)
    else:
        plugin_entries.remove(config)
    return config.render()


def test_a_value_set_in_place_reads_back() -> None:
    config = awsconfig.ConfigFile("[plugins]\nx = old\ny = 1\n", kind="config")
    config.set("plugins", "x", "new")
    assert config.get("plugins", "x") == "new"


def test_add_puts_our_entry_before_the_path_v1_would_import(tmp_path: Path) -> None:
    theirs = tmp_path / "their-plugins"
    theirs.mkdir()
    gone = tmp_path / "removed-venv" / "site-packages"
    before = (
        f"[plugins]\ncli_legacy_plugin_path = {theirs}:{gone}\nfoo = foo_plugin\n"
        "gitpod = awscli_gitpod.awscli_plugin\n"
    )
    assert edited(before, "add", "/p") == (
        f"[plugins]\nfoo = foo_plugin\ngitpod = awscli_gitpod_plugin\ncli_legacy_plugin_path = {theirs}:/p\n"
    )


def test_remove_takes_every_path_of_ours_and_leaves_theirs(tmp_path: Path) -> None:
    theirs, shim, package = tmp_path / "theirs", tmp_path / "shim", tmp_path / "site"
    for directory in (theirs, shim, package / "awscli_gitpod"):
        directory.mkdir(parents=True)
    (shim / plugin_shim.FILE_NAME).write_text("")
    (package / "awscli_gitpod" / "awscli_plugin.py").write_text("")
    gone = tmp_path / "gone"
    head = "[default]\nregion = x\n\n[plugins]\ngitpod = awscli_gitpod_plugin\n"
    text = head + f"cli_legacy_plugin_path = {gone}:{package}:{theirs}:{shim}\n"
    assert (
        edited(text, "remove") == f"[default]\nregion = x\n\n[plugins]\ncli_legacy_plugin_path = {theirs}\n"
    )
    assert edited(head + f"cli_legacy_plugin_path = {gone}\n", "remove") == "[default]\nregion = x\n"


def test_someone_elses_gitpod_entry_is_refused_and_kept() -> None:
    with pytest.raises(
        errors.UsageError, match=r"already has gitpod = their\.module, which is not aws-gitpod's"
    ):
        edited("[plugins]\ngitpod = their.module\n", "add")
    assert edited("[plugins]\ngitpod = their.module\n", "remove") == "[plugins]\ngitpod = their.module\n"

"""Print a shell completion script for aws-gitpod, generated from its own command line.

eval "$(aws-gitpod completion bash)"      # in ~/.bashrc
eval "$(aws-gitpod completion zsh)"       # in ~/.zshrc, after compinit
aws-gitpod completion fish | source       # in ~/.config/fish/config.fish
"""

from __future__ import annotations

import argparse

from awscli_gitpod import errors
from awscli_gitpod.completion import SHELLS, script
from awscli_gitpod.output import write_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    write_text(script(args.shell, args.root_parser))
    return errors.OK

"""The ``hebi-desktop`` command: the window by default, subcommands for everything else."""

from hebi_desktop.cli.main import main

__all__ = ["main"]

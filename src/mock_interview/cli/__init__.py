"""The `mock-interview` command: argument parsing and one module per command."""

from mock_interview.cli.entry import main

__all__ = ["main"]

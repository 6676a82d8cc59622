"""The CLI's last line of defence: a bug is one line naming a crash log, exit 1.

The handler is replaced by one that raises (the only way to make a bug on purpose); everything
around it, the parser, the wrapper and the log writing, is the real `main`.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from file_modes import mode
from mock_interview.cli import entry as cli
from mock_interview.cli import review as review_commands


def test_an_unexpected_exception_is_one_line_naming_a_private_crash_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state_home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state_home))

    def broken_history(args: argparse.Namespace) -> int:
        raise RuntimeError("the history handler\nbroke")

    monkeypatch.setattr(review_commands, "_history", broken_history)
    status = cli.main(["history"])
    out, err = capsys.readouterr()

    assert status == 1 and out == ""
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("mock-interview: unexpected error (RuntimeError: the history handler")
    named = re.search(r"(/\S+\.log)$", err.strip())
    assert named, err
    log = Path(named.group(1))
    assert log.parent == state_home / "mock-interview" and log.name.startswith("crash-")
    text = log.read_text()
    assert text.startswith("Traceback (most recent call last):")
    assert "in broken_history" in text and "RuntimeError: the history handler\nbroke" in text
    assert (mode(log), mode(log.parent)) == (0o600, 0o700)


"""Without PortAudio the app still runs and says in one line what is missing and how to get it.

sounddevice raises OSError("PortAudio library not found") on import when libportaudio2 is absent;
a stand-in module on PYTHONPATH does exactly that, in a real child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def without_portaudio(tmp_path: Path) -> dict[str, str]:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sounddevice.py").write_text('raise OSError("PortAudio library not found")\n')
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(shim), *sys.path])}


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_interview", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", [["devices"], ["practice", "--no-speak"]])
def test_commands_needing_audio_say_how_to_install_portaudio(
    without_portaudio: dict[str, str], command: list[str]
) -> None:
    result = run_cli(without_portaudio, *command)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PortAudio not found" in lines[0] and "apt-get install libportaudio2" in lines[0]


def test_history_works_without_portaudio(without_portaudio: dict[str, str]) -> None:
    result = run_cli(without_portaudio, "history")
    assert result.returncode == 0, result.stderr

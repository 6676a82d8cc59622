"""`mock-interview analyze` as a user runs it: silence, every error as one line (the network is
watched in tests/hostile/test_network.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audio_files import write_audio, write_bytes
from mock_interview.cli.entry import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_interview", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "{tmp}/nothing.wav"], "no such file"),
        (["analyze", "{tmp}"], "is a directory"),
        (["analyze", "{tmp}/empty.wav"], "empty file"),
        (["analyze", "{tmp}/junk.wav"], "not readable audio"),
        (["analyze", "{tmp}/short.wav", "--question", "no-such-question"], "unknown question id"),
        (["analyze", "{tmp}/short.wav", "--model", "{tmp}/no-model"], "model path"),
        (["analyze", "{tmp}/short.wav", "--model", "{tmp}"], "no CTranslate2 model.bin"),
    ],
    ids=[
        "missing",
        "directory",
        "empty",
        "non-audio",
        "unknown-question",
        "no-model",
        "not-a-model",
    ],
)
def test_errors_are_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    write_bytes(tmp_path / "empty.wav", b"")
    write_bytes(tmp_path / "junk.wav", b"\x00\x01junk" * 300)
    write_audio(tmp_path / "short.wav", np.zeros(1600, np.float32))
    code = main([arg.format(tmp=tmp_path) for arg in args])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], captured.err
    assert "Traceback" not in captured.err


def test_error_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    result = run_cli("analyze", str(tmp_path / "missing.flac"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_silence_only_audio_reports_no_speech(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(1)
    hiss = (rng.standard_normal(16000 * 6) * 0.001).astype(np.float32)
    path = write_audio(tmp_path / "silent.flac", hiss)
    assert main(["analyze", str(path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["timing"]["speech_detected"] is False
    assert report["timing"]["response_latency_s"] == pytest.approx(6.0, abs=0.01)
    assert report["transcript"]["words"] == []
    assert main(["analyze", str(path)]) == 0
    assert "No speech detected" in capsys.readouterr().out

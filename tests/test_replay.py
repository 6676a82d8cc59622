"""Replay through the real sounddevice/PortAudio, with ALSA's file plugin as the speaker."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from alsa_device import AlsaDevice, PacedSpeaker
from crafted_reports import crafted_analysis
from mock_interview.core.errors import UserError
from mock_interview.storage.database import Store
from mock_interview.views.replay import choose_answer

RATE = 16000
TEXT = "I set a goal um to run a marathon and I finished it in four hours."


def _recording(seconds: float, seed: int) -> np.ndarray:
    """Distinct noise per answer, so any misplaced or missing sample shows."""
    return np.random.default_rng(seed).integers(-20000, 20000, int(seconds * RATE), dtype=np.int16)


def _save_session(device: AlsaDevice, answers: list[np.ndarray]) -> None:
    with Store(device.data_dir / "sessions.db") as store:
        session_id = store.create_session(["goal-achieved", "goal-missed"])
        for index, samples in enumerate(answers):
            question_id = ("goal-achieved", "goal-missed")[index % 2]
            path = store.new_recording_path(session_id, question_id)
            soundfile.write(path, samples, RATE, subtype="PCM_16")
            store.add_answer(session_id, question_id, path,
                             crafted_analysis(TEXT, latency_s=0.5, word_s=0.25, pauses={8: 1.2},
                                            question_id=question_id))


def _without_lead(played: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """The device primes its buffer with a little silence; what follows must be the audio."""
    lead = int(np.flatnonzero(played)[0] - np.flatnonzero(expected)[0])
    assert 0 <= lead <= 0.25 * RATE
    return played[lead:]


@pytest.fixture
def device(tmp_path: Path) -> AlsaDevice:
    return AlsaDevice(tmp_path)


@pytest.mark.alsa
def test_replay_plays_the_recording_bytes_and_follows_the_transcript(device: AlsaDevice) -> None:
    first, second = _recording(5.0, 1), _recording(6.5, 2)
    _save_session(device, [first, second])

    result = device.run_cli("replay", "1", "--answer", "2")

    assert result.returncode == 0, result.stderr
    played = _without_lead(device.played(), second)
    np.testing.assert_array_equal(played[: len(second)], second)
    assert not played[len(second):].any()
    lines = result.stdout.splitlines()
    assert lines[0] == "Replaying answer 2 of session 1: Question goal-missed?"
    assert lines[1] == "0:00 of 0:06 · Ctrl+C stops"
    followed = " ".join(lines[3:])
    assert followed == (
        "I set a goal «um» to run a [1.2 s] marathon and I finished it in four hours."
    )


@pytest.mark.alsa
def test_replay_from_a_position_starts_there(device: AlsaDevice) -> None:
    first = _recording(6.0, 3)
    _save_session(device, [first])

    result = device.run_cli("replay", "1", "--from", "2.5")

    assert result.returncode == 0, result.stderr
    rest = first[int(2.5 * RATE):]
    played = _without_lead(device.played(), rest)
    np.testing.assert_array_equal(played[: len(rest)], rest)
    assert not played[len(rest):].any()
    # Words before 2.5 s are not shown; the pause starts at 2.5 s, "marathon" at 3.7 s.
    followed = " ".join(result.stdout.splitlines()[3:])
    assert followed == "[1.2 s] marathon and I finished it in four hours."


@pytest.mark.alsa
def test_ctrl_c_stops_playback_cleanly(tmp_path: Path) -> None:
    device = PacedSpeaker(tmp_path, RATE)
    long_answer = _recording(1800.0, 4)
    _save_session(device, [long_answer])
    process = device.start("from mock_interview.cli.entry import main; raise SystemExit(main())",
                           "replay", "1")
    deadline = time.monotonic() + 60
    while device.played().size < RATE and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "Stopped at " in stdout
    played = _without_lead(device.played(), long_answer)
    assert RATE // 2 <= played.size < long_answer.size
    np.testing.assert_array_equal(played, long_answer[: played.size])


def test_bad_answer_number_and_start_are_one_line_errors(
    device: AlsaDevice, tmp_path: Path
) -> None:
    _save_session(device, [_recording(2.0, 5)])
    result = device.run_cli("replay", "1", "--answer", "3")
    assert result.returncode == 2
    assert result.stderr == (
        "mock-interview: session 1 has no answer 3 (it has 1; --answer counts from 1)\n"
    )
    result = device.run_cli("replay", "1", "--from", "9")
    assert result.returncode == 2
    assert result.stderr == "mock-interview: --from 9: the recording is 2.0 s long\n"


def test_answer_without_recording_cannot_be_replayed(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        session_id = store.create_session(["goal-achieved"])
        store.add_answer(session_id, "goal-achieved", None, crafted_analysis(TEXT))
        with pytest.raises(UserError, match="no recorded answer to replay"):
            choose_answer(store.session(session_id), None)

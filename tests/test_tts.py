"""Speaking the question: pyttsx3 through the real eSpeak NG, played through the real PortAudio."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile

from alsa_device import AlsaDevice
from mock_interview.audio.io import load_audio
from mock_interview.audio.signal import find_speech
from mock_interview.audio.tts import render_speech
from mock_interview.config import Settings

QUESTION = "Tell me about a goal you set for yourself and achieved."


def test_question_is_rendered_to_speech_and_cached(settings: Settings) -> None:
    first = render_speech(QUESTION, settings.speech)
    assert first.path is not None and first.hint is None
    audio = load_audio(first.path)
    assert 2.0 < audio.duration_s < 8.0
    spans = find_speech(audio.samples)
    assert spans and spans[-1].end_s - spans[0].start_s > 1.5
    stamp = first.path.stat().st_mtime_ns
    again = render_speech(QUESTION, settings.speech)
    assert again.path == first.path and first.path.stat().st_mtime_ns == stamp
    faster = render_speech(QUESTION, replace(settings.speech, rate=settings.speech.rate * 2))
    assert faster.path is not None and faster.path != first.path
    assert soundfile.info(faster.path).duration < soundfile.info(first.path).duration * 0.8


def test_unknown_voice_gives_a_hint_not_an_error(settings: Settings) -> None:
    result = render_speech(QUESTION, replace(settings.speech, voice="no-such-voice-xyz"))
    assert result.path is None
    assert result.hint is not None and "speech.voice" in result.hint


def test_missing_pyttsx3_gives_one_line_saying_how_to_get_speech(tmp_path: Path) -> None:
    """A pyttsx3 that cannot be imported, as on a machine without it."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pyttsx3.py").write_text("raise ImportError('No module named pyttsx3')\n")
    device = AlsaDevice(tmp_path)
    pythonpath = os.pathsep.join([str(broken), device.env["PYTHONPATH"]])
    run = device.run(
        """
        from mock_interview.audio.tts import render_speech
        from mock_interview.config import load_settings
        result = render_speech("Hello there.", load_settings().speech)
        print(result.path)
        print(result.hint)
        """,
        env={"PYTHONPATH": pythonpath},
    )
    assert run.returncode == 0, run.stderr
    path, hint = run.stdout.strip().splitlines()
    assert path == "None"
    assert "pyttsx3 is not installed" in hint and "espeak-ng" in hint


PLAY_SNIPPET = """
import json, sys
from pathlib import Path
from mock_interview.audio.playback import Player
player = Player()
player.play_file(Path(sys.argv[1]), start_s=float(sys.argv[2]))
finished = player.wait(30)
print(json.dumps({"finished": finished, "position_s": player.position_s,
                  "duration_s": player.duration_s, "playing": player.playing}))
"""


@pytest.mark.alsa
@pytest.mark.parametrize("start_s", [0.0, 1.0])
def test_question_plays_on_the_output_device(
    tmp_path: Path, settings: Settings, start_s: float
) -> None:
    spoken = render_speech(QUESTION, settings.speech)
    assert spoken.path is not None
    device = AlsaDevice(tmp_path)
    run = device.run(PLAY_SNIPPET, str(spoken.path), str(start_s))
    assert run.returncode == 0, run.stderr
    state = json.loads(run.stdout)
    assert state["finished"] and not state["playing"]
    assert state["position_s"] == pytest.approx(state["duration_s"])
    expected, rate = soundfile.read(spoken.path, dtype="int16")
    expected = expected[int(start_s * rate) :]
    played = device.played()
    # The device primes its buffer with a little silence; the audio itself comes out unchanged.
    lead = int(np.flatnonzero(played)[0] - np.flatnonzero(expected)[0])
    assert 0 <= lead <= 0.25 * rate
    np.testing.assert_array_equal(played[lead : lead + len(expected)], expected)
    assert not played[lead + len(expected) :].any()

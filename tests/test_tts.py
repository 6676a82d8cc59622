"""Speaking the question: pyttsx3 through the real eSpeak NG, played through the real PortAudio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile

from alsa_device import AlsaDevice
from conftest import REPO
from mock_interview.audio.io import load_audio
from mock_interview.audio.signal import find_speech
from mock_interview.audio.tts import RENDER_ATTEMPTS, render_speech
from mock_interview.core.config import Settings

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


def render_with_fake_pyttsx3(tmp_path: Path, module_source: str) -> tuple[str, str, str]:
    """`render_speech` in a fresh process whose `import pyttsx3` finds `module_source` instead:
    the path, the hint and the files left in the speech cache."""
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "pyttsx3.py").write_text(textwrap.dedent(module_source))
    device = AlsaDevice(tmp_path)
    pythonpath = os.pathsep.join([str(fake), device.env["PYTHONPATH"]])
    run = device.run(
        """
        from mock_interview.audio.tts import render_speech
        from mock_interview.core.config import load_settings
        from mock_interview.core.paths import cache_dir
        result = render_speech("Hello there.", load_settings().speech)
        print(result.path)
        print(result.hint)
        print(sorted(path.name for path in (cache_dir() / "speech").iterdir()))
        """,
        env={"PYTHONPATH": pythonpath},
    )
    assert run.returncode == 0, run.stderr
    path, hint, left = run.stdout.strip().splitlines()
    return path, hint, left


def test_missing_pyttsx3_gives_one_line_saying_how_to_get_speech(tmp_path: Path) -> None:
    """A pyttsx3 that cannot be imported, as on a machine without it."""
    path, hint, _ = render_with_fake_pyttsx3(
        tmp_path, "raise ImportError('No module named pyttsx3')\n"
    )
    assert path == "None"
    assert "pyttsx3 is not installed" in hint and "espeak-ng" in hint


def test_engine_that_writes_only_a_header_is_retried_then_reported(tmp_path: Path) -> None:
    """An engine that reports success but leaves a WAV without frames (what eSpeak did when
    pyttsx3 returned early) is tried again, and the user is told the question was not spoken."""
    tries = tmp_path / "tries"
    path, hint, left = render_with_fake_pyttsx3(
        tmp_path,
        f"""
        import wave

        class Engine:
            def setProperty(self, name, value): pass
            def connect(self, topic, callback): self.finished = callback
            def save_to_file(self, text, path): self.path = path
            def runAndWait(self):
                with open({str(tries)!r}, "a") as tries:
                    tries.write("try\\n")
                with wave.open(self.path, "wb") as header_only:
                    header_only.setnchannels(1)
                    header_only.setsampwidth(2)
                    header_only.setframerate(22050)
                self.finished(name=None, completed=True)

        def init():
            return Engine()
        """,
    )
    assert path == "None"
    assert tries.read_text().splitlines() == ["try"] * RENDER_ATTEMPTS
    assert hint.startswith("Speech failed (the speech engine wrote no audio")
    assert "shown as text" in hint
    assert left == "[]"


def test_distinct_questions_all_render_while_every_core_is_busy() -> None:
    """Before the fix about one render in three came back empty under this load."""
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "tts_stress.py"), "--renders", "10", "--load", "8"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    summary = json.loads(run.stdout)
    assert summary["failures"] == [] and summary["successes"] == 10, run.stdout
    assert run.returncode == 0


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

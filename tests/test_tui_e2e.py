"""The real app end to end: PortAudio through ALSA's `file` plugin is the microphone and the
speaker, the embedded model transcribes, and a whole two-question session is saved.

The app runs in a child Python process (PortAudio reads the ALSA config from HOME when it starts)
and is driven there through `App.run_test()`; the test then reads the saved session itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from alsa_device import AlsaDevice
from mock_interview.audio.io import load_audio
from mock_interview.core.values import normalize_token
from mock_interview.storage.database import STATUS_DONE, Store

SAMPLE = Path(__file__).resolve().parent.parent / "audio_samples" / "goal_achieved_short.mp3"

DRIVE_THE_APP = """
import asyncio, json, time
from mock_interview.tui.app import make_app
from mock_interview.tui.screens.report import ReportScreen

async def until(pilot, condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out; status: {app.status}")
        await pilot.pause(0.05)

app = make_app()

async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.transcriber.done() and app.status.microphone, 60)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen), 300)
        await pilot.pause(0.5)  # let the report screen finish mounting before the app exits
        print(json.dumps({
            "session_id": app.screen.session_id,
            "microphone": app.status.microphone,
            "speech": app.status.speech_line,
        }))

asyncio.run(main())
"""


@pytest.mark.alsa
@pytest.mark.model
def test_two_question_session_through_the_real_app(tmp_path: Path) -> None:
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())
    fed = load_audio(SAMPLE).samples
    device = AlsaDevice(tmp_path)
    device.feed(fed)
    config = device.home / "config" / "mock-interview" / "settings.toml"
    config.parent.mkdir(parents=True)
    # The null device has no clock: stop each answer on recorded length, not on a key or time.
    config.write_text(f"[recording]\nmax_answer_s = {len(fed) / 16000 + 0.5:.2f}\n")

    run = device.run(DRIVE_THE_APP, timeout=400)
    assert run.returncode == 0, run.stderr[-3000:]
    shown = json.loads(run.stdout.strip().splitlines()[-1])
    assert shown["microphone"]

    with Store(device.data_dir / "sessions.db") as store:
        session = store.session(shown["session_id"])
    assert session.question_ids == ["goal-achieved", "goal-missed"]
    assert [a.row.question_id for a in session.answers] == ["goal-achieved", "goal-missed"]
    expected = np.fromfile(device.in_raw, dtype="<i2")  # what the microphone gave
    truth_words = {normalize_token(word) for word in truth["text"].split()}
    for answer in session.answers:
        assert answer.row.status == STATUS_DONE
        assert answer.row.recording_path is not None
        recorded, _ = soundfile.read(answer.row.recording_path, dtype="int16")
        np.testing.assert_array_equal(recorded, expected[: len(recorded)])
        report = answer.report
        assert report is not None
        heard = [normalize_token(word.text) for word in report.transcript.words]
        assert sum(word in truth_words for word in heard) >= 0.8 * len(heard) > 0
        assert report.timing.answer_length_s == pytest.approx(truth["answer_length_s"], abs=0.5)
        assert report.rubric is not None
    if shown["speech"] == "Speech: questions are read aloud":
        assert np.count_nonzero(device.played()) > 16000  # both questions came out of the speaker

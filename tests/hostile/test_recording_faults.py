"""The recording flow under faults (issue 12, item 6): a start that fails leaves nothing, a stop is
never lost, a repeated question stays out of the answer, a full disk is one line and keeps the
recording. Each case runs the real engine; the device cases go through PortAudio (ALSA files)."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from alsa_device import AlsaDevice
from mock_interview.analysis.answer import AnswerAnalysis, Transcript
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.audio.recorder import FileSource, StopReason
from mock_interview.audio.tts import render_speech
from mock_interview.core.config import Settings, load_questions
from mock_interview.session.engine import (
    EngineFailed,
    PracticeEngine,
    QuestionSpoken,
    RecordingStopped,
    ReportReady,
)
from mock_interview.storage.database import STATUS_DONE, Store
from mock_interview.views.answer import render_text

SAMPLES = Path(__file__).resolve().parent.parent.parent / "audio_samples"
SHORT_ANSWER = SAMPLES / "goal_achieved_short.mp3"
GOLDEN = Path(__file__).resolve().parent.parent / "golden"
RATE = ANALYSIS_RATE


def tone_file(path: Path, seconds: float) -> Path:
    """A steady tone: loud enough to count as sound, long enough to tell a full answer apart."""
    t = np.arange(int(seconds * RATE)) / RATE
    soundfile.write(path, 0.3 * np.sin(2 * np.pi * 220 * t), RATE, subtype="PCM_16")
    return path


def run_engine(
    settings: Settings,
    transcriber: Transcriber,
    source_factory: Any,
    on_event: Any,
    question_ids: tuple[str, ...] = ("goal-missed",),
) -> tuple[int | None, Store]:
    bank = load_questions()
    store = Store.open_default()
    # One recording per question: these faults are about answers, not about follow-ups.
    settings = replace(settings, practice=replace(settings.practice, follow_ups="off"))
    engine = PracticeEngine(
        settings, transcriber, store, on_event, speak=False, source_factory=source_factory
    )
    on_event.engine = engine
    return engine.run_session([bank[question_id] for question_id in question_ids]), store


class Recorder:
    """Collects the engine's events; `engine` is set before the session runs."""

    def __init__(self, react: Any = None) -> None:
        self.events: list[Any] = []
        self.react = react
        self.engine: PracticeEngine | None = None

    def __call__(self, event: Any) -> None:
        self.events.append(event)
        if self.react is not None:
            self.react(self, event)

    def of(self, kind: type) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]


@pytest.mark.model
def test_a_failed_start_leaves_no_row_and_no_file(
    settings: Settings, transcriber: Transcriber, tmp_path: Path
) -> None:
    """An absurd `max_answer_s` (inf) refuses the start: one message, no "recording" row that
    would nag on every later start, no empty WAV."""
    absurd = replace(settings, recording=replace(settings.recording, max_answer_s=float("inf")))
    answer = tone_file(tmp_path / "tone.wav", 2.0)
    events = Recorder()
    session_id, store = run_engine(absurd, transcriber, lambda q: FileSource(answer), events)
    with store:
        [failed] = events.of(EngineFailed)
        assert "max_answer_s" in failed.message and "inf" in failed.message
        assert store.unfinished_recordings() == []
        assert store.answers(include_unfinished=True) == []
        assert not list(store.recordings_dir.rglob("*.wav"))
        assert session_id is not None


@pytest.mark.model
def test_a_stop_just_as_the_question_ends_stops_the_coming_answer(
    settings: Settings, transcriber: Transcriber, tmp_path: Path
) -> None:
    """A stop pressed after the question ended but before the recording runs is kept: the answer
    stops the moment it starts instead of recording the whole 4 s."""
    answer = tone_file(tmp_path / "tone.wav", 4.0)

    def stop_when_spoken(recorder: Recorder, event: Any) -> None:
        if isinstance(event, QuestionSpoken):
            assert recorder.engine is not None
            recorder.engine.stop_answer()

    events = Recorder(stop_when_spoken)
    _, store = run_engine(settings, transcriber, lambda q: FileSource(answer, pace=1.0), events)
    store.close()
    [stopped] = events.of(RecordingStopped)
    assert stopped.reason == StopReason.REQUESTED
    assert stopped.duration_s < 0.5
    [ready] = events.of(ReportReady)
    assert load_audio(ready.recording_path).duration_s == pytest.approx(stopped.duration_s)


@pytest.mark.model
def test_a_stop_after_an_answer_stopped_never_cuts_the_next_one(
    settings: Settings, transcriber: Transcriber, tmp_path: Path
) -> None:
    """A stop that arrives once an answer has ended is spent on it: the next question's answer
    records in full."""
    answer = tone_file(tmp_path / "tone.wav", 1.5)

    def stop_after_the_first(recorder: Recorder, event: Any) -> None:
        if isinstance(event, ReportReady) and len(recorder.of(ReportReady)) == 1:
            assert recorder.engine is not None
            recorder.engine.stop_answer()

    events = Recorder(stop_after_the_first)
    _, store = run_engine(
        settings,
        transcriber,
        lambda q: FileSource(answer, pace=0),
        events,
        ("goal-missed", "goal-achieved"),
    )
    store.close()
    assert [event.reason for event in events.of(RecordingStopped)] == [
        StopReason.SOURCE_ENDED,
        StopReason.SOURCE_ENDED,
    ]
    assert [round(event.duration_s, 2) for event in events.of(RecordingStopped)] == [1.5, 1.5]


REPEATED_QUESTION = """
import json, sys
from dataclasses import replace
from mock_interview.audio.tts import render_speech
from mock_interview.core.config import load_questions, load_settings
from mock_interview.session.engine import PracticeEngine, RecordingStarted, ReportReady
from mock_interview.storage.database import Store
from mock_interview.analysis.answer import AnswerAnalysis, Transcript
from mock_interview.asr.whisper import Transcriber
import soundfile

settings = load_settings()
settings = replace(
    settings,
    recording=replace(settings.recording, max_answer_s=float(sys.argv[1])),
    practice=replace(settings.practice, follow_ups="off"),
)
question = load_questions()["goal-achieved"]

def on_event(event):
    if isinstance(event, RecordingStarted):
        engine.repeat_question()  # the speaker plays the question while the microphone records
    elif isinstance(event, ReportReady):
        spoken = render_speech(question.text, settings.speech).path
        print(json.dumps({"report": event.report.to_json(), "path": str(event.recording_path),
                          "question_s": soundfile.info(str(spoken)).duration}))

engine = PracticeEngine(settings, Transcriber(settings.transcription), Store.open_default(),
                        on_event)
engine.run_session([question])
"""


@pytest.mark.alsa
@pytest.mark.model
def test_a_repeated_question_stays_out_of_the_answer(tmp_path: Path, settings: Settings) -> None:
    """The microphone hears the question replayed (IN.raw starts with it), then a pause and the
    answer: the replayed stretch is recorded as silence, so no word of it is transcribed and the
    latency still counts it (timing stays honest)."""
    question = load_questions()["goal-achieved"]
    spoken = render_speech(question.text, settings.speech)
    assert spoken.path is not None, spoken.hint
    heard_question = load_audio(spoken.path).samples
    gap = np.zeros(RATE, dtype=np.float32)
    answer = load_audio(SHORT_ANSWER).samples
    device = AlsaDevice(tmp_path)
    fed = device.feed(np.concatenate([heard_question, gap, answer]))
    run = device.run(REPEATED_QUESTION, f"{len(fed) / RATE + 0.5:.2f}", timeout=400)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    result = json.loads(run.stdout)
    muted_s = result["question_s"] + 0.5  # the question and the speaker's tail
    assert muted_s < (len(heard_question) + len(gap)) / RATE  # the answer itself is not muted
    recorded, rate = soundfile.read(result["path"], dtype="int16")
    assert rate == RATE and len(recorded) >= len(fed)
    muted = int(muted_s * RATE)
    assert not recorded[:muted].any()
    np.testing.assert_array_equal(recorded[muted : len(fed)], fed[muted:])

    words = result["report"]["transcript"]["words"]
    assert words, "the answer after the replayed question was not transcribed"
    answer_starts_s = (len(heard_question) + len(gap)) / RATE
    assert min(word["start_s"] for word in words) >= answer_starts_s - 0.3
    truth = json.loads(SHORT_ANSWER.with_suffix(".json").read_text())
    latency = result["report"]["timing"]["response_latency_s"]
    assert latency == pytest.approx(answer_starts_s + truth["leading_silence_s"], abs=0.25)


def test_input_overflows_are_said_in_the_text_report() -> None:
    """A live report that counted dropped audio says so; `analyze`'s report (no count) does not."""
    report = _golden_analysis()
    assert report.input_overflows is None
    assert "dropped audio" not in render_text(report)
    assert "dropped audio 3 times" in render_text(replace(report, input_overflows=3))


def _golden_analysis() -> AnswerAnalysis:
    return AnswerAnalysis.from_json(json.loads((GOLDEN / "goal_achieved_short.json").read_text()))


DISK_LIMIT_SESSION_ARGS = ("practice", "--question", "goal-achieved", "--no-speak")


def _limit_file_size(limit: int) -> Any:
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


@pytest.mark.model
def test_disk_full_mid_answer_is_one_line_and_the_recording_is_recovered(
    tmp_path: Path, settings: Settings, transcriber: Transcriber
) -> None:
    """No file may grow past the size the database has before the session: the answer stops at
    that size (disk full) mid-answer, the database cannot take its report (longer than a page, so
    it needs new pages), and `practice` says so in one line instead of a traceback. The recording
    is kept and the next start recovers it."""
    device = AlsaDevice(tmp_path)
    database = device.data_dir / "sessions.db"
    device.data_dir.mkdir(parents=True)
    with Store(database) as store:  # an earlier answer makes the database ~13 s of audio long
        earlier = store.create_session(["goal-missed"])
        long_transcript = Transcript("x" * 420_000, ())
        store.add_answer(
            earlier, "goal-missed", None, replace(_golden_analysis(), transcript=long_transcript)
        )
    limit = database.stat().st_size
    answer_s = load_audio(SHORT_ANSWER).duration_s
    assert 8 < (limit - 44) / 2 / RATE < answer_s - 2  # the disk fills mid-answer, after words
    answer = tmp_path / "answer.wav"
    soundfile.write(answer, load_audio(SHORT_ANSWER).samples, RATE, subtype="PCM_16")
    run = subprocess.run(
        [sys.executable, "-c", "from mock_interview.cli import main; raise SystemExit(main())",
         *DISK_LIMIT_SESSION_ARGS, "--answer-file", str(answer)],
        env=device.env,
        cwd=device.home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_file_size(limit),
    )  # fmt: skip
    assert "Traceback" not in run.stderr
    assert run.returncode == 2, run.stderr
    [last_line] = run.stderr.strip().splitlines()[-1:]
    assert last_line.startswith("mock-interview: cannot save the answer")
    assert "the recording is kept in" in last_line
    with Store(database) as store:
        [row] = store.unfinished_recordings()
        assert row.recording_path is not None
        kept_s = load_audio(row.recording_path).duration_s
        assert kept_s == pytest.approx((limit - 44) / 2 / RATE, abs=0.01)
        from mock_interview.session.recovery import RecorderLock, recover_unfinished

        with RecorderLock(store) as lock:
            [recovered] = recover_unfinished(lock, store, load_questions(), settings, transcriber)
        assert recovered.problem is None
        assert store.answer(row.id).row.status == STATUS_DONE

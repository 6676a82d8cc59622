"""The engine's follow-up flow without the model: a transcriber that hears no words leaves every
criterion unmet, so the follow-up is always asked; the speaker is a stand-in that notes when each
question starts playing."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import soundfile

from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.audio.recorder import FileSource, StopReason
from mock_interview.core.config import Settings, load_questions
from mock_interview.session.engine import (
    PracticeEngine,
    QuestionAsked,
    RecordingStarted,
    RecordingStopped,
    ReportReady,
    SessionFinished,
)
from mock_interview.session.recovery import recover_answer
from mock_interview.storage.database import FollowUpLink, Store


class NoWords(Transcriber):
    def __init__(self) -> None:
        pass

    def transcribe(self, samples: Any, prompt: Any = None, until_s: Any = None) -> list[Any]:
        return []


class Speaker:
    """The Player's part: plays instantly, notes when each file started."""

    started: ClassVar[list[tuple[float, Path]]] = []

    def __init__(self, device: str) -> None:
        self.playing = False
        self.duration_s = 0.0
        self.position_s = 0.0

    def play_file(self, path: Path) -> None:
        Speaker.started.append((time.monotonic(), path))

    def wait(self) -> None:
        pass

    def stop(self) -> None:
        pass


def tone(path: Path, seconds: float) -> Path:
    t = np.arange(int(seconds * ANALYSIS_RATE)) / ANALYSIS_RATE
    soundfile.write(path, 0.3 * np.sin(2 * np.pi * 220 * t), ANALYSIS_RATE, subtype="PCM_16")
    return path


def run(settings: Settings, answer: Path, on_event: Any, pace: float = 0, speak: bool = False):
    store = Store.open_default()
    engine = PracticeEngine(
        settings,
        NoWords(),
        store,
        on_event,
        speak=speak,
        source_factory=lambda question: FileSource(answer, pace=pace),
    )
    on_event.engine = engine
    return engine.run_session([load_questions()["goal-missed"]]), store


class Events(list[Any]):
    engine: PracticeEngine | None = None

    def __init__(self, react: Any = None) -> None:
        super().__init__()
        self.react = react
        self.times: list[float] = []
        self.clock: list[float] = []  # wall-clock time, to compare with file times

    def __call__(self, event: Any) -> None:
        self.append(event)
        self.times.append(time.monotonic())
        self.clock.append(time.time())
        if self.react is not None:
            self.react(self, event)

    def of(self, kind: type) -> list[Any]:
        return [event for event in self if isinstance(event, kind)]


def test_an_unmet_criterion_is_followed_up_and_its_events_say_so(
    settings: Settings, tmp_path: Path
) -> None:
    events = Events()
    session_id, store = run(settings, tone(tmp_path / "tone.wav", 1.5), events)
    with store:
        session = store.session(session_id or 0)
    main, follow_up = events.of(ReportReady)
    assert main.follow_up is None and main.score_with_prompt is None
    link = follow_up.follow_up
    expected_first = settings.practice.follow_up_criteria_missed[0]
    assert link == FollowUpLink(main.answer_id, expected_first, link.question)
    asked = [event.follow_up for event in events.of(QuestionAsked)]
    assert asked == [None, link]
    starts = events.of(RecordingStarted)
    assert [start.follow_up for start in starts] == [None, link]
    assert (starts[1].target_min_s, starts[1].target_max_s) == (20.0, 60.0)
    assert starts[1].question.text == link.question
    # Nothing was heard, so nothing was recovered and the prompt earns nothing.
    assert follow_up.score_with_prompt == main.report.rubric.score
    finished = events.of(SessionFinished)[0]
    assert finished.reports == [main.report]
    [answer] = session.answers
    assert answer.follow_up is not None and answer.follow_up.row.id == follow_up.answer_id
    assert not answer.follow_up.recovered


def test_with_max_follow_ups_2_the_next_unmet_criterion_is_probed(
    settings: Settings, tmp_path: Path
) -> None:
    two = replace(settings, practice=replace(settings.practice, max_follow_ups=2))
    events = Events()
    session_id, store = run(two, tone(tmp_path / "tone.wav", 1.0), events)
    with store:
        [answer] = store.session(session_id or 0).answers
    probed = [event.follow_up.criterion for event in events.of(ReportReady)[1:]]
    assert probed == two.practice.follow_up_criteria_missed[:2]
    assert [f.link.criterion for f in answer.follow_ups] == probed


def test_a_stop_during_the_follow_up_stops_it_and_keeps_it(
    settings: Settings, tmp_path: Path
) -> None:
    def stop_the_follow_up(events: Events, event: Any) -> None:
        if isinstance(event, RecordingStarted) and event.follow_up is not None:
            threading.Timer(0.5, events.engine.stop_answer).start()  # type: ignore[union-attr]

    events = Events(stop_the_follow_up)
    session_id, store = run(settings, tone(tmp_path / "tone.wav", 3.0), events, pace=1.0)
    with store:
        [answer] = store.session(session_id or 0).answers
    main_stop, follow_up_stop = events.of(RecordingStopped)
    assert main_stop.reason == StopReason.SOURCE_ENDED
    assert follow_up_stop.reason == StopReason.REQUESTED and follow_up_stop.duration_s < 1.5
    assert answer.follow_up is not None and answer.follow_up.row.status == "done"
    assert answer.follow_up.row.recording_path is not None
    kept = load_audio(answer.follow_up.row.recording_path).duration_s
    assert kept == pytest.approx(follow_up_stop.duration_s, abs=0.01)


def test_abandoning_the_main_answer_asks_no_follow_up(settings: Settings, tmp_path: Path) -> None:
    def abandon(events: Events, event: Any) -> None:
        if isinstance(event, RecordingStarted):
            threading.Timer(0.5, events.engine.abandon).start()  # type: ignore[union-attr]

    events = Events(abandon)
    _, store = run(settings, tone(tmp_path / "tone.wav", 3.0), events, pace=1.0)
    store.close()
    assert [event.follow_up for event in events.of(QuestionAsked)] == [None]
    assert len(events.of(ReportReady)) == 1


def test_the_follow_up_is_spoken_within_a_second_of_the_report(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its speech is rendered while the main answer records (a fresh speech cache here), so the
    speaker starts it at once."""
    import shutil

    from mock_interview.audio import playback

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    monkeypatch.setattr(playback, "Player", Speaker)
    Speaker.started = []
    events = Events()
    run(settings, tone(tmp_path / "tone.wav", 4.0), events, pace=1.0, speak=True)[1].close()
    main = next(i for i, e in enumerate(events) if isinstance(e, ReportReady))
    report_at = events.times[main]
    [(follow_up_at, path)] = [(at, path) for at, path in Speaker.started if at > report_at]
    assert path.stat().st_mtime < events.clock[main]  # rendered before the report was ready
    assert follow_up_at - report_at <= 1.0, follow_up_at - report_at
    print(f"follow-up spoken {follow_up_at - report_at:.3f} s after the report")


def test_a_cut_off_follow_up_is_recovered_with_its_own_question_and_band(
    settings: Settings, tmp_path: Path
) -> None:
    from crafted_reports import crafted_analysis

    with Store.open_default() as store:
        session_id = store.create_session(["goal-missed"])
        main_report = crafted_analysis("They were late.", question_id="goal-missed",
                                       kind="missed", score=40)
        main_id = store.add_answer(session_id, "goal-missed", None, main_report)
        path = store.new_recording_path(session_id, "goal-missed")
        tone(path, 1.0)
        link = FollowUpLink(main_id, "ownership", "What part of it was yours?")
        store.mark_recording_started(session_id, "goal-missed", path, link)
        [row] = store.unfinished_recordings()
        recovered = recover_answer(store, row, load_questions(), settings, NoWords())
        assert recovered.problem is None and recovered.report is not None
        assert recovered.report.question is not None
        assert recovered.report.question.text == "What part of it was yours?"
        timing = recovered.report.timing
        assert (timing.target_min_s, timing.target_max_s) == (20.0, 60.0)
        [answer] = store.session(session_id).answers
        assert answer.follow_up is not None and answer.follow_up.row.status == "done"
        assert answer.follow_up.row.score_with_prompt == 40  # nothing heard, nothing recovered

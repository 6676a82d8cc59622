"""Fakes at the TUI's audio boundary (model, devices, player, speech) with the real interfaces.

Everything else in the TUI tests is real: Textual through Pilot, the store in SQLite, the reports.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import numpy as np
import soundfile

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.recorder import StopReason
from mock_interview.core.config import Question, Settings
from mock_interview.core.errors import UserError
from mock_interview.storage.database import FollowUpLink, Store

FIRST_SESSION = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class FakePlayer:
    """Plays nothing; its position moves only when a test calls `advance`, so screens are stable."""

    def __init__(self) -> None:
        self.position_s = 0.0
        self.duration_s = 0.0
        self.playing = False
        self.played: list[tuple[Path, float]] = []

    def play_file(self, path: Path, start_s: float = 0.0) -> None:
        self.duration_s = soundfile.info(str(path)).duration
        self.position_s = start_s
        self.playing = True
        self.played.append((path, start_s))

    def advance(self, seconds: float) -> None:
        self.position_s = min(self.duration_s, self.position_s + seconds)

    def pause(self) -> None:
        self.playing = False

    def resume(self) -> None:
        if self.position_s < self.duration_s:
            self.playing = True

    def seek(self, position_s: float) -> None:
        self.position_s = min(self.duration_s, max(0.0, position_s))

    def stop(self) -> None:
        self.playing = False


@dataclass
class FakeBackend:
    """The machine a test wants: a microphone or none, speech or none, a model or a failure."""

    microphone_name: str | None = "Test microphone at 16000 Hz"
    speech: str | None = None
    transcriber: Any = None
    model_error: str | None = None
    player: FakePlayer = field(default_factory=FakePlayer)
    spoken: list[str] = field(default_factory=list)
    engine_factory: Any = None
    last_engine: Any = None
    demo_requested: list[bool] = field(default_factory=list)

    def load_transcriber(self, settings: Settings) -> Transcriber:
        if self.model_error:
            raise UserError(self.model_error)
        if self.transcriber is not None:
            return cast(Transcriber, self.transcriber)
        return cast(Transcriber, _NamedModel("embedded"))

    def microphone(self, settings: Settings) -> str:
        if self.microphone_name is None:
            raise UserError("no microphone (input device) found")
        return self.microphone_name

    def speech_problem(self, text: str, settings: Settings) -> str | None:
        return self.speech

    def open_player(self, settings: Settings) -> FakePlayer:
        return self.player

    def speak(self, text: str, settings: Settings) -> None:
        self.spoken.append(text)

    def engine(
        self, settings: Settings, transcriber: Any, store: Store, on_event: Any, demo: bool
    ) -> Any:
        """A scripted engine, or the real one with `engine_factory` (a fake microphone)."""
        self.demo_requested.append(demo)
        if self.engine_factory is not None:
            self.last_engine = self.engine_factory(settings, transcriber, store, on_event)
        else:
            self.last_engine = FakeEngine(settings, store, on_event)
        return self.last_engine


@dataclass
class _NamedModel:
    model_name: str


def write_tone_wav(path: Path, seconds: float, rate: int = 16000) -> Path:
    """A quiet tone standing in for a recording (replay needs a real file to play)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    soundfile.write(str(path), (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate)
    return path


def fill_store(store: Store, reports: list[list[AnswerAnalysis]]) -> list[int]:
    """One session per inner list, a day apart from FIRST_SESSION, each answer with a recording."""
    ids = []
    for day, answers in enumerate(reports):
        question_ids = [_question_id(report) for report in answers]
        session_id = store.create_session(question_ids, FIRST_SESSION + timedelta(days=day))
        for report in answers:
            path = store.new_recording_path(session_id, _question_id(report))
            write_tone_wav(path, report.audio.duration_s)
            store.add_answer(session_id, _question_id(report), path, report)
        ids.append(session_id)
    return ids


def _question_id(report: AnswerAnalysis) -> str:
    assert report.question is not None, "crafted reports always name their question"
    return report.question.id


ANSWER_TEXT = (
    "So, um, in my last role I set a goal to cut our release time from two weeks to two days. "
    "I measured every step, uh, found the slow manual checks and automated them with the team. "
    "After three months we shipped every two days, and I learned to measure before I change."
)


# Where each part of ANSWER_TEXT's story starts, by word index.
ANSWER_PARTS = [("situation", 0), ("task", 6), ("action", 20), ("result", 36), ("reflection", 44)]


def sample_sessions() -> list[list[AnswerAnalysis]]:
    """Three sessions: a full two-question interview, then two single answers, scores rising."""
    from crafted_reports import crafted_analysis

    return [
        [
            crafted_analysis(
                ANSWER_TEXT,
                latency_s=1.5,
                pauses={12: 1.4, 30: 3.6},
                score=58,
                parts=ANSWER_PARTS,
            ),
            crafted_analysis(
                ANSWER_TEXT, latency_s=2.0, question_id="goal-missed", kind="missed", score=52
            ),
        ],
        [crafted_analysis(ANSWER_TEXT, latency_s=1.2, pauses={20: 2.0}, score=66)],
        [crafted_analysis(ANSWER_TEXT, latency_s=0.8, score=74)],
    ]


FOLLOW_UP_TEXT = "What I took from it: I measure a process before I change it, every time."


def _scripted_report(
    text: str, question: Question, path: Path, recovered: str | None
) -> AnswerAnalysis:
    """The crafted report of an answer to `question` on its target band; a follow-up's
    (`recovered`: the criterion it probed) meets that criterion."""
    from crafted_reports import crafted_report

    data = crafted_report(
        text,
        question_id=question.id,
        kind=question.kind,
        path=str(path),
        target_s=(question.target_min_s, question.target_max_s),
    )
    if recovered is not None:
        criteria = data["rubric"]["criteria"]
        criteria[:] = [c for c in criteria if c["id"] != recovered]
        criteria.append({"id": recovered, "met": True, "evidence": [text], "advice": ""})
    return AnswerAnalysis.from_json(data)


async def wait_until_ready(pilot: Any) -> None:
    """Until the model and device probes have reported, so what is drawn no longer changes."""
    app = pilot.app
    for _ in range(200):
        if app.transcriber.done() and "looking" not in app.status.microphone_line:
            break
        await pilot.pause(0.02)
    await pilot.pause()


class FakeEngine:
    """The live engine's interface and events, scripted: each answer records until stopped.

    It says what a real session says (`live` events, in the same order), with fixed levels, times
    and words, and saves a crafted report per answer in the real store, so every screen after the
    interview works on real rows. `follow_ups` (question id -> criterion) scripts a follow-up
    after that question's answer: the question's own follow-up for the criterion, asked and
    recorded like an answer on the follow-up's target band, its answer meeting the criterion.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        on_event: Any,
        elapsed_s: float = 83.0,
        follow_ups: Mapping[str, str] | None = None,
    ):
        from mock_interview.session import engine as live

        self.live = live
        self.settings = settings
        self.store = store
        self.on_event = on_event
        self.elapsed_s = elapsed_s
        self.follow_ups = dict(follow_ups or {})
        self.stopped = threading.Event()
        self.started = threading.Event()
        self.abandoned = threading.Event()
        self.repeats = 0
        self.recording = threading.Event()
        self.asked: list[tuple[str, FollowUpLink | None]] = []

    def run_session(self, questions: list[Any]) -> int:
        live = self.live
        session_id = self.store.create_session([q.id for q in questions], FIRST_SESSION)
        self.on_event(live.SessionStarted(session_id, questions))
        reports = []
        for question in questions:
            if self.abandoned.is_set():
                break
            report, answer_id, path = self._answer(session_id, question, None, ANSWER_TEXT)
            reports.append(report)
            self.on_event(live.ReportReady(question, report, session_id, answer_id, path))
            if question.id in self.follow_ups and not self.abandoned.is_set():
                self._follow_up(session_id, question, report, answer_id)
        self.on_event(live.SessionFinished(session_id, reports))
        return session_id

    def _follow_up(
        self, session_id: int, question: Question, main: AnswerAnalysis, main_id: int
    ) -> None:
        """The engine's `_ask_follow_ups` for one scripted follow-up that recovers its
        criterion; the score with the prompt as the engine works it out."""
        from mock_interview.rubric.loading import load_rubric
        from mock_interview.session.follow_up import follow_up_question, score_with_prompt

        criterion = self.follow_ups[question.id]
        chosen = next(f for f in question.follow_ups if f.criterion == criterion)
        link = FollowUpLink(main_id, criterion, chosen.text)
        asked = follow_up_question(question, chosen.text, chosen.criterion, self.settings.practice)
        report, answer_id, path = self._answer(session_id, asked, link, FOLLOW_UP_TEXT)
        assert main.rubric is not None and report.criterion_met(criterion)
        practice = self.settings.practice
        rubric = load_rubric(settings=self.settings)
        score = score_with_prompt(
            main.rubric.score, [(criterion, True)], question.kind, rubric, practice.follow_up_credit
        )
        self.store.set_score_with_prompt(answer_id, score)
        self.on_event(
            self.live.ReportReady(asked, report, session_id, answer_id, path, link, score)
        )

    def _answer(
        self, session_id: int, question: Question, link: FollowUpLink | None, text: str
    ) -> tuple[AnswerAnalysis, int, Path]:
        """Ask `question`, record until stopped and save the answer: every event up to its
        RecordingStopped, as the engine's `run_answer` sends them."""
        live = self.live
        self.stopped.clear()
        self.asked.append((question.text, link))
        self.on_event(live.QuestionAsked(question, None, link))
        self.on_event(live.QuestionSpoken(question))
        if not self.settings.practice.auto_start:
            self.started.wait(30)
        path = self.store.new_recording_path(session_id, question.id)
        write_tone_wav(path, 4.0)
        self.store.mark_recording_started(session_id, question.id, path, link)
        self.on_event(
            live.RecordingStarted(
                question,
                path,
                16000,
                question.target_min_s,
                question.target_max_s,
                "fake",
                link,
            )
        )
        report = _scripted_report(text, question, path, None if link is None else link.criterion)
        words = list(report.transcript.words)
        heard = [item for item in report.fillers.items if item.source == "audio"]
        self.on_event(live.LevelMeasured(0.08, 0.3, self.elapsed_s))
        self.on_event(live.ChunkTranscribed(words, heard, report.fillers.count, 12.0))
        self.recording.set()
        self.stopped.wait(30)
        self.recording.clear()
        self.on_event(live.RecordingStopped(question, path, 4.0, StopReason.REQUESTED, None))
        answer_id = self.store.add_answer(session_id, question.id, path, report, link)
        return report, answer_id, path

    def start_answer(self) -> None:
        self.started.set()

    def stop_answer(self) -> None:
        self.started.set()
        self.stopped.set()

    def repeat_question(self) -> None:
        self.repeats += 1

    def abandon(self) -> None:
        self.abandoned.set()
        self.stop_answer()

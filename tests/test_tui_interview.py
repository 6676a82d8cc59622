"""The interview screen driven through Pilot: a scripted engine with the live engine's interface
and events for every key, then the real engine with a sample answer as the microphone."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Digits, Static, TabbedContent

from mock_interview.audio.recorder import FileSource
from mock_interview.core.config import Settings, load_questions
from mock_interview.session.engine import PracticeEngine
from mock_interview.storage.database import Store
from mock_interview.tui.app import PracticeApp, make_app
from mock_interview.tui.screens.confirm import ConfirmScreen
from mock_interview.tui.screens.home import HomeScreen
from mock_interview.tui.screens.interview import InterviewScreen
from mock_interview.tui.screens.report import ReportScreen
from mock_interview.tui.widgets import LevelMeter, TimerBar, TranscriptView
from mock_interview.views.answer import clock
from tui_fakes import FakeBackend, FakeEngine, wait_until_ready

pytestmark = pytest.mark.anyio
SIZE = (80, 24)
SAMPLES = Path(__file__).resolve().parent.parent / "audio_samples"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def build_app(settings: Settings, tmp_path: Path, backend: FakeBackend) -> PracticeApp:
    store = Store(tmp_path / "data" / "sessions.db")
    return make_app(settings, load_questions(), store, backend, tmp_path)


async def until(pilot: Any, condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.02)
    await pilot.pause()


def report_screen(app: PracticeApp) -> ReportScreen:
    screen = app.screen
    assert isinstance(screen, ReportScreen)
    return screen


def recording(backend: FakeBackend) -> bool:
    engine = backend.last_engine
    return engine is not None and engine.recording.is_set()


async def start_an_answer(pilot: Any, backend: FakeBackend) -> None:
    """From Home, Enter starts the default interview; wait until its first answer records."""
    await wait_until_ready(pilot)
    await pilot.press("enter")
    await until(pilot, lambda: recording(backend))


async def test_full_session_question_by_question(settings, tmp_path) -> None:
    backend = FakeBackend()
    app = build_app(settings, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await start_an_answer(pilot, backend)
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        assert backend.demo_requested == [False]
        assert "Question 1 of 2" in str(screen.query_one("#progress-line").render())
        assert screen.query_one("#timer", Digits).value == "1:23"
        assert screen.query_one(TimerBar).elapsed_s == 83.0
        assert screen.query_one(LevelMeter).rms == 0.08
        live_words = screen.query_one(TranscriptView).pieces
        assert [p.text for p in live_words if p.kind == "filler"] == ["um,", "uh,"]
        assert "Fillers  2" in str(screen.query_one("#live-figures").render())
        await pilot.press("r")
        await until(pilot, lambda: backend.last_engine.repeats == 1)
        await pilot.press("space")  # stop the first answer: the second question follows
        await until(pilot, lambda: screen.position == 2 and recording(backend))
        assert "Question 2 of 2" in str(screen.query_one("#progress-line").render())
        assert "did not achieve" in str(screen.query_one("#question").render())
        await pilot.press("space")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        session = app.store.session(report_screen(app).session_id)
        assert [a.row.question_id for a in session.answers] == ["goal-achieved", "goal-missed"]
        assert app.screen.query_one(TabbedContent).tab_count == 3  # two answers and the summary
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#recent", DataTable).row_count == 1


def follow_up_label(screen: InterviewScreen) -> str | None:
    """The "Follow-up · criterion" line above the question, None while it is hidden."""
    label = screen.query_one("#follow-up-label")
    return str(label.render()) if label.display else None


async def test_a_follow_up_is_marked_timed_on_its_own_band_and_reported(settings, tmp_path):
    backend = FakeBackend(
        engine_factory=lambda s, t, store, sink: FakeEngine(
            s, store, sink, follow_ups={"goal-missed": "ownership"}
        )
    )
    practice = settings.practice
    app = build_app(settings, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await start_an_answer(pilot, backend)
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        assert follow_up_label(screen) is None
        await pilot.press("space")
        await until(pilot, lambda: screen.position == 2 and recording(backend))
        bar = screen.query_one(TimerBar)
        main_band = (bar.target_min_s, bar.target_max_s)
        assert main_band == (120.0, 180.0)
        assert not screen.query_one("#timer", Digits).has_class("over")  # 1:23 of 2:00–3:00
        await pilot.press("space")  # the answer leaves ownership unmet: the follow-up is asked
        await until(pilot, lambda: len(backend.last_engine.asked) == 3 and recording(backend))
        assert follow_up_label(screen) == "Follow-up · ownership"
        assert str(screen.query_one("#question").render()) == (
            "What part of the shortfall was yours?"
        )
        assert (bar.target_min_s, bar.target_max_s) == (
            practice.follow_up_target_min_s,
            practice.follow_up_target_max_s,
        )
        assert (bar.target_min_s, bar.target_max_s) != main_band
        progress = str(screen.query_one("#progress-line").render())
        assert progress == (
            f"Question 2 of 2 · aim for {clock(practice.follow_up_target_min_s)}–"
            f"{clock(practice.follow_up_target_max_s)}"
        )
        assert screen.query_one("#timer", Digits).has_class("over")  # 1:23 is past its band
        assert screen.position == 2
        await pilot.press("space")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        session = app.store.session(report_screen(app).session_id)
        assert [a.row.question_id for a in session.answers] == ["goal-achieved", "goal-missed"]
        follow_up = session.answers[1].follow_up
        assert follow_up is not None and follow_up.recovered
        assert session.answers[0].follow_ups == ()
        await pilot.press("n")  # the second answer's tab
        await pilot.pause()
        shown = tab_text(app)
        main = session.answers[1].report
        assert main is not None and main.rubric is not None
        main_score = main.rubric.score
        with_prompt = follow_up.row.score_with_prompt
        assert with_prompt is not None and with_prompt > main_score  # the prompt earned credit
        assert "Follow-up (ownership): What part of the shortfall was yours?" in shown
        assert "What I took from it: I measure a process" in shown
        assert (
            f"Recovered ownership: yes. Score with the prompt: {with_prompt} "
            f"(the answer alone: {main_score})."
        ) in shown
        assert f"target {clock(practice.follow_up_target_min_s)}–" in shown
        await pilot.press("n")  # back round to the first answer's tab: no follow-up there
        await pilot.press("n")
        await pilot.pause()
        assert "Follow-up" not in tab_text(app)


def tab_text(app: PracticeApp) -> str:
    """Every Static and Label in the report's active tab."""
    pane = app.screen.query_one(TabbedContent).active_pane
    assert pane is not None
    return "\n".join(str(widget.render()) for widget in pane.query(Static))


async def test_abandon_asks_first_and_keeps_what_was_recorded(settings, tmp_path) -> None:
    backend = FakeBackend()
    app = build_app(settings, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await start_an_answer(pilot, backend)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # go on: nothing happens to the recording
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen) and recording(backend)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        answers = app.store.session(report_screen(app).session_id).answers
        assert [a.row.question_id for a in answers] == ["goal-achieved"]
        assert answers[0].row.recording_path is not None
        assert answers[0].row.recording_path.is_file()


async def test_space_starts_the_answer_when_auto_start_is_off(settings, tmp_path) -> None:
    manual = replace(settings, practice=replace(settings.practice, auto_start=False))
    backend = FakeBackend()
    app = build_app(manual, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                app.screen.query_one("#phase").render() is not None
                and "Press space to start" in str(app.screen.query_one("#phase").render())
            ),
        )
        assert not recording(backend)
        await pilot.press("space")
        await until(pilot, lambda: recording(backend))
        backend.last_engine.abandon()
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))


async def test_quitting_mid_answer_keeps_that_answer_and_asks_no_more(settings, tmp_path) -> None:
    """Ctrl+Q while recording ends the session as abandoning it does: the app closes at once
    (it cannot while the engine's thread still records) and the answer is saved."""
    backend = FakeBackend()
    app = build_app(settings, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await start_an_answer(pilot, backend)
        await pilot.press("ctrl+q")
    assert backend.last_engine is not None and backend.last_engine.abandoned.is_set()
    assert len(backend.last_engine.asked) == 1
    assert len(Store(tmp_path / "data" / "sessions.db").answers()) == 1


async def test_quitting_while_the_model_loads_starts_no_session(settings, tmp_path) -> None:
    """Ctrl+Q while the engine waits for the model: when the model arrives, no question is
    asked and nothing records with no screen to show it."""
    model_loaded = threading.Event()

    def engine_after_the_model(settings: Settings, transcriber: Any, store: Store, on_event: Any):
        model_loaded.wait(10)
        return FakeEngine(settings, store, on_event)

    backend = FakeBackend(engine_factory=engine_after_the_model)
    app = build_app(settings, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, InterviewScreen))
        threading.Timer(0.5, model_loaded.set).start()  # arrives while the screen goes
        await pilot.press("ctrl+q")
    assert backend.last_engine is not None and backend.last_engine.asked == []
    assert Store(tmp_path / "data" / "sessions.db").answers() == []


async def test_demo_works_without_a_microphone(settings, tmp_path) -> None:
    backend = FakeBackend(microphone_name=None)
    app = build_app(settings, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("d")
        await until(pilot, lambda: recording(backend))
        assert backend.demo_requested == [True]
        assert "Demo" in str(app.screen.sub_title)
        backend.last_engine.abandon()
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))


async def test_an_engine_failure_is_a_notice_and_the_answer_is_kept(settings, tmp_path) -> None:
    class DiskFullEngine(FakeEngine):
        def run_session(self, questions: list[Any]) -> int:
            from mock_interview.session import engine as live

            session_id = self.store.create_session([q.id for q in questions])
            self.on_event(live.SessionStarted(session_id, questions))
            self.on_event(live.QuestionAsked(questions[0], None))
            path = self.store.new_recording_path(session_id, questions[0].id)
            self.on_event(live.EngineFailed("disk full: recording stopped", path))
            return session_id

    backend = FakeBackend(engine_factory=lambda s, t, store, sink: DiskFullEngine(s, store, sink))
    app = build_app(settings, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app._notifications)
        message = next(iter(app._notifications)).message
        assert "disk full" in message and "is kept in" in message


async def test_a_question_picked_from_the_bank_is_asked_alone(settings, tmp_path) -> None:
    backend = FakeBackend()
    app = build_app(settings, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("down")  # the first question after the default interview
        await pilot.press("enter")
        await until(pilot, lambda: recording(backend))
        assert isinstance(app.screen, InterviewScreen)
        assert [question.id for question in app.screen.questions] == ["critical-feedback"]
        assert "Question 1 of 1 · aim for 1:30–2:30" in str(
            app.screen.query_one("#progress-line").render()
        )
        await pilot.press("space")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))


@pytest.mark.model
async def test_real_engine_with_a_sample_answer_as_microphone(settings, tmp_path, transcriber):
    """The live engine itself (recording, chunked transcription, rubric, store) behind the
    screen; only the microphone is a sample file, fed faster than real time."""
    sample = SAMPLES / "goal_achieved_short.mp3"

    def real_engine(settings: Settings, _: Any, store: Store, on_event: Any) -> PracticeEngine:
        return PracticeEngine(
            settings,
            transcriber,
            store,
            on_event,
            speak=False,
            source_factory=lambda question: FileSource(sample, pace=4.0),
        )

    backend = FakeBackend(transcriber=transcriber, engine_factory=real_engine)
    app = build_app(settings, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen), timeout=120)
        answer = app.store.session(report_screen(app).session_id).answers[0]
        assert answer.report is not None
        assert answer.report.transcript.words
        assert answer.report.rubric is not None
        shown = app.screen.query_one(TranscriptView).pieces
        assert [p.text for p in shown if p.kind != "pause"][:3] == [
            w.text for w in answer.report.transcript.words[:3]
        ]

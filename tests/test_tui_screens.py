"""Home, Report, Replay and History driven key by key through Pilot, with fakes only at the
audio boundary (model, devices, player, speech): the store, the reports and Textual are real."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import DataTable, Header, Label, OptionList, Static, TabbedContent

from crafted_reports import crafted_report
from file_modes import mode, user_file_mode
from mock_interview.analysis.answer import AnswerAnalysis, CoachingItem
from mock_interview.core.config import Settings, load_questions
from mock_interview.storage.database import FollowUpLink, Store
from mock_interview.tui.app import PracticeApp, make_app
from mock_interview.tui.screens.history import HistoryScreen
from mock_interview.tui.screens.home import HomeScreen
from mock_interview.tui.screens.replay import ReplayScreen
from mock_interview.tui.screens.report import ReportScreen
from mock_interview.tui.widgets import TranscriptView, pause_mark
from tui_fakes import FakeBackend, fill_store, sample_sessions, wait_until_ready

SIZE = (80, 24)
# The issue asks for 100 ms; the limit leaves room for a loaded CI machine with two cores.
RESPONSE_LIMIT_S = 0.25
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data" / "sessions.db")


async def key_response_s(app: PracticeApp, key: str, screen_type: type) -> float:
    """Seconds from a key press to the screen it opens, polled every 5 ms on the app's loop."""
    started = time.monotonic()
    app.simulate_key(key)
    while not isinstance(app.screen, screen_type):
        assert time.monotonic() - started < 5, f"{key} did not open {screen_type.__name__}"
        await asyncio.sleep(0.005)
    return time.monotonic() - started


def build_app(
    settings: Settings, store: Store, tmp_path: Path, backend: FakeBackend | None = None
) -> PracticeApp:
    return make_app(
        settings=settings,
        questions=load_questions(),
        store=store,
        backend=backend or FakeBackend(),
        export_dir=tmp_path,
    )


def screen_text(app: PracticeApp) -> str:
    """The text of every Static and Label on the current screen, scrolled into view or not."""
    texts = [
        str(widget.render())
        for widget in app.screen.query(Static)
        if not any(isinstance(node, Header) for node in widget.ancestors)
    ]
    return "\n".join(texts).replace("\u00a0", " ")


async def test_home_shows_questions_sessions_and_status(settings, store, tmp_path) -> None:
    fill_store(store, sample_sessions())
    app = build_app(settings, store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert isinstance(app.screen, HomeScreen)
        options = app.screen.query_one(OptionList)
        assert "Tell me about a goal you set for yourself and achieved." in str(
            options.get_option_at_index(0).prompt
        )
        assert options.option_count == 1 + len(load_questions()) - 2
        recent = app.screen.query_one("#recent", DataTable)
        assert recent.row_count == 3
        assert recent.get_row_at(0)[1] == "74"  # newest first
        text = screen_text(app)
        assert "Speech model: embedded ready" in text
        assert "Microphone: Test microphone" in text
        assert "Score over time (55 → 74)" in text


async def test_home_without_microphone_or_speech_says_what_to_do(settings, store, tmp_path):
    backend = FakeBackend(microphone_name=None, speech="Speech unavailable: install espeak-ng")
    app = build_app(settings, store, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        text = screen_text(app)
        assert "No microphone found: press d to practise with a sample answer" in text
        assert "Speech: Speech unavailable: install espeak-ng" in text
        assert "No sessions yet" in text
        await pilot.press("enter")  # no microphone: a notice, not a crash, still on Home
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("No microphone" in n.message for n in app._notifications)


async def test_model_failure_is_a_notice_not_a_traceback(settings, store, tmp_path) -> None:
    backend = FakeBackend(model_error="cannot load model embedded: file is damaged")
    app = build_app(settings, store, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert "Speech model: cannot load model embedded" in screen_text(app)
        assert any("damaged" in n.message for n in app._notifications)


async def test_home_is_usable_before_the_model_has_loaded(settings, store, tmp_path) -> None:
    slow = FakeBackend()
    original = slow.load_transcriber

    def load_slowly(settings: Settings) -> Any:
        time.sleep(1.5)
        return original(settings)

    slow.load_transcriber = load_slowly  # type: ignore[method-assign]
    app = build_app(settings, store, tmp_path, slow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "loading in the background" in screen_text(app)
        assert await key_response_s(app, "h", HistoryScreen) < RESPONSE_LIMIT_S
        assert not app.transcriber.done()
        await wait_until_ready(pilot)
        assert app.status.model_line == "Speech model: embedded ready"


async def test_quit_key_and_remapped_keys(settings, store, tmp_path) -> None:
    remapped = replace(settings, keys={**settings.keys, "history": "y", "quit": "x"})
    app = build_app(remapped, store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        await pilot.press("q")
        assert app.is_running
        await pilot.press("x")
        await pilot.pause()
        assert not app.is_running


async def test_command_palette_offers_every_action_of_the_screen(settings, store, tmp_path):
    fill_store(store, sample_sessions())
    app = build_app(settings, store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Start", "Demo", "History", "Quit"):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"history", "enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HistoryScreen)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Open report", "Replay", "Sort", "Delete", "Back"):
            assert title in titles


async def open_first_session_report(pilot: Pilot[None]) -> ReportScreen:
    await pilot.press("h")
    await pilot.pause()
    history = pilot.app.screen
    table = history.query_one(DataTable)
    oldest = max(range(table.row_count), key=lambda i: table.get_row_at(i)[0] == "1")
    table.move_cursor(row=oldest)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReportScreen)
    return pilot.app.screen


async def test_report_shows_every_measure_and_cycles_answers(settings, store, tmp_path):
    fill_store(store, sample_sessions())
    app = build_app(settings, store, tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:
        report = await open_first_session_report(pilot)
        text = screen_text(app)
        for label in ("Answer length", "Response latency", "Fillers", "Pauses", "Rubric"):
            assert label in text
        assert "[3.6s]" in text  # long pause marked inline
        assert "✓ Situation" in text and "✗ Reflection" in text
        assert "Name the lesson you took from it." in text
        tabs = report.query_one(TabbedContent)
        first = tabs.active
        await pilot.press("n")
        assert tabs.active != first
        await pilot.press("n")
        assert tabs.active == "summary"
        assert "Fillers/min" in screen_text(app)
        await pilot.press("n")
        assert tabs.active == first
        await pilot.press("e")
        await pilot.pause()
        exported = tmp_path / "mock-interview-session-1.html"
        assert "Response latency" in exported.read_text()
        assert mode(exported) == user_file_mode()  # the user's umask, not 0600
        await pilot.press("escape")
        assert isinstance(app.screen, HistoryScreen)


async def test_replay_keys_move_the_cursor_and_light_the_word(settings, store, tmp_path):
    fill_store(store, sample_sessions())
    backend = FakeBackend()
    player = backend.player
    app = build_app(settings, store, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_session_report(pilot)
        await pilot.press("p")
        for _ in range(50):
            if isinstance(app.screen, ReplayScreen):
                break
            await pilot.pause(0.02)
        replay = app.screen
        assert isinstance(replay, ReplayScreen)
        assert player.playing and player.played[0][0] == replay.path
        transcript = replay.query_one(TranscriptView)
        player.advance(2.0)
        await pilot.pause(0.15)
        assert transcript.current is not None
        lit = transcript.pieces[transcript.current]
        assert lit.start_s <= 2.0 < lit.end_s + 0.5
        await pilot.press("space")
        assert not player.playing
        await pilot.press("space")
        assert player.playing
        await pilot.press("right")
        assert player.position_s == pytest.approx(7.0)
        await pilot.press("left", "left")
        assert player.position_s == 0.0
        marks = sorted(p.start_s for p in transcript.pieces if p.kind != "word")
        await pilot.press("right_square_bracket")
        assert player.position_s == pytest.approx(marks[0] - 0.3)
        await pilot.press("right_square_bracket")
        assert player.position_s == pytest.approx(marks[1] - 0.3)
        await pilot.press("left_square_bracket")
        assert player.position_s == pytest.approx(marks[0] - 0.3)
        await pilot.press("r")
        await pilot.pause(0.1)
        assert backend.spoken == [load_questions()["goal-achieved"].text]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        assert not player.playing


async def test_history_sorts_opens_replays_and_deletes(settings, store, tmp_path) -> None:
    sessions = fill_store(store, sample_sessions())
    recordings = [a.recording_path for a in store.answers(session_id=sessions[0])]
    app = build_app(settings, store, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["3", "2", "1", "1"]
        score_column = 8
        await pilot.click("#history", offset=(2, 0))  # the Session header: ascending ids
        await pilot.pause()
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["1", "1", "2", "3"]
        for _ in range(score_column):
            await pilot.press("s")
        scores = [table.get_row_at(i)[score_column] for i in range(table.row_count)]
        assert scores == sorted(scores, key=int)
        await pilot.press("s")  # wraps round to Session, ascending
        table.move_cursor(row=0)
        assert table.get_row_at(0)[0] == "1"
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("n")  # keep it
        await pilot.pause()
        assert len(store.sessions()) == 3
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert [s.id for s in store.sessions()] == [sessions[2], sessions[1]]
        assert not any(path is not None and path.exists() for path in recordings)
        assert table.row_count == 2
        await pilot.press("p")
        for _ in range(50):
            if isinstance(app.screen, ReplayScreen):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, ReplayScreen)


@pytest.mark.model
async def test_a_cut_off_answer_is_offered_and_analysed(settings, store, tmp_path, transcriber):
    """A recording a crash left unfinished: announced at start, analysed from the palette."""
    from mock_interview.audio.io import load_audio
    from mock_interview.audio.recorder import WavAppender

    session_id = store.create_session(["goal-achieved"])
    path = store.new_recording_path(session_id, "goal-achieved")
    store.mark_recording_started(session_id, "goal-achieved", path)
    sample = load_audio(Path(__file__).parent.parent / "audio_samples" / "goal_achieved_short.mp3")
    wav = WavAppender(path, 16000)
    wav.append((sample.samples * 32767).astype("int16"))  # never closed: the header is stale
    app = build_app(settings, store, tmp_path, FakeBackend(transcriber=transcriber))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        assert any("cut off last time and kept" in n.message for n in app._notifications)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Analyse cut-off answers" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"cut-off", "enter")
        for _ in range(500):
            if not store.unfinished_recordings():
                break
            await pilot.pause(0.05)
        [answer] = store.answers()
        assert answer.answer_length_s is not None and answer.answer_length_s > 10
        await pilot.pause(0.2)
        assert app.screen.query_one("#recent", DataTable).row_count == 1


@pytest.mark.parametrize("width", range(8, 30))
def test_a_pause_mark_is_never_split_across_lines(width: int) -> None:
    """Textual wraps at any whitespace, a non-breaking space too: the mark must have none."""
    mark = pause_mark("3.6 s")
    lines = Content(f"so I measured {mark} every step").wrap(width)
    assert any(mark in line.plain for line in lines)


async def test_history_marks_two_attempts_and_compares_them(settings, store, tmp_path) -> None:
    """m on two goal-achieved answers, then c: their figures side by side, the later score up;
    marking answers to different questions is refused."""
    fill_store(store, sample_sessions())
    app = build_app(settings, store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        # Newest first: session 3 and session 2 answered goal-achieved (scores 74 and 66).
        assert [(row[0], row[2]) for row in rows[:2]] == [
            ("3", "goal-achieved"),
            ("2", "goal-achieved"),
        ]
        table.move_cursor(row=0)
        await pilot.press("m")
        table.move_cursor(row=1)
        await pilot.press("m")
        await pilot.press("c")
        await pilot.pause()
        assert type(app.screen).__name__ == "CompareScreen"
        text = screen_text(app)
        assert "Session 2" in text and "session 3" in text
        score_line = next(line for line in text.splitlines() if line.startswith("Rubric score"))
        assert score_line.split()[2:5] == ["66", "74", "▲"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        missed = next(i for i, row in enumerate(rows) if row[2] == "goal-missed")
        table.move_cursor(row=missed)
        await pilot.press("m")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)  # different questions: nothing opens


async def test_report_compares_an_answer_with_the_previous_attempt(settings, store, tmp_path):
    sessions = fill_store(store, sample_sessions())
    app = build_app(settings, store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_report(sessions[2])
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert type(app.screen).__name__ == "CompareScreen"
        text = screen_text(app)
        assert "Session 2" in text and "session 3" in text  # the attempt just before it
        latency = next(line for line in text.splitlines() if line.startswith("Response latency"))
        assert latency.split()[2:7] == ["1.2", "s", "0.8", "s", "▲"]
        await pilot.press("escape")
        await pilot.pause()
        app.open_report(sessions[0])
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)  # a first attempt: nothing to compare


async def test_report_shows_your_usual_and_the_things_to_work_on(settings, store, tmp_path):
    """The third goal-achieved attempt: its latency beside the median of the two before it
    (1.5 s and 1.2 s: 1.4 s); an answer's things to work on under its rubric and, ranked across
    the session, in the summary."""
    reports = sample_sessions()
    gap = CoachingItem("No lesson is named", "Name the lesson.", (12.5,), "rubric")
    pause = CoachingItem("1 pause over 3 s", "Plan the beats.", (30.0,), "hesitation")
    first, second = reports[0]
    reports[0] = [replace(first, coaching=(pause,)), replace(second, coaching=(gap,))]
    sessions = fill_store(store, reports)
    app = build_app(settings, store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_report(sessions[2])
        await pilot.pause()
        text = screen_text(app)
        latency = next(line for line in text.splitlines() if "Response latency" in line)
        assert latency.rstrip().endswith("your usual 1.4 s"), latency
        assert "Three things to work on" not in text  # crafted without findings
        app.open_report(sessions[0])
        await pilot.pause()
        text = screen_text(app)
        assert "your usual" not in text  # nothing earlier to compare with
        assert "1. 1 pause over 3 s (at 0:30)" in text
        summary = str(app.screen.query_one("Static#summary", Static).render())
        # Across the session the missed goal's gap outranks the first answer's pause.
        assert summary.index("goal-missed: No lesson is named (at 0:12)") < summary.index(
            "goal-achieved: 1 pause over 3 s (at 0:30)"
        )


async def test_history_counts_follow_ups_and_the_report_shows_them(settings, store, tmp_path):
    sessions = fill_store(store, sample_sessions())
    [newest] = store.answers(session_id=sessions[2])
    follow_up = crafted_report(
        "I learned to measure before I change anything.", target_s=(20.0, 60.0)
    )
    follow_up["rubric"]["criteria"][1].update(met=True, evidence=["I learned to measure"])
    link = FollowUpLink(newest.id, "reflection", "What did you take from that?")
    follow_id = store.add_answer(
        sessions[2], newest.question_id, None, AnswerAnalysis.from_json(follow_up), link
    )
    store.set_score_with_prompt(follow_id, 81)
    app = build_app(settings, store, tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 4  # the follow-up is no row of its own
        note = str(app.screen.query_one("#history-note", Label).render())
        assert note.startswith("1 of 4 answers needed a follow-up · sorted by Date")
        assert table.get_row_at(0)[0] == str(sessions[2])  # newest first: the followed-up one
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        text = screen_text(app)
        heading = text.index("Follow-up (reflection): What did you take from that?")
        assert text.index("Rubric") < heading  # under the main answer's report
        shown = text[heading:]
        assert "I learned to measure before I change anything." in shown
        assert "(target 0:20–1:00): too short" in shown
        assert "Recovered reflection: yes. Score with the prompt: 81 (the answer alone: 74)." in (
            shown
        )

"""The Stories screen through Pilot: write a story field by field with the check beside it,
complete it, practise it (a scripted engine), and a snapshot at 80×24."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from mock_interview.analysis.story import parse_story_toml
from mock_interview.core.config import Settings, load_questions
from mock_interview.storage.database import Store
from mock_interview.storage.stories import add_story, answer_story_ids, stories
from mock_interview.tui.app import PracticeApp, make_app
from mock_interview.tui.screens.home import HomeScreen
from mock_interview.tui.screens.interview import InterviewScreen
from mock_interview.tui.screens.report import ReportScreen
from mock_interview.tui.screens.stories import StoriesScreen
from story_texts import LESSON, SETBACK, SUCCESS
from tui_fakes import FakeBackend, wait_until_ready

SIZE = (80, 24)
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data" / "sessions.db")


def build_app(
    settings: Settings, store: Store, tmp_path: Path, backend: FakeBackend
) -> PracticeApp:
    return make_app(settings, load_questions(), store, backend, tmp_path)


def check_text(app: PracticeApp) -> str:
    return str(app.screen.query_one("#story-check", Static).render())


async def until(pilot: Pilot[None], condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


async def test_writing_a_story_shows_its_gaps_and_saving_it_adds_it(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    written = parse_story_toml(SETBACK + LESSON, "s")
    app = build_app(settings, store, tmp_path, FakeBackend())
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, StoriesScreen))
        await pilot.press("n")
        screen = app.screen
        screen.query_one("#story-title", Input).value = written.title
        screen.query_one("#story-kind").value = "missed"  # type: ignore[attr-defined]
        for name in ("situation", "goal", "actions", "outcome", "since"):
            screen.query_one(f"#field-{name}", TextArea).text = written.text_of(name)
        await pilot.pause()
        check = check_text(app)
        assert "Needs work" in check and "✗ What I learned" in check
        assert "✓ What happened" in check
        await pilot.press("ctrl+s")
        await pilot.pause()
        [saved] = stories(store)
        assert saved.title == written.title and saved.lesson == ""
        assert "0 of 3 setbacks" in str(screen.query_one("#bank-progress").render())

        screen.query_one("#field-lesson", TextArea).text = written.lesson
        await pilot.pause()
        assert "Ready to practise" in check_text(app) and "✗" not in check_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert stories(store)[0].lesson == written.lesson
        assert "1 of 3 setbacks" in str(screen.query_one("#bank-progress").render())
        table = screen.query_one("#stories", DataTable)
        assert table.row_count == 1 and "ready" in table.get_row_at(0)

        screen.query_one("#story-title", Input).value = ""
        await pilot.press("ctrl+s")  # a story needs a title: a notice, nothing saved
        await pilot.pause()
        assert stories(store)[0].title == written.title


async def test_practising_a_story_links_the_answer_to_it(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    add_story(store, parse_story_toml(SUCCESS, "s"))
    setback_id = add_story(store, parse_story_toml(SETBACK + LESSON, "s"))
    backend = FakeBackend()
    app = build_app(settings, store, tmp_path, backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, StoriesScreen))
        await pilot.press("down")  # the setback
        await pilot.pause()
        assert app.screen.query_one("#story-title", Input).value == "The marathon I did not finish"
        assert "Not practised yet" in check_text(app)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, InterviewScreen))
        await until(pilot, lambda: backend.last_engine is not None)
        await until(pilot, lambda: backend.last_engine.recording.is_set())
        assert backend.demo_requested == [False]
        await pilot.press("space")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        [session] = store.sessions()
        [answer] = store.session(session.id).answers
        assert answer.row.question_id == "goal-missed"
        assert answer_story_ids(store, [answer.row.id]) == {answer.row.id: setback_id}
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, StoriesScreen))
        await pilot.press("down")
        await pilot.pause()
        assert "Practised 1 time:" in check_text(app)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_stories_snapshot(
    snap_compare: Any, settings: Settings, tmp_path: Path, utc: None
) -> None:
    """Stories: the table ("ready success Fewer…", "to do setback The ma…"), "Ready: 1 of 3
    successes, 0 of 3 setbacks.", the first story in the editor (title, kind, Situation...) and
    its check: "Ready to practise · rubric 100 (strong)" with a ✓ per field and "Not practised
    yet"; keys n New, ^s Save, p Practise, x Delete, esc Back."""
    store = Store(tmp_path / "data" / "sessions.db")
    add_story(store, parse_story_toml(SUCCESS, "s"))
    add_story(store, parse_story_toml(SETBACK, "s"))
    app = build_app(settings, store, tmp_path, FakeBackend())

    async def open_stories(pilot: Pilot[None]) -> None:
        await wait_until_ready(pilot)
        await pilot.press("s")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_stories)

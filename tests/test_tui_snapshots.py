"""Snapshots of the five screens at 80×24, drawn from fixed data (fixed dates, levels and times,
fakes at the audio boundary), so a change in what a candidate sees shows up as a diff.

Update them after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update`
and look at the report pytest-textual-snapshot writes before accepting it.

Last re-accepted for issue 13, with two intended changes and nothing else (the SVGs' text compared
line by line): the pause marks read "[1.4s]" and "[3.6s]", so a mark no longer breaks across lines
("[3.6" / "s]" in test_report and test_report_rubric; a non-breaking space would not have helped,
Textual wraps at U+00A0 too); and the timelines of test_report, test_report_rubric and test_replay
use the one scale every view shares (`views.answer.timeline_end_s`, 15 s past the target band
instead of the TUI's own 10 s), so their 2:00 and 3:00 marks and pause cells sit a column or two
further left.

Re-accepted for issue 16 with one intended change (the SVGs' text compared line by line):
test_report and test_report_rubric show the STAR band under the timeline (a row of ▀ in the
five part colours, where the answer is) and its legend "■ Situation ■ Task ■ Action ■ Result
■ Reflection ■ Other"; the lines below move down two rows.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from mock_interview.core.config import Settings, load_questions
from mock_interview.storage.database import Store
from mock_interview.tui.app import PracticeApp, make_app
from mock_interview.tui.screens.replay import ReplayScreen
from tui_fakes import FakeBackend, fill_store, sample_sessions, wait_until_ready

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Session times are shown in local time: pin it so snapshots match anywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def app(settings: Settings, tmp_path: Path, backend: FakeBackend) -> PracticeApp:
    store = Store(tmp_path / "data" / "sessions.db")
    fill_store(store, sample_sessions())
    return make_app(settings, load_questions(), store, backend, tmp_path)


def test_home(snap_compare: Any, app: PracticeApp) -> None:
    """Home: the default two-question interview highlighted above the rest of the bank, the last
    three sessions newest first (Mar 04 74, Mar 03 66, Mar 02 55) with fillers per minute, the
    score sparkline under "Score over time (55 → 74)", the model, microphone and speech lines,
    and the footer keys ⏎ Start, d Demo, h History, s Stories, q Quit and ^p palette."""
    assert snap_compare(app, terminal_size=SIZE, run_before=wait_until_ready)


def test_interview_while_recording(snap_compare: Any, app: PracticeApp, backend) -> None:
    """Interview while recording: "Question 1 of 2 · aim for 2:00–3:00", the question text, the
    "● Recording" line, the big timer at 1:23, the bar filled to 1:23 with the 2:00–3:00 band
    marked, the level meter near -22 dB, "Fillers 2 / Words 53", the live transcript with "um"
    and "uh" highlighted, and the keys space Stop answer, r Repeat question, esc Abandon."""

    async def recording(pilot: Pilot[None]) -> None:
        await wait_until_ready(pilot)
        await pilot.press("enter")
        for _ in range(250):
            if backend.last_engine is not None and backend.last_engine.recording.is_set():
                break
            await pilot.pause(0.02)
        await pilot.pause(0.2)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=recording)
    finally:
        if backend.last_engine is not None:
            backend.last_engine.abandon()


def test_report(snap_compare: Any, app: PracticeApp) -> None:
    """Report of the first session's first answer: tabs for both answers and the session summary,
    the question, then Answer length "0:26 (target 2:00–3:00): too short", Response latency
    "1.5 s", Pace, Fillers "2 (4.6 per minute): um ×1, uh ×1", Pauses "2 (1 long)", the timeline
    with two filler marks and the 2:00 and 3:00 marks, under it the STAR band in the five part
    colours and its legend, the transcript with "[1.4s]" and "[3.6s]" inline; keys p Replay,
    n Next question, e Export, esc Back."""

    async def report(pilot: Pilot[None]) -> None:
        await wait_until_ready(pilot)
        app.open_report(1)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=report)


def test_report_rubric(snap_compare: Any, app: PracticeApp) -> None:
    """The same report scrolled to its end: the Transcript with "[3.6s]" marked inline, and the
    Rubric: "Score 58 / 100", ✓ Situation with its evidence quote, ✗ Reflection with its advice,
    and the delivery flag "Too short"."""

    async def rubric(pilot: Pilot[None]) -> None:
        await wait_until_ready(pilot)
        app.open_report(1)
        await pilot.pause(0.2)
        app.screen.query_one(".answer-report").scroll_end(animate=False)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=rubric)


def test_replay(snap_compare: Any, app: PracticeApp, backend: FakeBackend) -> None:
    """Replay at 0:08 of the first answer: the question, the timeline with the play cursor ▽,
    "▶ playing 0:08 / 0:29", the transcript with the word being heard lit, and the keys
    ← -5s, → +5s, space Play, ] Next mark, [ Prev mark, r Question, esc Back."""

    async def replay(pilot: Pilot[None]) -> None:
        await wait_until_ready(pilot)
        answer = app.store.answers(session_id=1)[0]
        app.open_replay(app.store.answer(answer.id))
        for _ in range(100):
            if isinstance(app.screen, ReplayScreen):
                break
            await pilot.pause(0.02)
        backend.player.advance(8.0)
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=SIZE, run_before=replay)


def test_history(snap_compare: Any, app: PracticeApp) -> None:
    """History: the table of all four answers newest first (sessions 3, 2, 1, 1) with date,
    question, answer length, latency, WPM and fillers/min, the sort note, the trend plot of
    fillers per minute (left axis) and score (right axis) across the three sessions, and the keys
    ⏎ Open report, p Replay, s Sort, x Delete, esc Back."""

    async def history(pilot: Pilot[None]) -> None:
        await wait_until_ready(pilot)
        await pilot.press("h")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=SIZE, run_before=history)

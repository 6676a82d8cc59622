"""Each report shows the candidate's own baseline beside its figures: the median over their last
five earlier answers to the same question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from crafted_reports import crafted_analysis
from mock_interview.storage.database import Store
from mock_interview.views.history import personal_baseline
from mock_interview.views.session import load_session_report
from mock_interview.views.session_formats import format_session

START = datetime(2024, 6, 3, 8, 30, tzinfo=UTC)
TEXT = "Last year I set a goal to run a marathon, and I ran it in four hours."


def _sessions(store: Store, latencies: list[float]) -> list[int]:
    """One session a day; each answers goal-achieved with the given latency, and goal-missed
    with a latency of 9 s that must never enter goal-achieved's baseline."""
    ids = []
    for day, latency in enumerate(latencies):
        session_id = store.create_session(
            ["goal-achieved", "goal-missed"], started_at=START + timedelta(days=day)
        )
        answer = crafted_analysis(TEXT, latency_s=latency)
        store.add_answer(session_id, "goal-achieved", None, answer)
        store.add_answer(
            session_id,
            "goal-missed",
            None,
            crafted_analysis(TEXT, latency_s=9.0, question_id="goal-missed", kind="missed"),
        )
        ids.append(session_id)
    return ids


def test_the_baseline_is_the_median_of_the_last_five_earlier_answers(tmp_path: Path) -> None:
    latencies = [8.0, 1.0, 2.0, 6.0, 3.0, 4.0, 5.0]
    with Store(tmp_path / "sessions.db") as store:
        ids = _sessions(store, latencies)
        history = store.answers()
        rows = {(row.session_id, row.question_id): row for row in history}
    first = personal_baseline(history, rows[(ids[0], "goal-achieved")])
    assert first == {}  # nothing earlier: no baseline
    second = personal_baseline(history, rows[(ids[1], "goal-achieved")])
    assert second["response_latency_s"] == 8.0
    last = personal_baseline(history, rows[(ids[-1], "goal-achieved")])
    # The five before the last: 1, 2, 6, 3, 4 (the first, 8, is too old); median 3.
    assert last["response_latency_s"] == 3.0
    missed = personal_baseline(history, rows[(ids[-1], "goal-missed")])
    assert missed["response_latency_s"] == 9.0


def test_reports_show_your_usual_beside_the_figures(tmp_path: Path) -> None:
    with Store(tmp_path / "sessions.db") as store:
        ids = _sessions(store, [2.0, 4.0, 6.0])
        latest = load_session_report(store, ids[-1])
        first = load_session_report(store, ids[0])
        markdown = format_session(latest, "markdown")
        html = format_session(latest, "html")
        first_markdown = format_session(first, "markdown")
    assert "your usual 3.0 s" in markdown  # median of 2 and 4
    assert "your usual 9.0 s" in markdown  # goal-missed against its own answers
    assert "your usual 3.0 s" in html
    assert "your usual" not in first_markdown

"""History rows and the first-vs-last trend, computed from stored reports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import fmean
from typing import Any

import pytest

from crafted_reports import crafted_analysis
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.errors import UserError
from mock_interview.storage.database import Store
from mock_interview.views.history import (
    compute_trend,
    parse_since,
    render_history_csv,
    render_history_json,
    render_history_text,
)

START = datetime(2024, 4, 1, 18, 0, tzinfo=UTC)


def _fill(store: Store, scores: list[int], fillers_every: list[int]) -> None:
    """One session per score, oldest first, each with an achieved and a missed answer."""
    for day, (score, every) in enumerate(zip(scores, fillers_every, strict=True)):
        words = " ".join("um" if i % every == 0 else "word" for i in range(60))
        session_id = store.create_session(["goal-achieved", "goal-missed"],
                                          started_at=START + timedelta(days=day))
        store.add_answer(session_id, "goal-achieved", None,
                         crafted_analysis(words, latency_s=3.0 + day, score=score))
        store.add_answer(session_id, "goal-missed", None,
                         crafted_analysis(words, latency_s=1.0, question_id="goal-missed",
                                        kind="missed", score=score - 10))


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "sessions.db") as opened:
        yield opened


def test_trend_compares_first_five_with_last_five_sessions(store: Store) -> None:
    scores = [40, 45, 50, 52, 55, 60, 62, 70, 75, 80, 85, 90]
    every = [3, 3, 4, 4, 5, 6, 8, 8, 10, 12, 20, 30]
    _fill(store, scores, every)
    rows = store.answers()
    per_session_fillers = {
        row.session_id: [
            r.fillers_per_minute
            for r in rows
            if r.session_id == row.session_id and r.fillers_per_minute is not None
        ]
        for row in rows
    }
    session_fillers = [fmean(per_session_fillers[sid]) for sid in sorted(per_session_fillers)]

    trend = compute_trend(rows)

    assert trend is not None
    assert (trend.session_count, trend.window) == (12, 5)
    by_key = {item.key: item for item in trend.metrics}
    # Each session's score is the mean of its answers: score and score - 10.
    assert by_key["score"].first == pytest.approx(fmean(scores[:5]) - 5)
    assert by_key["score"].last == pytest.approx(fmean(scores[-5:]) - 5)
    assert by_key["score"].verdict == "better"
    assert by_key["fillers_per_minute"].first == pytest.approx(fmean(session_fillers[:5]), abs=0.01)
    assert by_key["fillers_per_minute"].last == pytest.approx(fmean(session_fillers[-5:]), abs=0.01)
    assert by_key["fillers_per_minute"].verdict == "better"
    # Latency of the achieved answer grows by a second a day: worse.
    assert by_key["response_latency_s"].verdict == "worse"
    assert by_key["long_pause_count"].verdict == "same"
    assert by_key["answer_length_s"].verdict == "same"


def test_few_sessions_split_in_halves_and_one_session_has_no_trend(store: Store) -> None:
    _fill(store, [50], [5])
    assert compute_trend(store.answers()) is None
    assert render_history_text(store.answers()).endswith("Trend: needs at least two sessions.")
    _fill(store, [60, 90], [5, 5])
    trend = compute_trend(store.answers())
    assert trend is not None
    assert (trend.session_count, trend.window) == (3, 1)
    score = next(item for item in trend.metrics if item.key == "score")
    assert (score.first, score.last, score.change) == (45.0, 85.0, 40.0)


def test_trend_follows_the_question_filter(store: Store) -> None:
    _fill(store, [50, 70], [5, 5])
    trend = compute_trend(store.answers(question_id="goal-missed"))
    assert trend is not None
    score = next(item for item in trend.metrics if item.key == "score")
    assert (score.first, score.last) == (40.0, 60.0)


def test_text_history_lists_answers_newest_first_then_the_trend(store: Store) -> None:
    _fill(store, [40, 60, 80], [4, 6, 8])
    text = render_history_text(store.answers())
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["Session", "Date", "Question"]
    body = [line.split() for line in lines[2:8]]
    assert [row[0] for row in body] == ["3", "3", "2", "2", "1", "1"]
    assert [row[3] for row in body[:2]] == ["goal-achieved", "goal-missed"]
    assert [row[-1] for row in body] == ["80", "70", "60", "50", "40", "30"]
    assert lines[-1].startswith("Trend, first 1 vs last 1 of 3 sessions: ")
    assert "Score 35 → 75 (better)" in lines[-1]


def test_json_and_csv_carry_the_stored_figures(store: Store) -> None:
    _fill(store, [40, 60], [4, 6])
    rows = store.answers()
    data = json.loads(render_history_json(rows))
    assert [a["score"] for a in data["answers"]] == [r.score for r in rows]
    assert [a["fillers_per_minute"] for a in data["answers"]] == [
        r.fillers_per_minute for r in rows
    ]
    assert data["trend"]["window"] == 1
    table = list(csv.DictReader(io.StringIO(render_history_csv(rows))))
    assert [int(line["score"]) for line in table] == [r.score for r in rows]
    assert table[0]["question_id"] == "goal-achieved"


def test_empty_history_says_how_to_start(store: Store) -> None:
    assert "mock-interview practice" in render_history_text([])
    assert json.loads(render_history_json([])) == {
        "answers": [],
        "answers_needing_follow_up": 0,
        "trend": None,
    }
    assert render_history_csv([]).startswith("session_id,")


def test_since_accepts_a_date_or_a_datetime_and_refuses_other_text() -> None:
    assert parse_since("2024-05-01") == date(2024, 5, 1)
    assert parse_since("2024-05-01T09:30") == datetime(2024, 5, 1, 9, 30)
    with pytest.raises(UserError, match="--since: 'last week'"):
        parse_since("last week")


@pytest.mark.model
def test_history_from_analyzed_samples(
    store: Store, analyzed_samples: dict[str, tuple[AnswerAnalysis, dict[str, Any]]]
) -> None:
    """The acceptance check: a database built from real `analyze` reports of the samples."""
    if len(analyzed_samples) < 2:
        pytest.skip("needs at least two analyzed samples in audio_samples/")
    analyses = [analysis for analysis, _ in analyzed_samples.values()]
    reports = [analysis.to_json() for analysis in analyses]  # as `analyze --format json` prints
    for day, (analysis, report) in enumerate(zip(analyses, reports, strict=True)):
        session_id = store.create_session([report["question"]["id"]],
                                          started_at=START + timedelta(days=day))
        store.add_answer(session_id, report["question"]["id"], None, analysis)

    rows = store.answers()
    newest_first = reports[::-1]
    assert [r.answer_length_s for r in rows] == [
        r["timing"]["answer_length_s"] for r in newest_first
    ]
    assert [r.fillers_per_minute for r in rows] == [
        r["fillers"]["per_minute"] for r in newest_first
    ]
    assert [r.score for r in rows] == [r.get("rubric", {}).get("score") for r in newest_first]
    trend = compute_trend(rows)
    assert trend is not None
    window = trend.window
    latency = next(item for item in trend.metrics if item.key == "response_latency_s")
    first = [r["timing"]["response_latency_s"] for r in reports[:window]]
    last = [r["timing"]["response_latency_s"] for r in reports[-window:]]
    assert latency.first == pytest.approx(fmean(first), abs=0.01)
    assert latency.last == pytest.approx(fmean(last), abs=0.01)
    text = render_history_text(rows)
    for report in reports:
        assert f"{report['timing']['response_latency_s']:.1f} s" in text

"""Two attempts at one question compared: figures with their change, criteria gained and lost,
the transcript diff, in every format; and end to end on sessions made with `practice`."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crafted_reports import crafted_analysis
from headless_browser import find_chromium, visit
from mock_interview.cli.entry import main
from mock_interview.core.values import normalize_token
from mock_interview.storage.database import Store
from mock_interview.views.compare import compare_sessions, transcript_diff

START = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
EARLIER = "Last year I um set a goal to run a marathon. I trained and uh it went fine."
LATER = "Last year I set a goal to run a marathon in under four hours. I trained five days a week."


def _two_sessions(store: Store) -> tuple[int, int]:
    ids = []
    attempts = ((EARLIER, 4.0, 40, 0.4), (LATER, 1.0, 75, 3.0))
    for day, (text, latency, score, word_s) in enumerate(attempts):
        session_id = store.create_session(["goal-achieved"], started_at=START + timedelta(days=day))
        store.add_answer(
            session_id,
            "goal-achieved",
            None,
            crafted_analysis(text, latency_s=latency, score=score, word_s=word_s),
        )
        ids.append(session_id)
    return ids[0], ids[1]


def test_figures_change_the_way_better_means_for_each(tmp_path: Path) -> None:
    with Store(tmp_path / "sessions.db") as store:
        first, second = _two_sessions(store)
        earlier, later = store.session(first), store.session(second)
    [comparison] = compare_sessions(earlier, later)
    # Given in either order, the earlier session is "before".
    assert compare_sessions(later, earlier) == [comparison]
    figures = {figure.key: figure for figure in comparison.figures}
    assert (figures["response_latency_s"].before, figures["response_latency_s"].after) == (4.0, 1.0)
    assert figures["response_latency_s"].verdict == "better"  # lower is better
    assert figures["score"].verdict == "better"  # higher is better
    assert figures["filler_count"].before == 2 and figures["filler_count"].after == 0
    assert figures["filler_count"].verdict == "better"
    assert figures["words_per_minute"].verdict in ("changed", "same")  # no better pace


def test_length_is_better_when_it_comes_closer_to_the_target_band(tmp_path: Path) -> None:
    """Both answers are under 2:00; the longer one is closer, so better, though longer."""
    with Store(tmp_path / "sessions.db") as store:
        first, second = _two_sessions(store)
        [comparison] = compare_sessions(store.session(first), store.session(second))
    length = next(f for f in comparison.figures if f.key == "answer_length_s")
    assert length.after is not None and length.before is not None
    assert length.after > length.before and length.verdict == "better"


def test_transcript_diff_marks_only_the_words_that_changed(tmp_path: Path) -> None:
    with Store(tmp_path / "sessions.db") as store:
        first, second = _two_sessions(store)
        [comparison] = compare_sessions(store.session(first), store.session(second))
    pieces = [(piece.op, piece.text) for piece in comparison.transcript_diff]
    assert ("removed", "um") in pieces
    assert ("added", "in under four hours.") in pieces or any(
        op == "added" and "four hours" in text for op, text in pieces
    )
    # Shared words are shown as said later; case and punctuation do not make a difference.
    earlier = " ".join(text for op, text in pieces if op != "added")
    assert _tokens(earlier) == _tokens(EARLIER)
    later = " ".join(text for op, text in pieces if op != "removed")
    assert later.split() == LATER.split()
    same_answer = crafted_analysis(EARLIER)
    assert [(p.op, p.text) for p in transcript_diff(same_answer, same_answer)] == [
        ("same", EARLIER)
    ]


def _tokens(text: str) -> list[str]:
    return [normalize_token(token) for token in text.split()]


def test_sessions_without_a_shared_question_are_one_line_and_exit_2(capsys) -> None:
    with Store.open_default() as store:
        first = store.create_session(["goal-achieved"], started_at=START)
        store.add_answer(first, "goal-achieved", None, crafted_analysis(EARLIER))
        second = store.create_session(["goal-missed"], started_at=START + timedelta(days=1))
        store.add_answer(
            second, "goal-missed", None,
            crafted_analysis(LATER, question_id="goal-missed", kind="missed"),
        )
    status = main(["compare", str(first), str(second)])
    err = capsys.readouterr().err
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert "did not both answer" in err
    assert main(["compare", str(first), "99"]) == 2


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


FIRST_TRY = (
    "Last year I wanted to run a half marathon. I trained when I had time and I finished it."
)
SECOND_TRY = (
    "Last year I set a goal to run a half marathon in under two hours. I trained four days a "
    "week for five months and finished in one hour fifty two minutes. I learned that a written "
    "plan beats motivation, and I now plan every big goal that way."
)


@pytest.mark.model
def test_compare_two_practice_sessions_in_every_format(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sessions recorded with `practice --answer-file` (eSpeak NG answers, no microphone),
    then compared."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nobody presses Enter
    no_follow_ups = tmp_path / "settings.toml"
    no_follow_ups.write_text('[practice]\nfollow_ups = "off"\n')
    monkeypatch.setenv("MOCK_INTERVIEW_CONFIG", str(no_follow_ups))  # one answer per session
    reports = []
    for index, (voice, text) in enumerate((("en-us", FIRST_TRY), ("en-gb", SECOND_TRY))):
        answer = tmp_path / f"answer{index}.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-w", str(answer), text], check=True, capture_output=True
        )
        status = main(
            [
                "practice", "--no-speak", "--question", "goal-achieved",
                "--answer-file", str(answer), "--format", "json",
            ]
        )
        assert status == 0, capsys.readouterr().err
        capsys.readouterr()
    with Store.open_default() as store:
        sessions = [row.id for row in store.sessions()]
        for session_id in sorted(sessions):
            stored = store.session(session_id).answers[0]
            assert stored.report is not None
            reports.append(stored.report.to_json())
    first, second = sorted(sessions)

    assert main(["compare", str(first), str(second), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [comparison] = data["comparisons"]
    figures = {figure["key"]: figure for figure in comparison["figures"]}
    for key in ("answer_length_s", "response_latency_s", "words_per_minute"):
        assert figures[key]["before"] == reports[0]["timing"][key]
        assert figures[key]["after"] == reports[1]["timing"][key]
    assert figures["score"]["before"] == reports[0]["rubric"]["score"]
    assert figures["score"]["after"] == reports[1]["rubric"]["score"]
    met_before = {c["id"] for c in reports[0]["rubric"]["criteria"] if c["met"]}
    met_after = {c["id"] for c in reports[1]["rubric"]["criteria"] if c["met"]}
    assert set(comparison["criteria_gained"]) == met_after - met_before
    assert set(comparison["criteria_lost"]) == met_before - met_after
    added = " ".join(p["text"] for p in comparison["transcript_diff"] if p["op"] != "removed")
    assert added.split() == reports[1]["transcript"]["text"].split()

    assert main(["compare", str(first), str(second)]) == 0
    text = capsys.readouterr().out
    assert "Rubric score" in text and "What you said differently" in text
    assert main(["compare", str(first), str(second), "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# Comparing two attempts")

    page_path = tmp_path / "compare.html"
    assert main(["compare", str(first), str(second), "--format", "html", "-o", str(page_path)]) == 0
    page = page_path.read_text()
    parser = _Text()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    probe = """(() => ({rows: document.querySelectorAll("table.measures tbody tr").length,
        added: document.querySelectorAll("ins.diff").length}))()"""
    result = visit(chromium, page_path.as_uri(), probe=probe)
    assert result.requests == [] and result.console_errors == []
    assert result.screenshot.startswith(b"\x89PNG")
    assert result.probe["rows"] == len(comparison["figures"])
    assert result.probe["added"] == sum(p["op"] == "added" for p in comparison["transcript_diff"])

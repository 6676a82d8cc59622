"""Session reports: Markdown, self-contained HTML (checked in headless Chromium) and JSON."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from crafted_reports import crafted_analysis, crafted_report
from headless_browser import find_chromium, visit
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.storage.database import FollowUpLink, Store
from mock_interview.views.answer import timing_lines, transcript_pieces
from mock_interview.views.session import load_session_report, session_json
from mock_interview.views.session_formats import format_session
from mock_interview.views.session_html import render_session_html
from mock_interview.views.svg import PAD, WIDTH

START = datetime(2024, 6, 3, 8, 30, tzinfo=UTC)
LONG_TEXT = (
    "In my second year I um set a goal to lead the robotics club to the national final. "
    "I built a team of six, I wrote the practice plan, and uh we trained every week. "
    "We finished third out of forty teams. It showed me how much steady practice matters. "
) * 4


class _Text(HTMLParser):
    """The visible text of a page (what a reader sees), without tags or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "title")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _crafted_store(tmp_path: Path) -> tuple[Store, int]:
    """Four sessions of two answers each; returns the store and the latest session id."""
    store = Store(tmp_path / "sessions.db")
    session_id = 0
    for day in range(4):
        session_id = store.create_session(["goal-achieved", "goal-missed"],
                                          started_at=START + timedelta(days=day))
        store.add_answer(session_id, "goal-achieved", None,
                         crafted_analysis(LONG_TEXT, latency_s=2.0 + day, word_s=0.9,
                                          pauses={12: 1.5, 40: 3.4}, score=55 + 10 * day))
        store.add_answer(session_id, "goal-missed", None,
                         crafted_analysis(LONG_TEXT[:180], latency_s=6.5, pauses={8: 2.2},
                                          question_id="goal-missed", kind="missed", score=40))
    return store, session_id


@pytest.fixture
def crafted(tmp_path: Path):
    store, session_id = _crafted_store(tmp_path)
    with store:
        yield store, session_id


@pytest.fixture
def sample_session(
    tmp_path: Path, analyzed_samples: dict[str, tuple[AnswerAnalysis, dict[str, Any]]]
):
    """A session holding every analyzed sample answer."""
    reports = [report for report, _ in analyzed_samples.values()]
    if not reports:
        pytest.skip("audio_samples/ has no analyzed samples")
    questions = [report.question.id for report in reports if report.question is not None]
    assert len(questions) == len(reports), "every sample answers a question"
    with Store(tmp_path / "samples.db") as store:
        session_id = store.create_session(questions)
        for question_id, report in zip(questions, reports, strict=True):
            store.add_answer(session_id, question_id, None, report)
        yield store, session_id, reports


def _facts(report: AnswerAnalysis) -> list[str]:
    """What both formats must state for one answer: measures, transcript, pauses, rubric."""
    facts = [value for _, value in timing_lines(report)]
    facts += [piece.text for piece in transcript_pieces(report)]
    rubric = report.rubric
    if rubric is not None:
        facts.append(str(rubric.score))
        for criterion in rubric.criteria:
            facts += criterion.evidence
            if not criterion.met:
                facts.append(criterion.advice)
        for flag in rubric.red_flags:
            facts += [*flag.evidence, flag.advice]
    return [fact for fact in facts if fact]


@pytest.mark.model
def test_markdown_and_html_state_the_same_facts(sample_session) -> None:
    store, session_id, reports = sample_session
    report = load_session_report(store, session_id)
    markdown = format_session(report, "markdown")
    page = visible_text(render_session_html(report))
    for answer in reports:
        for fact in _facts(answer):
            assert fact in markdown, fact
            assert fact in page, fact
    for text in (markdown, page):
        assert text.count("Answer length") >= len(reports)
        assert "Progress across sessions" in text


def test_html_is_self_contained(crafted) -> None:
    store, session_id = crafted
    page = render_session_html(load_session_report(store, session_id))
    assert "<script" not in page
    assert not re.search(r"""\b(src|href)\s*=""", page)
    assert "url(" not in page
    assert "@import" not in page
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"] * (
        page.count("<svg")
    )
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "@media print" in page


def test_timeline_draws_speech_pauses_fillers_and_the_target_marks(crafted) -> None:
    store, session_id = crafted
    stored = store.session(session_id).answers[0].report
    assert stored is not None
    page = render_session_html(load_session_report(store, session_id))
    timeline = page[page.index('<svg class="timeline"'):]
    timeline = timeline[: timeline.index("</svg>")]
    timing = stored.timing
    assert timeline.count('class="speech"') == len(timing.pauses) + 1
    assert timeline.count('class="pause"') + timeline.count('class="pause long"') == len(
        timing.pauses
    )
    assert timeline.count('class="pause long"') == timing.long_pause_count
    assert timeline.count('class="filler"') == stored.fillers.count
    total = max(stored.audio.duration_s, timing.response_latency_s + 195)
    marks = [float(x) for x in re.findall(r'class="mark" x1="([\d.]+)"', timeline)]
    expected = [PAD + (timing.response_latency_s + s) * (WIDTH - 2 * PAD) / total
                for s in (120, 180)]
    assert marks == pytest.approx(expected, abs=0.1)
    assert ">2:00</text>" in timeline and ">3:00</text>" in timeline


def test_transcript_marks_fillers_and_pauses(crafted) -> None:
    store, session_id = crafted
    page = render_session_html(load_session_report(store, session_id))
    assert '<mark class="filler" title="filler">um</mark>' in page
    assert '<span class="pause-mark long" title="pause">[3.4 s]</span>' in page
    assert '<span class="pause-mark" title="pause">[1.5 s]</span>' in page


def test_rubric_checklist_shows_verdicts_evidence_and_advice(crafted) -> None:
    store, session_id = crafted
    page = visible_text(render_session_html(load_session_report(store, session_id)))
    assert "✓ Situation “In my second year I um set a goal" in page
    assert "✗ Reflection Name the lesson you took from it." in page
    assert "Score 85 / 100" in page
    assert "Delivery: Too short (shorter than 2:00)" in page


def test_json_report_holds_the_stored_reports_and_trend(crafted) -> None:
    store, session_id = crafted
    data = json.loads(format_session(load_session_report(store, session_id), "json"))
    stored = store.session(session_id)
    assert data["session"]["id"] == session_id
    assert [a["timing"] for a in data["answers"]] == [
        a.report.to_json()["timing"] for a in stored.answers if a.report
    ]
    assert [a["session_id"] for a in data["answers"]] == [session_id, session_id]
    assert data["trend"]["session_count"] == 4
    assert data == session_json(load_session_report(store, session_id))


def test_unanalysed_answer_is_listed_not_dropped(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        session_id = store.create_session(["goal-achieved"])
        path = store.new_recording_path(session_id, "goal-achieved")
        store.mark_recording_started(session_id, "goal-achieved", path)
        report = load_session_report(store, session_id)
        for report_format in ("markdown", "html"):
            assert "recorded but not analysed yet" in format_session(report, report_format)


def _session_with_follow_ups(store: Store) -> int:
    """Two answers: the first followed up (reflection recovered, scored with the prompt), the
    second's follow-up recorded but never analysed."""
    session_id = store.create_session(["goal-missed", "goal-achieved"], started_at=START)
    main_id = store.add_answer(
        session_id, "goal-missed", None,
        crafted_analysis(LONG_TEXT[:180], question_id="goal-missed", kind="missed", score=40),
    )
    follow_up = crafted_report(
        "I learned to ask for help in the first week.", question_id="goal-missed",
        kind="missed", score=40, target_s=(20.0, 60.0),
    )
    follow_up["rubric"]["criteria"][1].update(met=True, evidence=["I learned to ask for help"])
    link = FollowUpLink(main_id, "reflection", "What did you take from that?")
    follow_id = store.add_answer(
        session_id, "goal-missed", None, AnswerAnalysis.from_json(follow_up), link
    )
    store.set_score_with_prompt(follow_id, 52)
    second_id = store.add_answer(session_id, "goal-achieved", None, crafted_analysis(LONG_TEXT))
    path = store.new_recording_path(session_id, "goal-achieved")
    store.mark_recording_started(
        session_id, "goal-achieved", path, FollowUpLink(second_id, None, "Anything else?")
    )
    return session_id


def test_html_shows_each_follow_up_under_its_answer(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        report = load_session_report(store, _session_with_follow_ups(store))
    page = render_session_html(report)
    text = visible_text(page)
    first = text.index("Answer 1:")
    asked = text.index("Follow-up (reflection): What did you take from that?")
    second = text.index("Answer 2:")
    unanalysed = text.index("Follow-up: Anything else?")
    assert first < asked < second < unanalysed
    follow_up = text[asked:second]
    assert "I learned to ask for help in the first week." in follow_up
    assert "(target 0:20–1:00): too short" in follow_up
    outcome = "Recovered reflection: yes. Score with the prompt: 52 (the answer alone: 40)."
    assert outcome in follow_up
    assert "not analysed yet" in text[unanalysed:]
    assert page.count('<section class="follow-up">') == 2
    markdown = format_session(report, "markdown")
    assert outcome in markdown  # the same wording in both formats
    assert "### Follow-up: Anything else?" in markdown


def test_html_report_in_headless_chromium(crafted, tmp_path: Path) -> None:
    """Renders with no console errors and no network requests; the screenshot shows the
    timelines and the rubric checklists (their boxes lie inside the captured page)."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); "
                    ".ci/run installs it")
    store, session_id = crafted
    page_path = tmp_path / "report.html"
    page_path.write_text(render_session_html(load_session_report(store, session_id)))
    probe = """(() => {
        const box = (selector) => [...document.querySelectorAll(selector)].map((element) => {
            const r = element.getBoundingClientRect();
            return [r.top, r.width, r.height];
        });
        return {timelines: box("svg.timeline"), checklists: box("ul.checklist"),
                charts: box("svg.chart"), height: document.documentElement.scrollHeight};
    })()"""

    result = visit(chromium, page_path.as_uri(), probe=probe)

    assert result.requests == []
    assert result.console_errors == []
    assert result.screenshot.startswith(b"\x89PNG")
    assert result.pdf.startswith(b"%PDF")
    shot_path = tmp_path / "report.png"
    shot_path.write_bytes(result.screenshot)
    boxes = result.probe
    assert len(boxes["timelines"]) == 2 and len(boxes["checklists"]) == 2
    assert len(boxes["charts"]) == 2
    screenshot_height = int.from_bytes(result.screenshot[20:24], "big")
    assert screenshot_height >= boxes["height"] - 1
    for top, width, height in boxes["timelines"] + boxes["checklists"] + boxes["charts"]:
        assert width > 400 and height > 40
        assert top >= 0 and top + height <= screenshot_height


def test_browser_check_catches_requests_and_console_errors(tmp_path: Path) -> None:
    """The browser harness itself can fail: a page that fetches and logs is caught."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
                    '<img src="http://192.0.2.1/x.png"><script>console.error("boom")</script>'
                    "</body></html>")
    result = visit(chromium, page.as_uri())
    assert result.requests == ["http://192.0.2.1/x.png"]
    assert "boom" in result.console_errors

"""The story bank as text and JSON: the bank's progress, one story's field-by-field check and its
comfort over time, and the story check of an answer practised from a story.

`StoryChecker` holds what the checks need (the rubric, the filler lexicon, the options) so the
CLI, the TUI and the session report compute the same verdicts from the stored story and the
answer's stored report; nothing of the check is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.analysis.story import FIELD_LABELS, STORY_KINDS, Story
from mock_interview.analysis.story_check import (
    RECITED_ADVICE,
    SpokenCheck,
    StoryCheckOptions,
    WrittenCheck,
    check_spoken,
    check_written,
)
from mock_interview.core.config import FillerSettings, Settings, load_settings
from mock_interview.rubric.loading import Rubric, load_rubric
from mock_interview.storage.database import Store
from mock_interview.storage.stories import answer_story_ids, story, story_attempts

BANK_TARGET = 3
"""The seed's advice: three successes and three setbacks, ready before the interview."""
KIND_NAMES = {"achieved": "successes", "missed": "setbacks"}


@dataclass(frozen=True)
class StoryChecker:
    rubric: Rubric
    fillers: FillerSettings
    options: StoryCheckOptions = field(default_factory=StoryCheckOptions)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> StoryChecker:
        settings = settings or load_settings()
        return cls(load_rubric(settings=settings), settings.fillers)

    def written(self, told: Story) -> WrittenCheck:
        return check_written(told, self.rubric)

    def spoken(self, told: Story, report: AnswerAnalysis) -> SpokenCheck:
        return check_spoken(told, report.transcript.text, self.fillers, self.rubric, self.options)


# -- the bank and one written story ---------------------------------------------------------------


def written_json(told: Story, check: WrittenCheck) -> dict[str, Any]:
    return {
        "id": told.id,
        "title": told.title,
        "kind": told.kind,
        "question_id": told.question_id,
        "ready": check.ready,
        "gaps": check.gaps,
        "score": check.rubric["score"],
        "band": check.rubric["band"],
        "fields": {
            part.field: {
                "text": told.text_of(part.field),
                "filled": part.filled,
                "missing": [{"criterion": c, "advice": advice} for c, advice in part.missing],
            }
            for part in check.fields
        },
    }


def bank_progress(checked: list[tuple[Story, WrittenCheck]]) -> dict[str, Any]:
    """Ready stories of each kind against the target of three and three."""
    ready = {kind: sum(1 for s, c in checked if s.kind == kind and c.ready) for kind in STORY_KINDS}
    return {
        "target": BANK_TARGET,
        "ready": ready,
        "complete": all(count >= BANK_TARGET for count in ready.values()),
    }


def bank_json(checked: list[tuple[Story, WrittenCheck]]) -> dict[str, Any]:
    return {
        "stories": [
            {key: value for key, value in written_json(s, c).items() if key != "fields"}
            for s, c in checked
        ],
        "progress": bank_progress(checked),
    }


def progress_line(checked: list[tuple[Story, WrittenCheck]]) -> str:
    progress = bank_progress(checked)
    counts = ", ".join(
        f"{min(progress['ready'][kind], BANK_TARGET)} of {BANK_TARGET} {KIND_NAMES[kind]}"
        for kind in STORY_KINDS
    )
    return f"Ready: {counts}" + (" — the bank is complete." if progress["complete"] else ".")


def render_bank_text(checked: list[tuple[Story, WrittenCheck]]) -> str:
    if not checked:
        return "No stories yet: `mock-interview stories add --file story.toml` writes one."
    lines = [f"{'id':>4}  {'kind':<8}  {'state':<10}  title"]
    for told, check in checked:
        state = "ready" if check.ready else "needs work"
        gaps = ", ".join(check.gaps) or f"rubric {check.rubric['band']}"
        gaps = "" if check.ready else f"  (gaps: {gaps})"
        lines.append(f"{told.id:>4}  {told.kind:<8}  {state:<10}  {told.title}{gaps}")
    return "\n".join([*lines, "", progress_line(checked)])


def render_story_text(told: Story, check: WrittenCheck, comfort: list[dict[str, Any]]) -> str:
    state = "ready" if check.ready else f"needs work ({', '.join(check.gaps) or 'rubric'})"
    lines = [
        f"Story {told.id}: {told.title}",
        f"{told.kind} · practised as {told.question_id} · rubric {check.rubric['score']}"
        f" ({check.rubric['band']}) · {state}",
        "",
    ]
    for part in check.fields:
        text = told.text_of(part.field) or "(empty)"
        lines.append(f"{'✓' if part.ok else '✗'} {FIELD_LABELS[part.field]}: {text}")
        lines.extend(f"    → {advice}" for _, advice in part.missing)
        if not part.filled and not part.missing:
            lines.append("    → Write this part before you practise the story.")
    lines.extend(["", *render_comfort_lines(comfort)])
    return "\n".join(lines)


# -- an answer that told a story ------------------------------------------------------------------


def spoken_json(told: Story, check: SpokenCheck) -> dict[str, Any]:
    """The `"story"` object of an answer practised from a story (issue 18)."""
    return {
        "id": told.id,
        "title": told.title,
        "coverage": {
            name: {"covered": cover.covered, "evidence": cover.evidence}
            for name, cover in check.coverage.items()
        },
        "recited": check.recited,
    }


def render_spoken_text(told: Story, check: SpokenCheck) -> str:
    lines = [f"Story check: {told.title}"]
    for name, cover in check.coverage.items():
        said = f'"{cover.evidence}"' if cover.covered else "not covered"
        lines.append(f"  {'✓' if cover.covered else '✗'} {FIELD_LABELS[name]:<28} {said}")
    if check.recited:
        lines.append(f"  Recited: {RECITED_ADVICE}")
    return "\n".join(lines)


def spoken_summary(check: SpokenCheck) -> str:
    """One line for a notice: how many fields the answer covered, which it missed, recited."""
    coverage = check.coverage
    missed = [FIELD_LABELS[name] for name, cover in coverage.items() if not cover.covered]
    line = f"Covered {len(check.coverage) - len(missed)} of {len(check.coverage)} fields"
    line += f"; not covered: {', '.join(missed)}." if missed else "."
    return line + (f" {RECITED_ADVICE}" if check.recited else "")


def answer_story_checks(
    store: Store, answers: list[tuple[int, AnswerAnalysis | None]]
) -> dict[int, dict[str, Any]]:
    """answer id -> its `"story"` object, for the analysed answers that told a story (the rubric
    and settings are loaded only when there is one)."""
    linked = answer_story_ids(store, [answer_id for answer_id, _ in answers])
    if not linked:
        return {}
    checker = StoryChecker.from_settings()
    checks = {}
    for answer_id, report in answers:
        if report is not None and answer_id in linked:
            told = story(store, linked[answer_id])
            checks[answer_id] = spoken_json(told, checker.spoken(told, report))
    return checks


# -- comfort over time ----------------------------------------------------------------------------


def story_comfort(store: Store, told: Story, checker: StoryChecker) -> list[dict[str, Any]]:
    """Each attempt at the story, oldest first: when, the wait before starting (the sign of
    searching for a story), filler rate, rubric score, fields covered and whether it was recited."""
    attempts = []
    for row in story_attempts(store, told.id):
        stored = next(a for a in store.session(row.session_id).answers if a.row.id == row.id)
        check = None if stored.report is None else checker.spoken(told, stored.report)
        attempts.append(
            {
                "answer_id": row.id,
                "session_id": row.session_id,
                "created_at": row.created_at.isoformat(),
                "response_latency_s": row.response_latency_s,
                "fillers_per_minute": row.fillers_per_minute,
                "score": row.score,
                "covered": None
                if check is None
                else sum(1 for cover in check.coverage.values() if cover.covered),
                "fields": None if check is None else len(check.coverage),
                "recited": None if check is None else check.recited,
            }
        )
    return attempts


def render_comfort_lines(attempts: list[dict[str, Any]]) -> list[str]:
    if not attempts:
        return ["Not practised yet."]
    lines = [f"Practised {len(attempts)} time{'s' if len(attempts) != 1 else ''}:"]
    lines.append(f"  {'when':<16}  {'wait':>6}  {'fillers':>8}  {'score':>5}  covered  recited")
    for attempt in attempts:
        latency = attempt["response_latency_s"]
        fillers = attempt["fillers_per_minute"]
        covered = "–" if attempt["covered"] is None else f"{attempt['covered']}/{attempt['fields']}"
        lines.append(
            f"  {attempt['created_at'][:16].replace('T', ' '):<16}"
            f"  {'–' if latency is None else f'{latency:.1f} s':>6}"
            f"  {'–' if fillers is None else f'{fillers:.1f}/min':>8}"
            f"  {'–' if attempt['score'] is None else attempt['score']:>5}"
            f"  {covered:<7}  {'yes' if attempt['recited'] else 'no'}"
        )
    return lines

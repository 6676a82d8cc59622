"""The story bank without audio: parsing written stories, the field-by-field check, the bank's
progress, the spoken check on transcripts, and the `stories` commands."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crafted_reports import crafted_analysis
from mock_interview.analysis.story import MAX_FIELD_CHARS, parse_story, parse_story_toml
from mock_interview.analysis.story_check import (
    StoryCheckOptions,
    check_spoken,
    check_written,
    content_keys,
    plain_words,
)
from mock_interview.cli.entry import main
from mock_interview.core.config import Settings
from mock_interview.core.errors import UserError
from mock_interview.rubric import Rubric, load_rubric
from mock_interview.storage.database import MIGRATIONS, Store
from mock_interview.storage.stories import add_story, answer_story_ids, delete_story, link_answer
from mock_interview.views.stories import spoken_summary
from story_texts import LESSON, RETOLD, RETOLD_LESSON, SETBACK, SUCCESS


@pytest.fixture(scope="module")
def rubric(settings: Settings) -> Rubric:
    return load_rubric(settings=settings)


def test_a_setback_without_its_lesson_has_that_gap_and_is_ready_with_it(rubric: Rubric) -> None:
    without = check_written(parse_story_toml(SETBACK, "s"), rubric)
    assert without.gaps == ["lesson"] and not without.ready
    [lesson] = [field for field in without.fields if field.field == "lesson"]
    assert not lesson.filled and [criterion for criterion, _ in lesson.missing] == ["reflection"]
    with_lesson = check_written(parse_story_toml(SETBACK + LESSON, "s"), rubric)
    assert with_lesson.gaps == [] and with_lesson.ready


def test_a_success_without_a_number_is_told_the_outcome_needs_one(rubric: Rubric) -> None:
    vague = SUCCESS.replace("open tickets fell by 35 percent in eleven weeks", "tickets fell a lot")
    vague = vague.replace("by thirty percent in one quarter", "before the summer")
    check = check_written(parse_story_toml(vague, "s"), rubric)
    assert check.gaps == ["outcome"]
    [outcome] = [field for field in check.fields if field.field == "outcome"]
    assert [criterion for criterion, _ in outcome.missing] == ["measurable_result"]
    assert check_written(parse_story_toml(SUCCESS, "s"), rubric).ready


def test_a_success_needs_no_since_but_a_setback_does(rubric: Rubric) -> None:
    success = check_written(parse_story_toml(SUCCESS, "s"), rubric)
    assert "since" not in [field.field for field in success.fields]
    no_since = SETBACK[: SETBACK.index("since =")] + LESSON
    assert "since" in check_written(parse_story_toml(no_since, "s"), rubric).gaps


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('title = "x"\nkind = "missed"\ngoal = ', "not valid TOML"),
        ('title = "x"\nkind = "missed"\nmood = "proud"', "unknown key 'mood'"),
        ('title = "x"\nkind = "won"', "kind must be one of achieved, missed"),
        ('kind = "missed"\ngoal = "run"', "needs a title"),
        ('title = "x"\nkind = "missed"\ngoal = 3', "goal must be text"),
        ('title = "x\\u0007"\nkind = "missed"', "title holds a control character"),
        ('title = "x"\nkind = "missed"\nlesson = "a\\u001b[2J"', "lesson holds a control"),
        (f'title = "x"\nkind = "missed"\nlesson = "{"a" * (MAX_FIELD_CHARS + 1)}"', "longer than"),
    ],
)
def test_bad_stories_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(UserError, match=reason):
        parse_story_toml(text, "story.toml")


def test_an_archive_story_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(UserError, match="a story is a table"):
        parse_story(["title"], "archive")


def test_an_edit_keeps_the_keys_it_does_not_name() -> None:
    story = parse_story_toml(SETBACK, "s")
    edited = parse_story_toml(LESSON, "edit", base=story)
    assert edited.lesson.startswith("I learned") and edited.goal == story.goal
    with pytest.raises(UserError, match="kind must be"):
        parse_story_toml('kind = "both"', "edit", base=story)


def test_numbers_meet_whether_written_in_digits_or_words() -> None:
    assert plain_words("Twenty five people, 1,200 pounds and 30%") == [
        "25", "people", "1200", "pounds", "and", "30", "percent",
    ]
    assert plain_words("two hundred and six") == ["200", "and", "6"]
    assert content_keys("I trained them") == content_keys("training them")


def test_a_story_told_in_other_words_covers_every_field_and_is_not_recited(
    settings: Settings, rubric: Rubric
) -> None:
    story = parse_story_toml(SETBACK + LESSON, "s")
    check = check_spoken(story, RETOLD.format(lesson=RETOLD_LESSON), settings.fillers, rubric)
    assert {field: cover.covered for field, cover in check.coverage.items()} == dict.fromkeys(
        ("situation", "goal", "actions", "outcome", "lesson", "since"), True
    )
    assert check.coverage["lesson"].evidence == RETOLD_LESSON.strip()
    assert not check.recited


def test_a_skipped_lesson_is_uncovered(settings: Settings, rubric: Rubric) -> None:
    story = parse_story_toml(SETBACK + LESSON, "s")
    check = check_spoken(story, RETOLD.format(lesson=""), settings.fillers, rubric)
    assert not check.coverage["lesson"].covered and check.coverage["lesson"].evidence is None
    assert all(cover.covered for field, cover in check.coverage.items() if field != "lesson")
    assert spoken_summary(check) == "Covered 5 of 6 fields; not covered: What I learned."


def test_reading_the_notes_aloud_is_recited(settings: Settings, rubric: Rubric) -> None:
    story = parse_story_toml(SETBACK + LESSON, "s")
    notes = " ".join(story.text_of(field) for field in ("situation", "goal", "actions"))
    # Half of the story read out word for word, the rest retold: still recited.
    spoken = notes + " But at kilometre thirty my knee gave out. I now train strength twice a week."
    check = check_spoken(story, spoken, settings.fillers, rubric)
    assert check.recited and 0.35 <= check.recited_share < 0.6
    stricter = StoryCheckOptions(recited_share=0.6)
    assert not check_spoken(story, spoken, settings.fillers, rubric, stricter).recited


def test_story_check_options_are_range_checked() -> None:
    with pytest.raises(ValueError, match="recited_share"):
        StoryCheckOptions(recited_share=0.0)
    with pytest.raises(ValueError, match="window_sentences"):
        StoryCheckOptions(window_sentences=9)


def _add(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: str
) -> dict[str, Any]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["stories", "add", "--format", "json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_stories_add_reports_the_gap_and_edit_makes_it_ready(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    added = _add(capsys, monkeypatch, SETBACK)
    assert added == {"id": 1, "ready": False, "gaps": ["lesson"]}
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(LESSON)
    assert main(["stories", "edit", "1", "--file", str(lesson), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": 1, "ready": True, "gaps": []}
    assert main(["stories", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "✓ What I learned: I learned that I need to plan rest" in shown
    assert "Not practised yet" in shown


def test_six_ready_stories_complete_the_bank(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(1, 4):
        _add(capsys, monkeypatch, SUCCESS.replace('title = "', f'title = "{number}. '))
        _add(capsys, monkeypatch, SETBACK.replace('title = "', f'title = "{number}. ') + LESSON)
        assert main(["stories", "list", "--format", "json"]) == 0
        progress = json.loads(capsys.readouterr().out)["progress"]
        assert progress["ready"] == {"achieved": number, "missed": number}
        assert progress["complete"] is (number == 3)
    assert main(["stories", "list"]) == 0
    assert "Ready: 3 of 3 successes, 3 of 3 setbacks — the bank is complete." in (
        capsys.readouterr().out
    )
    assert main(["stories", "delete", "6"]) == 0
    assert main(["stories", "list", "--format", "json"]) == 0
    assert "Deleted story 6." in (out := capsys.readouterr().out)
    assert json.loads(out.split("\n", 1)[1])["progress"]["complete"] is False


@pytest.mark.parametrize(
    ("stdin", "reason"),
    [
        (b'title = "x"\nkind = "missed"\nmood = "proud"', "unknown key 'mood'"),
        (b"title = ", "not valid TOML"),
        (b'title = "x"\nkind = "both"', "kind must be"),
        (b"\xff\xfe", "not UTF-8"),
        (b'kind = "missed"\ngoal = "run"', "needs a title"),
        (b'title = "x"\nkind = "missed"\nlesson = "\\u001b[2J"', "lesson holds a control"),
        (b"lesson = '" + b"a" * 70_000 + b"'", "larger than 64 kB"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: bytes,
    reason: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    assert main(["stories", "add"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert reason in captured.err


def test_missing_files_and_stories_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["stories", "add", "--file", str(tmp_path / "none.toml")]) == 2
    assert main(["stories", "show", "4"]) == 2
    assert main(["stories", "delete", "4"]) == 2
    assert main(["practice", "--no-speak", "--story", "4"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and "no such file" in err[0] and all("no story 4" in e for e in err[1:])


def test_a_database_from_before_stories_is_upgraded_and_keeps_its_answers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sessions.db"
    with sqlite3.connect(path) as old:
        for script in MIGRATIONS[:2]:
            old.executescript(script)
        old.execute("PRAGMA user_version = 2")
        old.execute("INSERT INTO sessions (id, started_at, question_ids, uid) VALUES "
                    "(1, '2026-01-01T10:00:00+00:00', '[\"goal-missed\"]', 'u1')")
        old.execute("INSERT INTO answers (session_id, position, question_id, created_at) VALUES "
                    "(1, 1, 'goal-missed', '2026-01-01T10:01:00+00:00')")
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        [answer] = store.answers(include_unfinished=True)
        assert answer_story_ids(store, [answer.id]) == {}
        story_id = add_story(store, parse_story_toml(SETBACK, "s"))
        link_answer(store, answer.id, story_id)
        assert answer_story_ids(store, [answer.id]) == {answer.id: story_id}
        delete_story(store, story_id)  # the answer stays, no longer linked
        assert [row.id for row in store.answers(include_unfinished=True)] == [answer.id]
        assert answer_story_ids(store, [answer.id]) == {}


def test_a_question_of_the_other_kind_is_refused_for_a_story(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(capsys, monkeypatch, SETBACK)
    assert main(["practice", "--no-speak", "--story", "1", "--question", "goal-achieved"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "story 1 is a goal missed; question goal-achieved asks for achieved" in err


def test_history_of_one_story_lists_only_its_tellings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(capsys, monkeypatch, SETBACK + LESSON)
    with Store.open_default() as store:
        session_id = store.create_session(["goal-missed", "goal-missed", "goal-missed"])
        for score in (40, 60, 70):
            answer_id = store.add_answer(
                session_id,
                "goal-missed",
                None,
                crafted_analysis("I ran", question_id="goal-missed", kind="missed", score=score),
            )
            if score != 60:
                link_answer(store, answer_id, 1)
    assert main(["history", "--story", "1", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["answers"]
    assert sorted(row["score"] for row in rows) == [40, 70]
    assert main(["history", "--story", "2"]) == 2
    assert "no story 2" in capsys.readouterr().err

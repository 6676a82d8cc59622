"""Follow-up questions without audio: which one is asked, the plain-string form, the score with
the prompt, the version-2 database upgraded, the session report and the archive carrying them."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from crafted_reports import crafted_analysis, crafted_report
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.config import (
    FollowUp,
    PracticeSettings,
    Question,
    Settings,
    load_questions,
)
from mock_interview.core.errors import UserError
from mock_interview.rubric import load_rubric
from mock_interview.session.follow_up import (
    check_follow_ups,
    choose_follow_up,
    follow_up_candidates,
    follow_up_question,
    score_with_prompt,
)
from mock_interview.storage.archive import MANIFEST, export_sessions, import_archive
from mock_interview.storage.database import SCHEMA_VERSION, FollowUpLink, Store
from mock_interview.views.history import (
    render_history_csv,
    render_history_json,
    render_history_text,
)
from mock_interview.views.session import SessionReport, session_json
from mock_interview.views.session_formats import session_html_by_id
from mock_interview.views.session_markdown import render_session_markdown

OWN = FollowUp("ownership", "What part of the shortfall was yours?")
LESSON = FollowUp("reflection", "What did you take from that?")
NEXT = FollowUp("forward_momentum", "What do you do differently now?")
PLAIN = FollowUp(None, "Anything else?")
MISSED = Question("goal-missed", "missed", "A goal you missed?", 120, 180, (OWN, LESSON, NEXT))


def practice(settings: Settings, **changes: Any) -> PracticeSettings:
    return replace(settings.practice, **changes)


def met(*ids: str) -> dict[str, bool]:
    every = ("situation", "reflection", "ownership", "forward_momentum", "measurable_result")
    return {criterion: criterion in ids for criterion in every}


# -- which follow-up ------------------------------------------------------------------------


def test_missing_probes_the_first_unmet_criterion_in_list_order(settings: Settings) -> None:
    missing = practice(settings, follow_ups="missing")
    assert choose_follow_up(MISSED, missing, met()) == OWN
    assert choose_follow_up(MISSED, missing, met("ownership")) == LESSON
    assert choose_follow_up(MISSED, missing, met("ownership", "reflection")) == NEXT
    reordered = replace(missing, follow_up_criteria_missed=["forward_momentum", "ownership"])
    assert choose_follow_up(MISSED, reordered, met()) == NEXT


def test_missing_asks_nothing_when_every_listed_criterion_is_met(settings: Settings) -> None:
    missing = practice(settings, follow_ups="missing")
    everything = met("ownership", "reflection", "forward_momentum")
    assert choose_follow_up(MISSED, missing, everything) is None
    # An unlisted criterion left unmet is not worth a follow-up.
    narrow = replace(missing, follow_up_criteria_missed=["ownership"])
    assert choose_follow_up(MISSED, narrow, met("ownership")) is None


def test_always_probes_the_first_listed_criterion_when_all_are_met(settings: Settings) -> None:
    always = practice(settings, follow_ups="always")
    assert choose_follow_up(MISSED, always, met("reflection")) == OWN
    everything = met("ownership", "reflection", "forward_momentum")
    assert choose_follow_up(MISSED, always, everything) == OWN


def test_off_and_a_maximum_of_zero_ask_nothing(settings: Settings) -> None:
    assert choose_follow_up(MISSED, practice(settings, follow_ups="off"), met()) is None
    assert choose_follow_up(MISSED, practice(settings, max_follow_ups=0), met()) is None
    assert follow_up_candidates(MISSED, practice(settings, follow_ups="off")) == []


def test_the_maximum_bounds_follow_ups_and_none_is_probed_twice(settings: Settings) -> None:
    two = practice(settings, follow_ups="missing", max_follow_ups=2)
    assert choose_follow_up(MISSED, two, met(), asked=[OWN]) == LESSON
    assert choose_follow_up(MISSED, two, met(), asked=[OWN, LESSON]) is None
    always = practice(settings, follow_ups="always", max_follow_ups=3)
    everything = met("ownership", "reflection", "forward_momentum")
    assert choose_follow_up(MISSED, always, everything, asked=[OWN]) == LESSON


def test_a_plain_follow_up_is_asked_only_in_always_mode_when_nothing_else_fits(
    settings: Settings,
) -> None:
    question = replace(MISSED, follow_ups=(PLAIN, OWN))
    nothing_listed = practice(settings, follow_up_criteria_missed=[])
    assert choose_follow_up(question, replace(nothing_listed, follow_ups="always"), met()) == PLAIN
    assert choose_follow_up(question, replace(nothing_listed, follow_ups="missing"), met()) is None
    always = practice(settings, follow_ups="always")
    assert choose_follow_up(question, always, met()) == OWN


def test_general_questions_are_probed_on_the_achieved_criteria(settings: Settings) -> None:
    question = load_questions()["critical-feedback"]
    assert question.kind == "general"
    chosen = choose_follow_up(question, settings.practice, met())
    assert chosen is not None
    assert chosen.criterion == settings.practice.follow_up_criteria_achieved[0]


def test_the_follow_up_has_its_own_target_band(settings: Settings) -> None:
    asked = follow_up_question(MISSED, OWN.text, OWN.criterion, settings.practice)
    assert (asked.id, asked.kind, asked.text) == (MISSED.id, MISSED.kind, OWN.text)
    assert asked.probes == OWN.criterion == "ownership"
    band = (settings.practice.follow_up_target_min_s, settings.practice.follow_up_target_max_s)
    assert (asked.target_min_s, asked.target_max_s) == band == (20.0, 60.0)


# -- the question bank --------------------------------------------------------------------


BANK = """
[[questions]]
id = "goal-missed"
kind = "missed"
text = "A goal you missed?"
target_min_s = 120
target_max_s = 180
follow_ups = {follow_ups}

[[default_follow_ups]]
kind = "missed"
criterion = "ownership"
text = "What part of it was yours?"

[[default_follow_ups]]
kind = "missed"
criterion = "reflection"
text = "What did you take from that?"
"""


def bank(tmp_path: Path, follow_ups: str) -> dict[str, Question]:
    path = tmp_path / "questions.toml"
    path.write_text(BANK.replace("{follow_ups}", follow_ups))
    return load_questions(path)


def test_plain_strings_still_load_and_probe_no_criterion(tmp_path: Path) -> None:
    [question] = bank(tmp_path, '["Where have you used that since?"]').values()
    assert question.follow_ups == (
        FollowUp(None, "Where have you used that since?"),
        FollowUp("ownership", "What part of it was yours?"),
        FollowUp("reflection", "What did you take from that?"),
    )


def test_a_question_s_own_follow_up_wins_over_the_default(tmp_path: Path) -> None:
    [question] = bank(
        tmp_path, '[{criterion = "ownership", text = "Which part was yours?"}, "Plain?"]'
    ).values()
    assert question.follow_ups == (
        FollowUp("ownership", "Which part was yours?"),
        FollowUp(None, "Plain?"),
        FollowUp("reflection", "What did you take from that?"),
    )


@pytest.mark.parametrize(
    ("follow_ups", "message"),
    [
        ('[{criterion = "Own ership", text = "x"}]', "follow_ups[0].criterion"),
        ('[{criterion = "ownership"}]', "follow_ups[0]': must be a string or"),
        ('[{criterion = "ownership", text = ""}]', "follow_ups[0].text"),
        ("[3]", "follow_ups[0]'"),
        ('"x"', "follow_ups': must be a list"),
    ],
)
def test_a_malformed_follow_up_is_one_line(tmp_path: Path, follow_ups: str, message: str) -> None:
    with pytest.raises(UserError) as raised:
        bank(tmp_path, follow_ups)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_the_shipped_bank_can_probe_every_listed_criterion(settings: Settings) -> None:
    check_follow_ups(settings.practice, load_questions(), load_rubric(settings=settings))
    for question in load_questions().values():
        offered = {follow_up.criterion for follow_up in question.follow_ups}
        assert set(settings.practice.follow_up_criteria(question.kind)) <= offered


def test_a_criterion_the_rubric_does_not_know_for_the_kind_is_one_line(settings: Settings) -> None:
    rubric = load_rubric(settings=settings)
    wrong = practice(settings, follow_up_criteria_achieved=["ownership"])  # missed answers only
    with pytest.raises(UserError, match="follow_up_criteria_achieved': 'ownership' is not a crit"):
        check_follow_ups(wrong, load_questions(), rubric)
    odd = {"q": replace(MISSED, follow_ups=(FollowUp("charisma", "Smile?"), OWN, LESSON, NEXT))}
    with pytest.raises(UserError, match="follow-up criterion 'charisma'"):
        check_follow_ups(settings.practice, odd, rubric)


def test_follow_up_settings_are_range_checked(tmp_path: Path) -> None:
    from mock_interview.core.config import load_settings

    for line, message in [
        ("max_follow_ups = 4", "practice.max_follow_ups': must be at least 0 and at most 3"),
        ('follow_ups = "sometimes"', "practice.follow_ups': must be one of missing, always, off"),
        ("follow_up_credit = 1.5", "practice.follow_up_credit': must be at least 0 and at most 1"),
        ("follow_up_target_min_s = 60", "must be greater than practice.follow_up_target_min_s"),
        ('follow_up_criteria_missed = ["Own"]', "'Own' is not a criterion id"),
    ]:
        override = tmp_path / "settings.toml"
        override.write_text(f"[practice]\n{line}\n")
        with pytest.raises(UserError) as raised:
            load_settings(override)
        assert message in str(raised.value), str(raised.value)


# -- the score with the prompt --------------------------------------------------------------


def test_a_recovered_criterion_earns_the_credit_share_of_its_weight(settings: Settings) -> None:
    rubric = load_rubric(settings=settings)
    weights = {c.id: c.weight for c in rubric.criteria.values() if "missed" in c.kinds}
    share = weights["ownership"] / sum(weights.values())
    expected = 40 + round(0.5 * share * 100)
    assert expected > 40
    assert score_with_prompt(40, [("ownership", True)], "missed", rubric, 0.5) == expected
    assert score_with_prompt(40, [("ownership", False)], "missed", rubric, 0.5) == 40
    assert score_with_prompt(40, [(None, True)], "missed", rubric, 0.5) == 40
    assert score_with_prompt(99, [("ownership", True)], "missed", rubric, 1.0) == 100


# -- storage ----------------------------------------------------------------------------------


def missed_report(text: str, ownership: bool, score: int = 30) -> AnswerAnalysis:
    report = crafted_report(text, question_id="goal-missed", kind="missed", score=score)
    report["rubric"]["criteria"].append(
        {"id": "ownership", "met": ownership, "evidence": [text] if ownership else [],
         "advice": "" if ownership else "Say what part was yours."}
    )
    return AnswerAnalysis.from_json(report)


def session_with_follow_up(store: Store) -> tuple[int, int, int]:
    """A session of two answers, the first followed up; (session, main answer, follow-up) ids."""
    session_id = store.create_session(["goal-missed", "goal-achieved"])
    main_path = store.new_recording_path(session_id, "goal-missed")
    main_path.write_bytes(b"main answer")
    main_id = store.add_answer(
        session_id, "goal-missed", main_path, missed_report("They were late.", False)
    )
    follow_path = store.new_recording_path(session_id, "goal-missed")
    follow_path.write_bytes(b"follow-up answer")
    link = FollowUpLink(main_id, "ownership", "What part of it was yours?")
    store.mark_recording_started(session_id, "goal-missed", follow_path, link)
    follow_id = store.add_answer(
        session_id, "goal-missed", follow_path, missed_report("Part was mine.", True), link
    )
    store.set_score_with_prompt(follow_id, 36)
    store.add_answer(session_id, "goal-achieved", None, crafted_analysis("I ran it."))
    return session_id, main_id, follow_id


def test_a_follow_up_is_attached_to_its_main_answer_and_kept_out_of_history(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "sessions.db") as store:
        session_id, main_id, follow_id = session_with_follow_up(store)
        session = store.session(session_id)
        assert [a.row.id for a in session.answers] == [main_id, main_id + 2]
        assert [a.row.position for a in session.answers] == [1, 2]
        follow_up = session.answers[0].follow_up
        assert follow_up is not None and follow_up.row.id == follow_id
        assert follow_up.link == FollowUpLink(main_id, "ownership", "What part of it was yours?")
        assert follow_up.recovered and follow_up.row.score_with_prompt == 36
        assert session.answers[1].follow_up is None
        rows = store.answers()
        assert [row.id for row in rows] == [main_id, main_id + 2]
        assert [row.follow_up_count for row in rows] == [1, 0]
        assert store.sessions()[0].answer_count == 2
        assert store.unfinished_recordings() == []


def test_deleting_a_session_removes_follow_up_recordings(tmp_path: Path) -> None:
    with Store(tmp_path / "sessions.db") as store:
        session_id, _, follow_id = session_with_follow_up(store)
        follow_path = store.answer(follow_id).row.recording_path
        assert follow_path is not None and follow_path.is_file()
        removed = store.delete_session(session_id)
        assert follow_path in removed and not follow_path.exists()
        count = store._conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        assert count == 0


VERSION_2_SCHEMA = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL,
    question_ids TEXT NOT NULL, uid TEXT);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, question_id TEXT NOT NULL, recording_path TEXT,
    created_at TEXT NOT NULL, report_json TEXT, answer_length_s REAL, response_latency_s REAL,
    words_per_minute REAL, fillers_per_minute REAL, filler_count INTEGER,
    long_pause_count INTEGER, score INTEGER, status TEXT NOT NULL DEFAULT 'done');
CREATE INDEX answers_by_session ON answers(session_id, position);
CREATE INDEX sessions_by_start ON sessions(started_at);
CREATE UNIQUE INDEX sessions_by_uid ON sessions(uid);
CREATE INDEX answers_by_status ON answers(status);
PRAGMA user_version = 2;
"""


def test_a_version_2_database_is_upgraded_and_keeps_its_answers(tmp_path: Path) -> None:
    db = tmp_path / "sessions.db"
    report = crafted_analysis("I set a goal and met it.", score=64)
    with sqlite3.connect(db) as conn:
        conn.executescript(VERSION_2_SCHEMA)
        conn.execute(
            "INSERT INTO sessions VALUES (7, '2024-01-02T10:00:00+00:00', '[\"goal-achieved\"]',"
            " 'aa11aa11aa11aa11aa11aa11aa11aa11')"
        )
        conn.execute(
            "INSERT INTO answers (session_id, position, question_id, created_at, report_json,"
            " score, status) VALUES (7, 1, 'goal-achieved', '2024-01-02T10:01:00+00:00', ?, 64,"
            " 'done')",
            (json.dumps(report.to_json()),),
        )
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        [answer] = store.session(7).answers
        assert answer.report == report and answer.follow_up is None
        assert [row.score for row in store.answers()] == [64]
        link = FollowUpLink(answer.row.id, "reflection", "What did you take from that?")
        added = store.add_answer(7, "goal-achieved", None, crafted_analysis("I learned."), link)
        assert store.session(7).answers[0].follow_ups[0].row.id == added


# -- the session report ---------------------------------------------------------------------


def test_the_session_json_and_markdown_show_the_follow_up(tmp_path: Path) -> None:
    with Store(tmp_path / "sessions.db") as store:
        session_id, _, follow_id = session_with_follow_up(store)
        report = SessionReport(store.session(session_id), store.answers())
        first, second = session_json(report)["answers"]
        markdown = render_session_markdown(report)
    follow_up = first["follow_up"]
    assert follow_up["criterion"] == "ownership"
    assert follow_up["question"] == "What part of it was yours?"
    assert follow_up["answer_id"] == follow_id
    assert follow_up["recovered"] is True and follow_up["score_with_prompt"] == 36
    assert follow_up["report"]["transcript"]["text"] == "Part was mine."
    assert Path(follow_up["recording_path"]).read_bytes() == b"follow-up answer"
    assert second["follow_up"] is None and first["later_follow_ups"] == []
    assert "### Follow-up (ownership): What part of it was yours?" in markdown
    assert "Part was mine." in markdown
    assert "Recovered ownership: yes. Score with the prompt: 36 (the answer alone: 30)." in markdown


def test_history_counts_the_answers_that_needed_a_follow_up(tmp_path: Path) -> None:
    with Store(tmp_path / "sessions.db") as store:
        session_with_follow_up(store)
        later = store.create_session(["goal-missed"])
        store.add_answer(later, "goal-missed", None, missed_report("It was mine.", True, 90))
        rows = store.answers()
    text = render_history_text(rows).splitlines()
    assert "1 of 3 answers needed a follow-up." in text
    assert text[-1].startswith("Trend, first 1 vs last 1 of 2 sessions: ")
    # main answers only: the first session's mean is (30 + 70) / 2, the follow-up's 36 left out
    assert "Score 50 → 90" in text[-1]
    data = json.loads(render_history_json(rows))
    assert data["answers_needing_follow_up"] == 1
    assert [a["follow_up_count"] for a in data["answers"]] == [0, 1, 0]  # newest first
    table = list(csv.DictReader(io.StringIO(render_history_csv(rows))))
    assert [line["follow_up_count"] for line in table] == ["0", "1", "0"]
    assert "needed a follow-up" not in render_history_text(rows[:1])


# -- the archive ----------------------------------------------------------------------------


def test_export_and_import_carry_follow_ups(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with Store(tmp_path / "source" / "sessions.db") as source:
        session_id, _, _ = session_with_follow_up(source)
        export_sessions(source, archive, session_html_by_id(source, 3.0))
        exported = source.session(session_id)
    with Store(tmp_path / "target" / "sessions.db") as target:
        [imported_id] = import_archive(target, archive).imported
        imported = target.session(imported_id)
    assert len(imported.answers) == len(exported.answers) == 2
    before, after = exported.answers[0].follow_up, imported.answers[0].follow_up
    assert before is not None and after is not None
    assert after.report == before.report
    assert (after.link.criterion, after.link.question) == ("ownership", before.link.question)
    assert after.link.main_answer_id == imported.answers[0].row.id
    assert after.row.score_with_prompt == 36 and after.recovered
    assert after.row.recording_path is not None
    assert after.row.recording_path.read_bytes() == b"follow-up answer"


def _rewrite_manifest(archive: Path, edit: Any, out: Path) -> Path:
    with zipfile.ZipFile(archive) as opened, zipfile.ZipFile(out, "w") as rewritten:
        for info in opened.infolist():
            data = opened.read(info)
            if info.filename == MANIFEST:
                manifest = json.loads(data)
                edit(manifest["sessions"][0]["answers"][0])
                data = json.dumps(manifest).encode()
            rewritten.writestr(info.filename, data)
    return out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda a: a.update(follow_ups="x"), "follow_ups is not a list of at most 3"),
        (lambda a: a["follow_ups"][0].update(criterion="../x"), "not a criterion id"),
        (lambda a: a["follow_ups"][0].update(question=""), "follow_ups[0].question"),
        (lambda a: a["follow_ups"][0].update(score_with_prompt=101), "score_with_prompt"),
        (lambda a: a["follow_ups"][0].update(report="../evil.json"), "not a safe member name"),
        (lambda a: a["follow_ups"][0].pop("recording"), "follow_ups[0].recording is missing"),
        (lambda a: a["follow_ups"][0].update(extra=1), "extra is not a follow-up field"),
    ],
)
def test_a_malformed_follow_up_in_an_archive_is_refused_in_one_line(
    tmp_path: Path, edit: Any, message: str
) -> None:
    archive = tmp_path / "all.zip"
    with Store(tmp_path / "source" / "sessions.db") as source:
        session_with_follow_up(source)
        export_sessions(source, archive, session_html_by_id(source, 3.0))
    bad = _rewrite_manifest(archive, edit, tmp_path / "bad.zip")
    with Store(tmp_path / "target" / "sessions.db") as target:
        with pytest.raises(UserError) as raised:
            import_archive(target, bad)
        assert target.sessions() == []
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert "nothing was imported" in str(raised.value)


def test_an_archive_without_follow_ups_still_imports(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with Store(tmp_path / "source" / "sessions.db") as source:
        session_with_follow_up(source)
        export_sessions(source, archive, session_html_by_id(source, 3.0))
    # As version 1 wrote it: no follow_ups anywhere, no follow-up members.
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read(MANIFEST))
        members = {name: opened.read(name) for name in opened.namelist() if name != MANIFEST}
    manifest["version"] = 1
    for answer in manifest["sessions"][0]["answers"]:
        answer.pop("follow_ups", None)
    kept = {name for name in members if "follow-up" not in name}
    manifest["files"] = {name: sha for name, sha in manifest["files"].items() if name in kept}
    with zipfile.ZipFile(old, "w") as rewritten:
        rewritten.writestr(MANIFEST, json.dumps(manifest))
        for name in kept:
            rewritten.writestr(name, members[name])
    with Store(tmp_path / "target" / "sessions.db") as target:
        [imported] = import_archive(target, old).imported
        answers = target.session(imported).answers
    assert len(answers) == 2 and all(answer.follow_up is None for answer in answers)


def test_practice_refuses_an_unknown_criterion_in_one_line_before_the_model_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mock_interview.cli.entry import main

    override = tmp_path / "settings.toml"
    override.write_text('[practice]\nfollow_up_criteria_missed = ["reflection", "charm"]\n')
    monkeypatch.setenv("MOCK_INTERVIEW_CONFIG", str(override))
    assert main(["practice", "--no-speak", "--answer-file", str(tmp_path / "absent.wav")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "follow_up_criteria_missed': 'charm' is not a criterion of missed answers" in err

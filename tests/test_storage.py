"""The session database: real SQLite files in temporary folders."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from crafted_reports import crafted_analysis, crafted_report
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.errors import UserError
from mock_interview.storage.database import MIGRATIONS, SCHEMA_VERSION, STATUS_RECORDING, Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "data" / "sessions.db") as opened:
        yield opened


def test_answer_summary_columns_come_from_the_report(store: Store) -> None:
    report = crafted_report(
        "So um I set a goal. Uh we hit it.", latency_s=2.5, pauses={3: 1.5, 6: 3.2}, score=64
    )
    session_id = store.create_session(["goal-achieved"])
    answer_id = store.add_answer(
        session_id, "goal-achieved", None, AnswerAnalysis.from_json(report)
    )

    [row] = store.answers()
    assert row.id == answer_id
    assert row.session_id == session_id
    assert row.answer_length_s == report["timing"]["answer_length_s"]
    assert row.response_latency_s == 2.5
    assert row.words_per_minute == report["timing"]["words_per_minute"]
    assert row.fillers_per_minute == report["fillers"]["per_minute"]
    assert row.filler_count == 2
    assert row.long_pause_count == 1
    assert row.score == 64
    stored = store.session(session_id).answers[0].report
    assert stored is not None and stored.to_json() == report


def test_report_without_rubric_stores_null_score(store: Store) -> None:
    session_id = store.create_session(["goal-missed"])
    store.add_answer(session_id, "goal-missed", None, crafted_analysis("I tried.", score=None))
    assert store.answers()[0].score is None


def test_update_answer_report_replaces_report_and_summary(store: Store) -> None:
    session_id = store.create_session(["goal-achieved"])
    answer_id = store.add_answer(
        session_id, "goal-achieved", None, crafted_analysis("one two", score=10)
    )
    store.update_answer_report(answer_id, crafted_analysis("one two three", score=90))
    stored = store.answer(answer_id)
    assert stored.row.score == 90
    assert stored.report is not None
    assert stored.report.transcript.text == "one two three"
    with pytest.raises(UserError, match="no answer"):
        store.update_answer_report(answer_id + 100, crafted_analysis("x"))


def test_sessions_and_answers_newest_first_with_filters(store: Store) -> None:
    base = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    ids = []
    for day in range(3):
        session_id = store.create_session(
            ["goal-achieved", "goal-missed"], started_at=base + timedelta(days=day)
        )
        store.add_answer(session_id, "goal-achieved", None, crafted_analysis("a b", score=day))
        store.add_answer(session_id, "goal-missed", None, crafted_analysis("c d", score=10 + day))
        ids.append(session_id)
    store.create_session(["tell-feedback"], started_at=base + timedelta(days=5))

    assert [s.id for s in store.sessions()][1:] == ids[::-1]
    assert [s.id for s in store.sessions(question_id="goal-missed")] == ids[::-1]
    assert [s.id for s in store.sessions(since=date(2024, 3, 2), limit=2)][1:] == [ids[2]]
    assert store.sessions()[-1].started_at == base

    rows = store.answers()
    assert [(r.session_id, r.position) for r in rows] == [
        (ids[2], 1),
        (ids[2], 2),
        (ids[1], 1),
        (ids[1], 2),
        (ids[0], 1),
        (ids[0], 2),
    ]
    assert [r.score for r in store.answers(question_id="goal-missed")] == [12, 11, 10]
    assert [r.score for r in store.answers(since=base + timedelta(days=1, hours=1))] == [2, 12]
    assert [r.question_id for r in store.answers(session_id=ids[0])] == [
        "goal-achieved",
        "goal-missed",
    ]


def test_unknown_session_is_a_user_error(store: Store) -> None:
    with pytest.raises(UserError, match="no session 42"):
        store.session(42)
    with pytest.raises(UserError, match="no session 42"):
        store.delete_session(42)
    with pytest.raises(UserError, match="no session 42"):
        store.add_answer(42, "goal-achieved", None, crafted_analysis("x"))


def test_recording_in_progress_is_found_then_completed(store: Store) -> None:
    session_id = store.create_session(["goal-achieved"])
    path = store.new_recording_path(session_id, "goal-achieved")
    path.write_bytes(b"RIFF")
    answer_id = store.mark_recording_started(session_id, "goal-achieved", path)

    [pending] = store.unfinished_recordings()
    assert (pending.id, pending.status, pending.recording_path) == (
        answer_id,
        STATUS_RECORDING,
        path,
    )
    assert store.answers() == []
    assert len(store.answers(include_unfinished=True)) == 1

    done = crafted_analysis("done")
    assert store.add_answer(session_id, "goal-achieved", path, done) == answer_id
    assert store.unfinished_recordings() == []
    assert [r.id for r in store.answers()] == [answer_id]


def test_recording_paths_inside_the_data_dir_survive_a_move(tmp_path: Path) -> None:
    with Store(tmp_path / "old" / "sessions.db") as store:
        session_id = store.create_session(["goal-achieved"])
        path = store.new_recording_path(session_id, "goal-achieved")
        path.write_bytes(b"audio")
        store.add_answer(session_id, "goal-achieved", path, crafted_analysis("x"))
    (tmp_path / "old").rename(tmp_path / "new")
    with Store(tmp_path / "new" / "sessions.db") as moved:
        [row] = moved.answers()
        assert row.recording_path is not None
        assert row.recording_path.read_bytes() == b"audio"


def test_delete_session_removes_rows_and_recordings(store: Store) -> None:
    keep = store.create_session(["goal-achieved"])
    gone = store.create_session(["goal-achieved", "goal-missed"])
    paths = {}
    for session_id in (keep, gone):
        for question_id in ("goal-achieved", "goal-missed"):
            path = store.new_recording_path(session_id, question_id)
            path.write_bytes(b"x")
            paths[session_id, question_id] = path
            store.add_answer(session_id, question_id, path, crafted_analysis("x"))

    removed = store.delete_session(gone)

    assert sorted(removed) == sorted([paths[gone, "goal-achieved"], paths[gone, "goal-missed"]])
    assert not any(path.exists() for path in removed)
    assert not removed[0].parent.exists()
    assert paths[keep, "goal-achieved"].exists()
    assert [s.id for s in store.sessions()] == [keep]
    assert {r.session_id for r in store.answers()} == {keep}


def test_files_and_folders_are_user_only(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "sessions.db"
    with Store(db_path) as store:
        session_id = store.create_session(["goal-achieved"])
        path = store.new_recording_path(session_id, "goal-achieved")
    assert _mode(db_path) == 0o600
    assert _mode(db_path.parent) == 0o700
    assert _mode(store.recordings_dir) == 0o700
    assert _mode(path.parent) == 0o700


def test_open_default_lives_in_the_data_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    with Store.open_default() as store:
        store.create_session(["goal-achieved"])
    db_path = tmp_path / "xdg" / "mock-interview" / "sessions.db"
    assert store.db_path == db_path
    assert _mode(db_path) == 0o600


def test_older_database_is_migrated_without_losing_data(tmp_path: Path) -> None:
    db_path = tmp_path / "sessions.db"
    old = sqlite3.connect(db_path)
    old.executescript(MIGRATIONS[0])
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO sessions (started_at, question_ids) VALUES"
        " ('2024-01-02T10:00:00+00:00', '[\"goal-missed\"]')"
    )
    old.execute(
        "INSERT INTO answers (session_id, position, question_id, created_at, score)"
        " VALUES (1, 1, 'goal-missed', '2024-01-02T10:03:00+00:00', 55)"
    )
    old.commit()
    old.close()

    with Store(db_path) as store:
        assert store.schema_version == SCHEMA_VERSION
        [session] = store.sessions()
        assert len(session.uid) == 32
        assert session.question_ids == ["goal-missed"]
        [row] = store.answers()
        assert (row.score, row.status) == (55, "done")
        second = store.create_session(["goal-achieved"])
        assert store.session(second).uid != session.uid


def test_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    db_path = tmp_path / "sessions.db"
    newer = sqlite3.connect(db_path)
    newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    newer.commit()
    newer.close()
    before = db_path.read_bytes()
    with pytest.raises(UserError, match="newer mock-interview"):
        Store(db_path)
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_a_user_error(tmp_path: Path) -> None:
    db_path = tmp_path / "sessions.db"
    db_path.write_bytes(b"this is not sqlite at all, just some text " * 50)
    with pytest.raises(UserError, match="not a session database"):
        Store(db_path)


def test_failed_atomic_block_changes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.atomic():
        session_id = store.create_session(["goal-achieved"])
        store.add_answer(session_id, "goal-achieved", None, crafted_analysis("x"))
        raise RuntimeError("stop")
    assert store.sessions() == []
    assert store.answers() == []


def test_threads_can_share_a_store(store: Store) -> None:
    session_id = store.create_session(["goal-achieved"])

    def add_some() -> None:
        for _ in range(20):
            store.add_answer(session_id, "goal-achieved", None, crafted_analysis("x"))

    workers = [threading.Thread(target=add_some) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    positions = [r.position for r in store.answers()]
    assert sorted(positions) == list(range(1, 81))


def test_preferred_session_id_is_kept_only_when_free(store: Store) -> None:
    assert store.create_session(["goal-achieved"], preferred_id=7) == 7
    assert store.create_session(["goal-achieved"], preferred_id=7) == 8
    assert store.create_session(["goal-achieved"]) == 9


def test_a_foreign_sqlite_file_is_refused_unchanged(tmp_path: Path) -> None:
    db_path = tmp_path / "sessions.db"
    foreign = sqlite3.connect(db_path)
    foreign.execute("CREATE TABLE sessions (name TEXT)")
    foreign.commit()
    foreign.close()
    with pytest.raises(UserError, match="cannot be upgraded to schema 1"):
        Store(db_path)
    check = sqlite3.connect(db_path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 0
    assert [r[0] for r in check.execute("SELECT name FROM sqlite_master")] == ["sessions"]
    check.close()

"""Data read back from the database (issue 12, items 2 and 6): a row holding what this program
never writes is skipped with one warning line, and a database with a corrupted page is one line
saying where it is and how to recover, never a traceback. Through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from hostile.archive_bombs import session_archive
from hostile.test_archive_attacks import Home, with_uid

PAGE_BYTES = 4096


def _answer_ids(database: Path) -> dict[int, int]:
    """session id -> answer id, read with plain sqlite3 (the test's own, read-only look)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT session_id, id FROM answers").fetchall())


def _write_sql(database: Path, statement: str, *params: object) -> None:
    conn = sqlite3.connect(database)
    with conn:
        conn.execute(statement, params)
    conn.close()


@pytest.fixture
def two_sessions(tmp_path: Path) -> Home:
    """A home holding two imported sessions (ids 1 and 2), one answer each."""
    home = Home(tmp_path / "home")
    for index, uid in enumerate(("ab" * 16, "cd" * 16)):
        archive = session_archive(tmp_path / f"seed-{index}", edit=with_uid(uid))
        assert home.run("import", str(archive)).returncode == 0
    assert sorted(_answer_ids(home.database)) == [1, 2]
    return home


def test_a_non_numeric_length_skips_that_row_with_one_warning(two_sessions: Home) -> None:
    home = two_sessions
    bad_answer = _answer_ids(home.database)[1]
    _write_sql(home.database, "UPDATE answers SET answer_length_s = 'abc' WHERE id = ?", bad_answer)

    history = home.run("history", "--format", "json")
    assert history.returncode == 0, history.stderr
    assert [a["session_id"] for a in json.loads(history.stdout)["answers"]] == [2]
    warning = history.stderr.splitlines()
    assert len(warning) == 1 and f"skipped answer {bad_answer}" in warning[0]
    assert "answer_length_s 'abc' is not a number" in warning[0]

    report = home.run("report", "1", "--format", "json")
    assert report.returncode == 0 and "Traceback" not in report.stderr
    assert json.loads(report.stdout)["answers"] == []
    assert len(report.stderr.splitlines()) == 1


def test_a_report_with_empty_timing_skips_that_answer_in_the_report(two_sessions: Home) -> None:
    home = two_sessions
    bad_answer = _answer_ids(home.database)[2]
    with sqlite3.connect(home.database) as conn:
        stored = conn.execute("SELECT report_json FROM answers WHERE id = ?", (bad_answer,))
        report = json.loads(stored.fetchone()[0])
    report["timing"] = {}
    _write_sql(home.database, "UPDATE answers SET report_json = ? WHERE id = ?",
               json.dumps(report), bad_answer)

    for session_id in ("1", "2"):
        shown = home.run("report", session_id, "--format", "markdown")
        assert shown.returncode == 0 and "Traceback" not in shown.stderr
        if session_id == "2":
            assert shown.stderr.count("\n") == 1 and f"skipped answer {bad_answer}" in shown.stderr
            assert "timing" in shown.stderr
        else:
            assert shown.stderr == ""
    assert home.run("history").returncode == 0


def test_a_corrupted_page_is_one_line_with_the_way_out(two_sessions: Home) -> None:
    home = two_sessions
    with sqlite3.connect(f"file:{home.database}?mode=ro", uri=True) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'answers'")
        page = root.fetchone()[0]
        assert conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_BYTES
    data = bytearray(home.database.read_bytes())
    data[(page - 1) * PAGE_BYTES : page * PAGE_BYTES] = b"\xa5" * PAGE_BYTES
    home.database.write_bytes(bytes(data))
    recordings = sorted(p.name for p in (home.data / "recordings").rglob("*.wav"))
    assert len(recordings) == 2

    export = ["export", "--all", "-o", str(home.root / "x.zip")]
    for command in (["history"], ["report", "1"], export):
        result = home.run(*command)
        lines = result.stderr.splitlines()
        assert result.returncode == 2, result.stderr
        assert len(lines) == 1 and "Traceback" not in result.stderr
        assert f"the session database {home.database} is damaged" in lines[0]
        assert str(home.data / "recordings") in lines[0]
        assert "mock-interview import" in lines[0] and ".recover" in lines[0]
    assert home.database.read_bytes() == bytes(data)
    assert sorted(p.name for p in (home.data / "recordings").rglob("*.wav")) == recordings

"""Saved sessions: one SQLite database in the data dir, recordings as files referenced by path.

Each answer keeps its whole analysis as JSON (`AnswerAnalysis.to_json`, the source of truth)
plus a few summary columns taken from it, so history queries and sorting do not parse every
report. A follow-up question's answer is an answer row linked to its main answer
(`follow_up_of`, with the criterion it probed, the question asked and the score the main answer
earns with the prompt); history, trends and `answers()` see main answers only, each saying how
many follow-ups it needed, and `session()` attaches each main answer's follow-ups to it
(`StoredAnswer.follow_ups`). The schema is versioned with `PRAGMA user_version`;
`MIGRATIONS[n]` upgrades version n to n + 1, so an older database is brought up to date when it
is opened and a newer one is refused rather than damaged.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Self, TypeVar

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.errors import UserError
from mock_interview.core.paths import make_private_dir, make_private_file

DATABASE_NAME = "sessions.db"
RECORDINGS_DIR_NAME = "recordings"

STATUS_RECORDING = "recording"
STATUS_DONE = "done"

QUESTION_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
"""Question ids are slugs: they name recording files, so nothing else may reach a path."""
RECORDING_SUFFIX_PATTERN = re.compile(r"^\.[a-z0-9]{1,5}$")

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: sessions and their answers, each answer's report stored whole.
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        question_ids TEXT NOT NULL
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        question_id TEXT NOT NULL,
        recording_path TEXT,
        created_at TEXT NOT NULL,
        report_json TEXT,
        answer_length_s REAL,
        response_latency_s REAL,
        words_per_minute REAL,
        fillers_per_minute REAL,
        filler_count INTEGER,
        long_pause_count INTEGER,
        score INTEGER
    );
    CREATE INDEX answers_by_session ON answers(session_id, position);
    CREATE INDEX sessions_by_start ON sessions(started_at);
    """,
    # 1 -> 2: a stable session uid (so an imported archive never duplicates a session) and a
    # status, so a recording interrupted by a crash is found and offered again on the next start.
    """
    ALTER TABLE sessions ADD COLUMN uid TEXT;
    UPDATE sessions SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
    CREATE UNIQUE INDEX sessions_by_uid ON sessions(uid);
    ALTER TABLE answers ADD COLUMN status TEXT NOT NULL DEFAULT 'done';
    CREATE INDEX answers_by_status ON answers(status);
    """,
    # 2 -> 3: follow-up questions, each answer linked to the main answer it probes (deleted with
    # it), with the criterion probed, the question as asked and the main score with the prompt.
    """
    ALTER TABLE answers ADD COLUMN follow_up_of INTEGER REFERENCES answers(id) ON DELETE CASCADE;
    ALTER TABLE answers ADD COLUMN follow_up_criterion TEXT;
    ALTER TABLE answers ADD COLUMN follow_up_question TEXT;
    ALTER TABLE answers ADD COLUMN score_with_prompt INTEGER;
    CREATE INDEX answers_by_follow_up ON answers(follow_up_of);
    """,
    # 3 -> 4: the story bank (storage/stories.py): written stories, and the story an answer told.
    """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        situation TEXT NOT NULL DEFAULT '',
        goal TEXT NOT NULL DEFAULT '',
        actions TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL DEFAULT '',
        lesson TEXT NOT NULL DEFAULT '',
        since TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    ALTER TABLE answers ADD COLUMN story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL;
    CREATE INDEX answers_by_story ON answers(story_id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class SessionRow:
    """One sitting, without its reports (for lists)."""

    id: int
    uid: str
    started_at: datetime
    question_ids: list[str]
    answer_count: int


@dataclass(frozen=True)
class FollowUpLink:
    """What makes an answer a follow-up: the main answer it probes, the rubric criterion probed
    (None for a follow-up that probes none in particular) and the question as it was asked."""

    main_answer_id: int
    criterion: str | None
    question: str


@dataclass(frozen=True)
class AnswerRow:
    """One answer's summary figures (for history tables and trends), without the full report."""

    id: int
    session_id: int
    position: int
    question_id: str
    recording_path: Path | None
    status: str
    created_at: datetime
    session_started_at: datetime
    answer_length_s: float | None
    response_latency_s: float | None
    words_per_minute: float | None
    fillers_per_minute: float | None
    filler_count: int | None
    long_pause_count: int | None
    score: int | None
    follow_up: FollowUpLink | None = None
    """Set when this answer is a follow-up (then `position` is its main answer's)."""
    follow_up_count: int = 0
    """How many follow-ups this main answer needed."""
    score_with_prompt: int | None = None
    """For a follow-up: its main answer's score with the credit this prompt earned."""


@dataclass(frozen=True)
class StoredFollowUp:
    """A follow-up's answer as shown under its main answer. `recovered`: the follow-up's rubric
    has the probed criterion met (False for an unanalysed answer or one that probed none)."""

    row: AnswerRow
    report: AnswerAnalysis | None

    @property
    def link(self) -> FollowUpLink:
        assert self.row.follow_up is not None
        return self.row.follow_up

    @property
    def recovered(self) -> bool:
        return self.report is not None and self.report.criterion_met(self.link.criterion)


@dataclass(frozen=True)
class StoredAnswer:
    row: AnswerRow
    report: AnswerAnalysis | None
    follow_ups: tuple[StoredFollowUp, ...] = ()
    """This answer's follow-ups in the order they were asked (at most
    `practice.max_follow_ups`)."""

    @property
    def follow_up(self) -> StoredFollowUp | None:
        """The first follow-up (the only one with the default `max_follow_ups = 1`)."""
        return self.follow_ups[0] if self.follow_ups else None


@dataclass(frozen=True)
class StoredSession:
    id: int
    uid: str
    started_at: datetime
    question_ids: list[str]
    answers: list[StoredAnswer]


_SUMMARY_COLUMNS = (
    "answer_length_s",
    "response_latency_s",
    "words_per_minute",
    "fillers_per_minute",
    "filler_count",
    "long_pause_count",
    "score",
)


def _summary(report: AnswerAnalysis | None) -> dict[str, Any]:
    """The indexed columns, taken from the analysis as its JSON has them (all NULL without one;
    the score is NULL for a report saved before the rubric existed)."""
    if report is None:
        return dict.fromkeys(_SUMMARY_COLUMNS)
    timing = report.timing
    fillers = report.fillers
    return {
        "answer_length_s": timing.answer_length_s,
        "response_latency_s": timing.response_latency_s,
        "words_per_minute": round(timing.words_per_minute, 1),
        "fillers_per_minute": round(fillers.per_minute, 2),
        "filler_count": fillers.count,
        "long_pause_count": timing.long_pause_count,
        "score": None if report.rubric is None else report.rubric.score,
    }


def _to_text(moment: datetime) -> str:
    """UTC ISO-8601, so stored times sort and compare as plain strings."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _since_text(since: datetime | date) -> str:
    if not isinstance(since, datetime):
        since = datetime.combine(since, time.min).astimezone()
    return _to_text(since)


class Store:
    """The session database. Thread-safe: the UI and worker threads may share one Store."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.recordings_dir = self.db_path.parent / RECORDINGS_DIR_NAME
        make_private_dir(self.db_path.parent, data_folder=self.db_path.parent)
        make_private_file(self.db_path)
        try:
            self._conn = sqlite3.connect(
                self.db_path, timeout=10, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as error:
            raise UserError(f"cannot open the session database {self.db_path}: {error}") from error
        self._lock = threading.RLock()
        self._depth = 0
        self._warned: set[str] = set()
        try:
            self._migrate()
        except UserError:
            self._conn.close()
            raise

    @classmethod
    def open_default(cls) -> Self:
        from mock_interview.core.paths import data_dir

        return cls(data_dir() / DATABASE_NAME)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    # -- transactions and schema ------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """All writes inside happen together or not at all; nests (only the outermost commits)."""
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
                if outermost:
                    self._conn.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back already (disk full): rolling back again would hide
                # the real error behind "no transaction is active".
                if outermost and self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            finally:
                self._depth -= 1

    @contextmanager
    def _saving(self, what: str) -> Iterator[sqlite3.Connection]:
        """`atomic`, where a database that cannot be written (disk full) is one clear line."""
        try:
            with self.atomic() as conn:
                yield conn
        except sqlite3.Error as error:
            raise UserError(f"cannot save {what} in {self.db_path}: {error}") from None

    def reading(self) -> AbstractContextManager[sqlite3.Connection]:
        """The connection for reading, for modules that keep their tables beside the store's
        (storage/stories.py): a damaged database is the same one line as here."""
        return self._reading()

    def saving(self, what: str) -> AbstractContextManager[sqlite3.Connection]:
        """`atomic` for those modules, with the same one line when the disk is full."""
        return self._saving(what)

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        try:
            version = self.schema_version
        except sqlite3.DatabaseError as error:
            raise UserError(f"{self.db_path} is not a session database: {error}") from error
        if version > SCHEMA_VERSION:
            raise UserError(
                f"{self.db_path} was written by a newer mock-interview "
                f"(schema {version}, this one knows {SCHEMA_VERSION}); please upgrade"
            )
        for target, script in enumerate(MIGRATIONS[version:], start=version + 1):
            try:
                with self.atomic() as conn:
                    for statement in script.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {target}")
            except sqlite3.Error as error:
                raise UserError(
                    f"{self.db_path} cannot be upgraded to schema {target}: {error}"
                ) from error

    # -- paths -------------------------------------------------------------------------------

    def _stored_path(self, path: Path | None) -> str | None:
        """Recordings inside the data dir are kept relative, so the data dir can move."""
        if path is None:
            return None
        path = Path(path).absolute()
        try:
            return path.relative_to(self.db_path.parent.absolute()).as_posix()
        except ValueError:
            return str(path)

    def _resolved_path(self, stored: str | None) -> Path | None:
        return None if stored is None else self.db_path.parent / stored

    def session_recordings_dir(self, session_id: int) -> Path:
        return self.recordings_dir / f"session-{session_id:05d}"

    def prune_recordings_dir(self, session_id: int) -> None:
        """Remove a session's recordings folder once it is empty."""
        folder = self.session_recordings_dir(session_id)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()

    def _inside_data_folder(self, path: Path) -> Path:
        """`path` itself, once it is known to resolve (symlinks followed) inside the data folder."""
        data_folder = self.db_path.parent.resolve()
        if not path.resolve().is_relative_to(data_folder):
            raise UserError(f"{path} lies outside the data folder {data_folder}; nothing written")
        return path

    def new_recording_path(self, session_id: int, question_id: str, suffix: str = ".wav") -> Path:
        """A fresh file name for an answer's recording, in a user-only folder per session.

        Only a slug question id and a plain suffix make the name, and the result must lie inside
        the data folder: a hostile id (an imported `../../site-packages/evil`) can never escape.
        """
        if not isinstance(question_id, str) or not QUESTION_ID_PATTERN.match(question_id):
            raise UserError(f"{question_id!r} is not a question id (lowercase letters, digits, -)")
        if not RECORDING_SUFFIX_PATTERN.match(suffix):
            raise UserError(f"{suffix!r} is not a recording file suffix")
        folder = self._inside_data_folder(self.session_recordings_dir(session_id))
        make_private_dir(folder, data_folder=self.db_path.parent)
        for attempt in range(1, 10_000):
            candidate = self._inside_data_folder(folder / f"{question_id}-{attempt}{suffix}")
            if not candidate.exists():
                return candidate
        raise UserError(f"too many recordings for {question_id} in {folder}")

    # -- writing -----------------------------------------------------------------------------

    def create_session(
        self,
        question_ids: list[str],
        started_at: datetime | None = None,
        uid: str | None = None,
        preferred_id: int | None = None,
    ) -> int:
        """A new session; `uid` and `preferred_id` (used when free) let an import keep both."""
        moment = started_at or datetime.now(UTC)
        with self.atomic() as conn:
            taken = conn.execute("SELECT 1 FROM sessions WHERE id = ?", (preferred_id,)).fetchone()
            cursor = conn.execute(
                "INSERT INTO sessions (id, started_at, question_ids, uid) VALUES (?, ?, ?, ?)",
                (
                    None if taken else preferred_id,
                    _to_text(moment),
                    json.dumps(list(question_ids)),
                    uid or uuid.uuid4().hex,
                ),
            )
        return int(cursor.lastrowid or 0)

    def has_session_uid(self, uid: str) -> bool:
        with self._lock:
            found = self._conn.execute("SELECT 1 FROM sessions WHERE uid = ?", (uid,)).fetchone()
        return found is not None

    def mark_recording_started(
        self,
        session_id: int,
        question_id: str,
        path: Path,
        follow_up: FollowUpLink | None = None,
    ) -> int:
        """Record that an answer is being recorded to `path`, so a crash leaves a findable row."""
        return self._insert_answer(
            session_id, question_id, path, None, STATUS_RECORDING, follow_up
        )

    def add_answer(
        self,
        session_id: int,
        question_id: str,
        recording_path: Path | None,
        report: AnswerAnalysis,
        follow_up: FollowUpLink | None = None,
    ) -> int:
        """Save an analysed answer (a follow-up when `follow_up` links it to its main answer);
        completes the matching in-progress row if there is one."""
        stored_path = self._stored_path(recording_path)
        with self._saving("the answer") as conn:
            pending = conn.execute(
                "SELECT id FROM answers WHERE session_id = ? AND question_id = ? AND status = ?"
                " AND recording_path IS ? ORDER BY id LIMIT 1",
                (session_id, question_id, STATUS_RECORDING, stored_path),
            ).fetchone()
            if pending is not None:
                self.update_answer_report(int(pending[0]), report)
                return int(pending[0])
            return self._insert_answer(
                session_id, question_id, recording_path, report, STATUS_DONE, follow_up
            )

    def _insert_answer(
        self,
        session_id: int,
        question_id: str,
        recording_path: Path | None,
        report: AnswerAnalysis | None,
        status: str,
        follow_up: FollowUpLink | None = None,
    ) -> int:
        summary = _summary(report)
        with self._saving("the answer") as conn:
            _require_session(conn, session_id)
            if follow_up is None:
                position = conn.execute(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM answers WHERE session_id = ?",
                    (session_id,),
                ).fetchone()[0]
            else:
                position = _main_position(conn, session_id, follow_up.main_answer_id)
            columns = {
                "session_id": session_id,
                "position": position,
                "question_id": question_id,
                "recording_path": self._stored_path(recording_path),
                "created_at": _to_text(datetime.now(UTC)),
                "report_json": None if report is None else json.dumps(report.to_json()),
                "status": status,
                **summary,
                "follow_up_of": None if follow_up is None else follow_up.main_answer_id,
                "follow_up_criterion": None if follow_up is None else follow_up.criterion,
                "follow_up_question": None if follow_up is None else follow_up.question,
            }
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            cursor = conn.execute(
                f"INSERT INTO answers ({names}) VALUES ({marks})", tuple(columns.values())
            )
        return int(cursor.lastrowid or 0)

    def update_answer_report(self, answer_id: int, report: AnswerAnalysis) -> None:
        """Replace an answer's report (re-analysis, or finishing a recovered recording)."""
        summary = _summary(report)
        assignments = ", ".join(f"{name} = ?" for name in summary)
        with self._saving("the answer's report") as conn:
            cursor = conn.execute(
                f"UPDATE answers SET report_json = ?, status = ?, {assignments} WHERE id = ?",
                (json.dumps(report.to_json()), STATUS_DONE, *summary.values(), answer_id),
            )
            if cursor.rowcount == 0:
                raise UserError(f"no answer {answer_id}")

    def set_score_with_prompt(self, follow_up_id: int, score: int) -> None:
        """Keep the main answer's score with the credit this follow-up earned (the rubric and the
        credit setting may change later; the report keeps what was said then)."""
        with self._saving("the follow-up's score") as conn:
            cursor = conn.execute(
                "UPDATE answers SET score_with_prompt = ?"
                " WHERE id = ? AND follow_up_of IS NOT NULL",
                (score, follow_up_id),
            )
            if cursor.rowcount == 0:
                raise UserError(f"no follow-up answer {follow_up_id}")

    def delete_session(self, session_id: int) -> list[Path]:
        """Delete a session, its answers and its recordings; returns the files removed."""
        with self.atomic() as conn:
            _require_session(conn, session_id)
            stored = [
                row[0]
                for row in conn.execute(
                    "SELECT recording_path FROM answers WHERE session_id = ?"
                    " AND recording_path IS NOT NULL",
                    (session_id,),
                )
            ]
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        removed = []
        for text in stored:
            path = self._resolved_path(text)
            if path is not None and path.exists():
                path.unlink()
                removed.append(path)
        self.prune_recordings_dir(session_id)
        return removed

    # -- reading -----------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock; a database SQLite cannot read becomes one line."""
        with self._lock:
            try:
                yield self._conn
            except sqlite3.DatabaseError as error:
                code = getattr(error, "sqlite_errorcode", 0) & 0xFF
                if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                    raise UserError(
                        f"the session database {self.db_path} is damaged ({error}); your"
                        f" recordings are safe in {self.recordings_dir}. To recover, move the"
                        " database aside and `mock-interview import` an export, or run"
                        f" `sqlite3 {self.db_path} .recover | sqlite3 recovered.db`"
                        " (README, Where your data lives)"
                    ) from error
                if isinstance(error, sqlite3.OperationalError):
                    raise UserError(
                        f"cannot read the session database {self.db_path}: {error}"
                    ) from error
                raise

    def _valid_rows(self, rows: list[Any], convert: Callable[[Any], _Row], what: str) -> list[_Row]:
        """Each row converted; one holding what this program never writes (a damaged or forged
        value) is skipped with a one-line warning, so it cannot stop history, a report or the TUI.
        """
        valid = []
        for row in rows:
            try:
                valid.append(convert(row))
            except DAMAGED_VALUE as error:
                key = f"{what} {row[0]}"
                if key not in self._warned:
                    self._warned.add(key)
                    print(
                        f"mock-interview: warning: skipped {key} of {self.db_path}: {error}",
                        file=sys.stderr,
                    )
        return valid

    def sessions(
        self,
        question_id: str | None = None,
        since: datetime | date | None = None,
        limit: int | None = None,
    ) -> list[SessionRow]:
        """Sessions, newest first; optionally only those that ask `question_id`."""
        where, params = self._since_filter(since)
        if question_id is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(s.question_ids) WHERE value = ?)")
            params.append(question_id)
        query = (
            "SELECT s.id, s.uid, s.started_at, s.question_ids,"
            " (SELECT COUNT(*) FROM answers a WHERE a.session_id = s.id"
            " AND a.follow_up_of IS NULL)"
            f" FROM sessions s {self._where(where)} ORDER BY s.started_at DESC, s.id DESC"
        )
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self._reading() as conn:
            rows = conn.execute(query, params).fetchall()
        return self._valid_rows(rows, _session_row, "session")

    def answers(
        self,
        question_id: str | None = None,
        since: datetime | date | None = None,
        session_id: int | None = None,
        include_unfinished: bool = False,
    ) -> list[AnswerRow]:
        """Main answers' summaries (follow-ups are not answers to the question asked, so they stay
        out of history and trends), newest session first, in answer order within a session."""
        where, params = self._since_filter(since)
        if question_id is not None:
            where.append("a.question_id = ?")
            params.append(question_id)
        if session_id is not None:
            where.append("a.session_id = ?")
            params.append(session_id)
        if not include_unfinished:
            where.append("a.status = ?")
            params.append(STATUS_DONE)
        where.append("a.follow_up_of IS NULL")
        query = (
            f"SELECT {_ANSWER_COLUMNS} FROM answers a JOIN sessions s ON s.id = a.session_id"
            f" {self._where(where)} ORDER BY s.started_at DESC, s.id DESC, a.position"
        )
        with self._reading() as conn:
            rows = conn.execute(query, params).fetchall()
        return self._valid_rows(rows, self._answer_row, "answer")

    def unfinished_recordings(self) -> list[AnswerRow]:
        """Answers (follow-ups too) whose recording started but was never analysed (a crash or
        a kill)."""
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM answers a JOIN sessions s ON s.id = a.session_id"
                " WHERE a.status = ? ORDER BY a.id",
                (STATUS_RECORDING,),
            ).fetchall()
        return self._valid_rows(rows, self._answer_row, "answer")

    def answer(self, answer_id: int) -> StoredAnswer:
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {_ANSWER_COLUMNS}, a.report_json FROM answers a"
                " JOIN sessions s ON s.id = a.session_id WHERE a.id = ?",
                (answer_id,),
            ).fetchone()
        if row is None:
            raise UserError(f"no answer {answer_id}")
        try:
            return self._stored_answer(row)
        except DAMAGED_VALUE as error:
            raise UserError(f"answer {answer_id} in {self.db_path} is damaged: {error}") from None

    def session(self, session_id: int) -> StoredSession:
        """One session with every readable answer and its full report."""
        with self._reading() as conn:
            head = conn.execute(
                "SELECT id, uid, started_at, question_ids, 0 FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
            rows = conn.execute(
                f"SELECT {_ANSWER_COLUMNS}, a.report_json FROM answers a"
                " JOIN sessions s ON s.id = a.session_id WHERE a.session_id = ?"
                " ORDER BY a.position, a.id",
                (session_id,),
            ).fetchall()
        if head is None:
            raise UserError(f"no session {session_id} (see `mock-interview history`)")
        try:
            found = _session_row(head)
        except DAMAGED_VALUE as error:
            raise UserError(f"session {session_id} in {self.db_path} is damaged: {error}") from None
        return StoredSession(
            id=found.id,
            uid=found.uid,
            started_at=found.started_at,
            question_ids=found.question_ids,
            answers=_with_follow_ups(self._valid_rows(rows, self._stored_answer, "answer")),
        )

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _since_filter(since: datetime | date | None) -> tuple[list[str], list[Any]]:
        if since is None:
            return [], []
        return ["s.started_at >= ?"], [_since_text(since)]

    @staticmethod
    def _where(conditions: list[str]) -> str:
        return f"WHERE {' AND '.join(conditions)}" if conditions else ""

    def _answer_row(self, row: tuple[Any, ...]) -> AnswerRow:
        """An answers row as stored; ValueError or TypeError for a value no writer here makes."""
        return AnswerRow(
            id=_whole("id", row[0]),
            session_id=_whole("session_id", row[1]),
            position=_whole("position", row[2]),
            question_id=_text("question_id", row[3]),
            recording_path=self._resolved_path(None if row[4] is None else _text("path", row[4])),
            status=_text("status", row[5]),
            created_at=_moment("created_at", row[6]),
            session_started_at=_moment("started_at", row[7]),
            answer_length_s=_number("answer_length_s", row[8]),
            response_latency_s=_number("response_latency_s", row[9]),
            words_per_minute=_number("words_per_minute", row[10]),
            fillers_per_minute=_number("fillers_per_minute", row[11]),
            filler_count=_count("filler_count", row[12]),
            long_pause_count=_count("long_pause_count", row[13]),
            score=_count("score", row[14]),
            follow_up=None
            if row[15] is None
            else FollowUpLink(
                main_answer_id=_whole("follow_up_of", row[15]),
                criterion=None if row[16] is None else _text("follow_up_criterion", row[16]),
                question=_text("follow_up_question", row[17]),
            ),
            follow_up_count=_whole("follow-up count", row[18]),
            score_with_prompt=_count("score_with_prompt", row[19]),
        )

    def _stored_answer(self, row: tuple[Any, ...]) -> StoredAnswer:
        report_text = row[-1]
        return StoredAnswer(
            row=self._answer_row(row[:-1]),
            report=None
            if report_text is None
            else AnswerAnalysis.from_json(json.loads(report_text)),
        )


_Row = TypeVar("_Row")
DAMAGED_VALUE = (TypeError, ValueError, OverflowError)
"""What converting a row raises when it holds a value this program never writes."""


def _session_row(row: tuple[Any, ...]) -> SessionRow:
    question_ids = json.loads(_text("question_ids", row[3]))
    if not isinstance(question_ids, list) or not all(isinstance(q, str) for q in question_ids):
        raise ValueError(f"question_ids {row[3]!r} is not a list of question ids")
    return SessionRow(
        id=_whole("id", row[0]),
        uid=_text("uid", row[1]),
        started_at=_moment("started_at", row[2]),
        question_ids=question_ids,
        answer_count=_whole("answer count", row[4]),
    )


def _text(column: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{column} {value!r} is not text")
    return value


def _whole(column: str, value: Any) -> int:
    if not isinstance(value, int):
        raise ValueError(f"{column} {value!r} is not a whole number")
    return value


def _count(column: str, value: Any) -> int | None:
    return None if value is None else _whole(column, value)


def _number(column: str, value: Any) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{column} {value!r} is not a number")
    return value


def _moment(column: str, value: Any) -> datetime:
    return datetime.fromisoformat(_text(column, value))


def _with_follow_ups(answers: list[StoredAnswer]) -> list[StoredAnswer]:
    """Main answers in order, each with its follow-ups attached (a follow-up whose main answer
    could not be read is dropped with it)."""
    follow_ups: dict[int, list[StoredFollowUp]] = {}
    for answer in answers:
        if answer.row.follow_up is not None:
            follow_ups.setdefault(answer.row.follow_up.main_answer_id, []).append(
                StoredFollowUp(answer.row, answer.report)
            )
    return [
        replace(answer, follow_ups=tuple(follow_ups.get(answer.row.id, ())))
        for answer in answers
        if answer.row.follow_up is None
    ]


def _main_position(conn: sqlite3.Connection, session_id: int, main_answer_id: int) -> int:
    """A follow-up sits at its main answer's position; the main answer must be in the session."""
    found = conn.execute(
        "SELECT position FROM answers WHERE id = ? AND session_id = ? AND follow_up_of IS NULL",
        (main_answer_id, session_id),
    ).fetchone()
    if found is None:
        raise UserError(f"no main answer {main_answer_id} in session {session_id}")
    return int(found[0])


def _require_session(conn: sqlite3.Connection, session_id: int) -> None:
    if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
        raise UserError(f"no session {session_id} (see `mock-interview history`)")


_ANSWER_COLUMNS = (
    "a.id, a.session_id, a.position, a.question_id, a.recording_path, a.status, a.created_at,"
    " s.started_at, a.answer_length_s, a.response_latency_s, a.words_per_minute,"
    " a.fillers_per_minute, a.filler_count, a.long_pause_count, a.score,"
    " a.follow_up_of, a.follow_up_criterion, a.follow_up_question,"
    " (SELECT COUNT(*) FROM answers f WHERE f.follow_up_of = a.id), a.score_with_prompt"
)

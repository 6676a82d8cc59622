"""The story bank in the session database: the `stories` table and the answer each story told.

Kept beside `database.py` rather than inside it: the rows are stories (`analysis.story.Story`,
already checked by `parse_story`), and the only link to answers is `answers.story_id`, set when
an answer was practised from a story. Deleting a story keeps its answers (their link is cleared).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from mock_interview.analysis.story import FIELDS, Story
from mock_interview.core.errors import UserError
from mock_interview.storage.database import AnswerRow, Store

_COLUMNS = ("id", "uid", "title", "kind", *FIELDS)


def _story(row: tuple[Any, ...]) -> Story:
    """A stored row: written by `add_story`/`update_story` from a checked story."""
    return replace(Story("", ""), **dict(zip(_COLUMNS, row, strict=True)))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def add_story(store: Store, story: Story) -> int:
    """Store a new story (its uid kept when it has one, as an import does); returns its id."""
    names = ("uid", "title", "kind", *FIELDS, "created_at", "updated_at")
    texts = (story.text_of(name) for name in FIELDS)
    values = (story.uid or uuid.uuid4().hex, story.title, story.kind, *texts, _now(), _now())
    with store.saving("the story") as conn:
        cursor = conn.execute(
            f"INSERT INTO stories ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            values,
        )
    return int(cursor.lastrowid or 0)


def update_story(store: Store, story: Story) -> None:
    assignments = ", ".join(f"{name} = ?" for name in ("title", "kind", *FIELDS))
    values = (story.title, story.kind, *(story.text_of(name) for name in FIELDS))
    with store.saving("the story") as conn:
        cursor = conn.execute(
            f"UPDATE stories SET {assignments}, updated_at = ? WHERE id = ?",
            (*values, _now(), story.id),
        )
        if cursor.rowcount == 0:
            raise UserError(f"no story {story.id}")


def delete_story(store: Store, story_id: int) -> None:
    with store.saving("the story bank") as conn:
        if conn.execute("DELETE FROM stories WHERE id = ?", (story_id,)).rowcount == 0:
            raise UserError(f"no story {story_id}")


def stories(store: Store) -> list[Story]:
    """Every story, oldest first (the order they were written)."""
    with store.reading() as conn:
        rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM stories ORDER BY id").fetchall()
    return [_story(row) for row in rows]


def story(store: Store, story_id: int) -> Story:
    with store.reading() as conn:
        row = conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
    if row is None:
        raise UserError(f"no story {story_id} (`mock-interview stories list` shows them)")
    return _story(row)


def story_id_for_uid(store: Store, uid: str) -> int | None:
    with store.reading() as conn:
        row = conn.execute("SELECT id FROM stories WHERE uid = ?", (uid,)).fetchone()
    return None if row is None else int(row[0])


def link_answer(store: Store, answer_id: int, story_id: int) -> None:
    """Remember that the answer told this story."""
    with store.saving("the answer's story") as conn:
        conn.execute("UPDATE answers SET story_id = ? WHERE id = ?", (story_id, answer_id))


def answer_story_ids(store: Store, answer_ids: list[int]) -> dict[int, int]:
    """answer id -> story id, for the answers given that told a story."""
    with store.reading() as conn:
        rows = conn.execute(
            "SELECT id, story_id FROM answers WHERE story_id IS NOT NULL"
            f" AND id IN ({', '.join('?' * len(answer_ids))})",
            answer_ids,
        ).fetchall()
    return {int(answer_id): int(story_id) for answer_id, story_id in rows}


def story_attempts(store: Store, story_id: int) -> list[AnswerRow]:
    """The analysed answers that told the story, oldest first."""
    with store.reading() as conn:
        ids = {
            int(row[0])
            for row in conn.execute("SELECT id FROM answers WHERE story_id = ?", (story_id,))
        }
    return sorted((row for row in store.answers() if row.id in ids), key=lambda row: row.id)



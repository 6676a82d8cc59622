"""Stories travel in export archives: kept with the answers that told them, checked on import
like everything else, and archives written before stories existed still import."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crafted_reports import crafted_analysis
from mock_interview.analysis.story import parse_story_toml
from mock_interview.core.errors import UserError
from mock_interview.storage.archive import MANIFEST, export_sessions, import_archive
from mock_interview.storage.database import Store
from mock_interview.storage.stories import add_story, answer_story_ids, link_answer, stories
from mock_interview.views.session_formats import session_html_by_id
from story_texts import LESSON, SETBACK, SUCCESS


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Store]:
    """Two stories and a session whose second answer told the setback."""
    with Store(tmp_path / "source" / "sessions.db") as store:
        add_story(store, parse_story_toml(SUCCESS, "s"))
        setback = add_story(store, parse_story_toml(SETBACK + LESSON, "s"))
        session_id = store.create_session(["goal-achieved", "goal-missed"])
        for question_id in ("goal-achieved", "goal-missed"):
            answer_id = store.add_answer(
                session_id, question_id, None, crafted_analysis("I ran", question_id=question_id)
            )
        link_answer(store, answer_id, setback)
        yield store


def _export(store: Store, path: Path) -> Path:
    export_sessions(store, path, session_html_by_id(store, 3.0))
    return path


def _rewritten(archive: Path, change: Any) -> Path:
    """The archive with its manifest changed by `change(manifest)`."""
    with zipfile.ZipFile(archive) as original:
        members = {name: original.read(name) for name in original.namelist()}
    manifest = json.loads(members[MANIFEST])
    change(manifest)
    members[MANIFEST] = json.dumps(manifest).encode()
    changed = archive.with_name("changed.zip")
    with zipfile.ZipFile(changed, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    return changed


def test_stories_and_the_answers_that_told_them_survive_a_round_trip(
    source: Store, tmp_path: Path
) -> None:
    archive = _export(source, tmp_path / "all.zip")
    with Store(tmp_path / "target" / "sessions.db") as target:
        import_archive(target, archive)
        assert stories(target) == stories(source)
        [session] = target.sessions()
        answer_ids = [answer.row.id for answer in target.session(session.id).answers]
        assert answer_story_ids(target, answer_ids) == {answer_ids[1]: 2}
        import_archive(target, archive)  # again: nothing is duplicated
        assert len(stories(target)) == 2


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda m: m["stories"][0].update(mood="proud"), "stories[0]: unknown key 'mood'"),
        (lambda m: m["stories"][1].update(kind="both"), "stories[1]: kind must be one of"),
        (lambda m: m["stories"][0].update(title=""), "stories[0]: a story needs a title"),
        (lambda m: m["stories"][0].update(lesson="\x1b[2J"), "lesson holds a control"),
        (lambda m: m["stories"][0].update(uid="../x"), "stories[0].uid is not 32 hex"),
        (lambda m: m.update(stories={"a": 1}), "stories is not a list"),
        (lambda m: m["stories"].pop(), "an answer tells story"),
    ],
)
def test_a_malformed_story_is_refused_in_one_line_and_nothing_imported(
    source: Store, tmp_path: Path, change: Any, reason: str
) -> None:
    archive = _rewritten(_export(source, tmp_path / "all.zip"), change)
    with Store(tmp_path / "target" / "sessions.db") as target:
        with pytest.raises(UserError, match="is refused") as refused:
            import_archive(target, archive)
        assert reason in str(refused.value) and "\n" not in str(refused.value)
        assert stories(target) == [] and target.sessions() == []


def test_an_archive_from_before_stories_still_imports(source: Store, tmp_path: Path) -> None:
    def without_stories(manifest: dict[str, Any]) -> None:
        del manifest["stories"]
        for session in manifest["sessions"]:
            for answer in session["answers"]:
                answer.pop("story_uid", None)

    archive = _rewritten(_export(source, tmp_path / "all.zip"), without_stories)
    with Store(tmp_path / "target" / "sessions.db") as target:
        assert len(import_archive(target, archive).imported) == 1
        assert stories(target) == []

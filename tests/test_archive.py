"""Export to a zip and import it back: identical history, no duplicates, bad zips refused."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crafted_reports import crafted_analysis
from file_modes import mode, user_file_mode
from mock_interview.core.errors import UserError
from mock_interview.storage.archive import MANIFEST, export_sessions, import_archive
from mock_interview.storage.database import Store
from mock_interview.views.history import render_history_json, render_history_text
from mock_interview.views.session_formats import session_html_by_id

START = datetime(2024, 2, 10, 19, 0, tzinfo=UTC)


def _populate(store: Store) -> None:
    """Three sessions with recordings, one deleted (so ids have a gap), one unfinished answer."""
    for day in range(4):
        session_id = store.create_session(["goal-achieved", "goal-missed"],
                                          started_at=START + timedelta(days=day))
        for position, question_id in enumerate(("goal-achieved", "goal-missed"), start=1):
            path = store.new_recording_path(session_id, question_id)
            path.write_bytes(bytes([day, position]) * 5000)
            store.add_answer(session_id, question_id, path,
                             crafted_analysis(f"answer {day} {position} um", score=50 + day,
                                            question_id=question_id))
    store.delete_session(2)
    pending = store.new_recording_path(4, "goal-missed")
    pending.write_bytes(b"unfinished recording")
    store.mark_recording_started(4, "goal-missed", pending)


def _snapshot(store: Store) -> tuple[str, str, list[tuple[int, int, str, bytes | None]]]:
    answers = [
        (row.session_id, row.position, row.status,
         row.recording_path.read_bytes() if row.recording_path else None)
        for row in store.answers(include_unfinished=True)
    ]
    return render_history_text(store.answers()), render_history_json(store.answers()), answers


@pytest.fixture
def source(tmp_path: Path):
    with Store(tmp_path / "source" / "sessions.db") as store:
        _populate(store)
        yield store


def test_export_then_import_into_an_empty_data_dir_gives_identical_history(
    source: Store, tmp_path: Path
) -> None:
    archive = tmp_path / "all.zip"
    assert export_sessions(source, archive, session_html_by_id(source, 3.0)) == 3
    assert mode(archive) == user_file_mode()  # the user named it: their umask, not 0600

    with Store(tmp_path / "target" / "sessions.db") as target:
        result = import_archive(target, archive)
        assert result.imported == [1, 3, 4] and result.skipped == 0
        # The unfinished answer stays behind: it is recovered where it was recorded, and an
        # archive may only carry finished answers (issue 12).
        history_text, history_json, answers = _snapshot(source)
        finished = [answer for answer in answers if answer[2] == "done"]
        assert len(finished) == len(answers) - 1
        assert _snapshot(target) == (history_text, history_json, finished)
        assert target.unfinished_recordings() == []
        for session in source.sessions():
            assert target.session(session.id).uid == session.uid
            assert [a.report for a in target.session(session.id).answers] == [
                a.report for a in source.session(session.id).answers if a.row.status == "done"
            ]


def test_archive_holds_recordings_json_and_html_reports_and_a_manifest(
    source: Store, tmp_path: Path
) -> None:
    archive = tmp_path / "all.zip"
    export_sessions(source, archive, session_html_by_id(source, 3.0))
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
        manifest = json.loads(opened.read(MANIFEST))
        assert set(manifest["files"]) | {MANIFEST} == names
        first = manifest["sessions"][0]
        assert first["id"] == 1
        assert opened.read(first["html"]).startswith(b"<!DOCTYPE html>")
        report = json.loads(opened.read(first["answers"][0]["report"]))
        stored = source.session(1).answers[0].report
        assert stored is not None and report == stored.to_json()
        recording = source.session(1).answers[0].row.recording_path
        assert recording is not None
        assert opened.read(first["answers"][0]["recording"]) == recording.read_bytes()


def test_importing_twice_adds_nothing(source: Store, tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    export_sessions(source, archive, session_html_by_id(source, 3.0))
    before = _snapshot(source)
    result = import_archive(source, archive)
    assert (result.imported, result.skipped) == ([], 3)
    assert _snapshot(source) == before


def test_import_into_a_store_with_other_sessions_gets_new_ids(
    source: Store, tmp_path: Path
) -> None:
    archive = tmp_path / "all.zip"
    export_sessions(source, archive, session_html_by_id(source, 3.0), session_ids=[3])
    with Store(tmp_path / "other" / "sessions.db") as other:
        for _ in range(3):
            other.create_session(["goal-achieved"])
        assert import_archive(other, archive).imported == [4]
        assert other.session(4).uid == source.session(3).uid


def _files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _refused(target: Store, archive: Path, message: str) -> None:
    folder = target.db_path.parent
    before = (_snapshot(target), _files_under(folder))
    with pytest.raises(UserError, match=message):
        import_archive(target, archive)
    assert (_snapshot(target), _files_under(folder)) == before


@pytest.fixture
def target(tmp_path: Path):
    with Store(tmp_path / "target" / "sessions.db") as store:
        session_id = store.create_session(["goal-achieved"])
        store.add_answer(session_id, "goal-achieved", None, crafted_analysis("already here"))
        yield store


def test_foreign_zip_is_refused_and_nothing_changes(target: Store, tmp_path: Path) -> None:
    foreign = tmp_path / "photos.zip"
    with zipfile.ZipFile(foreign, "w") as opened:
        opened.writestr("holiday.txt", "not ours")
    _refused(target, foreign, r"photos.zip is not a mock-interview export \(no manifest.json\)")

    other_manifest = tmp_path / "other.zip"
    with zipfile.ZipFile(other_manifest, "w") as opened:
        opened.writestr(MANIFEST, json.dumps({"format": "something-else", "files": {}}))
    _refused(target, other_manifest, "not a mock-interview export")


def test_not_a_zip_at_all_is_refused(target: Store, tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"definitely not a zip file" * 100)
    _refused(target, junk, "junk.zip is not a valid zip archive")
    _refused(target, tmp_path / "missing.zip", "no such file")


def test_truncated_zip_is_refused(source: Store, target: Store, tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    export_sessions(source, archive, session_html_by_id(source, 3.0))
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    _refused(target, truncated, "not a valid zip archive")


def test_zip_with_a_damaged_member_is_refused(
    source: Store, target: Store, tmp_path: Path
) -> None:
    archive = tmp_path / "all.zip"
    export_sessions(source, archive, session_html_by_id(source, 3.0))
    # Rewrite one recording with different bytes but the manifest's old checksum: a zip that
    # is valid as a zip but whose content is not what was exported.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(tampered, "w") as copy:
        manifest = json.loads(original.read(MANIFEST))
        victim = manifest["sessions"][-1]["answers"][0]["recording"]
        for info in original.infolist():
            data = original.read(info.filename)
            copy.writestr(info, b"\0" * len(data) if info.filename == victim else data)
    _refused(target, tampered, f"damaged: {victim} does not match its checksum")


def test_flipped_byte_fails_the_crc_check(source: Store, target: Store, tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    export_sessions(source, archive, session_html_by_id(source, 3.0), session_ids=[1])
    with zipfile.ZipFile(archive) as opened:
        info = next(i for i in opened.infolist() if i.filename.endswith(".wav"))
    data = bytearray(archive.read_bytes())
    # Stored members would be easier, but even deflated data with a flipped byte fails CRC or
    # decompression; aim inside the member's compressed bytes, after its local header.
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + 10
    data[offset] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    _refused(target, damaged, "damaged|not a valid zip")


def test_failure_while_writing_rolls_everything_back(
    source: Store, target: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "all.zip"
    export_sessions(source, archive, session_html_by_id(source, 3.0))
    calls = {"count": 0}
    real_add = Store.add_answer

    def add_then_fail(self: Store, *args: Any, **kwargs: Any) -> int:
        calls["count"] += 1
        if calls["count"] == 4:
            raise OSError(28, "No space left on device")
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(Store, "add_answer", add_then_fail)
    _refused(target, archive, "No space left on device")


def test_export_with_nothing_saved_says_so(tmp_path: Path) -> None:
    with Store(tmp_path / "empty" / "sessions.db") as empty, pytest.raises(
        UserError, match="no saved sessions"
    ):
        export_sessions(empty, tmp_path / "x.zip", session_html_by_id(empty, 3.0))
    assert not (tmp_path / "x.zip").exists()

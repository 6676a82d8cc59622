"""Export sessions to one zip (recordings, JSON and HTML reports, a manifest) and import it back.

Import is all or nothing: the whole archive is checked (zip CRCs, the manifest, a SHA-256 for
every file) before anything is written, sessions already present (same uid) are skipped, and a
failure half-way rolls the database back and removes the files it had copied.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from mock_interview.errors import UserError
from mock_interview.paths import make_private_file, open_user_file
from mock_interview.reports import load_session_report
from mock_interview.reports.html import render_session_html
from mock_interview.storage import STATUS_DONE, Store, StoredSession

ARCHIVE_FORMAT = "mock-interview-export"
ARCHIVE_VERSION = 1
MANIFEST = "manifest.json"
UID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
CHUNK = 1 << 20


@dataclass(frozen=True)
class ImportResult:
    imported: list[int]
    """Session ids created in this data dir."""
    skipped: int
    """Sessions already present (same uid), left untouched."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _sha256_member(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# -- export ---------------------------------------------------------------------------------


def export_sessions(
    store: Store, out_path: Path, session_ids: list[int] | None = None, long_pause_s: float = 3.0
) -> int:
    """Write the sessions (all when `session_ids` is None) to `out_path`; returns how many.

    Written to a temporary name first and renamed, so an interrupted export leaves no
    half-written archive under the requested name.
    """
    ids = session_ids if session_ids is not None else [s.id for s in store.sessions()][::-1]
    if not ids:
        raise UserError("there are no saved sessions to export")
    sessions = [store.session(session_id) for session_id in ids]
    files: dict[str, str] = {}
    with open_user_file(out_path) as handle, zipfile.ZipFile(
        handle, "w", compression=zipfile.ZIP_DEFLATED
    ) as archive:
        entries = [
            _export_session(store, archive, session, files, long_pause_s) for session in sessions
        ]
        manifest = {
            "format": ARCHIVE_FORMAT,
            "version": ARCHIVE_VERSION,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sessions": entries,
            "files": files,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
    return len(sessions)


def _export_session(
    store: Store,
    archive: zipfile.ZipFile,
    session: StoredSession,
    files: dict[str, str],
    long_pause_s: float,
) -> dict[str, Any]:
    folder = f"sessions/{session.uid}"

    def add(name: str, data: bytes | None = None, source: Path | None = None) -> str:
        arcname = f"{folder}/{name}"
        if source is not None:
            archive.write(source, arcname)
            files[arcname] = _sha256_file(source)
        else:
            assert data is not None
            archive.writestr(arcname, data)
            files[arcname] = hashlib.sha256(data).hexdigest()
        return arcname

    answers = []
    for answer in session.answers:
        row = answer.row
        recording = row.recording_path
        answers.append({
            "position": row.position,
            "question_id": row.question_id,
            "status": row.status,
            "report": None
            if answer.report is None
            else add(f"answer-{row.position}.json", json.dumps(answer.report, indent=2).encode()),
            "recording": add(f"answer-{row.position}{recording.suffix}", source=recording)
            if recording is not None and recording.is_file()
            else None,
        })
    html = render_session_html(load_session_report(store, session.id), long_pause_s)
    return {
        "uid": session.uid,
        "id": session.id,
        "started_at": session.started_at.isoformat(),
        "question_ids": session.question_ids,
        "html": add("report.html", html.encode()),
        "answers": answers,
    }


# -- import ---------------------------------------------------------------------------------


def import_archive(store: Store, zip_path: Path) -> ImportResult:
    """Bring an exported archive's sessions into `store`, skipping those already there."""
    name = zip_path.name
    if not zip_path.is_file():
        raise UserError(f"{zip_path}: no such file")
    try:
        with zipfile.ZipFile(zip_path) as archive:
            sessions = _checked_manifest(archive, name)
            fresh = [s for s in sessions if not store.has_session_uid(s["uid"])]
            reports = {
                answer["report"]: _read_report(archive, answer["report"], name)
                for session in fresh
                for answer in session["answers"]
                if answer["report"]
            }
            imported = _write_sessions(store, archive, fresh, reports)
    except zipfile.BadZipFile as error:
        raise UserError(f"{name} is not a valid zip archive ({error})") from error
    except (zlib.error, EOFError, NotImplementedError) as error:
        raise UserError(f"{name} is damaged ({error}); nothing was imported") from error
    except OSError as error:
        raise UserError(f"cannot read {zip_path}: {error.strerror or error}") from error
    return ImportResult(imported=imported, skipped=len(sessions) - len(fresh))


def _checked_manifest(archive: zipfile.ZipFile, name: str) -> list[dict[str, Any]]:
    """The manifest's sessions, after checking every listed file against its checksum."""
    damaged = archive.testzip()
    if damaged is not None:
        raise UserError(f"{name} is damaged: {damaged} fails its CRC check; nothing was imported")
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise UserError(f"{name} is not a mock-interview export (no {MANIFEST})") from None
    except ValueError as error:
        raise UserError(f"{name}: {MANIFEST} is not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise UserError(f"{name} is not a mock-interview export ({MANIFEST} is foreign)")
    if manifest.get("version") != ARCHIVE_VERSION:
        raise UserError(
            f"{name} has export version {manifest.get('version')}; this mock-interview reads "
            f"version {ARCHIVE_VERSION}"
        )
    try:
        files: dict[str, str] = dict(manifest["files"])
        sessions: list[dict[str, Any]] = list(manifest["sessions"])
        for session in sessions:
            _check_session(session, files)
    except (KeyError, TypeError, ValueError) as error:
        raise UserError(f"{name}: {MANIFEST} is malformed ({error!r})") from None
    present = set(archive.namelist())
    for member, expected in files.items():
        if member not in present:
            raise UserError(f"{name} is damaged: {member} is missing; nothing was imported")
        if _sha256_member(archive, member) != expected:
            raise UserError(
                f"{name} is damaged: {member} does not match its checksum; nothing was imported"
            )
    return sessions


def _check_session(session: dict[str, Any], files: dict[str, str]) -> None:
    if not UID_PATTERN.match(session["uid"]):
        raise ValueError(f"bad session uid {session['uid']!r}")
    datetime.fromisoformat(session["started_at"])
    if not all(isinstance(q, str) for q in session["question_ids"]):
        raise ValueError("question ids must be strings")
    for answer in session["answers"]:
        int(answer["position"])
        str(answer["question_id"])
        for key in ("report", "recording"):
            member = answer[key]
            if member is not None and member not in files:
                raise ValueError(f"{member!r} is not listed in files")
            if member is not None and ".." in PurePosixPath(member).parts:
                raise ValueError(f"unsafe path {member!r}")


def _read_report(archive: zipfile.ZipFile, member: str, name: str) -> dict[str, Any]:
    try:
        report = json.loads(archive.read(member))
    except ValueError as error:
        raise UserError(f"{name}: {member} is not valid JSON ({error})") from None
    if not isinstance(report, dict) or "timing" not in report:
        raise UserError(f"{name}: {member} is not an answer report")
    return report


def _write_sessions(
    store: Store,
    archive: zipfile.ZipFile,
    sessions: list[dict[str, Any]],
    reports: dict[str, dict[str, Any]],
) -> list[int]:
    copied: list[Path] = []
    created: list[int] = []
    try:
        with store.atomic():
            for session in sorted(sessions, key=lambda s: s["started_at"]):
                session_id = store.create_session(
                    session["question_ids"],
                    started_at=datetime.fromisoformat(session["started_at"]),
                    uid=session["uid"],
                    preferred_id=session.get("id"),
                )
                created.append(session_id)
                for answer in sorted(session["answers"], key=lambda a: a["position"]):
                    recording = None
                    if answer["recording"]:
                        suffix = PurePosixPath(answer["recording"]).suffix
                        recording = store.new_recording_path(
                            session_id, answer["question_id"], suffix
                        )
                        make_private_file(recording)
                        copied.append(recording)
                        with archive.open(answer["recording"]) as source, recording.open(
                            "wb"
                        ) as target:
                            shutil.copyfileobj(source, target, CHUNK)
                    if answer["report"] and answer.get("status", STATUS_DONE) == STATUS_DONE:
                        store.add_answer(
                            session_id, answer["question_id"], recording, reports[answer["report"]]
                        )
                    elif recording is not None:
                        store.mark_recording_started(session_id, answer["question_id"], recording)
    except BaseException:
        for path in copied:
            path.unlink(missing_ok=True)
        for session_id in created:
            store.prune_recordings_dir(session_id)
        raise
    return created

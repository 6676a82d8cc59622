"""Export sessions to one zip (recordings, JSON and HTML reports, a manifest) and import it back.

Import is all or nothing: the whole archive is checked (the manifest against its schema, each
member's size, zip CRC and SHA-256, each report) before anything is written, sessions already
present (same uid) are skipped, and a failure half-way rolls the database back and removes the
files it had copied. Unfinished answers are not exported: they are recovered where they were
recorded. Each answer carries its follow-ups (`follow_ups`: criterion, question, report,
recording, score_with_prompt), checked like the rest; version 1 archives, written before
follow-ups existed, import as they are.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from mock_interview.analysis.answer import AnswerAnalysis, ReportFormatError
from mock_interview.analysis.story import Story, parse_story
from mock_interview.audio.recorder import SAMPLE_BYTES
from mock_interview.core.config import CRITERION_ID, load_settings
from mock_interview.core.errors import UserError
from mock_interview.core.paths import make_private_file, open_user_file
from mock_interview.storage.database import (
    QUESTION_ID_PATTERN,
    STATUS_DONE,
    FollowUpLink,
    Store,
    StoredAnswer,
    StoredFollowUp,
    StoredSession,
)
from mock_interview.storage.stories import (
    add_story,
    answer_story_ids,
    link_answer,
    stories,
    story_id_for_uid,
)

ARCHIVE_FORMAT = "mock-interview-export"
ARCHIVE_VERSION = 2
"""2 added each answer's follow-ups; an importer that reads only 1 refuses a 2 rather than drop
them."""
READABLE_VERSIONS = (1, 2)
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


# -- export ---------------------------------------------------------------------------------


def export_sessions(
    store: Store,
    out_path: Path,
    session_html: Callable[[int], str],
    session_ids: list[int] | None = None,
) -> int:
    """Write the sessions (all when `session_ids` is None) to `out_path`; returns how many.

    `session_html` renders a session's page by id (the views own HTML; storage only packs it).

    Written to a temporary name first and renamed, so an interrupted export leaves no
    half-written archive under the requested name.
    """
    ids = session_ids if session_ids is not None else [s.id for s in store.sessions()][::-1]
    if not ids:
        raise UserError("there are no saved sessions to export")
    sessions = [store.session(session_id) for session_id in ids]
    bank = stories(store)
    story_uids = {told.id: told.uid for told in bank}
    answer_ids = [answer.row.id for session in sessions for answer in session.answers]
    told_by = {
        answer_id: story_uids[story_id]
        for answer_id, story_id in answer_story_ids(store, answer_ids).items()
    }
    files: dict[str, str] = {}
    with open_user_file(out_path) as handle, zipfile.ZipFile(
        handle, "w", compression=zipfile.ZIP_DEFLATED
    ) as archive:
        entries = [
            _export_session(archive, session, files, session_html(session.id), told_by)
            for session in sessions
        ]
        manifest = {
            "format": ARCHIVE_FORMAT,
            "version": ARCHIVE_VERSION,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sessions": entries,
            "files": files,
            "stories": [{"uid": told.uid, **told.written()} for told in bank],
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
    return len(sessions)


def _export_session(
    archive: zipfile.ZipFile,
    session: StoredSession,
    files: dict[str, str],
    html: str,
    told_by: dict[int, str],
) -> dict[str, Any]:
    """The session's manifest entry; `told_by` maps answer ids to the uid of the story told."""
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

    def members(answer: StoredAnswer | StoredFollowUp, name: str) -> dict[str, str | None]:
        recording = answer.row.recording_path
        return {
            "report": None
            if answer.report is None
            else add(f"{name}.json", json.dumps(answer.report.to_json(), indent=2).encode()),
            "recording": add(f"{name}{recording.suffix}", source=recording)
            if recording is not None and recording.is_file()
            else None,
        }

    answers = []
    for answer in session.answers:
        row = answer.row
        if row.status != STATUS_DONE:
            continue
        follow_ups = [
            {
                "criterion": follow_up.link.criterion,
                "question": follow_up.link.question,
                "score_with_prompt": follow_up.row.score_with_prompt,
                **members(follow_up, f"answer-{row.position}-follow-up-{index}"),
            }
            for index, follow_up in enumerate(answer.follow_ups, start=1)
            if follow_up.row.status == STATUS_DONE
        ]
        answers.append({
            "position": row.position,
            "question_id": row.question_id,
            "status": row.status,
            **members(answer, f"answer-{row.position}"),
            "follow_ups": follow_ups,
            **({"story_uid": told_by[row.id]} if row.id in told_by else {}),
        })
    return {
        "uid": session.uid,
        "id": session.id,
        "started_at": session.started_at.isoformat(),
        "question_ids": session.question_ids,
        "html": add("report.html", html.encode()),
        "answers": answers,
    }


# -- import ---------------------------------------------------------------------------------
#
# An archive is untrusted input: every manifest field is checked against the schema, every
# member is bounded (declared size, then the bytes actually read), members the manifest does not
# list are refused without being decompressed, and recording paths are built by the store from
# checked parts only. Nothing is written until all of it has passed.

MAX_JSON_BYTES = 1 << 20
"""The manifest and each report."""
MAX_HTML_BYTES = 16 << 20
MAX_MEMBERS = 50_000
MAX_CENTRAL_DIRECTORY_BYTES = MAX_MEMBERS * 256
MAX_TOTAL_BYTES = 64 << 30
MAX_RATIO = 100
"""Uncompressed over compressed, for the whole archive: speech barely compresses, bombs do."""
RATIO_GRACE_BYTES = 64 << 20
MAX_CAPTURE_RATE = 192_000
"""The highest rate a sound card records at; recordings are 16-bit mono WAV."""
WAV_HEADER_SLACK = 64 << 10
MAX_SESSION_ID = 2**31 - 1
MAX_ANSWERS = 100
MAX_STORIES = 1_000
MAX_POSITION = 10_000
MAX_FOLLOW_UPS = 3
"""practice.max_follow_ups at most."""
MAX_FOLLOW_UP_QUESTION_CHARS = 1000
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
IMPORTABLE_STATUSES = (STATUS_DONE,)
"""Only finished answers: an unfinished one would be offered for recovery forever."""
_PART = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}"
SAFE_MEMBER = re.compile(rf"^{_PART}(/{_PART}){{0,7}}$")
"""Relative, plain parts: no `..`, no leading `/`, no backslash, no NUL, no hidden files."""
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


class _Refused(ValueError):
    """Why the archive is refused, as the end of one line."""


class _Damaged(_Refused):
    """A member that is not what was exported (missing, or its bytes changed)."""


@dataclass(frozen=True)
class _ArchivedFollowUp:
    criterion: str | None
    question: str
    report: str
    recording: str | None
    score_with_prompt: int | None


@dataclass(frozen=True)
class _ArchivedAnswer:
    position: int
    question_id: str
    report: str
    recording: str | None
    follow_ups: tuple[_ArchivedFollowUp, ...]
    story_uid: str | None = None

    @property
    def members(self) -> list[tuple[str, str | None]]:
        """(report, recording) of the answer and of each follow-up."""
        return [(self.report, self.recording)] + [(f.report, f.recording) for f in self.follow_ups]


@dataclass(frozen=True)
class _ArchivedSession:
    uid: str
    id: int
    started_at: datetime
    question_ids: list[str]
    html: str
    answers: list[_ArchivedAnswer]


@dataclass(frozen=True)
class _ArchivedBank:
    """What an archive holds besides its members: its sessions and its stories."""

    sessions: list[_ArchivedSession]
    stories: list[Story]


def import_archive(store: Store, zip_path: Path, max_answer_s: float | None = None) -> ImportResult:
    """Bring an exported archive's sessions into `store`, skipping those already there.

    `max_answer_s` (default: the `[recording]` setting) bounds each recording's size.
    """
    name = zip_path.name
    if not zip_path.is_file():
        raise UserError(f"{zip_path}: no such file")
    if max_answer_s is None:
        max_answer_s = load_settings().recording.max_answer_s
    recording_cap = WAV_HEADER_SLACK + max_answer_s * MAX_CAPTURE_RATE * SAMPLE_BYTES
    try:
        _check_central_directory(zip_path)
        with zipfile.ZipFile(zip_path) as archive:
            bank, files = _checked_archive(archive, zip_path, store, recording_cap)
            sessions = bank.sessions
            fresh = [s for s in sessions if not store.has_session_uid(s.uid)]
            imported = _write_sessions(store, archive, fresh, files, recording_cap, bank.stories)
    except _Damaged as error:
        raise UserError(f"{name} is damaged: {error}; nothing was imported") from None
    except _Refused as error:
        raise UserError(f"{name} is refused: {error}; nothing was imported") from None
    except zipfile.BadZipFile as error:
        raise UserError(f"{name} is not a valid zip archive or is damaged ({error})") from error
    except (zlib.error, EOFError, NotImplementedError) as error:
        raise UserError(f"{name} is damaged ({error}); nothing was imported") from error
    except OSError as error:
        raise UserError(f"cannot read {zip_path}: {error.strerror or error}") from error
    return ImportResult(imported=imported, skipped=len(sessions) - len(fresh))


def _check_central_directory(zip_path: Path) -> None:
    """Opening a zip reads its whole central directory into memory: bound it before that."""
    with zip_path.open("rb") as stream:
        size = stream.seek(0, os.SEEK_END)
        stream.seek(max(0, size - EOCD_SEARCH_BYTES))
        tail = stream.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) < end + 22:
            return  # not a zip: ZipFile says so
        entries, directory_bytes = struct.unpack_from("<HI", tail, end + 10)
        if end >= 20 and tail[end - 20 : end - 16] == b"PK\x06\x07":
            stream.seek(struct.unpack_from("<Q", tail, end - 12)[0])
            record = stream.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries, directory_bytes = struct.unpack_from("<QQ", record, 32)
    if entries > MAX_MEMBERS or directory_bytes > MAX_CENTRAL_DIRECTORY_BYTES:
        raise _Refused(
            f"its central directory lists {entries} members in {_size(directory_bytes)}"
            f" (at most {MAX_MEMBERS} members)"
        )


EOCD_SEARCH_BYTES = 22 + 0xFFFF
"""The end-of-central-directory record and the longest comment a zip can have."""


def _checked_archive(
    archive: zipfile.ZipFile, zip_path: Path, store: Store, recording_cap: float
) -> tuple[_ArchivedBank, dict[str, str]]:
    """The manifest's sessions and file checksums, once every member has passed its checks."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise _Refused("a member name appears twice")
    if MANIFEST not in names:
        raise UserError(f"{zip_path.name} is not a mock-interview export (no {MANIFEST})")
    manifest_info = archive.getinfo(MANIFEST)
    _check_member_header(manifest_info, MAX_JSON_BYTES)
    manifest = _parse_json(_read_member(archive, manifest_info, MAX_JSON_BYTES), MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise UserError(f"{zip_path.name} is not a mock-interview export ({MANIFEST} is foreign)")
    if manifest.get("version") not in READABLE_VERSIONS:
        raise UserError(
            f"{zip_path.name} has export version {manifest.get('version')!r}; this mock-interview "
            f"reads versions {', '.join(map(str, READABLE_VERSIONS))}"
        )
    files = _files(manifest.get("files"))
    sessions = _sessions(manifest.get("sessions"))
    bank = _stories(manifest.get("stories", []))
    known = {told.uid for told in bank}
    for session in sessions:
        for answer in session.answers:
            if answer.story_uid is not None and answer.story_uid not in known:
                raise _Refused(f"{MANIFEST}: an answer tells story {answer.story_uid}, not listed")
    caps = _member_caps(sessions, recording_cap)
    unlisted = sorted(set(caps) - set(files))
    if unlisted:
        raise _Refused(f"{unlisted[0]} is used by a session but not in the file list")
    unused = sorted(set(files) - set(caps))
    if unused:
        raise _Refused(f"{MANIFEST} lists {unused[0]}, which no session uses")
    present = {info.filename: info for info in infos}
    for info in infos:
        if info.filename != MANIFEST and info.filename not in files:
            raise _Refused(f"member {info.filename!r} is not listed in {MANIFEST}")
    recordings = {
        recording
        for session in sessions
        for answer in session.answers
        for _, recording in answer.members
        if recording
    }
    total = 0
    for member, cap in caps.items():
        if member not in present:
            raise _Damaged(f"{member} is missing")
        info = present[member]
        if member in recordings and info.file_size > cap:
            raise _Refused(
                f"{member} declares {_size(info.file_size)}, more than an answer of"
                " [recording] max_answer_s can be"
            )
        _check_member_header(info, cap)
        total += info.file_size
    _check_total(total, zip_path, store)
    reports = {
        report for session in sessions for answer in session.answers for report, _ in answer.members
    }
    for member, cap in caps.items():
        data = _read_member(archive, present[member], cap, files[member])
        if member in reports:
            _checked_report(data, member)
    return _ArchivedBank(sessions, bank), files


def _check_member_header(info: zipfile.ZipInfo, cap: float) -> None:
    if info.flag_bits & 0x1:
        raise _Refused(f"{info.filename} is encrypted")
    if info.compress_type not in READABLE_METHODS:
        raise _Refused(f"{info.filename} uses an unknown compression method")
    if info.file_size > cap:
        raise _Refused(
            f"{info.filename} declares {_size(info.file_size)}, over its limit of {_size(cap)}"
        )


def _check_total(total: int, zip_path: Path, store: Store) -> None:
    if total > MAX_TOTAL_BYTES:
        raise _Refused(f"it unpacks to {_size(total)}, over {_size(MAX_TOTAL_BYTES)}")
    if total > RATIO_GRACE_BYTES and total > MAX_RATIO * zip_path.stat().st_size:
        raise _Refused(
            f"it unpacks to {_size(total)} from {_size(zip_path.stat().st_size)},"
            f" more than {MAX_RATIO} times its size (a zip bomb)"
        )
    free = shutil.disk_usage(store.db_path.parent).free
    if total > free:
        raise _Refused(f"it unpacks to {_size(total)} and the data folder has {_size(free)} free")


def _size(count: float) -> str:
    return f"{count / (1 << 20):.1f} MiB"


def _read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    cap: float,
    sha256: str | None = None,
    target: BinaryIO | None = None,
) -> bytes:
    """A member's bytes (or, with `target`, copied there): never more than `cap`, whatever its
    header declares, and checked against `sha256` when given. The zip's CRC is checked too."""
    digest = hashlib.sha256()
    kept = bytearray()
    read = 0
    with archive.open(info) as stream:
        while block := stream.read(int(min(CHUNK, cap - read + 1))):
            read += len(block)
            if read > cap:
                raise _Refused(f"{info.filename} unpacks to more than {_size(cap)}")
            digest.update(block)
            if target is not None:
                target.write(block)
            else:
                kept += block
    if sha256 is not None and digest.hexdigest() != sha256:
        raise _Damaged(f"{info.filename} does not match its checksum")
    return bytes(kept)


def _parse_json(data: bytes, member: str) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise _Refused(f"{member} is nested too deeply") from None
    except ValueError as error:
        raise _Refused(f"{member} is not valid JSON ({error})") from None


def _checked_report(data: bytes, member: str) -> AnswerAnalysis:
    try:
        return AnswerAnalysis.from_json(_parse_json(data, member))
    except ReportFormatError as error:
        raise _Refused(f"{member} is not an answer report ({error})") from None


# -- manifest schema ------------------------------------------------------------------------


def _files(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_MEMBERS:
        raise _Refused(f"{MANIFEST}: files is not a list of at most {MAX_MEMBERS} members")
    for member, sha256 in value.items():
        _member_name(member, "files")
        if not isinstance(sha256, str) or not SHA256_PATTERN.match(sha256):
            raise _Refused(f"{MANIFEST}: files[{member!r}] is not a SHA-256")
    return value


def _sessions(value: object) -> list[_ArchivedSession]:
    if not isinstance(value, list) or len(value) > MAX_MEMBERS:
        raise _Refused(f"{MANIFEST}: sessions is not a list of at most {MAX_MEMBERS}")
    sessions = [_session(item, f"sessions[{index}]") for index, item in enumerate(value)]
    if len({s.uid for s in sessions}) != len(sessions):
        raise _Refused(f"{MANIFEST}: a session uid appears twice")
    return sessions


def _session(value: object, where: str) -> _ArchivedSession:
    fields = _fields(value, where, ("uid", "id", "started_at", "question_ids", "html", "answers"))
    uid = _uid(fields["uid"], where)
    answers_value = fields["answers"]
    if not isinstance(answers_value, list) or len(answers_value) > MAX_ANSWERS:
        raise _Refused(f"{MANIFEST}: {where}.answers is not a list of at most {MAX_ANSWERS}")
    answers = [
        _answer(item, f"{where}.answers[{index}]") for index, item in enumerate(answers_value)
    ]
    if len({a.position for a in answers}) != len(answers):
        raise _Refused(f"{MANIFEST}: {where} has two answers at one position")
    question_ids = fields["question_ids"]
    if not isinstance(question_ids, list) or not 0 < len(question_ids) <= MAX_ANSWERS:
        raise _Refused(f"{MANIFEST}: {where}.question_ids is not a list of 1 to {MAX_ANSWERS}")
    return _ArchivedSession(
        uid=uid,
        id=_integer(fields["id"], f"{where}.id", 1, MAX_SESSION_ID),
        started_at=_moment(fields["started_at"], f"{where}.started_at"),
        question_ids=[_question_id(q, f"{where}.question_ids") for q in question_ids],
        html=_member_name(fields["html"], f"{where}.html"),
        answers=answers,
    )


def _stories(value: object) -> list[Story]:
    """The archive's story bank (absent from archives written before stories existed)."""
    if not isinstance(value, list) or len(value) > MAX_STORIES:
        raise _Refused(f"{MANIFEST}: stories is not a list of at most {MAX_STORIES}")
    bank = []
    for index, item in enumerate(value):
        where = f"{MANIFEST}: stories[{index}]"
        if not isinstance(item, dict):
            raise _Refused(f"{where} is not an object")
        uid = _uid(item.get("uid"), f"stories[{index}]")
        try:
            told = parse_story({key: v for key, v in item.items() if key != "uid"}, where)
        except UserError as error:
            raise _Refused(str(error)) from None
        bank.append(replace(told, uid=uid))
    if len({told.uid for told in bank}) != len(bank):
        raise _Refused(f"{MANIFEST}: a story uid appears twice")
    return bank


def _uid(value: object, where: str) -> str:
    if not isinstance(value, str) or not UID_PATTERN.match(value):
        raise _Refused(f"{MANIFEST}: {where}.uid is not 32 hex digits")
    return value


def _answer(value: object, where: str) -> _ArchivedAnswer:
    fields = _fields(value, where, ("position", "question_id", "status", "report", "recording"))
    if fields["status"] not in IMPORTABLE_STATUSES:
        raise _Refused(
            f"{MANIFEST}: {where}.status is {_shown(fields['status'])}, not a finished answer"
        )
    follow_ups = fields.get("follow_ups", [])  # absent from version 1 archives
    if not isinstance(follow_ups, list) or len(follow_ups) > MAX_FOLLOW_UPS:
        raise _Refused(f"{MANIFEST}: {where}.follow_ups is not a list of at most {MAX_FOLLOW_UPS}")
    return _ArchivedAnswer(
        position=_integer(fields["position"], f"{where}.position", 1, MAX_POSITION),
        question_id=_question_id(fields["question_id"], f"{where}.question_id"),
        report=_member_name(fields["report"], f"{where}.report"),
        recording=_recording_name(fields["recording"], f"{where}.recording"),
        follow_ups=tuple(
            _follow_up(item, f"{where}.follow_ups[{index}]")
            for index, item in enumerate(follow_ups)
        ),
        story_uid=None if "story_uid" not in fields else _uid(fields["story_uid"], where),
    )


def _follow_up(value: object, where: str) -> _ArchivedFollowUp:
    keys = ("criterion", "question", "report", "recording", "score_with_prompt")
    fields = _fields(value, where, keys)
    unknown = sorted(set(fields) - set(keys))
    if unknown:
        raise _Refused(f"{MANIFEST}: {where}.{unknown[0]} is not a follow-up field")
    criterion = fields["criterion"]
    if criterion is not None and (
        not isinstance(criterion, str) or not CRITERION_ID.fullmatch(criterion)
    ):
        raise _Refused(f"{MANIFEST}: {where}.criterion is {_shown(criterion)}, not a criterion id")
    question = fields["question"]
    if (
        not isinstance(question, str)
        or not question.strip()
        or len(question) > MAX_FOLLOW_UP_QUESTION_CHARS
    ):
        raise _Refused(
            f"{MANIFEST}: {where}.question is {_shown(question)}, not a question of 1 to "
            f"{MAX_FOLLOW_UP_QUESTION_CHARS} characters"
        )
    score = fields["score_with_prompt"]
    return _ArchivedFollowUp(
        criterion=criterion,
        question=question,
        report=_member_name(fields["report"], f"{where}.report"),
        recording=_recording_name(fields["recording"], f"{where}.recording"),
        score_with_prompt=None
        if score is None
        else _integer(score, f"{where}.score_with_prompt", 0, 100),
    )


def _recording_name(value: object, where: str) -> str | None:
    return None if value is None else _member_name(value, where)


def _fields(value: object, where: str, keys: tuple[str, ...]) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _Refused(f"{MANIFEST}: {where} is not an object")
    for key in keys:
        if key not in value:
            raise _Refused(f"{MANIFEST}: {where}.{key} is missing")
    return value


def _integer(value: object, where: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise _Refused(f"{MANIFEST}: {where} is {_shown(value)}, not a whole number {low}-{high}")
    return value


def _moment(value: object, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not EARLIEST <= moment < LATEST:
        raise _Refused(
            f"{MANIFEST}: {where} is {_shown(value)}, not a date and time with a time zone "
            f"between {EARLIEST.year} and {LATEST.year}"
        )
    return moment


def _question_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not QUESTION_ID_PATTERN.match(value):
        raise _Refused(f"{MANIFEST}: {where} is {_shown(value)}, not a question id")
    return value


def _member_name(value: object, where: str) -> str:
    """A relative name of plain parts: no `..`, no absolute path, no backslash, no NUL."""
    if not isinstance(value, str) or not SAFE_MEMBER.match(value):
        raise _Refused(f"{MANIFEST}: {where} is {_shown(value)}, not a safe member name")
    return value


def _shown(value: object) -> str:
    """A value for an error line: short, one line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _member_caps(sessions: list[_ArchivedSession], recording_cap: float) -> dict[str, float]:
    """Every member the sessions use, with the most bytes it may unpack to; each used once."""
    caps: dict[str, float] = {}

    def use(member: str, cap: float) -> None:
        if member in caps:
            raise _Refused(f"{MANIFEST}: {member} is used twice")
        caps[member] = cap

    for session in sessions:
        use(session.html, MAX_HTML_BYTES)
        for answer in session.answers:
            for report, recording in answer.members:
                if not report.endswith(".json"):
                    raise _Refused(f"{MANIFEST}: report {report} is not a .json file")
                use(report, MAX_JSON_BYTES)
                if recording is not None:
                    if recording.endswith(".json"):
                        raise _Refused(f"{MANIFEST}: recording {recording} is a .json file")
                    use(recording, recording_cap)
    return caps


# -- writing --------------------------------------------------------------------------------


def _write_sessions(
    store: Store,
    archive: zipfile.ZipFile,
    sessions: list[_ArchivedSession],
    files: dict[str, str],
    recording_cap: float,
    bank: list[Story],
) -> list[int]:
    """Copy recordings (bounded, checksummed again) and insert rows, stories first (those not
    here yet, by uid) so answers can be linked to them; all or nothing."""
    copied: list[Path] = []
    created: list[int] = []
    try:
        with store.atomic():
            story_ids = {
                told.uid: story_id_for_uid(store, told.uid) or add_story(store, told)
                for told in bank
            }
            for session in sorted(sessions, key=lambda s: s.started_at):
                session_id = store.create_session(
                    session.question_ids,
                    started_at=session.started_at,
                    uid=session.uid,
                    preferred_id=session.id,
                )
                created.append(session_id)
                for answer in sorted(session.answers, key=lambda a: a.position):
                    copy = _Copier(store, archive, files, recording_cap, copied, session_id)
                    main_id = copy.answer(answer.question_id, answer.report, answer.recording)
                    for item in answer.follow_ups:
                        link = FollowUpLink(main_id, item.criterion, item.question)
                        follow_up_id = copy.answer(
                            answer.question_id, item.report, item.recording, link
                        )
                        if item.score_with_prompt is not None:
                            store.set_score_with_prompt(follow_up_id, item.score_with_prompt)
                    if answer.story_uid is not None:
                        link_answer(store, main_id, story_ids[answer.story_uid])
    except BaseException:
        for path in copied:
            path.unlink(missing_ok=True)
        for session_id in created:
            store.prune_recordings_dir(session_id)
        raise
    return created


@dataclass(frozen=True)
class _Copier:
    """Brings one checked answer (a recording and a report) of a session into the store."""

    store: Store
    archive: zipfile.ZipFile
    files: dict[str, str]
    recording_cap: float
    copied: list[Path]
    """Every recording written so far, removed again if the import fails."""
    session_id: int

    def answer(
        self,
        question_id: str,
        report_member: str,
        recording_member: str | None,
        follow_up: FollowUpLink | None = None,
    ) -> int:
        recording = None
        if recording_member is not None:
            suffix = PurePosixPath(recording_member).suffix
            recording = self.store.new_recording_path(self.session_id, question_id, suffix)
            make_private_file(recording)
            self.copied.append(recording)
            with recording.open("wb") as target:
                _read_member(
                    self.archive,
                    self.archive.getinfo(recording_member),
                    self.recording_cap,
                    self.files[recording_member],
                    target,
                )
        member = self.archive.getinfo(report_member)
        report = _checked_report(
            _read_member(self.archive, member, MAX_JSON_BYTES, self.files[report_member]),
            report_member,
        )
        return self.store.add_answer(self.session_id, question_id, recording, report, follow_up)

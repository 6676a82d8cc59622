"""Zip archives built to hurt `mock-interview import`, generated (never committed).

Every public function writes one zip into `folder` and returns its path; its defaults are the
sizes `scripts/bench_memory.py` measures peak RSS with, the tests pass small ones. Big members are
streamed in 1 MiB blocks, so making a 4 GiB bomb takes little memory here either.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crafted_reports import crafted_report

MIB = 1 << 20
GIB = 1 << 30
UID = "0123456789abcdef0123456789abcdef"
FOLDER = f"sessions/{UID}"
REPORT = f"{FOLDER}/answer-1.json"
RECORDING = f"{FOLDER}/answer-1.wav"
HTML = f"{FOLDER}/report.html"
SAMPLE_REPORT = crafted_report("I set a goal um and met it.", score=60)

Edit = Callable[[dict[str, Any]], None]


def _session_members(recording: str) -> dict[str, bytes]:
    """One session as `export` writes it: a report, a (tiny) recording and the HTML page."""
    return {
        REPORT: json.dumps(SAMPLE_REPORT).encode(),
        recording: b"RIFF" + bytes(40) + bytes(2000),
        HTML: b"<!DOCTYPE html><title>session</title>",
    }


def _manifest(checksums: dict[str, str], recording: str = RECORDING) -> dict[str, Any]:
    return {
        "format": "mock-interview-export",
        "version": 1,
        "exported_at": "2024-03-01T10:00:00+00:00",
        "sessions": [
            {
                "uid": UID,
                "id": 1,
                "started_at": "2024-03-01T09:00:00+00:00",
                "question_ids": ["goal-achieved"],
                "html": HTML,
                "answers": [
                    {
                        "position": 1,
                        "question_id": "goal-achieved",
                        "status": "done",
                        "report": REPORT,
                        "recording": recording,
                    }
                ],
            }
        ],
        "files": checksums,
    }


def _zeros_into(archive: zipfile.ZipFile, name: str, size: int) -> str:
    """Stream `size` zero bytes into member `name`; returns their SHA-256."""
    digest = hashlib.sha256()
    block = bytes(MIB)
    with archive.open(name, "w", force_zip64=size >= 2 * GIB) as member:
        left = size
        while left > 0:
            piece = block[: min(MIB, left)]
            member.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def session_archive(
    folder: Path,
    name: str = "valid.zip",
    edit: Edit | None = None,
    members: dict[str, bytes] | None = None,
    recording: str = RECORDING,
    zero_recording_bytes: int = 0,
    unlisted_zero_bytes: int = 0,
) -> Path:
    """A well-formed one-session export (the bench imports it as the baseline), then bent:
    `members` replace or add listed members, `edit` changes the manifest last, the recording
    (member `recording`) can be `zero_recording_bytes` of zeros, and an unlisted member of
    `unlisted_zero_bytes` zeros can ride along."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    contents = {**_session_members(recording), **(members or {})}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        checksums = {}
        for member, data in contents.items():
            if member == recording and zero_recording_bytes:
                checksums[member] = _zeros_into(archive, member, zero_recording_bytes)
            else:
                archive.writestr(member, data)
                checksums[member] = hashlib.sha256(data).hexdigest()
        if unlisted_zero_bytes:
            _zeros_into(archive, "extra/bomb.bin", unlisted_zero_bytes)
        manifest = _manifest(checksums, recording)
        if edit is not None:
            edit(manifest)
        archive.writestr("manifest.json", json.dumps(manifest))
    return path


def _declare_size(path: Path, member: str, declared: int) -> None:
    """Make the zip's headers (local and central) claim `member` unpacks to `declared` bytes."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    name = member.encode()
    for found in re.finditer(rb"PK\x01\x02", data):
        if data[found.start() + 46 : found.start() + 46 + len(name)] == name:
            struct.pack_into("<I", data, found.start() + 24, declared)
    path.write_bytes(bytes(data))


# -- the bombs (the bench imports each public function) ------------------------------------


def unlisted_member_bomb(folder: Path, size: int = 4 * GIB) -> Path:
    """A valid export carrying an unlisted member of `size` zeros (`testzip()` unpacked it)."""
    return session_archive(folder, "unlisted-bomb.zip", unlisted_zero_bytes=size)


def huge_recording_bomb(folder: Path, size: int = 2 * GIB) -> Path:
    """A listed recording of `size` zeros with its true checksum: far over `max_answer_s`."""
    return session_archive(folder, "huge-recording.zip", zero_recording_bytes=size)


def ratio_bomb(folder: Path, size: int = 200 * MIB) -> Path:
    """A recording within the per-answer limit, but the archive unpacks ~1000x its size."""
    return session_archive(folder, "ratio-bomb.zip", zero_recording_bytes=size)


def lying_recording_bomb(folder: Path, size: int = GIB) -> Path:
    """A recording of `size` zeros whose headers claim 1 KiB: declared sizes lie."""
    path = session_archive(folder, "lying-recording.zip", zero_recording_bytes=size)
    _declare_size(path, RECORDING, 1024)
    return path


def huge_manifest_bomb(folder: Path, size: int = GIB) -> Path:
    """A manifest.json of `size` bytes (valid JSON: the format, then padding)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "huge-manifest.zip"
    head = b'{"format": "mock-interview-export", "version": 1, "pad": "'
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("manifest.json", "w", force_zip64=size >= 2 * GIB) as member,
    ):
        member.write(head)
        left = size - len(head) - 2
        block = b" " * MIB
        while left > 0:
            member.write(block[: min(MIB, left)])
            left -= MIB
        member.write(b'"}')
    return path


def deep_json_bomb(folder: Path, depth: int = 400_000) -> Path:
    """A manifest nested `depth` lists deep, under 1 MB: json.loads hit RecursionError."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "deep-json.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", "[" * depth + "]" * depth)
    return path


def many_members_bomb(folder: Path, count: int = 500_000) -> Path:
    """`count` empty members: the central directory alone is what costs memory."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "many-members.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(count):
            archive.writestr(f"m/{index:07d}", b"")
        archive.writestr("manifest.json", json.dumps(_manifest({})))
    return path

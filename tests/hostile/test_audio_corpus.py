"""Broken and hostile audio files: `analyze` says what is wrong in one line, exit 2, no traceback.

Every file is generated here. `analyze` checks the audio before it loads the model, so each case
costs only the decode.
"""

from __future__ import annotations

import os
import random
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from audio_files import tone, write_audio, write_bytes
from mock_interview.cli.entry import main

_PCM = 1
_FLOAT = 3
_EXTENSIBLE = 0xFFFE
# KSDATAFORMAT_SUBTYPE_PCM is 00000001-0000-0010-8000-00aa00389b71; this one names no codec.
_UNKNOWN_GUID = bytes(range(16))
_TAIL_GUID = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def _wav(
    tag: int = _PCM,
    channels: int = 1,
    rate: int = 16000,
    bits: int = 16,
    data: bytes = bytes(32000),
    guid: bytes | None = None,
    data_size: int | None = None,
    riff_size: int | None = None,
) -> bytes:
    """A RIFF/WAVE file whose every header field can lie."""
    block_align = channels * bits // 8
    fmt = struct.pack(
        "<HHIIHH",
        tag,
        channels,
        rate,
        (rate * block_align) & 0xFFFFFFFF,
        block_align & 0xFFFF,
        bits,
    )
    if guid is not None:
        fmt += struct.pack("<HHI", 22, bits, 0) + guid
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data) if data_size is None else data_size) + data
    return b"RIFF" + struct.pack("<I", len(body) if riff_size is None else riff_size) + body


def _noise(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    return lambda folder: write_bytes(folder / name, data)


def _cut(suffix: str, keep: float) -> Callable[[Path], Path]:
    """A real file of 20 s of tones, cut after `keep` of its bytes."""

    def make(folder: Path) -> Path:
        tones = np.concatenate([tone(10.0), tone(10.0, freq=331)])
        whole = write_audio(folder / f"whole{suffix}", tones).read_bytes()
        return write_bytes(folder / f"cut{suffix}", whole[: int(len(whole) * keep)])

    return make


def _garbled_mp3(folder: Path) -> Path:
    """MP3 frame headers with random bytes where the audio should be."""
    frames = b"".join(b"\xff\xfb\x90\x64" + _noise(413, seed) for seed in range(50))
    return write_bytes(folder / "garbage.mp3", frames)


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "pipe.wav")
    return folder / "pipe.wav"


def _symlink_loop(folder: Path) -> Path:
    (folder / "a.wav").symlink_to(folder / "b.wav")
    (folder / "b.wav").symlink_to(folder / "a.wav")
    return folder / "a.wav"


def _dangling_symlink(folder: Path) -> Path:
    (folder / "gone.wav").symlink_to(folder / "nowhere.wav")
    return folder / "gone.wav"


def _unsearchable_folder(folder: Path) -> Path:
    inner = folder / "locked"
    inner.mkdir()
    write_audio(inner / "a.wav", tone(1.0))
    inner.chmod(0o600)  # readable listing, no search (x): the file cannot be reached
    return inner / "a.wav"


def _unreadable_file(folder: Path) -> Path:
    path = write_audio(folder / "secret.wav", tone(1.0))
    path.chmod(0)
    return path


CORPUS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("wav-unknown-codec-tag", _bytes("tag.wav", _wav(tag=0x1234)), "unsupported"),
    ("wav-bits-0", _bytes("bits0.wav", _wav(bits=0)), "unsupported"),
    (
        "wav-extensible-unknown-guid",
        _bytes("guid.wav", _wav(tag=_EXTENSIBLE, guid=_UNKNOWN_GUID)),
        "unsupported",
    ),
    (
        "wav-extensible-codec-tag-unknown",
        _bytes("guid2.wav", _wav(tag=_EXTENSIBLE, guid=struct.pack("<H", 0x4321) + _TAIL_GUID)),
        "unsupported",
    ),
    ("wav-float-16-bits", _bytes("f16.wav", _wav(tag=_FLOAT, bits=16)), "unsupported"),
    ("wav-zero-channels", _bytes("ch0.wav", _wav(channels=0)), "not readable audio"),
    ("wav-65535-channels", _bytes("chmax.wav", _wav(channels=65535, bits=8)), "not readable audio"),
    ("wav-rate-0", _bytes("rate0.wav", _wav(rate=0)), "not readable audio"),
    ("wav-rate-1-hz", _bytes("rate1.wav", _wav(rate=1)), "sample rate"),
    ("wav-rate-4-ghz", _bytes("ratehuge.wav", _wav(rate=0xFFFFFFFF)), "not readable audio"),
    ("wav-header-cut", _bytes("head.wav", _wav()[:30]), "not readable audio"),
    ("wav-data-size-lies", _bytes("lies.wav", _wav(data_size=3_200_000)), "truncated"),
    (
        "wav-huge-declared-sizes",
        _bytes("huge.wav", _wav(data_size=0xFFFFFFF0, riff_size=0xFFFFFFF0)),
        "truncated",
    ),
    ("wav-no-data", _bytes("nodata.wav", _wav(data=b"")), "zero length"),
    ("wav-cut-in-half", _cut(".wav", 0.5), "truncated"),
    ("riff-random", _bytes("riff.wav", b"RIFF" + _noise(4000, 1)), "not readable audio"),
    ("flac-random", _bytes("r.flac", b"fLaC" + _noise(4000, 2)), "not readable audio"),
    ("flac-cut-in-half", _cut(".flac", 0.5), "truncated"),
    ("flac-header-only", _cut(".flac", 0.01), "not readable audio"),
    ("ogg-random", _bytes("r.ogg", b"OggS" + _noise(4000, 3)), "not readable audio"),
    ("ogg-cut-in-half", _cut(".ogg", 0.5), "truncated"),
    ("ogg-header-only", _cut(".ogg", 0.02), "not readable audio"),
    (
        "id3-random",
        _bytes("r.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x10" + _noise(4000, 4)),
        "not readable audio",
    ),
    ("mp3-garbage", _garbled_mp3, "not readable audio"),
    ("zero-bytes", _bytes("zeros.wav", bytes(4096)), "not readable audio"),
    ("text", _bytes("notes.wav", b"not audio at all\n" * 100), "not readable audio"),
    ("empty", _bytes("empty.wav", b""), "empty file"),
    ("directory", lambda folder: folder, "is a directory"),
    ("fifo", _fifo, "not a regular file"),
    ("dev-zero", lambda folder: Path("/dev/zero"), "not a regular file"),
    ("symlink-loop", _symlink_loop, "symlink loop"),
    ("dangling-symlink", _dangling_symlink, "no such file"),
    ("missing-parent", lambda folder: folder / "nowhere" / "a.wav", "no such file"),
    (
        "parent-is-a-file",
        lambda folder: write_audio(folder / "a.wav", tone(0.5)) / "b.wav",
        "not a folder",
    ),
]
NEEDS_PERMISSIONS = [
    ("folder-without-search-permission", _unsearchable_folder, "permission denied"),
    ("unreadable-file", _unreadable_file, "permission denied"),
]


def _analyze(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["analyze", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


@pytest.mark.parametrize(
    ("make", "message"), [case[1:] for case in CORPUS], ids=[case[0] for case in CORPUS]
)
def test_hostile_audio_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path], message: str
) -> None:
    code, err = _analyze(make(tmp_path), capsys)
    assert code == 2, err
    assert err.startswith("mock-interview: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
@pytest.mark.parametrize(
    ("make", "message"),
    [case[1:] for case in NEEDS_PERMISSIONS],
    ids=[case[0] for case in NEEDS_PERMISSIONS],
)
def test_files_out_of_reach_say_permission_denied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    try:
        code, err = _analyze(path, capsys)
    finally:
        path.parent.chmod(0o700)
    assert code == 2, err
    assert err.count("\n") == 1 and message in err, err

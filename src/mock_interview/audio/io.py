"""Decode any common audio file (WAV, FLAC, MP3, OGG, ...) to 16 kHz mono for analysis.

PyAV (FFmpeg, already a faster-whisper dependency) does the decoding, resampling and mixdown; this
module turns every way a file can be bad into one line the user can act on. The decode streams in
blocks (`AudioFile.blocks`), so an hour-long answer never sits in memory whole; `load_audio` keeps
the whole file, for short clips only.
"""

from __future__ import annotations

import errno
import itertools
import stat
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from mock_interview.core.errors import UserError

ANALYSIS_RATE = 16000
# A file whose header promises noticeably more audio than it holds was cut short.
_TRUNCATION_TOLERANCE = 0.98
# Rates outside these come from a corrupt or hostile header, not a recorder (a 1 Hz header would
# turn each byte into a second of audio).
_MIN_SOURCE_RATE = 4000
_MAX_SOURCE_RATE = 768000
# The largest Ogg page (27-byte header, 255 lacing values, 255 x 255 bytes): the last page of a
# file lies within this many bytes of its end.
_OGG_MAX_PAGE = 27 + 255 + 255 * 255
_OGG_END_OF_STREAM = 0x04
_OS_REASONS = {
    errno.ENOENT: "no such file",
    errno.ENOTDIR: "no such file (a part of the path is not a folder)",
    errno.ELOOP: "symlink loop (the links point at each other)",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENAMETOOLONG: "file name too long",
}


@dataclass(frozen=True)
class LoadedAudio:
    samples: np.ndarray  # float32, mono, ANALYSIS_RATE
    source_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / ANALYSIS_RATE


def to_float(block: np.ndarray) -> np.ndarray:
    """int16 samples as float32 in -1..1, the form every analysis takes."""
    return block.astype(np.float32) / 32768


@dataclass(frozen=True)
class AudioFile:
    """A file that opened as audio; `blocks` decodes it, so a bad one may still fail there."""

    path: Path
    source_rate: int

    def blocks(self) -> Iterator[np.ndarray]:
        """The audio as int16 blocks at 16 kHz mono. Raises UserError where the file turns out
        corrupt, or after the last block when the file holds nothing or was cut short."""
        decoded = 0
        with _readable(self.path) as (container, stream):
            declared_s = None
            if stream.duration is not None and stream.time_base is not None:
                declared_s = float(stream.duration * stream.time_base)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=ANALYSIS_RATE)
            try:
                for frame in itertools.chain(container.decode(stream), [None]):
                    for out in resampler.resample(frame):
                        block = out.to_ndarray().reshape(-1)
                        decoded += block.size
                        yield block
            except av.error.InvalidDataError:
                if not decoded:
                    raise
                raise UserError(
                    f"{self.path}: truncated or corrupt after {decoded / ANALYSIS_RATE:.1f} s"
                ) from None
            is_ogg = "ogg" in container.format.name.split(",")
        if decoded == 0:
            raise UserError(f"{self.path}: contains no audio (zero length)")
        self._check_complete(decoded / ANALYSIS_RATE, declared_s, is_ogg)

    def _check_complete(self, decoded_s: float, declared_s: float | None, is_ogg: bool) -> None:
        declared_s = _wav_header_seconds(self.path) or declared_s
        if declared_s and decoded_s < declared_s * _TRUNCATION_TOLERANCE:
            raise UserError(
                f"{self.path}: truncated file "
                f"(header says {declared_s:.1f} s, only {decoded_s:.1f} s present)"
            )
        if is_ogg and not _ogg_ends_whole(self.path):
            raise UserError(
                f"{self.path}: truncated file (the Ogg stream stops at {decoded_s:.1f} s "
                "without its last page)"
            )


def open_audio(path: Path) -> AudioFile:
    """`path` as an audio file ready to decode; raises UserError for anything that is not one."""
    _check_regular_file(path)
    with _readable(path) as (_, stream):
        return AudioFile(path, int(stream.rate))


def check_audio(path: Path) -> AudioFile:
    """Decode the whole file once without keeping it, so a bad file fails before costly work."""
    audio = open_audio(path)
    for _ in audio.blocks():
        pass
    return audio


def load_audio(path: Path) -> LoadedAudio:
    """The whole file as 16 kHz mono float32 (a short clip: an hour takes 230 MB)."""
    audio = open_audio(path)
    samples = to_float(np.concatenate(list(audio.blocks())))
    return LoadedAudio(samples=samples, source_rate=audio.source_rate)


def _check_regular_file(path: Path) -> None:
    """Say what the path really is before FFmpeg reads it (a FIFO would block, /dev/zero never
    ends) or fails on it with a less helpful reason."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise UserError(f"{path}: is a directory, not an audio file")
        if not stat.S_ISREG(mode):
            raise UserError(f"{path}: not a regular file ({_file_kind(mode)}), not an audio file")
        if path.stat().st_size == 0:
            raise UserError(f"{path}: empty file (0 bytes)")
        with path.open("rb"):
            pass
    except OSError as exc:
        reason = _OS_REASONS.get(exc.errno or 0, (exc.strerror or type(exc).__name__).lower())
        raise UserError(f"{path}: {reason}") from None


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


@contextmanager
def _readable(path: Path) -> Iterator[tuple[Any, Any]]:
    """The open container and its first audio stream, with FFmpeg's errors as one line."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UserError(f"{path}: has no audio stream")
            stream = container.streams.audio[0]
            if stream.codec_context is None:
                raise UserError(f"{path}: unsupported audio encoding (no decoder for it)")
            rate = int(stream.rate or 0)
            if not _MIN_SOURCE_RATE <= rate <= _MAX_SOURCE_RATE:
                raise UserError(
                    f"{path}: sample rate {rate} Hz is outside "
                    f"{_MIN_SOURCE_RATE}-{_MAX_SOURCE_RATE} Hz, not a recording's"
                )
            yield container, stream
    except av.error.FFmpegError as exc:
        raise UserError(f"{path}: not readable audio ({_reason(exc)})") from None


def _wav_header_seconds(path: Path) -> float | None:
    """What a PCM WAV header promises; FFmpeg reports what is there, so a cut file looks whole."""
    try:
        with wave.open(str(path)) as header:
            return header.getnframes() / header.getframerate()
    except (wave.Error, EOFError, OSError, ZeroDivisionError):
        return None


def _ogg_ends_whole(path: Path) -> bool:
    """An Ogg file ends with a whole page flagged end-of-stream. FFmpeg takes the duration from
    the last page it finds, so a file cut in half would otherwise look complete."""
    with path.open("rb") as file:
        file.seek(max(0, path.stat().st_size - _OGG_MAX_PAGE))
        tail = file.read()
    start = tail.rfind(b"OggS")
    while start >= 0:
        header = tail[start : start + 27]
        if len(header) == 27 and header[4] == 0:
            lacing = tail[start + 27 : start + 27 + header[26]]
            whole = len(lacing) == header[26]
            if whole and start + 27 + len(lacing) + sum(lacing) == len(tail):
                return bool(header[5] & _OGG_END_OF_STREAM)
        start = tail.rfind(b"OggS", 0, start)
    return False


def _reason(exc: av.error.FFmpegError) -> str:
    return str(exc.strerror or exc).rstrip(".").lower()

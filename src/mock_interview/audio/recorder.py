"""Recording an answer safely: audio goes to disk as it is spoken.

The audio callback (PortAudio's thread) only puts blocks on a queue. A writer thread appends them to
a 16-bit mono WAV and rewrites the header's sizes at least once a second (then fsyncs), so a crash,
kill -9 or power cut loses at most the last second; `repair_wav` fixes the header of a file left
unfinished. The writer also measures the input level for the UI, hands each block to a consumer
(live transcription), and stops on request, at `max_answer_s`, after `auto_stop_silence_s` of
silence, when the source ends, or on an error (device lost, disk full) keeping what was written.

Sources: `MicrophoneSource` (sounddevice InputStream) and `FileSource` (a recorded answer played in
at real-time pace, for demo mode and the benchmark) feed the same queue, so both take one path.
"""

from __future__ import annotations

import errno
import os
import queue
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from mock_interview.audio.devices import Device, find_device, import_sounddevice
from mock_interview.audio.io import ANALYSIS_RATE, open_audio
from mock_interview.core.errors import UserError
from mock_interview.core.paths import make_private_dir, make_private_file

HEADER_BYTES = 44
SAMPLE_BYTES = 2
HEADER_FIX_INTERVAL_S = 0.5
LEVEL_INTERVAL_S = 0.05
BLOCK_S = 0.05
# No audio from a running input stream for this long means the device went away (generous:
# analysis that holds the GIL, such as Praat's pitch tracker, can delay the callback a little).
DEVICE_LOST_AFTER_S = 3.0
# PortAudio's capture buffer: room to wait out such delays without dropping audio.
INPUT_LATENCY_S = 1.0
# Below this level (dBFS) a block counts as silence for auto-stop.
SILENCE_DBFS = -40.0
# Longest answer a recording takes: beyond it the setting is a mistake (inf overflows).
MAX_ANSWER_LIMIT_S = 4 * 3600.0
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _wav_header(frames: int, rate: int) -> bytes:
    data_bytes = frames * SAMPLE_BYTES
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + data_bytes, b"WAVE",
        b"fmt ", 16, 1, 1, rate, rate * SAMPLE_BYTES, SAMPLE_BYTES, 16,
        b"data", data_bytes,
    )  # fmt: skip


class WavAppender:
    """A 16-bit mono WAV that grows block by block and is valid after every `sync`.

    Unbuffered, so `frames` always counts what reached the file: on a full disk the header can
    still be fixed to describe exactly the audio that was saved.
    """

    def __init__(self, path: Path, rate: int) -> None:
        make_private_dir(path.parent, data_folder=path.parent)
        make_private_file(path)
        fd = os.open(path, os.O_RDWR | os.O_TRUNC)
        self.path = path
        self.rate = rate
        self._file = os.fdopen(fd, "w+b", buffering=0)
        self._data_bytes = 0
        self._file.write(_wav_header(0, rate))
        self.sync()

    @property
    def frames(self) -> int:
        return self._data_bytes // SAMPLE_BYTES

    def append(self, block: np.ndarray) -> None:
        data = memoryview(block.astype("<i2", copy=False).tobytes())
        while data:
            written = self._file.write(data) or 0
            self._data_bytes += written
            data = data[written:]

    def sync(self) -> None:
        """Rewrite the sizes in the header (in place, needs no free space) and fsync."""
        self._file.seek(0)
        self._file.write(_wav_header(self.frames, self.rate))
        self._file.seek(HEADER_BYTES + self._data_bytes)
        os.fsync(self._file.fileno())

    def close(self) -> None:
        try:
            self._file.truncate(HEADER_BYTES + self.frames * SAMPLE_BYTES)
            self.sync()
        finally:
            self._file.close()


def repair_wav(path: Path) -> bool:
    """Make the header of a WAV written by WavAppender match the audio in it; True if it changed.

    A recording cut off by a crash has a header that counts up to the last sync; the audio after
    it is on disk too and is kept. A torn final sample is dropped.
    """
    with path.open("r+b") as handle:
        head = handle.read(HEADER_BYTES)
        if len(head) < HEADER_BYTES or head[:4] != b"RIFF" or head[36:40] != b"data":
            raise UserError(f"{path}: not a recording this program wrote; cannot repair it")
        rate = struct.unpack_from("<I", head, 24)[0]
        size = handle.seek(0, os.SEEK_END)
        frames = (size - HEADER_BYTES) // SAMPLE_BYTES
        wanted = _wav_header(frames, rate)
        if head == wanted and size == HEADER_BYTES + frames * SAMPLE_BYTES:
            return False
        handle.truncate(HEADER_BYTES + frames * SAMPLE_BYTES)
        handle.seek(0)
        handle.write(wanted)
    return True


class StopReason(StrEnum):
    REQUESTED = "requested"
    MAX_LENGTH = "max_length"
    SILENCE = "silence"
    SOURCE_ENDED = "source_ended"
    FAILED = "failed"


@dataclass(frozen=True)
class SourceEnded:
    """Put on the queue by a source that has no more audio (the end of a file)."""


@dataclass(frozen=True)
class SourceFailed:
    """Put on the queue by a source that broke (the device went away)."""

    message: str


QueueItem = np.ndarray | SourceEnded | SourceFailed


class AudioSource(Protocol):
    """Something that puts int16 mono blocks at `sample_rate` on a queue until stopped;
    `input_overflows` counts the times the sound card dropped audio not taken in time."""

    sample_rate: int
    description: str
    input_overflows: int

    def start(self, sink: queue.Queue[QueueItem]) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Level:
    """Input level since the previous measurement, for the meter: linear 0..1 full scale."""

    rms: float
    peak: float
    elapsed_s: float


@dataclass(frozen=True)
class RecordingResult:
    path: Path
    sample_rate: int
    frames: int
    reason: StopReason
    error: str | None = None
    input_overflows: int = 0

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


def choose_rate(sd: ModuleType, device: Device, preferred: int) -> int:
    """The preferred rate when the device takes it, else the device's own rate."""
    try:
        sd.check_input_settings(device=device.id, samplerate=preferred, channels=1, dtype="int16")
    except (sd.PortAudioError, ValueError):
        return device.default_rate
    return preferred


class MicrophoneSource:
    """The chosen input device through a sounddevice InputStream."""

    def __init__(self, device_spec: str = "", preferred_rate: int = ANALYSIS_RATE) -> None:
        self._sd = import_sounddevice()
        self.device = find_device(device_spec, "input")
        self.sample_rate = choose_rate(self._sd, self.device, preferred_rate)
        self.description = f"{self.device.name} at {self.sample_rate} Hz"
        self.input_overflows = 0
        self._stream: object | None = None
        self._stopping = threading.Event()
        self._last_audio = time.monotonic()

    def start(self, sink: queue.Queue[QueueItem]) -> None:
        sd = self._sd

        def on_audio(indata: np.ndarray, frames: int, moment: object, status: Any) -> None:
            self._last_audio = time.monotonic()
            if status.input_overflow:
                self.input_overflows += 1
            sink.put_nowait(indata[:, 0].copy())

        def on_finished() -> None:
            if not self._stopping.is_set():
                sink.put_nowait(SourceFailed(f"input device lost: {self.device.name}"))

        try:
            stream = sd.InputStream(
                device=self.device.id,
                samplerate=self.sample_rate,
                channels=1,
                dtype="int16",
                blocksize=int(self.sample_rate * BLOCK_S),
                callback=on_audio,
                finished_callback=on_finished,
                latency=INPUT_LATENCY_S,
            )
            stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise UserError(
                f"cannot open the microphone '{self.device.name}' ({_first_line(exc)}); "
                "it may be busy in another program"
            ) from None
        self._stream = stream
        self._last_audio = time.monotonic()
        threading.Thread(target=self._watch, args=(sink,), daemon=True).start()

    def _watch(self, sink: queue.Queue[QueueItem]) -> None:
        """A device that stops delivering without an error (it hangs) is lost too."""
        while not self._stopping.wait(0.25):
            if time.monotonic() - self._last_audio > DEVICE_LOST_AFTER_S:
                sink.put(SourceFailed(f"input device lost: no audio from {self.device.name}"))
                return

    def stop(self) -> None:
        """Close the stream; a device that hangs on close is left behind rather than waited for."""
        self._stopping.set()
        stream = self._stream
        if stream is None:
            return
        closer = threading.Thread(target=_close_quietly, args=(stream, self._sd), daemon=True)
        closer.start()
        closer.join(timeout=2.0)


def _close_quietly(stream: object, sd: ModuleType) -> None:
    try:
        stream.abort()  # type: ignore[attr-defined]
        stream.close()  # type: ignore[attr-defined]
    except sd.PortAudioError:
        pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class FileSource:
    """A recorded answer fed in as if spoken: same queue and path as the microphone.

    `pace` 1.0 is real time (demo mode, the benchmark); 0 feeds as fast as the consumer takes it.
    """

    input_overflows = 0  # a file never drops audio

    def __init__(self, path: Path, pace: float = 1.0) -> None:
        # int16 as decoded: no float copies of the whole answer.
        self.samples = np.concatenate(list(open_audio(path).blocks()))
        self.sample_rate = ANALYSIS_RATE
        self.pace = pace
        self.description = f"sample answer {path.name}"
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, sink: queue.Queue[QueueItem]) -> None:
        self._thread = threading.Thread(target=self._feed, args=(sink,), daemon=True)
        self._thread.start()

    def _feed(self, sink: queue.Queue[QueueItem]) -> None:
        block = int(self.sample_rate * BLOCK_S)
        began = time.monotonic()
        for start in range(0, len(self.samples), block):
            if self._stopping.is_set():
                return
            if self.pace > 0:
                due = began + start / self.sample_rate / self.pace
                self._stopping.wait(max(0.0, due - time.monotonic()))
            sink.put(self.samples[start : start + block])
        sink.put(SourceEnded())

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)


class Recording:
    """One answer being recorded: a writer thread from the source's queue to the WAV.

    `on_block(samples_int16)` and `on_level(Level)` run on the writer thread; keep them quick.
    `mute_for(seconds)` writes silence in place of what the microphone hears for that long (the
    question replayed through the speaker), so the answer's timing stays true and its transcript
    holds only the candidate.
    """

    def __init__(
        self,
        source: AudioSource,
        path: Path,
        *,
        max_answer_s: float,
        auto_stop_silence_s: float = 0.0,
        on_block: Callable[[np.ndarray], None] | None = None,
        on_level: Callable[[Level], None] | None = None,
    ) -> None:
        if not 0 < max_answer_s <= MAX_ANSWER_LIMIT_S:  # also refuses nan
            raise UserError(
                f"max_answer_s must be more than 0 and at most {MAX_ANSWER_LIMIT_S:g} seconds, "
                f"not {max_answer_s:g}"
            )
        self.source = source
        self.path = path
        self.max_frames = int(max_answer_s * source.sample_rate)
        self._muted_until_frame = 0
        self.auto_stop_silence_s = auto_stop_silence_s
        self._on_block = on_block
        self._on_level = on_level
        self._queue: queue.Queue[QueueItem] = queue.Queue()
        self._stop = threading.Event()
        self._result: RecordingResult | None = None
        self._writer = WavAppender(path, source.sample_rate)
        self._meter = _LevelMeter()
        self._thread = threading.Thread(target=self._run, name="recording-writer", daemon=True)

    def start(self, on_started: Callable[[], None] | None = None) -> None:
        """Open the source, call `on_started` once it delivers, then write. If the source cannot
        open or `on_started` fails, the source is closed and the WAV removed: nothing is left."""
        try:
            self.source.start(self._queue)
            try:
                if on_started is not None:
                    on_started()
            except Exception:
                self.source.stop()
                raise
        except Exception:
            self._writer.close()
            self.path.unlink(missing_ok=True)
            raise
        self._thread.start()

    def mute_for(self, seconds: float) -> None:
        """Write silence for the next `seconds` of captured audio (any thread)."""
        self._muted_until_frame = self._writer.frames + int(seconds * self.source.sample_rate)

    def stop(self) -> None:
        """Ask to stop (any thread); what is already captured is still written."""
        self._stop.set()

    @property
    def frames(self) -> int:
        return self._writer.frames

    def wait(self, timeout: float | None = None) -> RecordingResult | None:
        self._thread.join(timeout)
        return self._result

    def _run(self) -> None:
        reason, error = StopReason.FAILED, None
        try:
            reason, error = self._write_until_stopped()
        except OSError as exc:
            error = _write_error(exc, self.path)
        except Exception as exc:  # the writer must never die silently and lose the header
            error = f"recording stopped: {_first_line(exc)}"
        finally:
            self.source.stop()
            self._emit_level()
            try:
                self._writer.close()
            except OSError as exc:
                reason, error = StopReason.FAILED, error or _write_error(exc, self.path)
            self._result = RecordingResult(
                self.path,
                self.source.sample_rate,
                self._writer.frames,
                reason,
                error,
                self.source.input_overflows,
            )

    def _write_until_stopped(self) -> tuple[StopReason, str | None]:
        rate = self.source.sample_rate
        last_sync = last_level = time.monotonic()
        heard_speech = False
        silent_frames = 0
        while True:
            if self._stop.is_set():
                self.source.stop()
                self._drain()
                return StopReason.REQUESTED, None
            try:
                item = self._queue.get(timeout=LEVEL_INTERVAL_S)
            except queue.Empty:
                item = None
            now = time.monotonic()
            if isinstance(item, SourceEnded):
                return StopReason.SOURCE_ENDED, None
            if isinstance(item, SourceFailed):
                return StopReason.FAILED, item.message
            if item is not None:
                block, muted = self._take(item[: self.max_frames - self._writer.frames])
                loud = _LevelMeter.block_dbfs(block) > SILENCE_DBFS
                heard_speech = heard_speech or loud
                # The candidate listening to the question again has not finished answering.
                silent_frames = 0 if loud or muted else silent_frames + len(block)
                if self._writer.frames >= self.max_frames:
                    return StopReason.MAX_LENGTH, None
                if (
                    self.auto_stop_silence_s > 0
                    and heard_speech
                    and silent_frames >= self.auto_stop_silence_s * rate
                ):
                    return StopReason.SILENCE, None
            if now - last_sync >= HEADER_FIX_INTERVAL_S:
                self._writer.sync()
                last_sync = now
            if now - last_level >= LEVEL_INTERVAL_S:
                self._emit_level()
                last_level = now

    def _take(self, block: np.ndarray) -> tuple[np.ndarray, bool]:
        """Write a block (silenced where muted); the block as written, and whether it was muted."""
        muted_frames = self._muted_until_frame - self._writer.frames
        if muted_frames > 0:
            block = block.copy()
            block[:muted_frames] = 0
        self._writer.append(block)
        self._meter.add(block)
        if self._on_block is not None:
            self._on_block(block)
        return block, muted_frames > 0

    def _drain(self) -> None:
        """Write what the source captured before it was stopped."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, np.ndarray):
                self._take(item[: self.max_frames - self._writer.frames])

    def _emit_level(self) -> None:
        rms, peak = self._meter.take()
        if self._on_level is not None:
            self._on_level(Level(rms, peak, self._writer.frames / self.source.sample_rate))


class _LevelMeter:
    """RMS and peak of the audio since the last reading."""

    def __init__(self) -> None:
        self._squares = 0.0
        self._count = 0
        self._peak = 0.0

    @staticmethod
    def block_dbfs(block: np.ndarray) -> float:
        if block.size == 0:
            return -120.0
        mean_square = float(np.mean((block.astype(np.float64) / 32768.0) ** 2))
        return 10.0 * np.log10(max(mean_square, 1e-12))

    def add(self, block: np.ndarray) -> None:
        if block.size == 0:
            return
        scaled = block.astype(np.float64) / 32768.0
        self._squares += float(np.sum(scaled**2))
        self._count += block.size
        self._peak = max(self._peak, float(np.max(np.abs(scaled))))

    def take(self) -> tuple[float, float]:
        rms = (self._squares / self._count) ** 0.5 if self._count else 0.0
        peak = self._peak
        self._squares, self._count, self._peak = 0.0, 0, 0.0
        return rms, peak


def _write_error(exc: OSError, path: Path) -> str:
    if exc.errno in _DISK_FULL_ERRNOS:
        return f"disk full: recording stopped; what was recorded is kept in {path}"
    return f"cannot write the recording {path}: {exc.strerror or exc}"

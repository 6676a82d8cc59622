"""Interruptible playback on the chosen output device, with the position for replay highlighting.

A sounddevice OutputStream pulls from the samples in its callback, so playing never blocks the
caller: `stop`, `pause`, `seek` and `position_s` work from any thread while audio plays.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from mock_interview.audio.devices import find_device, import_sounddevice
from mock_interview.core.errors import UserError

BLOCK_S = 0.05


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A WAV as int16 mono samples and its rate (what the recorder and the speech writer make)."""
    try:
        samples, rate = soundfile.read(path, dtype="int16", always_2d=True)
    except (RuntimeError, OSError) as exc:
        raise UserError(f"{path}: cannot play it ({exc})") from None
    return samples[:, 0].copy(), int(rate)


class Player:
    """One output stream at a time on the chosen device; position in seconds of the audio."""

    def __init__(self, device_spec: str = "") -> None:
        self._sd = import_sounddevice()
        self.device = find_device(device_spec, "output")
        self._lock = threading.Lock()
        self._samples = np.zeros(0, dtype=np.int16)
        self._rate = 1
        self._frame = 0
        self._stream: Any = None
        self._finished = threading.Event()
        self._finished.set()

    def play(self, samples: np.ndarray, rate: int, start_s: float = 0.0) -> None:
        """Start playing (stopping anything playing); returns at once."""
        self.stop()
        sd = self._sd
        with self._lock:
            self._samples = samples.astype(np.int16, copy=False)
            self._rate = rate
            self._frame = min(len(self._samples), max(0, int(start_s * rate)))
        self._finished.clear()
        try:
            self._stream = sd.OutputStream(
                device=self.device.id,
                samplerate=rate,
                channels=1,
                dtype="int16",
                blocksize=int(rate * BLOCK_S),
                callback=self._fill,
                finished_callback=self._finished.set,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self._finished.set()
            raise UserError(f"cannot play on '{self.device.name}': {exc}") from None

    def play_file(self, path: Path, start_s: float = 0.0) -> None:
        samples, rate = read_wav(path)
        self.play(samples, rate, start_s)

    def _fill(self, outdata: np.ndarray, frames: int, moment: object, status: object) -> None:
        with self._lock:
            chunk = self._samples[self._frame : self._frame + frames]
            self._frame += len(chunk)
        outdata[: len(chunk), 0] = chunk
        outdata[len(chunk) :, 0] = 0
        if len(chunk) < frames:
            raise self._sd.CallbackStop

    @property
    def position_s(self) -> float:
        with self._lock:
            return self._frame / self._rate

    @property
    def duration_s(self) -> float:
        return len(self._samples) / self._rate

    @property
    def playing(self) -> bool:
        return not self._finished.is_set()

    def seek(self, position_s: float) -> None:
        with self._lock:
            self._frame = min(len(self._samples), max(0, int(position_s * self._rate)))

    def pause(self) -> None:
        """Stop where it is; `resume` (or `play(..., start_s=position_s)`) goes on from there."""
        if self._stream is not None and self.playing:
            self._stream.stop()

    def resume(self) -> None:
        stream = self._stream
        if stream is not None and not stream.active and self.position_s < self.duration_s:
            self._finished.clear()
            stream.start()

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()
            stream.close()
        self._finished.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playback ends or is stopped; False on timeout."""
        return self._finished.wait(timeout)

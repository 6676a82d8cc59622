"""A real sound card made of two files, for tests that go through sounddevice and PortAudio.

ALSA's `file` plugin reads capture audio from IN.raw and writes playback audio to OUT.raw (16-bit
mono PCM, no header, at whatever rate the stream was opened; a second playback stream writes
OUT.raw.0001 and so on). Each playback starts with a little silence the device primes itself
with. PortAudio reads the ALSA config when it initialises, so the code under test runs in a
subprocess whose HOME holds the `.asoundrc`.

The null device has no clock: capture runs far faster than real time and delivers silence once
IN.raw is used up, so tests stop on recorded frames (e.g. `max_answer_s`), never on wall time.

    device = AlsaDevice(tmp_path)
    device.feed(samples_16k)                 # float32 in -1..1 or int16
    result = device.run("from mock_interview... import ...; ...")
    device.played()                          # int16 samples written to the speaker
    device.playbacks()                       # the same, one array per playback stream

`PacedSpeaker` gives the speaker a clock, for tests that act while audio plays.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np

# Capture reads IN.raw (what it captured goes to /dev/null); each playback stream writes a new
# file, OUT.raw then OUT.raw.0001, OUT.raw.0002 ... (truncate false keeps the earlier ones).
FILE_DEVICE = """pcm.!default {{
  type asym
  playback.pcm {{ type file; slave.pcm "null"; file "{out}"; format "raw"; truncate false }}
  capture.pcm {{ type file; slave.pcm "null"; file "/dev/null"; infile "{inp}"; format "raw" }}
}}
"""
REPO = Path(__file__).resolve().parent.parent
# What `AlsaDevice.feed` adds after the samples (see there).
TRAILING_SILENCE_S = 1.0


class AlsaDevice:
    """A temporary HOME whose default ALSA device is IN.raw (microphone) and OUT.raw (speaker).

    `asoundrc=None` gives a machine with no sound devices at all; any other text is used as the
    ALSA config with `{inp}` and `{out}` filled in.
    """

    def __init__(self, root: Path, asoundrc: str | None = FILE_DEVICE) -> None:
        self.home = root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.in_raw = self.home / "IN.raw"
        self.out_raw = self.home / "OUT.raw"
        self.in_raw.write_bytes(b"")
        if asoundrc is not None:
            config = asoundrc.format(inp=self.in_raw, out=self.out_raw)
            (self.home / ".asoundrc").write_text(config)
        self.data_dir = self.home / "data" / "mock-interview"

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """What the microphone will hear: float samples in -1..1 (as `load_audio` gives them) or
        int16, then `TRAILING_SILENCE_S` of silence. Returns the int16 samples given, to compare
        with a recording.

        At the end of its input file the ALSA file plugin can hand PortAudio a stale period again
        (seen: the last 1.2 s repeated after the file ran out), which the app then hears as
        speech; the silence keeps a recording that stops a little after the answer inside the
        file."""
        if samples.dtype != np.int16:
            samples = np.clip(np.round(samples * 32768), -32768, 32767).astype(np.int16)
        silence = np.zeros(int(TRAILING_SILENCE_S * 16000), np.int16)
        np.concatenate([samples, silence]).astype("<i2").tofile(self.in_raw)
        return samples

    def playbacks(self) -> list[np.ndarray]:
        """What each playback stream wrote to the speaker, in order, as int16 samples."""
        files = sorted(self.home.glob(self.out_raw.name + "*"), key=lambda path: path.name)
        return [_int16(path.read_bytes()) for path in files]

    def played(self) -> np.ndarray:
        """Everything written to the speaker so far, as int16 samples."""
        return np.concatenate([np.zeros(0, dtype=np.int16), *self.playbacks()])

    @property
    def env(self) -> dict[str, str]:
        """The environment of the subprocess: this HOME and user dirs inside it."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("XDG_", "MOCK_INTERVIEW_"))
        }
        env.update(
            HOME=str(self.home),
            XDG_DATA_HOME=str(self.home / "data"),
            XDG_CACHE_HOME=str(self.home / "cache"),
            XDG_CONFIG_HOME=str(self.home / "config"),
            PYTHONPATH=os.pathsep.join(
                [str(REPO / "src"), str(REPO / "tests"), env.get("PYTHONPATH", "")]
            ),
        )
        return env

    def start(
        self, code: str, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[str]:
        """Start `code` (a Python snippet, dedented) in the subprocess; for kill tests.
        `env` adds to (or replaces parts of) `self.env`."""
        return subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), *args],
            env={**self.env, **(env or {})},
            cwd=self.home,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(
        self,
        code: str,
        *args: str,
        timeout: float = 120,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `code` to the end and return its exit status and output."""
        process = self.start(code, *args, env=env)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            raise AssertionError(f"subprocess timed out after {timeout} s:\n{stderr}") from None
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

    def run_cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`mock-interview ARGS` in the subprocess."""
        return self.run(
            "from mock_interview.cli import main; raise SystemExit(main())", *args, timeout=timeout
        )


# A speaker that takes its audio at the pace it plays: OUT.raw is a pipe the test reads.
PACED_DEVICE = FILE_DEVICE.replace("truncate false", "truncate true")
PIPE_BYTES = 4096


class PacedSpeaker(AlsaDevice):
    """An `AlsaDevice` whose speaker takes 16-bit mono audio no faster than `rate` samples a
    second, so playback lasts as long as it would on a sound card and a signal sent while it
    plays lands mid-way.

    The null device has no clock: a 30-minute recording is written out in about a second. Here
    OUT.raw is a named pipe, shrunk to one page, that a thread drains at the given rate; the
    player's writes block until it does. The test holds the pipe open for writing too, so the
    device's opens never wait for a reader and the pipe never ends. One playback stream."""

    def __init__(self, root: Path, rate: int) -> None:
        super().__init__(root, PACED_DEVICE)
        self.out_raw.unlink(missing_ok=True)
        os.mkfifo(self.out_raw)
        self._pipe = os.open(self.out_raw, os.O_RDWR)
        fcntl.fcntl(self._pipe, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self._bytes_per_s = 2 * rate
        self._received = bytearray()
        self._lock = threading.Lock()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        """Read as fast as the clock allows: a budget that grows with time, up to one page."""
        budget, last = 0.0, time.monotonic()
        while True:
            now = time.monotonic()
            budget, last = min(budget + (now - last) * self._bytes_per_s, PIPE_BYTES), now
            if budget < 2:
                time.sleep(0.005)
                continue
            chunk = os.read(self._pipe, int(budget) // 2 * 2)
            budget -= len(chunk)
            with self._lock:
                self._received.extend(chunk)

    def playbacks(self) -> list[np.ndarray]:
        with self._lock:
            return [_int16(bytes(self._received))]


def _int16(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2")

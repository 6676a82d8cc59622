"""Recording through the real PortAudio (ALSA file device) and the crash-safe WAV writer."""

from __future__ import annotations

import json
import os
import signal
import stat
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from alsa_device import AlsaDevice
from mock_interview.audio.io import load_audio
from mock_interview.audio.recorder import (
    HEADER_BYTES,
    FileSource,
    Level,
    Recording,
    StopReason,
    WavAppender,
    repair_wav,
)
from mock_interview.core.errors import UserError

RATE = 16000
pytestmark = pytest.mark.alsa


def tone_bursts(seconds: float, rate: int = RATE, seed: int = 1) -> np.ndarray:
    """A recognisable signal: noise-free tones switching every 0.25 s, never silent."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    freqs = rng.uniform(200, 2000, size=int(seconds * 4) + 1)[(t * 4).astype(int)]
    return (0.4 * np.sin(2 * np.pi * freqs * t)).astype(np.float32)


def as_int16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1, 1) * 32767).astype(np.int16)


RECORD_SNIPPET = """
import json, sys
from pathlib import Path
from mock_interview.audio.recorder import MicrophoneSource, Recording
from mock_interview.core.errors import UserError
levels = []
try:
    recording = Recording(MicrophoneSource(), Path(sys.argv[1]), max_answer_s=float(sys.argv[2]),
                          on_level=levels.append)
    recording.start()
    result = recording.wait(60)
except UserError as error:
    print(json.dumps({"user_error": str(error)}), flush=True)
    raise SystemExit(2)
print(json.dumps({"frames": result.frames, "reason": result.reason, "error": result.error,
                  "rate": result.sample_rate, "levels": len(levels),
                  "peak": max((level.peak for level in levels), default=0)}), flush=True)
"""


def test_microphone_recording_matches_what_was_fed(tmp_path: Path) -> None:
    device = AlsaDevice(tmp_path)
    fed = as_int16(tone_bursts(3.0))
    device.feed(fed)
    target = device.home / "recordings" / "answer.wav"
    run = device.run(RECORD_SNIPPET, str(target), "2.0")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["reason"] == StopReason.MAX_LENGTH and result["error"] is None
    assert result["frames"] == 2 * RATE
    assert result["peak"] > 0.3
    recorded, rate = soundfile.read(target, dtype="int16")
    assert rate == RATE
    np.testing.assert_array_equal(recorded, fed[: 2 * RATE])
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700


def test_no_input_device_is_one_clear_line(tmp_path: Path) -> None:
    device = AlsaDevice(tmp_path, asoundrc=None)
    run = device.run(RECORD_SNIPPET, str(device.home / "a.wav"), "1")
    assert run.returncode == 2
    assert "no microphone" in json.loads(run.stdout)["user_error"]


def test_device_unavailable_when_opened_is_one_clear_line(tmp_path: Path) -> None:
    """The device is listed but cannot be opened (busy or gone): an error, no hang, no traceback."""
    device = AlsaDevice(tmp_path)
    run = device.run(
        """
        import sys
        from pathlib import Path
        from mock_interview.audio.recorder import MicrophoneSource, Recording
        from mock_interview.core.errors import UserError
        source = MicrophoneSource()
        Path("IN.raw").unlink()
        target = Path(sys.argv[1])
        try:
            Recording(source, target, max_answer_s=1).start()
        except UserError as error:
            print(error)
        print(target.exists())
        """,
        str(device.home / "a.wav"),
    )
    assert run.returncode == 0, run.stderr
    message, kept = run.stdout.strip().splitlines()
    assert message.startswith("cannot open the microphone") and "busy" in message
    assert kept == "False"  # a failed start leaves nothing behind (issue 12)


def test_device_lost_mid_recording_keeps_what_was_recorded(tmp_path: Path) -> None:
    """IN.raw is a pipe that delivers 1 s of audio and then nothing: the device stops answering."""
    device = AlsaDevice(tmp_path)
    device.in_raw.unlink()
    os.mkfifo(device.in_raw)
    pipe = os.open(device.in_raw, os.O_RDWR)  # held open so reads block instead of seeing EOF
    fed = as_int16(tone_bursts(1.0))
    threading.Thread(target=os.write, args=(pipe, fed.tobytes()), daemon=True).start()
    target = device.home / "a.wav"
    process = device.start(RECORD_SNIPPET, str(target), "100")
    try:
        assert process.stdout is not None
        result = json.loads(process.stdout.readline())
    finally:
        process.kill()  # PortAudio may stay stuck on the dead device at exit
        process.communicate()
        os.close(pipe)
    assert result["reason"] == StopReason.FAILED
    assert result["error"].startswith("input device lost")
    recorded, _ = soundfile.read(target, dtype="int16")
    # The device may pad its last period with (near) silence before it stalls.
    np.testing.assert_array_equal(recorded[: len(fed)], fed)
    padding = recorded[len(fed) :]
    assert len(padding) <= RATE // 2 and np.abs(padding).max(initial=0) <= 1


def test_disk_full_stops_cleanly_and_keeps_a_valid_file(tmp_path: Path) -> None:
    device = AlsaDevice(tmp_path)
    device.feed(as_int16(tone_bursts(4.0)))
    limit = HEADER_BYTES + 2 * RATE * 2 + 1001  # room for about 2 s of audio
    target = device.home / "a.wav"
    run = device.run(
        f"import resource\nresource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        + RECORD_SNIPPET,
        str(target),
        "10",
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["reason"] == StopReason.FAILED
    assert result["error"].startswith("disk full") and str(target) in result["error"]
    assert 1.9 < load_audio(target).duration_s <= 2.1
    assert result["frames"] == (target.stat().st_size - HEADER_BYTES) // 2


def test_repair_restores_audio_written_after_the_last_header_fix(tmp_path: Path) -> None:
    target = tmp_path / "rec" / "a.wav"
    writer = WavAppender(target, RATE)
    audio = as_int16(tone_bursts(2.0))
    writer.append(audio[:RATE])
    writer.sync()
    writer.append(audio[RATE:])
    with target.open("ab") as handle:
        handle.write(b"\x01")  # a torn last sample
    assert soundfile.info(target).frames == RATE  # the header only counts the synced second
    assert repair_wav(target) is True
    np.testing.assert_array_equal(soundfile.read(target, dtype="int16")[0], audio)
    assert repair_wav(target) is False


def test_repair_refuses_a_file_it_did_not_write(tmp_path: Path) -> None:
    other = tmp_path / "x.wav"
    other.write_bytes(b"not a wav at all" * 10)
    with pytest.raises(UserError, match="cannot repair"):
        repair_wav(other)


KILL_SNIPPET = """
import sys
from pathlib import Path
from mock_interview.audio.recorder import FileSource, Recording
recording = Recording(FileSource(Path(sys.argv[1])), Path(sys.argv[2]), max_answer_s=600)
recording.start()
print("started", flush=True)
recording.wait()
"""


def test_kill_9_loses_at_most_the_last_second(tmp_path: Path) -> None:
    source = tmp_path / "answer.wav"
    audio = tone_bursts(20.0)
    soundfile.write(source, audio, RATE, subtype="PCM_16")
    device = AlsaDevice(tmp_path)
    target = device.home / "rec" / "a.wav"
    process = device.start(KILL_SNIPPET, str(source), str(target))
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started"
    began = time.monotonic()
    time.sleep(3.0)
    process.send_signal(signal.SIGKILL)
    elapsed = time.monotonic() - began
    process.communicate()
    repair_wav(target)
    recorded, _ = soundfile.read(target, dtype="int16")
    assert elapsed - 1.0 <= len(recorded) / RATE <= elapsed + 0.2
    fed, _ = soundfile.read(source, dtype="int16")
    np.testing.assert_array_equal(recorded, fed[: len(recorded)])


def make_wav(path: Path, samples: np.ndarray) -> Path:
    soundfile.write(path, samples, RATE, subtype="PCM_16")
    return path


def test_auto_stop_after_silence(tmp_path: Path) -> None:
    speech_then_silence = np.concatenate([tone_bursts(2.0), np.zeros(6 * RATE, np.float32)])
    source = FileSource(make_wav(tmp_path / "in.wav", speech_then_silence), pace=0)
    recording = Recording(source, tmp_path / "out.wav", max_answer_s=60, auto_stop_silence_s=1.5)
    recording.start()
    result = recording.wait(30)
    assert result is not None and result.reason == StopReason.SILENCE
    assert 3.4 <= result.duration_s <= 3.6


def test_file_source_ends_the_recording_and_reports_levels(tmp_path: Path) -> None:
    audio = tone_bursts(1.0)
    levels: list[Level] = []
    source = FileSource(make_wav(tmp_path / "in.wav", audio), pace=4.0)
    recording = Recording(source, tmp_path / "out.wav", max_answer_s=60, on_level=levels.append)
    recording.start()
    result = recording.wait(30)
    assert result is not None and result.reason == StopReason.SOURCE_ENDED
    assert result.frames == len(audio)
    assert len(levels) >= 2  # 0.25 s of wall time, a reading at least every 0.1 s
    assert all(0.2 < level.rms <= level.peak <= 0.41 for level in levels if level.rms)
    assert [level.elapsed_s for level in levels] == sorted(level.elapsed_s for level in levels)


def test_stop_on_request_writes_what_was_captured(tmp_path: Path) -> None:
    source = FileSource(make_wav(tmp_path / "in.wav", tone_bursts(10.0)), pace=1.0)
    recording = Recording(source, tmp_path / "out.wav", max_answer_s=60)
    recording.start()
    time.sleep(1.0)
    recording.stop()
    result = recording.wait(5)
    assert result is not None and result.reason == StopReason.REQUESTED
    assert 0.8 <= result.duration_s <= 1.3
    assert load_audio(result.path).duration_s == pytest.approx(result.duration_s, abs=0.01)

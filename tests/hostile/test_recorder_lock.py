"""One recorder per data folder (issue 12, item 5): a second `practice` started while the first
records gets one line and exit 2 and touches nothing; the first one's half-written answer is
recovered only once its writer is gone (kill -9 drops the lock)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from alsa_device import AlsaDevice
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import load_audio
from mock_interview.core.config import Settings, load_questions
from mock_interview.core.errors import UserError
from mock_interview.session.recovery import RecorderLock, recover_unfinished
from mock_interview.storage.database import STATUS_DONE, Store
from tui_fakes import FakeBackend, wait_until_ready

SAMPLES = Path(__file__).resolve().parent.parent.parent / "audio_samples"
LONG_ANSWER = SAMPLES / "goal_missed_weak.flac"  # 86 s at speaking pace: still recording below
BUSY = "another mock-interview is recording into"


def wait_for_recording(process: object) -> None:
    """Read the first `practice`'s progress lines until its answer is being recorded."""
    stderr = process.stderr  # type: ignore[attr-defined]
    for line in stderr:
        if line.startswith("Recording ("):
            return
    raise AssertionError("the first practice never started recording")


@pytest.mark.model
def test_a_second_practice_is_refused_and_recovery_waits_for_the_writer(
    tmp_path: Path, settings: Settings, transcriber: Transcriber
) -> None:
    device = AlsaDevice(tmp_path)
    first = device.start(
        "from mock_interview.cli.entry import main; raise SystemExit(main())",
        "practice", "--question", "goal-missed", "--no-speak", "--answer-file", str(LONG_ANSWER),
        "--answer-pace", "1",  # at speaking pace: still recording below
    )  # fmt: skip
    try:
        wait_for_recording(first)
        began = time.monotonic()
        second = device.run_cli(
            "practice", "--question", "goal-missed", "--no-speak", "--answer-file", str(LONG_ANSWER)
        )
        assert second.returncode == 2
        assert second.stdout == ""
        assert "Traceback" not in second.stderr
        [line] = second.stderr.splitlines()
        assert line.startswith(f"mock-interview: {BUSY} {device.data_dir}")

        with Store(device.data_dir / "sessions.db") as store:
            [row] = store.unfinished_recordings()  # the second one left no row of its own
            assert row.recording_path is not None
            with pytest.raises(UserError, match=BUSY):
                RecorderLock(store).acquire()  # so recovery cannot touch the live recording
            with pytest.raises(UserError):
                next(recover_unfinished(RecorderLock(store), store, {}, settings, transcriber))
            time.sleep(max(0.0, 3.0 - (time.monotonic() - began)))
            size_while_live = row.recording_path.stat().st_size
            time.sleep(1.0)
            assert row.recording_path.stat().st_size > size_while_live  # the first still writes
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()

    with Store(device.data_dir / "sessions.db") as store, RecorderLock(store) as lock:
        [recovered] = recover_unfinished(lock, store, load_questions(), settings, transcriber)
        assert recovered.problem is None and recovered.row.id == row.id
        assert store.answer(row.id).row.status == STATUS_DONE
        assert load_audio(row.recording_path).duration_s > 3.0
        assert [answer.id for answer in store.answers()] == [row.id]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_tui_says_so_when_another_recorder_holds_the_folder(
    settings: Settings, tmp_path: Path
) -> None:
    """The TUI takes the lock when an interview starts: held elsewhere, it stays on Home with a
    notice, and once the other recorder is gone the interview opens."""
    from mock_interview.tui.app import make_app
    from mock_interview.tui.screens.home import HomeScreen
    from mock_interview.tui.screens.interview import InterviewScreen

    store = Store(tmp_path / "data" / "sessions.db")
    app = make_app(settings, load_questions(), store, FakeBackend(), tmp_path)
    other = RecorderLock(store).acquire()  # another process's open file, as far as flock goes
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_ready(pilot)
        app.start_session(["goal-missed"], demo=True)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any(BUSY in notice.message for notice in app._notifications)
        other.release()
        app.start_session(["goal-missed"], demo=True)
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
    store.close()

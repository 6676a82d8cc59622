"""The live practice engine: chunked transcription agrees with `analyze`, the whole loop runs
through the real PortAudio, and a killed recording is repaired and analysed on the next start."""

from __future__ import annotations

import itertools
import json
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jiwer
import numpy as np
import pytest
import soundfile

from alsa_device import AlsaDevice
from mock_interview.analysis.analyze import analyze_file
from mock_interview.asr.chunking import ChunkingOptions, _ToAnalysisRate, find_cut
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.audio.recorder import FileSource, StopReason
from mock_interview.audio.tts import speech_file
from mock_interview.core.config import Settings, load_questions
from mock_interview.core.values import normalize_token
from mock_interview.session.engine import (
    ChunkTranscribed,
    LevelMeasured,
    PracticeEngine,
    QuestionAsked,
    RecordingStarted,
    RecordingStopped,
    SessionFinished,
    transcribe_recording,
)
from mock_interview.session.recovery import recover_answer, unfinished_answers
from mock_interview.storage.database import STATUS_DONE, Store

SAMPLES = Path(__file__).resolve().parent.parent / "audio_samples"
WEAK_ANSWER = SAMPLES / "goal_missed_weak.flac"
RATE = ANALYSIS_RATE
# The chunking the app uses (its defaults), which the cuts below are checked against.
CHUNKING = ChunkingOptions()
WINDOW_S, LOOKAHEAD_S, CHUNK_MIN_S = CHUNKING.window_s, CHUNKING.lookahead_s, CHUNKING.chunk_min_s


def transcript_of(report: dict[str, Any]) -> str:
    return " ".join(normalize_token(word["text"]) for word in report["transcript"]["words"])


def spoken_stretches(truth: dict[str, Any]) -> list[tuple[float, float]]:
    return [(segment["start_s"], segment["end_s"]) for segment in truth["segments"]]


@pytest.mark.parametrize("window_start_s", [0.0, 7.5, 20.0, 31.0, 48.0, 59.0])
def test_cut_falls_in_the_latest_pause_never_in_a_word(window_start_s: float) -> None:
    truth = json.loads(WEAK_ANSWER.with_suffix(".json").read_text())
    samples = load_audio(WEAK_ANSWER).samples
    start = int(window_start_s * RATE)
    searched = samples[start : start + int((WINDOW_S - LOOKAHEAD_S) * RATE)]
    cut_s = window_start_s + find_cut(searched) / RATE
    spoken = spoken_stretches(truth)
    assert not any(begin < cut_s < end for begin, end in spoken), cut_s
    end_s = window_start_s + searched.size / RATE
    pauses = [
        (before[1], after[0])
        for before, after in itertools.pairwise(spoken)
        if after[0] - before[1] >= 0.6
        and before[1] + after[0] >= 2 * (window_start_s + CHUNK_MIN_S)
        and after[0] <= end_s
    ]
    if pauses:
        latest_middle_s = (pauses[-1][0] + pauses[-1][1]) / 2
        assert cut_s >= latest_middle_s - 0.15


def test_silence_is_cut_whole() -> None:
    silence = np.zeros(int((WINDOW_S - LOOKAHEAD_S) * RATE), dtype=np.float32)
    assert find_cut(silence) == silence.size


def test_device_rate_audio_is_resampled_like_the_saved_file(tmp_path: Path) -> None:
    rate = 48000
    t = np.arange(3 * rate) / rate
    audio = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    soundfile.write(tmp_path / "a.wav", audio, rate, subtype="PCM_16")
    convert = _ToAnalysisRate(rate)
    blocks = [convert(audio[start : start + 2400]) for start in range(0, len(audio), 2400)]
    live = np.concatenate([*blocks, convert(None)])
    saved = load_audio(tmp_path / "a.wav").samples
    assert abs(len(live) - len(saved)) <= 2
    size = min(len(live), len(saved))
    np.testing.assert_allclose(live[:size], saved[:size], atol=2e-4)


@dataclass(frozen=True)
class LiveRun:
    path: Path
    report: dict[str, Any]
    events: list[Any]


@pytest.fixture(scope="module")
def live_run(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, transcriber: Transcriber
) -> LiveRun:
    """The weak sample answer recorded and transcribed live, once for the tests below."""
    events: list[Any] = []
    result, report = transcribe_recording(
        FileSource(WEAK_ANSWER, pace=0),
        tmp_path_factory.mktemp("live") / "answer.wav",
        load_questions()["goal-missed"],
        settings,
        transcriber,
        events.append,
    )
    assert result.reason == StopReason.SOURCE_ENDED
    return LiveRun(result.path, report.to_json(), events)


@pytest.fixture(scope="module")
def offline_report(
    live_run: LiveRun, settings: Settings, transcriber: Transcriber
) -> dict[str, Any]:
    """`analyze` on the WAV the live run saved, as `analyze --format json` prints it."""
    questions = load_questions()
    return analyze_file(live_run.path, questions["goal-missed"], settings, transcriber).to_json()


def assert_agrees(live: dict[str, Any], whole: dict[str, Any]) -> None:
    """The live report agrees with `analyze` as issue 5 asks: same length, latency and pauses
    within 0.1 s, filler counts within 1, WER between the two transcripts at most 5%; and the
    same pitch."""
    word_error_rate = jiwer.wer(transcript_of(whole), transcript_of(live))
    assert word_error_rate <= 0.05, transcript_of(live)
    live_timing, whole_timing = live["timing"], whole["timing"]
    for key in ("response_latency_s", "answer_length_s"):
        assert live_timing[key] == pytest.approx(whole_timing[key], abs=0.1), key
    assert len(live_timing["pauses"]) == len(whole_timing["pauses"])
    for live_pause, whole_pause in zip(live_timing["pauses"], whole_timing["pauses"], strict=True):
        assert live_pause["start_s"] == pytest.approx(whole_pause["start_s"], abs=0.1)
        assert live_pause["end_s"] == pytest.approx(whole_pause["end_s"], abs=0.1)
    assert abs(live["fillers"]["count"] - whole["fillers"]["count"]) <= 1
    assert live["audio"]["duration_s"] == pytest.approx(whole["audio"]["duration_s"], abs=0.01)
    # The voice's contour is tracked in the same chunks either way (issue 17): the pitch is the
    # same; what depends on the words (uptalk, loudness, rate) moves with them.
    live_pitch, whole_pitch = live["delivery"]["pitch"], whole["delivery"]["pitch"]
    assert live_pitch["median_hz"] == pytest.approx(whole_pitch["median_hz"], abs=0.5)
    assert live_pitch["spread_st"] == pytest.approx(whole_pitch["spread_st"], abs=0.1)
    assert live_pitch["monotone"] == whole_pitch["monotone"]


@pytest.mark.model
def test_live_timing_and_fillers_agree_with_analyze_on_the_saved_wav(
    live_run: LiveRun, offline_report: dict[str, Any]
) -> None:
    assert_agrees(live_run.report, offline_report)


# The weak answer up to 1.1 s into its pause after 50.9 s: a chunk cut, six fillers and a tail
# that ends in silence, in 52 s of real time rather than the whole answer's 86. The bound on the
# WER measures a few words: fed at this pace the first 52 s differed from `analyze` by 0 to 2
# words of 92 in seven runs (by 0 to 3 in six runs before a word at a junction was kept once).
PACED_ANSWER_S = 52.0


@pytest.mark.model
def test_live_at_speaking_pace_guesses_the_tail_and_still_agrees_with_analyze(
    tmp_path: Path, settings: Settings, transcriber: Transcriber
) -> None:
    """Paced, the idle worker guesses the uncut tail between chunks (each guess is a progress
    event), and the last chunk is built from those guesses: the report still agrees.

    Real time, as a candidate speaks: at 3x pace a guess's decode took 1.5 s of audio, so where
    the guesses fell depended on how fast the machine was (one CI run in several missed two of
    the nine fillers); at speaking pace they fall at the speaker's pauses."""
    answer = tmp_path / "first_52_s.wav"
    soundfile.write(answer, load_audio(WEAK_ANSWER).samples[: int(PACED_ANSWER_S * RATE)], RATE)
    question = load_questions()["goal-missed"]
    events: list[Any] = []
    result, analysis = transcribe_recording(
        FileSource(answer, pace=1.0),
        tmp_path / "answer.wav",
        question,
        settings,
        transcriber,
        events.append,
    )
    report = analysis.to_json()
    assert report["audio"]["duration_s"] == pytest.approx(PACED_ANSWER_S, abs=0.01)
    progress = [event for event in events if isinstance(event, ChunkTranscribed)]
    chunks = 1 + int(report["audio"]["duration_s"] // (WINDOW_S - LOOKAHEAD_S))
    assert len(progress) > 2 * chunks, "the tail was not guessed while the answer went on"
    offline = analyze_file(result.path, question, settings, transcriber).to_json()
    assert offline["fillers"]["count"] >= 5, "the clip lost the fillers it is checked on"
    assert_agrees(report, offline)


@pytest.mark.model
def test_live_transcript_is_the_transcript_analyze_gives_for_the_saved_wav(
    live_run: LiveRun, offline_report: dict[str, Any]
) -> None:
    """Cuts fall at the same places however the audio arrives, so the words are the same."""
    chunks = [event for event in live_run.events if isinstance(event, ChunkTranscribed)]
    assert len(chunks) >= 3, "the answer was not transcribed in chunks"
    until = [chunk.transcribed_until_s for chunk in chunks]
    assert until == sorted(until)
    assert any(isinstance(event, LevelMeasured) for event in live_run.events)
    assert any(isinstance(event, RecordingStopped) for event in live_run.events)
    assert offline_report["transcript"] == live_run.report["transcript"]


@pytest.mark.alsa
@pytest.mark.model
def test_practice_end_to_end_through_portaudio(tmp_path: Path, settings: Settings) -> None:
    """A sample answer is the microphone; the question comes out of the speaker."""
    truth = json.loads(WEAK_ANSWER.with_suffix(".json").read_text())
    fed = load_audio(WEAK_ANSWER).samples
    device = AlsaDevice(tmp_path)
    fed_int16 = device.feed(fed)
    limit = f"{len(fed) / RATE + 0.5:.2f}"
    # One answer, no follow-up: the fed sample is all the microphone has to say.
    user_config = device.home / "config" / "mock-interview" / "settings.toml"
    user_config.parent.mkdir(parents=True)
    user_config.write_text('[practice]\nfollow_ups = "off"\n')
    run = device.run_cli(
        "practice",
        "--question",
        "goal-missed",
        "--max-seconds",
        limit,
        "--format",
        "json",
        timeout=400,
    )
    assert run.returncode == 0, run.stderr
    [report] = json.loads(run.stdout)["answers"]
    assert report["follow_up"] is None

    # What the app rendered for this question (its cache names the file by text, voice and
    # rate), not a second rendering: eSpeak rendered the same text once in a CI run 20% shorter
    # in the test's own process, while the app's, played in full, was the usual one.
    question_text = load_questions()["goal-missed"].text
    speech = settings.speech
    rendered = device.home / "cache" / "mock-interview" / "speech"
    spoken = rendered / speech_file(question_text, speech.voice, speech.rate).name
    question_audio, _ = soundfile.read(spoken, dtype="int16")
    played = device.played()
    lead = int(np.flatnonzero(played)[0] - np.flatnonzero(question_audio)[0])
    np.testing.assert_array_equal(played[lead : lead + len(question_audio)], question_audio)

    recording = Path(report["recording_path"])
    assert recording.is_relative_to(device.data_dir)
    recorded, rate = soundfile.read(recording, dtype="int16")
    assert rate == RATE
    np.testing.assert_array_equal(recorded[: len(fed_int16)], fed_int16)

    timing = report["timing"]
    # The question was spoken and the recording began as it ended: the latency counts from the
    # question's end, so it is the opening of the microphone plus the silence recorded first.
    assert timing["latency_from"] == "question_end"
    assert 0.0 <= timing["recording_started_after_s"] < 1.0
    first_speech_s = timing["response_latency_s"] - timing["recording_started_after_s"]
    assert first_speech_s == pytest.approx(truth["leading_silence_s"], abs=0.25)
    assert timing["answer_length_s"] == pytest.approx(truth["answer_length_s"], abs=0.5)
    assert len(timing["pauses"]) == len(truth["pauses"])
    for found, true in zip(timing["pauses"], truth["pauses"], strict=True):
        assert found["start_s"] == pytest.approx(true["start_s"], abs=0.25)
        assert found["end_s"] == pytest.approx(true["end_s"], abs=0.25)
    assert abs(report["fillers"]["count"] - truth["filler_count"]) <= 2

    with Store(device.data_dir / "sessions.db") as store:
        saved = store.session(report["session_id"])
    assert [answer.row.status for answer in saved.answers] == [STATUS_DONE]
    assert saved.answers[0].report is not None
    assert saved.answers[0].report.to_json()["timing"] == timing


def test_practice_without_a_microphone_exits_2_with_one_line(tmp_path: Path) -> None:
    device = AlsaDevice(tmp_path, asoundrc=None)
    run = device.run_cli("practice", "--no-speak")
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and "no microphone" in run.stderr


KILLED_SESSION = """
import sys
from pathlib import Path
from mock_interview.audio.recorder import FileSource
from mock_interview.core.config import load_questions, load_settings
from mock_interview.session.engine import PracticeEngine, RecordingStarted
from mock_interview.storage.database import Store
from mock_interview.asr.whisper import Transcriber

class Unused(Transcriber):
    def __init__(self): pass
    def transcribe(self, samples, prompt=None, until_s=None):
        return []

def on_event(event):
    if isinstance(event, RecordingStarted):
        print("recording", flush=True)

settings = load_settings()
engine = PracticeEngine(settings, Unused(), Store.open_default(), on_event, speak=False,
                        source_factory=lambda question: FileSource(Path(sys.argv[1])))
engine.run_session([load_questions()["goal-missed"]])
"""


@pytest.mark.model
def test_kill_9_mid_answer_is_repaired_and_analysed_on_next_start(
    tmp_path: Path, settings: Settings, transcriber: Transcriber
) -> None:
    device = AlsaDevice(tmp_path)
    process = device.start(KILLED_SESSION, str(WEAK_ANSWER))
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "recording", process.stderr
    began = time.monotonic()
    time.sleep(10.0)
    process.send_signal(signal.SIGKILL)
    killed_after = time.monotonic() - began
    process.communicate()

    with Store(device.data_dir / "sessions.db") as store:
        [row] = unfinished_answers(store)
        assert row.recording_path is not None
        assert killed_after - 1.5 <= load_audio(row.recording_path).duration_s <= killed_after + 0.2
        recovered = recover_answer(store, row, load_questions(), settings, transcriber)
        assert recovered.problem is None and recovered.report is not None
        assert recovered.report.timing.response_latency_s == pytest.approx(6.0, abs=0.25)
        assert "last year" in recovered.report.transcript.text
        assert store.unfinished_recordings() == []
        assert store.answer(row.id).row.status == STATUS_DONE


DISK_FULL_SESSION = """
import json, resource, sys
from pathlib import Path
from mock_interview.audio.recorder import FileSource
from mock_interview.core.config import load_questions, load_settings
from mock_interview.session.engine import EngineFailed, PracticeEngine
from mock_interview.session.engine import RecordingStopped, ReportReady
from mock_interview.storage.database import Store
from mock_interview.asr.whisper import Transcriber

class NoWords(Transcriber):
    def __init__(self): pass
    def transcribe(self, samples, prompt=None, until_s=None):
        return []

seen = []
def on_event(event):
    if isinstance(event, RecordingStopped):
        seen.append({"event": "stopped", "reason": event.reason, "message": event.message})
    elif isinstance(event, ReportReady):
        seen.append({"event": "report", "answer_id": event.answer_id})
    elif isinstance(event, EngineFailed):
        seen.append({"event": "failed", "message": event.message})
    else:
        seen.append({"event": type(event).__name__})

store = Store.open_default()
resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))
bank = load_questions()
engine = PracticeEngine(load_settings(), NoWords(), store, on_event, speak=False,
                        source_factory=lambda question: FileSource(Path(sys.argv[1]), pace=0))
engine.run_session([bank["goal-missed"], bank["goal-achieved"]])
print(json.dumps(seen))
"""


def test_disk_full_mid_answer_keeps_and_saves_the_answer_and_ends_the_session(
    tmp_path: Path,
) -> None:
    device = AlsaDevice(tmp_path)
    run = device.run(DISK_FULL_SESSION, str(WEAK_ANSWER))
    assert run.returncode == 0, run.stderr
    events = json.loads(run.stdout)
    names = [event["event"] for event in events]
    assert names[:4] == ["SessionStarted", "QuestionAsked", "QuestionSpoken", "RecordingStarted"]
    milestones = [name for name in names if name in {"stopped", "report", "failed"}]
    assert milestones == ["stopped", "report", "failed"] and names[-1] == "failed"
    stopped = next(event for event in events if event["event"] == "stopped")
    failed = events[-1]
    assert stopped["reason"] == StopReason.FAILED and stopped["message"].startswith("disk full")
    assert failed["event"] == "failed" and failed["message"] == stopped["message"]
    assert names.count("QuestionAsked") == 1  # the session ends at the failure
    with Store(device.data_dir / "sessions.db") as store:
        answer = store.answer(next(e["answer_id"] for e in events if e["event"] == "report"))
    assert answer.row.status == STATUS_DONE and answer.row.recording_path is not None
    assert 25 < load_audio(answer.row.recording_path).duration_s < 33
    assert answer.report is not None and answer.report.recording_error == stopped["message"]


@pytest.mark.model
def test_abandon_mid_answer_keeps_that_answer_and_asks_no_more(
    settings: Settings, transcriber: Transcriber
) -> None:
    events: list[Any] = []

    def on_event(event: Any) -> None:
        events.append(event)
        if isinstance(event, RecordingStarted):
            threading.Timer(2.0, engine.abandon).start()

    bank = load_questions()
    with Store.open_default() as store:
        engine = PracticeEngine(
            settings,
            transcriber,
            store,
            on_event,
            speak=False,
            source_factory=lambda question: FileSource(WEAK_ANSWER, pace=1.0),
        )
        session_id = engine.run_session([bank["goal-missed"], bank["goal-achieved"]])
        assert session_id is not None
        saved = store.session(session_id)
    [stopped] = [event for event in events if isinstance(event, RecordingStopped)]
    assert stopped.reason == StopReason.REQUESTED and 1.8 <= stopped.duration_s <= 2.6
    assert [type(event).__name__ for event in events if isinstance(event, QuestionAsked)] == [
        "QuestionAsked"
    ]
    assert isinstance(events[-1], SessionFinished) and len(events[-1].reports) == 1
    assert [answer.row.question_id for answer in saved.answers] == ["goal-missed"]
    assert saved.answers[0].row.status == STATUS_DONE
    recording = saved.answers[0].row.recording_path
    assert recording is not None
    assert load_audio(recording).duration_s == pytest.approx(stopped.duration_s, abs=0.01)

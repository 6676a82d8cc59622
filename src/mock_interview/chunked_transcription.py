"""Transcribing an answer in chunks cut at pauses, while it is recorded or afterwards.

Whisper decodes fixed 30 s windows, which can cut a word in two. Here the audio is cut in the middle
of a pause (>= PAUSE_CUT_S of quiet with speech on both sides) once CHUNK_MIN_S is pending, and each
chunk gets the whole analysis that needs the audio: Silero VAD, the shared Transcriber, the filler
lexicon and the acoustic filler placement (`place_fillers`), all in the chunk's own time, shifted by
its offset. The results are plain lists that `build_report` takes as they are.

The cut points are looked for at fixed points of the audio, not of its arrival, so a recording fed
in live blocks and the same recording read from its file give the same chunks and the same words:
`transcribe_in_chunks` is what the live engine would have produced.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mock_interview.analysis.acoustic_fillers import place_fillers, with_filled_pauses
from mock_interview.analysis.fillers import mark_fillers
from mock_interview.analysis.model import Filler, Span, Word
from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.audio.signal import find_speech
from mock_interview.config import FillerSettings
from mock_interview.transcription import Transcriber

# A chunk is cut once this much audio is pending, at the latest pause of at least PAUSE_CUT_S.
CHUNK_MIN_S = 20.0
# With no pause at all, cut anyway (at the quietest moment) before whisper's 30 s window is full.
CHUNK_MAX_S = 28.0
PAUSE_CUT_S = 0.5
_CUT_CHECK_EVERY_S = 0.5
# The idle worker looks at the uncut tail this often, and guesses it again after this much audio.
_IDLE_POLL_S = 0.1
_GUESS_EVERY_S = 0.25
# A tail guess stands only if the speech in the last chunk ended this long before the guess did.
_GUESS_MARGIN_S = 0.2
_FRAME_S = 0.02
# A frame this close to the pending audio's noise floor is quiet enough to cut in.
_QUIET_ABOVE_FLOOR_DB = 10.0
# Pending audio whose loudest part is below this is all silence; a level spread smaller than
# _MIN_SPREAD_DB between quiet and loud frames means there is no pause to find.
_SILENT_DBFS = -50.0
_MIN_SPREAD_DB = 12.0



class _ToAnalysisRate:
    """int16 blocks at the device rate to float32 at 16 kHz, as `load_audio` decodes the WAV."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._resampler: Any = None
        if rate != ANALYSIS_RATE:
            import av

            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=ANALYSIS_RATE)

    def __call__(self, block: np.ndarray | None) -> np.ndarray:
        """Convert a block; None flushes what the resampler still holds."""
        if self._resampler is None:
            return np.zeros(0, np.float32) if block is None else block.astype(np.float32) / 32768
        import av

        frame = None
        if block is not None:
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = self.rate
        pieces = [out.to_ndarray().reshape(-1) for out in self._resampler.resample(frame)]
        if not pieces:
            return np.zeros(0, np.float32)
        return np.concatenate(pieces).astype(np.float32) / 32768


def _frame_levels(samples: np.ndarray) -> np.ndarray:
    frame = int(_FRAME_S * ANALYSIS_RATE)
    count = samples.size // frame
    frames = samples[: count * frame].reshape(count, frame).astype(np.float64)
    return np.asarray(10 * np.log10(np.maximum(np.mean(frames**2, axis=1), 1e-12)))


def _quiet_frames(levels: np.ndarray) -> np.ndarray:
    """Which frames are pause rather than speech, judged against this stretch of audio."""
    floor, loud = np.percentile(levels, 10), np.percentile(levels, 98)
    if loud < _SILENT_DBFS:
        return np.ones(levels.size, dtype=bool)  # nothing said
    if loud - floor < _MIN_SPREAD_DB:
        return np.zeros(levels.size, dtype=bool)  # steady sound, no pause in it
    return np.asarray(levels < floor + min(_QUIET_ABOVE_FLOOR_DB, (loud - floor) / 2))


def find_cut(samples: np.ndarray) -> int | None:
    """Where to end a chunk: the middle of the latest pause (quiet for >= PAUSE_CUT_S).

    With no such pause and CHUNK_MAX_S pending, the quietest frame of the last 10 s. None: wait.
    """
    frame = int(_FRAME_S * ANALYSIS_RATE)
    levels = _frame_levels(samples)
    if levels.size == 0:
        return None
    quiet = _quiet_frames(levels)
    if quiet.all():
        return samples.size  # nothing said: no word to split
    edges = np.diff(np.concatenate(([0], quiet.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    # Only a pause with speech on both sides: the VAD of each chunk then sees a whole pause at
    # its edges, as the VAD of the whole recording does.
    inside = (starts > 0) & (ends < levels.size)
    long_enough = inside & ((ends - starts) * _FRAME_S >= PAUSE_CUT_S)
    if long_enough.any():
        start, end = starts[long_enough][-1], ends[long_enough][-1]
        return int((start + end) // 2 * frame)
    if samples.size < CHUNK_MAX_S * ANALYSIS_RATE:
        return None
    recent = max(0, levels.size - int(10 / _FRAME_S))
    return int((recent + int(np.argmin(levels[recent:]))) * frame)


def ends_in_pause(samples: np.ndarray) -> bool:
    """The speaker has been quiet for the last PAUSE_CUT_S: maybe the answer is over."""
    levels = _frame_levels(samples)
    tail = int(PAUSE_CUT_S / _FRAME_S)
    return levels.size > tail and bool(_quiet_frames(levels)[-tail:].all())


@dataclass(frozen=True)
class ChunkedTranscript:
    """What the audio says, in seconds from the start of the recording.

    `words` carry the lexicon's filler marks, with filled pauses moved onto their sound; `speech`
    includes the filled pauses; `audio_fillers` were heard but not transcribed; `samples` is how
    much audio (16 kHz) this covers.
    """

    words: list[Word]
    speech: list[Span]
    audio_fillers: list[Filler]
    samples: int

    def then(self, later: ChunkedTranscript) -> ChunkedTranscript:
        return ChunkedTranscript(
            self.words + later.words,
            self.speech + later.speech,
            self.audio_fillers + later.audio_fillers,
            self.samples + later.samples,
        )

    @property
    def filler_count(self) -> int:
        return sum(word.filler for word in self.words) + len(self.audio_fillers)


EMPTY = ChunkedTranscript([], [], [], 0)


def _shifted_span(span: Span, offset_s: float) -> Span:
    return Span(span.start_s + offset_s, span.end_s + offset_s)


def _listen(
    chunk: np.ndarray,
    speech: list[Span],
    transcriber: Transcriber,
    filler_settings: FillerSettings,
    offset_s: float,
) -> tuple[list[Word], list[Filler]]:
    """Words and audio-only fillers of one chunk (given its speech), in recording time."""
    if not speech:
        return [], []
    marked, _ = mark_fillers(transcriber.transcribe(chunk), filler_settings)
    placed, heard_only = place_fillers(chunk, marked, transcriber)
    return (
        [word.shifted(offset_s) for word in placed],
        [
            replace(filler, start_s=filler.start_s + offset_s, end_s=filler.end_s + offset_s)
            for filler in heard_only
        ],
    )


def _with_heard_fillers(
    speech: list[Span], words: list[Word], audio_fillers: list[Filler]
) -> list[Span]:
    heard = [Span(word.start_s, word.end_s) for word in words if word.filler]
    heard += [Span(filler.start_s, filler.end_s) for filler in audio_fillers]
    return with_filled_pauses(speech, heard)


@dataclass(frozen=True)
class _TailGuess:
    """The not-yet-cut audio analysed during a pause, in case the answer ends there."""

    start: int
    size: int
    words: list[Word]
    audio_fillers: list[Filler]


class LiveTranscriber:
    """Transcribes an answer while it grows: chunks cut at pauses, analysed on a worker thread.

    `feed` is called on the recorder's writer thread and stays cheap; `finish` analyses the rest
    and returns the whole answer. While idle, the worker also analyses the uncut tail whenever the
    speaker pauses: if the answer ends in that pause, `finish` has only the VAD of the last chunk
    left to do.
    """

    def __init__(
        self,
        transcriber: Transcriber,
        filler_settings: FillerSettings,
        source_rate: int = ANALYSIS_RATE,
        on_progress: Callable[[ChunkedTranscript], None] | None = None,
        guess_tail: bool = True,
    ) -> None:
        """`on_progress(transcript so far)` runs on the worker after each chunk and each guess
        of the tail (so what follows the last cut may still change). Without `guess_tail` the
        idle worker only waits: a recording read from its file has no pause to use."""
        self._transcriber = transcriber
        self._filler_settings = filler_settings
        self._on_progress = on_progress
        self._guess_tail_when_idle = guess_tail
        self._to_analysis = _ToAnalysisRate(source_rate)
        self._lock = threading.Lock()
        self._pending: list[np.ndarray] = []
        self._pending_size = 0
        self._pending_start = 0
        self._tail_checked = 0
        self._guess: _TailGuess | None = None
        self._done = EMPTY
        self._jobs: queue.Queue[tuple[np.ndarray, int, bool] | None] = queue.Queue()
        self._failure: BaseException | None = None
        self._worker = threading.Thread(target=self._work, name="live-transcriber", daemon=True)
        self._worker.start()

    @property
    def total_samples(self) -> int:
        return self._pending_start + self._pending_size

    def feed(self, block: np.ndarray) -> None:
        """Take an int16 block at the source rate; cut a chunk when a pause allows."""
        self.feed_analysis_samples(self._to_analysis(block))

    def feed_analysis_samples(self, samples: np.ndarray) -> None:
        """Take 16 kHz float samples. Cuts are looked for every _CUT_CHECK_EVERY_S of audio."""
        check = int(_CUT_CHECK_EVERY_S * ANALYSIS_RATE)
        with self._lock:
            while samples.size:
                room = check - self.total_samples % check
                piece, samples = samples[:room], samples[room:]
                self._pending.append(piece)
                self._pending_size += piece.size
                at_check_point = self.total_samples % check == 0
                if at_check_point and self._pending_size >= CHUNK_MIN_S * ANALYSIS_RATE:
                    self._cut_at_pause()

    def _cut_at_pause(self) -> None:
        pending = np.concatenate(self._pending)
        cut = find_cut(pending)
        if cut:
            self._submit(pending[:cut], last=False)
            self._pending = [pending[cut:]]
            self._pending_size = pending.size - cut
        else:
            self._pending = [pending]

    def _submit(self, chunk: np.ndarray, last: bool) -> None:
        self._jobs.put((chunk, self._pending_start, last))
        self._pending_start += chunk.size

    def finish(self) -> ChunkedTranscript:
        """Analyse what is left and return the whole answer."""
        with self._lock:
            self._pending.append(self._to_analysis(None))
            pending = np.concatenate(self._pending)
            self._pending, self._pending_size = [], 0
            if pending.size:
                self._submit(pending, last=True)
        self._jobs.put(None)
        self._worker.join()
        if self._failure is not None:
            raise self._failure
        return self._done

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=_IDLE_POLL_S)
            except queue.Empty:
                if self._guess_tail_when_idle:
                    self._guarded(self._guess_tail)
                continue
            if job is None:
                return
            self._guarded(self._analyse_chunk, *job)

    def _guarded(self, step: Callable[..., None], *args: Any) -> None:
        """Run a step unless one failed; a failure is re-raised by finish() on the engine thread."""
        if self._failure is not None:
            return
        try:
            step(*args)
        except Exception as exc:
            self._failure = exc

    def _analyse_chunk(self, chunk: np.ndarray, start: int, last: bool) -> None:
        offset_s = start / ANALYSIS_RATE
        speech = [_shifted_span(span, offset_s) for span in find_speech(chunk)]
        guess = self._usable_guess(start, speech) if last else None
        if guess is not None:
            words, audio_fillers = guess.words, guess.audio_fillers
        else:
            local = [_shifted_span(span, -offset_s) for span in speech]
            words, audio_fillers = _listen(
                chunk, local, self._transcriber, self._filler_settings, offset_s
            )
        speech = _with_heard_fillers(speech, words, audio_fillers)
        self._done = self._done.then(ChunkedTranscript(words, speech, audio_fillers, chunk.size))
        self._report(self._done)

    def _usable_guess(self, start: int, speech: list[Span]) -> _TailGuess | None:
        """The tail guess, if it was made on this chunk and no speech came after it."""
        guess = self._guess
        if guess is None or guess.start != start:
            return None
        guessed_until_s = (guess.start + guess.size) / ANALYSIS_RATE
        if any(span.end_s > guessed_until_s - _GUESS_MARGIN_S for span in speech):
            return None
        return guess

    def _guess_tail(self) -> None:
        with self._lock:
            start, size = self._pending_start, self._pending_size
            new_audio = start + size - self._tail_checked
            if size < PAUSE_CUT_S * ANALYSIS_RATE or new_audio < _GUESS_EVERY_S * ANALYSIS_RATE:
                return
            self._tail_checked = start + size
            tail = np.concatenate(self._pending)
        if not ends_in_pause(tail):
            return
        words, audio_fillers = _listen(
            tail, find_speech(tail), self._transcriber, self._filler_settings,
            start / ANALYSIS_RATE,
        )
        self._guess = _TailGuess(start, size, words, audio_fillers)
        self._report(self._done.then(ChunkedTranscript(words, [], audio_fillers, size)))

    def _report(self, transcript: ChunkedTranscript) -> None:
        if self._on_progress is not None:
            self._on_progress(transcript)


def transcribe_in_chunks(
    samples: np.ndarray, transcriber: Transcriber, filler_settings: FillerSettings
) -> ChunkedTranscript:
    """A whole recording (16 kHz) cut and analysed exactly as the live engine does it."""
    live = LiveTranscriber(transcriber, filler_settings, guess_tail=False)
    live.feed_analysis_samples(samples)
    return live.finish()

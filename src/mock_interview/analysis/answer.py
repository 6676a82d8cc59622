"""The answer analysis as typed, frozen values, and its one JSON form (schema 1).

`AnswerAnalysis.to_json()` gives exactly the dict `analysis/report.py` has always written (same
keys, same order, same rounding), so stored rows, archives and `analyze --format json` stay
byte-for-byte what they were. `AnswerAnalysis.from_json()` is the only way stored or imported
data comes back in: it checks every field's type, range and length and raises
`ReportFormatError` (one line naming the field path) for anything else, never another exception,
so a damaged row or a hostile archive cannot crash a view.

Stdlib only, so the importer and the store can validate without loading the audio stack.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal, TypeVar, cast

from mock_interview.analysis.timing import Verdict
from mock_interview.core.config import QUESTION_KINDS, QuestionKind
from mock_interview.core.values import STORY_PARTS, Filler, FillerSource, Span, StoryPart, Word

SCHEMA_VERSION = 1

# Bounds far above any real answer (the recorder stops long before), low enough that a forged
# report cannot ask a view to draw a billion pauses or a timeline a year long.
MAX_TIME_S = 24 * 3600.0
MAX_ITEMS = 50_000  # words, pauses, fillers: a 3-minute answer has about 500 words
MAX_RUBRIC_ITEMS = 100  # criteria, flags, quotes per criterion
MAX_TEXT_CHARS = 1_000_000  # a transcript, or a quote from it
MAX_NOTE_CHARS = 10_000  # advice, details, error messages, paths
MAX_NAME_CHARS = 200  # ids and filler labels
MAX_WORD_CHARS = 1_000  # one transcribed word
MAX_SAMPLE_RATE = 1_000_000
MAX_WORDS_PER_MINUTE = 1_000_000.0  # a word in a millisecond of speech, as stamped
MAX_FILLERS_PER_MINUTE = 1_000_000.0
MAX_SCORE = 100
MAX_OVERFLOWS = 10**9  # sound-card blocks dropped in one recording

StructureFlag = Literal["long_setup", "thin_action", "no_lesson_time"]
STRUCTURE_FLAGS: tuple[StructureFlag, ...] = ("long_setup", "thin_action", "no_lesson_time")
SHARE_SUM_TOLERANCE = 0.01  # the parts' shares are rounded to 4 places each
VERDICTS: tuple[Verdict, ...] = ("short", "on_target", "long")
FILLER_SOURCES: tuple[FillerSource, ...] = ("transcript", "audio")
LatencyOrigin = Literal["question_end", "recording_start"]
LATENCY_ORIGINS: tuple[LatencyOrigin, ...] = ("question_end", "recording_start")
CoachingSource = Literal["rubric", "red_flag", "length", "hesitation", "delivery", "strength"]
COACHING_SOURCES: tuple[CoachingSource, ...] = (
    "rubric",
    "red_flag",
    "length",
    "hesitation",
    "delivery",
    "strength",
)
"""Where a finding comes from, in the order findings are ranked: what changes an interviewer's
impression most first."""
MAX_COACHING = 3
OpeningKind = Literal["thinking_phrase", "filler", "story"]
OPENING_KINDS: tuple[OpeningKind, ...] = ("thinking_phrase", "filler", "story")
LoudnessFlag = Literal["flat_loudness", "fading"]
LOUDNESS_FLAGS: tuple[LoudnessFlag, ...] = ("flat_loudness", "fading")
MAX_PITCH_HZ = 10_000.0  # far above any voice (the tracker stops at 500 Hz)
MAX_SEMITONES = 120.0  # ten octaves: more than any tracker reports
MAX_LEVEL_DB = 400.0  # from silence (-200 dB) to full scale
Band = Literal["strong", "fair", "weak"]
BANDS: tuple[Band, ...] = ("strong", "fair", "weak")

# Control characters (terminal escapes, NUL) and lone surrogates (which cannot be written as
# UTF-8): no transcript contains them, and an imported one would reach the terminal or a file.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class ReportFormatError(ValueError):
    """A stored or imported report that is not a valid answer analysis; the message is one line
    starting with the field path, e.g. `timing.answer_length_s: expected a number, got 'abc'`."""


Item = TypeVar("Item")  # what `_each` parses each item of a list into


@dataclass(frozen=True)
class AudioInfo:
    """The recording the answer was analysed from."""

    path: str
    duration_s: float
    sample_rate: int

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "duration_s": round(self.duration_s, 3),
            "sample_rate": self.sample_rate,
        }


@dataclass(frozen=True)
class QuestionInfo:
    """The question answered, as it was asked (the bank may have changed since)."""

    id: str
    kind: QuestionKind
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Opening:
    """How the answer began: a thinking phrase ("let me think"), a filler, or straight into the
    story; `text` is the words that decided it (empty when nothing was said)."""

    kind: OpeningKind
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class AnswerTiming:
    """When the answer started and ended, its pace and its pauses (`Span`s of silence).

    `response_latency_s` counts from `latency_from`: the end of the spoken question when the
    recording began as it ended, else the start of the recording. `recording_started_after_s`
    is how long after the question ended the recording began (the microphone opening), so the
    first word sits at `first_speech_s` on the recording's own clock. `latency_from` and
    `opening` are None only in reports saved before they existed (and are then left out).
    """

    response_latency_s: float
    answer_length_s: float
    target_min_s: float
    target_max_s: float
    verdict: Verdict
    words_per_minute: float
    pauses: tuple[Span, ...]
    long_pause_count: int
    speech_detected: bool
    latency_from: LatencyOrigin | None = None
    recording_started_after_s: float = 0.0
    opening: Opening | None = None

    @property
    def first_speech_s(self) -> float:
        """Where the first word sits in the recording."""
        return max(0.0, self.response_latency_s - self.recording_started_after_s)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "response_latency_s": self.response_latency_s,
            "answer_length_s": self.answer_length_s,
            "target_min_s": self.target_min_s,
            "target_max_s": self.target_max_s,
            "verdict": self.verdict,
            "words_per_minute": round(self.words_per_minute, 1),
            "pauses": [_pause_json(pause) for pause in self.pauses],
            "long_pause_count": self.long_pause_count,
            "speech_detected": self.speech_detected,
        }
        if self.latency_from is not None:
            data["latency_from"] = self.latency_from
            data["recording_started_after_s"] = self.recording_started_after_s
        if self.opening is not None:
            data["opening"] = self.opening.to_json()
        return data


@dataclass(frozen=True)
class Transcript:
    """The words as aligned to the speech, fillers marked."""

    text: str
    words: tuple[Word, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "words": [
                {"text": w.text, "start_s": w.start_s, "end_s": w.end_s, "filler": w.filler}
                for w in self.words
            ],
        }


@dataclass(frozen=True)
class FillerSummary:
    """Every filler heard (transcript and audio), and counts by label, most frequent first."""

    count: int
    per_minute: float
    by_word: tuple[tuple[str, int], ...]
    items: tuple[Filler, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "per_minute": round(self.per_minute, 2),
            "by_word": dict(self.by_word),
            "items": [
                {
                    "text": item.text,
                    "start_s": round(item.start_s, 3),
                    "end_s": round(item.end_s, 3),
                    "source": item.source,
                }
                for item in self.items
            ],
        }


@dataclass(frozen=True)
class PitchWindow:
    """The pitch spread (semitones, 10th-90th percentile of voiced frames) of one window."""

    start_s: float
    end_s: float
    spread_st: float

    def to_json(self) -> dict[str, Any]:
        return {"start_s": self.start_s, "end_s": self.end_s, "spread_st": self.spread_st}


@dataclass(frozen=True)
class PitchVariety:
    """The voice's median pitch and its spread over the answer and per window; `monotone` when
    most judged windows were flat (`DeliverySettings`)."""

    median_hz: float
    spread_st: float
    windows: tuple[PitchWindow, ...]
    monotone: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "median_hz": self.median_hz,
            "spread_st": self.spread_st,
            "windows": [window.to_json() for window in self.windows],
            "monotone": self.monotone,
        }


@dataclass(frozen=True)
class RisingEnd:
    """A statement whose last voiced stretch (`start_s`..`end_s`) rose `rise_st` semitones."""

    start_s: float
    end_s: float
    rise_st: float

    def to_json(self) -> dict[str, Any]:
        return {"start_s": self.start_s, "end_s": self.end_s, "rise_st": self.rise_st}


@dataclass(frozen=True)
class Uptalk:
    """How many statements ended rising (`items`, in time order) of how many were measured."""

    statements: int
    rising: int
    items: tuple[RisingEnd, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "statements": self.statements,
            "rising": self.rising,
            "items": [item.to_json() for item in self.items],
        }


@dataclass(frozen=True)
class Loudness:
    """The spread of the words' levels (dB, 10th-90th percentile) and the loudness flags."""

    spread_db: float
    flags: tuple[LoudnessFlag, ...]

    def to_json(self) -> dict[str, Any]:
        return {"spread_db": self.spread_db, "flags": list(self.flags)}


@dataclass(frozen=True)
class PaceWindow:
    """Words per minute in the window starting at `start_s`."""

    start_s: float
    wpm: float

    def to_json(self) -> dict[str, Any]:
        return {"start_s": self.start_s, "wpm": self.wpm}


@dataclass(frozen=True)
class SpeechRate:
    """Words per minute of the answer (`speech_wpm`) and of its speaking time
    (`articulation_wpm`), words per run between pauses, and the pace window by window."""

    speech_wpm: float
    articulation_wpm: float
    mean_length_of_run: float
    windows: tuple[PaceWindow, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "speech_wpm": self.speech_wpm,
            "articulation_wpm": self.articulation_wpm,
            "mean_length_of_run": self.mean_length_of_run,
            "windows": [window.to_json() for window in self.windows],
        }


@dataclass(frozen=True)
class Delivery:
    """How the answer sounded (`analysis/delivery.py`): pitch variety, uptalk, loudness, rate."""

    pitch: PitchVariety
    uptalk: Uptalk
    loudness: Loudness
    rate: SpeechRate

    def to_json(self) -> dict[str, Any]:
        return {
            "pitch": self.pitch.to_json(),
            "uptalk": self.uptalk.to_json(),
            "loudness": self.loudness.to_json(),
            "rate": self.rate.to_json(),
        }


@dataclass(frozen=True)
class CriterionResult:
    """One rubric criterion: met or not, the sentences quoted as evidence, advice when not met."""

    id: str
    met: bool
    evidence: tuple[str, ...]
    advice: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "met": self.met,
            "evidence": list(self.evidence),
            "advice": self.advice,
        }


@dataclass(frozen=True)
class RedFlagResult:
    """A red flag the answer shows, with the sentences that show it."""

    id: str
    evidence: tuple[str, ...]
    advice: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "evidence": list(self.evidence), "advice": self.advice}


@dataclass(frozen=True)
class DeliveryFlag:
    """A delivery problem from the timing and fillers (too short, slow start, many fillers).

    `advice` is None only in hand-made reports that never had one; it is then left out.
    """

    id: str
    detail: str
    advice: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "detail": self.detail}
        if self.advice is not None:
            data["advice"] = self.advice
        return data


@dataclass(frozen=True)
class RubricResult:
    """`rubric.score_answer`'s result. `band` is None only in hand-made reports without one."""

    kind: QuestionKind
    score: int
    band: Band | None
    criteria: tuple[CriterionResult, ...]
    red_flags: tuple[RedFlagResult, ...]
    delivery_flags: tuple[DeliveryFlag, ...]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "score": self.score}
        if self.band is not None:
            data["band"] = self.band
        data["criteria"] = [criterion.to_json() for criterion in self.criteria]
        data["red_flags"] = [flag.to_json() for flag in self.red_flags]
        data["delivery_flags"] = [flag.to_json() for flag in self.delivery_flags]
        return data

    @staticmethod
    def from_json(data: object) -> RubricResult:
        """A rubric result on its own (as `mock-interview rubric` prints it), validated."""
        return _rubric(data, "rubric")


@dataclass(frozen=True)
class CoachingItem:
    """One thing to work on: an observed fact (never a trait), what to do about it, and the
    times in the recording that show it."""

    finding: str
    advice: str
    evidence_s: tuple[float, ...]
    source: CoachingSource

    def to_json(self) -> dict[str, Any]:
        return {
            "finding": self.finding,
            "advice": self.advice,
            "evidence_s": [round(time_s, 3) for time_s in self.evidence_s],
            "source": self.source,
        }


@dataclass(frozen=True)
class StructurePart:
    """One stretch of the answer telling one STAR part; `share` is of the answer length."""

    part: StoryPart
    start_s: float
    end_s: float
    share: float

    @property
    def seconds(self) -> float:
        return round(self.end_s - self.start_s, 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "seconds": self.seconds,
            "share": self.share,
        }


@dataclass(frozen=True)
class PartTotal:
    """All the time one STAR part took, wherever it was told."""

    seconds: float
    share: float

    def to_json(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "share": self.share}


@dataclass(frozen=True)
class AnswerStructure:
    """The STAR timeline: the parts tile the answer from its first word to its last (pauses
    belong to the part they sit in); `summary` has every part, in telling order; `flags` name
    the splits coaching guides warn about. No parts when the answer has no words."""

    parts: tuple[StructurePart, ...]
    summary: tuple[tuple[StoryPart, PartTotal], ...]
    flags: tuple[StructureFlag, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "parts": [part.to_json() for part in self.parts],
            "summary": {part: total.to_json() for part, total in self.summary},
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class AnswerAnalysis:
    """One answer's whole analysis: what every view renders and the store keeps.

    `rubric` is None for reports saved before the rubric existed, `structure` (the STAR
    timeline), `delivery` and `coaching` for those saved before they existed (`delivery` also
    when analysed without the audio); each is then left out of the JSON. `input_overflows`
    (blocks the sound card dropped while recording) and `recording_error` (why a live recording
    stopped early; what was recorded is still analysed) are set only by the live engine, and
    appear in the JSON only when set.
    """

    audio: AudioInfo
    question: QuestionInfo | None
    timing: AnswerTiming
    transcript: Transcript
    fillers: FillerSummary
    rubric: RubricResult | None = None
    coaching: tuple[CoachingItem, ...] | None = None
    input_overflows: int | None = None
    recording_error: str | None = None
    structure: AnswerStructure | None = None
    delivery: Delivery | None = None

    def to_json(self) -> dict[str, Any]:
        """The schema-1 report dict, exactly as `build_report` made it before the typed model."""
        data: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "audio": self.audio.to_json(),
            "question": None if self.question is None else self.question.to_json(),
            "timing": self.timing.to_json(),
            "transcript": self.transcript.to_json(),
            "fillers": self.fillers.to_json(),
        }
        if self.rubric is not None:
            data["rubric"] = self.rubric.to_json()
        if self.structure is not None:
            data["structure"] = self.structure.to_json()
        if self.delivery is not None:
            data["delivery"] = self.delivery.to_json()
        if self.coaching is not None:
            data["coaching"] = [item.to_json() for item in self.coaching]
        if self.input_overflows is not None:
            data["input_overflows"] = self.input_overflows
        if self.recording_error is not None:
            data["recording_error"] = self.recording_error
        return data

    def criterion_met(self, criterion_id: str | None) -> bool:
        """Whether the rubric found `criterion_id` in the answer (False without a rubric, for a
        criterion it did not judge, and for None)."""
        if self.rubric is None:
            return False
        return any(item.id == criterion_id and item.met for item in self.rubric.criteria)

    @staticmethod
    def from_json(data: object) -> AnswerAnalysis:
        """Validate a decoded JSON value and build the analysis; `ReportFormatError` otherwise.

        Strict on purpose: unknown keys are refused too, so whatever is accepted comes back out
        of `to_json` unchanged (up to the rounding `to_json` applies).
        """
        report = _object(
            data,
            "report",
            required=("schema", "audio", "question", "timing", "transcript", "fillers"),
            optional=(
                "rubric",
                "structure",
                "input_overflows",
                "recording_error",
                "delivery",
                "coaching",
            ),
            check_schema=True,
        )
        return AnswerAnalysis(
            audio=_audio(report["audio"], "audio"),
            question=None
            if report["question"] is None
            else _question(report["question"], "question"),
            timing=_timing(report["timing"], "timing"),
            transcript=_transcript(report["transcript"], "transcript"),
            fillers=_fillers(report["fillers"], "fillers"),
            rubric=_rubric(report["rubric"], "rubric") if "rubric" in report else None,
            coaching=_coaching(report["coaching"], "coaching") if "coaching" in report else None,
            input_overflows=_count(report["input_overflows"], "input_overflows", MAX_OVERFLOWS)
            if "input_overflows" in report
            else None,
            recording_error=_text(report["recording_error"], "recording_error", MAX_NOTE_CHARS)
            if "recording_error" in report
            else None,
            structure=_structure(report["structure"], "structure")
            if "structure" in report
            else None,
            delivery=_delivery(report["delivery"], "delivery") if "delivery" in report else None,
        )


def _pause_json(pause: Span) -> dict[str, float]:
    return {
        "start_s": pause.start_s,
        "end_s": pause.end_s,
        "duration_s": round(pause.duration_s, 3),
    }


# --- validation: each reader takes the value and its field path, returns it typed or raises ---


def _fail(path: str, reason: str) -> ReportFormatError:
    return ReportFormatError(f"{path}: {reason}")


def _describe(value: object) -> str:
    """A short, safe description of a bad value: never the repr of a deep or huge structure
    (that could recurse without end, or take seconds for a giant integer)."""
    if value is None or isinstance(value, bool | float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value) < 10**30 else "a huge integer"
    if isinstance(value, str):
        return repr(value[:40] + "…") if len(value) > 40 else repr(value)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _object(
    value: object,
    path: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    check_schema: bool = False,
) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _fail(path, f"expected an object, got {_describe(value)}")
    if check_schema:
        # First, so a newer report says so instead of failing on a key it added.
        if "schema" not in value:
            raise _fail("schema", "required key is missing")
        schema = value["schema"]
        if type(schema) is not int or schema != SCHEMA_VERSION:
            raise _fail("schema", f"unsupported version {_describe(schema)} (this version reads 1)")
    for key in value:
        if not isinstance(key, str):
            raise _fail(path, f"keys must be strings, got {_describe(key)}")
        if key not in required and key not in optional:
            raise _fail(path, f"unknown key {_describe(key)}")
    for key in required:
        if key not in value:
            raise _fail(_join(path, key), "required key is missing")
    return cast(dict[str, object], value)


def _join(path: str, key: str) -> str:
    return key if path == "report" else f"{path}.{key}"


def _list(value: object, path: str, max_items: int) -> list[object]:
    if not isinstance(value, list):
        raise _fail(path, f"expected a list, got {_describe(value)}")
    if len(value) > max_items:
        raise _fail(path, f"{len(value)} items, more than the {max_items} allowed")
    return value


def _number(value: object, path: str, high: float, low: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, f"expected a number, got {_describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(path, f"expected a finite number, got {_describe(value)}")
    if not low <= value <= high:  # compared before float(): a giant int would overflow
        raise _fail(path, f"{_describe(value)} is outside {low:g}..{high:g}")
    return float(value)


def _time(value: object, path: str) -> float:
    return _number(value, path, MAX_TIME_S)


def _count(value: object, path: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"expected an integer, got {_describe(value)}")
    if not 0 <= value <= high:
        raise _fail(path, f"{_describe(value)} is outside 0..{high}")
    return int(value)


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, f"expected true or false, got {_describe(value)}")
    return value


def _text(value: object, path: str, max_chars: int, nonempty: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"expected a string, got {_describe(value)}")
    if len(value) > max_chars:
        raise _fail(path, f"{len(value)} characters, more than the {max_chars} allowed")
    if nonempty and not value:
        raise _fail(path, "must not be empty")
    bad = _FORBIDDEN_CHARS.search(value)
    if bad:
        raise _fail(path, f"contains the control character U+{ord(bad.group()):04X}")
    return str(value)


def _choice(value: object, path: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise _fail(path, f"expected one of {', '.join(choices)}, got {_describe(value)}")
    return str(value)


def _span(value: object, path: str, keys: tuple[str, ...]) -> tuple[dict[str, object], Span]:
    item = _object(value, path, required=keys)
    start = _time(item["start_s"], f"{path}.start_s")
    end = _time(item["end_s"], f"{path}.end_s")
    if end < start:
        raise _fail(f"{path}.end_s", f"{end:g} is before start_s {start:g}")
    return item, Span(start, end)


def _audio(value: object, path: str) -> AudioInfo:
    audio = _object(value, path, required=("path", "duration_s", "sample_rate"))
    return AudioInfo(
        path=_text(audio["path"], f"{path}.path", MAX_NOTE_CHARS),
        duration_s=_time(audio["duration_s"], f"{path}.duration_s"),
        sample_rate=_positive_rate(audio["sample_rate"], f"{path}.sample_rate"),
    )


def _positive_rate(value: object, path: str) -> int:
    rate = _count(value, path, MAX_SAMPLE_RATE)
    if rate == 0:
        raise _fail(path, "must be more than 0")
    return rate


def _question(value: object, path: str) -> QuestionInfo:
    question = _object(value, path, required=("id", "kind", "text"))
    return QuestionInfo(
        id=_text(question["id"], f"{path}.id", MAX_NAME_CHARS, nonempty=True),
        kind=cast(QuestionKind, _choice(question["kind"], f"{path}.kind", QUESTION_KINDS)),
        text=_text(question["text"], f"{path}.text", MAX_NOTE_CHARS),
    )


def _timing(value: object, path: str) -> AnswerTiming:
    timing = _object(
        value,
        path,
        required=(
            "response_latency_s",
            "answer_length_s",
            "target_min_s",
            "target_max_s",
            "verdict",
            "words_per_minute",
            "pauses",
            "long_pause_count",
            "speech_detected",
        ),
        optional=("latency_from", "recording_started_after_s", "opening"),
    )
    if ("latency_from" in timing) != ("recording_started_after_s" in timing):
        raise _fail(path, "latency_from and recording_started_after_s come together")
    target_min = _time(timing["target_min_s"], f"{path}.target_min_s")
    target_max = _time(timing["target_max_s"], f"{path}.target_max_s")
    if target_max < target_min:
        raise _fail(f"{path}.target_max_s", f"{target_max:g} is below target_min_s {target_min:g}")
    pauses = _each(timing["pauses"], f"{path}.pauses", MAX_ITEMS, _pause)
    return AnswerTiming(
        response_latency_s=_time(timing["response_latency_s"], f"{path}.response_latency_s"),
        answer_length_s=_time(timing["answer_length_s"], f"{path}.answer_length_s"),
        target_min_s=target_min,
        target_max_s=target_max,
        verdict=cast(Verdict, _choice(timing["verdict"], f"{path}.verdict", VERDICTS)),
        words_per_minute=_number(
            timing["words_per_minute"], f"{path}.words_per_minute", MAX_WORDS_PER_MINUTE
        ),
        pauses=pauses,
        long_pause_count=_count(timing["long_pause_count"], f"{path}.long_pause_count", MAX_ITEMS),
        speech_detected=_bool(timing["speech_detected"], f"{path}.speech_detected"),
        latency_from=cast(
            LatencyOrigin,
            _choice(timing["latency_from"], f"{path}.latency_from", LATENCY_ORIGINS),
        )
        if "latency_from" in timing
        else None,
        recording_started_after_s=_time(
            timing["recording_started_after_s"], f"{path}.recording_started_after_s"
        )
        if "recording_started_after_s" in timing
        else 0.0,
        opening=_opening(timing["opening"], f"{path}.opening") if "opening" in timing else None,
    )


def _coaching(value: object, path: str) -> tuple[CoachingItem, ...]:
    return _each(value, path, MAX_COACHING, _coaching_item)


def _coaching_item(value: object, path: str) -> CoachingItem:
    item = _object(value, path, required=("finding", "advice", "evidence_s", "source"))
    return CoachingItem(
        finding=_text(item["finding"], f"{path}.finding", MAX_NOTE_CHARS, nonempty=True),
        advice=_text(item["advice"], f"{path}.advice", MAX_NOTE_CHARS),
        evidence_s=_each(item["evidence_s"], f"{path}.evidence_s", MAX_RUBRIC_ITEMS, _time),
        source=cast(
            CoachingSource, _choice(item["source"], f"{path}.source", COACHING_SOURCES)
        ),
    )


def _opening(value: object, path: str) -> Opening:
    item = _object(value, path, required=("kind", "text"))
    return Opening(
        kind=cast(OpeningKind, _choice(item["kind"], f"{path}.kind", OPENING_KINDS)),
        text=_text(item["text"], f"{path}.text", MAX_NOTE_CHARS),
    )


def _pause(value: object, path: str) -> Span:
    """A pause keeps only its ends; its `duration_s` must be theirs, as `to_json` recomputes it."""
    item, span = _span(value, path, ("start_s", "end_s", "duration_s"))
    duration = _time(item["duration_s"], f"{path}.duration_s")
    if duration != round(span.duration_s, 3):
        raise _fail(
            f"{path}.duration_s",
            f"{duration:g} is not end_s - start_s ({round(span.duration_s, 3):g})",
        )
    return span


def _transcript(value: object, path: str) -> Transcript:
    transcript = _object(value, path, required=("text", "words"))
    return Transcript(
        text=_text(transcript["text"], f"{path}.text", MAX_TEXT_CHARS),
        words=_each(transcript["words"], f"{path}.words", MAX_ITEMS, _word),
    )


def _word(value: object, path: str) -> Word:
    item, span = _span(value, path, ("text", "start_s", "end_s", "filler"))
    return Word(
        text=_text(item["text"], f"{path}.text", MAX_WORD_CHARS),
        start_s=span.start_s,
        end_s=span.end_s,
        filler=_bool(item["filler"], f"{path}.filler"),
    )


def _fillers(value: object, path: str) -> FillerSummary:
    fillers = _object(value, path, required=("count", "per_minute", "by_word", "items"))
    by_word_path = f"{path}.by_word"
    by_word = fillers["by_word"]
    if not isinstance(by_word, dict):
        raise _fail(by_word_path, f"expected an object, got {_describe(by_word)}")
    if len(by_word) > MAX_ITEMS:
        raise _fail(by_word_path, f"{len(by_word)} entries, more than the {MAX_ITEMS} allowed")
    counts = []
    for word, count in by_word.items():
        entry_path = f"{by_word_path}[{_describe(word)}]"
        label = _text(word, entry_path, MAX_NAME_CHARS, nonempty=True)
        counts.append((label, _count(count, entry_path, MAX_ITEMS)))
    return FillerSummary(
        count=_count(fillers["count"], f"{path}.count", MAX_ITEMS),
        per_minute=_number(fillers["per_minute"], f"{path}.per_minute", MAX_FILLERS_PER_MINUTE),
        by_word=tuple(counts),
        items=_each(fillers["items"], f"{path}.items", MAX_ITEMS, _filler),
    )


def _filler(value: object, path: str) -> Filler:
    item, span = _span(value, path, ("text", "start_s", "end_s", "source"))
    return Filler(
        text=_text(item["text"], f"{path}.text", MAX_NAME_CHARS, nonempty=True),
        start_s=span.start_s,
        end_s=span.end_s,
        source=cast(FillerSource, _choice(item["source"], f"{path}.source", FILLER_SOURCES)),
    )


def _rubric(value: object, path: str) -> RubricResult:
    rubric = _object(
        value,
        path,
        required=("kind", "score", "criteria", "red_flags", "delivery_flags"),
        optional=("band",),
    )
    return RubricResult(
        kind=cast(QuestionKind, _choice(rubric["kind"], f"{path}.kind", QUESTION_KINDS)),
        score=_count(rubric["score"], f"{path}.score", MAX_SCORE),
        band=cast(Band, _choice(rubric["band"], f"{path}.band", BANDS))
        if "band" in rubric
        else None,
        criteria=_each(rubric["criteria"], f"{path}.criteria", MAX_RUBRIC_ITEMS, _criterion),
        red_flags=_each(rubric["red_flags"], f"{path}.red_flags", MAX_RUBRIC_ITEMS, _red_flag),
        delivery_flags=_each(
            rubric["delivery_flags"], f"{path}.delivery_flags", MAX_RUBRIC_ITEMS, _delivery_flag
        ),
    )


def _each(
    value: object, path: str, max_items: int, parse: Callable[[object, str], Item]
) -> tuple[Item, ...]:
    """Each item of a bounded list parsed with its own path, for the errors that name it."""
    items = _list(value, path, max_items)
    return tuple(parse(item, f"{path}[{index}]") for index, item in enumerate(items))


def _evidence(value: object, path: str) -> tuple[str, ...]:
    return _each(value, path, MAX_RUBRIC_ITEMS, lambda quote, at: _text(quote, at, MAX_TEXT_CHARS))


def _criterion(value: object, path: str) -> CriterionResult:
    item = _object(value, path, required=("id", "met", "evidence", "advice"))
    return CriterionResult(
        id=_text(item["id"], f"{path}.id", MAX_NAME_CHARS, nonempty=True),
        met=_bool(item["met"], f"{path}.met"),
        evidence=_evidence(item["evidence"], f"{path}.evidence"),
        advice=_text(item["advice"], f"{path}.advice", MAX_NOTE_CHARS),
    )


def _red_flag(value: object, path: str) -> RedFlagResult:
    item = _object(value, path, required=("id", "evidence", "advice"))
    return RedFlagResult(
        id=_text(item["id"], f"{path}.id", MAX_NAME_CHARS, nonempty=True),
        evidence=_evidence(item["evidence"], f"{path}.evidence"),
        advice=_text(item["advice"], f"{path}.advice", MAX_NOTE_CHARS),
    )


def _delivery_flag(value: object, path: str) -> DeliveryFlag:
    item = _object(value, path, required=("id", "detail"), optional=("advice",))
    return DeliveryFlag(
        id=_text(item["id"], f"{path}.id", MAX_NAME_CHARS, nonempty=True),
        detail=_text(item["detail"], f"{path}.detail", MAX_NOTE_CHARS),
        advice=_text(item["advice"], f"{path}.advice", MAX_NOTE_CHARS)
        if "advice" in item
        else None,
    )


def _delivery(value: object, path: str) -> Delivery:
    delivery = _object(value, path, required=("pitch", "uptalk", "loudness", "rate"))
    return Delivery(
        pitch=_pitch(delivery["pitch"], f"{path}.pitch"),
        uptalk=_uptalk(delivery["uptalk"], f"{path}.uptalk"),
        loudness=_loudness(delivery["loudness"], f"{path}.loudness"),
        rate=_rate(delivery["rate"], f"{path}.rate"),
    )


def _semitones(value: object, path: str) -> float:
    return _number(value, path, MAX_SEMITONES)


def _pitch(value: object, path: str) -> PitchVariety:
    pitch = _object(value, path, required=("median_hz", "spread_st", "windows", "monotone"))
    return PitchVariety(
        median_hz=_number(pitch["median_hz"], f"{path}.median_hz", MAX_PITCH_HZ),
        spread_st=_semitones(pitch["spread_st"], f"{path}.spread_st"),
        windows=_each(pitch["windows"], f"{path}.windows", MAX_ITEMS, _pitch_window),
        monotone=_bool(pitch["monotone"], f"{path}.monotone"),
    )


def _pitch_window(value: object, path: str) -> PitchWindow:
    item, span = _span(value, path, ("start_s", "end_s", "spread_st"))
    return PitchWindow(span.start_s, span.end_s, _semitones(item["spread_st"], f"{path}.spread_st"))


def _uptalk(value: object, path: str) -> Uptalk:
    uptalk = _object(value, path, required=("statements", "rising", "items"))
    statements = _count(uptalk["statements"], f"{path}.statements", MAX_ITEMS)
    rising = _count(uptalk["rising"], f"{path}.rising", MAX_ITEMS)
    items = _each(uptalk["items"], f"{path}.items", MAX_ITEMS, _rising_end)
    if rising > statements:
        raise _fail(f"{path}.rising", f"{rising} is more than the {statements} statements")
    if rising != len(items):
        raise _fail(f"{path}.items", f"{len(items)} items for {rising} rising statements")
    return Uptalk(statements, rising, items)


def _rising_end(value: object, path: str) -> RisingEnd:
    item, span = _span(value, path, ("start_s", "end_s", "rise_st"))
    return RisingEnd(span.start_s, span.end_s, _semitones(item["rise_st"], f"{path}.rise_st"))


def _loudness(value: object, path: str) -> Loudness:
    loudness = _object(value, path, required=("spread_db", "flags"))
    flags = _each(
        loudness["flags"],
        f"{path}.flags",
        len(LOUDNESS_FLAGS),
        lambda flag, at: cast(LoudnessFlag, _choice(flag, at, LOUDNESS_FLAGS)),
    )
    if len(set(flags)) != len(flags):
        raise _fail(f"{path}.flags", "a flag is listed twice")
    return Loudness(_number(loudness["spread_db"], f"{path}.spread_db", MAX_LEVEL_DB), flags)


def _rate(value: object, path: str) -> SpeechRate:
    rate = _object(
        value,
        path,
        required=("speech_wpm", "articulation_wpm", "mean_length_of_run", "windows"),
    )
    return SpeechRate(
        speech_wpm=_number(rate["speech_wpm"], f"{path}.speech_wpm", MAX_WORDS_PER_MINUTE),
        articulation_wpm=_number(
            rate["articulation_wpm"], f"{path}.articulation_wpm", MAX_WORDS_PER_MINUTE
        ),
        mean_length_of_run=_number(
            rate["mean_length_of_run"], f"{path}.mean_length_of_run", MAX_ITEMS
        ),
        windows=_each(rate["windows"], f"{path}.windows", MAX_ITEMS, _pace_window),
    )


def _pace_window(value: object, path: str) -> PaceWindow:
    item = _object(value, path, required=("start_s", "wpm"))
    return PaceWindow(
        start_s=_time(item["start_s"], f"{path}.start_s"),
        wpm=_number(item["wpm"], f"{path}.wpm", MAX_WORDS_PER_MINUTE),
    )


def _structure(value: object, path: str) -> AnswerStructure:
    """The STAR timeline: parts in order, each starting where the one before ended, their shares
    summing to 1 (when there are parts); a summary of exactly the six parts; known flags once."""
    structure = _object(value, path, required=("parts", "summary", "flags"))
    parts = _each(structure["parts"], f"{path}.parts", MAX_ITEMS, _structure_part)
    for index, (before, after) in enumerate(pairwise(parts), start=1):
        if after.start_s != before.end_s:
            raise _fail(
                f"{path}.parts[{index}].start_s",
                f"{after.start_s:g} is not where the part before ends ({before.end_s:g})",
            )
    _check_share_sum([part.share for part in parts], f"{path}.parts")
    summary_path = f"{path}.summary"
    summary = _object(structure["summary"], summary_path, required=STORY_PARTS)
    totals = tuple(
        (part, _part_total(summary[part], f"{summary_path}.{part}")) for part in STORY_PARTS
    )
    if parts:
        _check_share_sum([total.share for _, total in totals], summary_path)
    flags = _each(
        structure["flags"],
        f"{path}.flags",
        len(STRUCTURE_FLAGS),
        lambda flag, at: cast(StructureFlag, _choice(flag, at, STRUCTURE_FLAGS)),
    )
    if len(set(flags)) != len(flags):
        raise _fail(f"{path}.flags", "a flag is listed twice")
    return AnswerStructure(parts=parts, summary=totals, flags=flags)


def _structure_part(value: object, path: str) -> StructurePart:
    item, span = _span(value, path, ("part", "start_s", "end_s", "seconds", "share"))
    seconds = _time(item["seconds"], f"{path}.seconds")
    if seconds != round(span.duration_s, 3):
        raise _fail(
            f"{path}.seconds",
            f"{seconds:g} is not end_s - start_s ({round(span.duration_s, 3):g})",
        )
    return StructurePart(
        part=cast(StoryPart, _choice(item["part"], f"{path}.part", STORY_PARTS)),
        start_s=span.start_s,
        end_s=span.end_s,
        share=_number(item["share"], f"{path}.share", 1.0),
    )


def _part_total(value: object, path: str) -> PartTotal:
    item = _object(value, path, required=("seconds", "share"))
    return PartTotal(
        seconds=_time(item["seconds"], f"{path}.seconds"),
        share=_number(item["share"], f"{path}.share", 1.0),
    )


def _check_share_sum(shares: list[float], path: str) -> None:
    if shares and abs(sum(shares) - 1.0) > SHARE_SUM_TOLERANCE:
        raise _fail(path, f"shares sum to {sum(shares):.4f}, not 1")

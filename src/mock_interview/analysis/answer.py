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
class AnswerTiming:
    """When the answer started and ended, its pace and its pauses (`Span`s of silence)."""

    response_latency_s: float
    answer_length_s: float
    target_min_s: float
    target_max_s: float
    verdict: Verdict
    words_per_minute: float
    pauses: tuple[Span, ...]
    long_pause_count: int
    speech_detected: bool

    def to_json(self) -> dict[str, Any]:
        return {
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
    timeline) for those saved before it existed; each is then left out of the JSON.
    `input_overflows` (blocks the sound card dropped while recording) and `recording_error` (why
    a live recording stopped early; what was recorded is still analysed) are set only by the
    live engine, and appear in the JSON only when set.
    """

    audio: AudioInfo
    question: QuestionInfo | None
    timing: AnswerTiming
    transcript: Transcript
    fillers: FillerSummary
    rubric: RubricResult | None = None
    input_overflows: int | None = None
    recording_error: str | None = None
    structure: AnswerStructure | None = None

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
        if self.input_overflows is not None:
            data["input_overflows"] = self.input_overflows
        if self.recording_error is not None:
            data["recording_error"] = self.recording_error
        return data

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
            optional=("rubric", "structure", "input_overflows", "recording_error"),
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
            input_overflows=_count(report["input_overflows"], "input_overflows", MAX_OVERFLOWS)
            if "input_overflows" in report
            else None,
            recording_error=_text(report["recording_error"], "recording_error", MAX_NOTE_CHARS)
            if "recording_error" in report
            else None,
            structure=_structure(report["structure"], "structure")
            if "structure" in report
            else None,
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
    )
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

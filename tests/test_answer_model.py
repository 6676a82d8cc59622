"""The typed answer analysis: today's JSON round-trips exactly, and anything else is refused with
a `ReportFormatError` naming the field (the model is the validator for stored and imported data).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crafted_reports import crafted_report
from mock_interview.analysis.answer import (
    MAX_ITEMS,
    AnswerAnalysis,
    AnswerTiming,
    AudioInfo,
    FillerSummary,
    ReportFormatError,
    RubricResult,
    Transcript,
)
from mock_interview.core.values import Filler, Span, Word

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN_FILES = sorted(GOLDEN_DIR.glob("*.json"))


def golden(name: str = "goal_missed_weak.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN_DIR / name).read_text(encoding="utf-8"))
    return data


def deep_junk(depth: int = 100_000) -> list[Any]:
    """A list nested deeper than any recursive walk (or repr) could follow."""
    junk: list[Any] = []
    for _ in range(depth):
        junk = [junk]
    return junk


def test_every_sample_has_a_golden_report() -> None:
    # Guards the parametrized test below against silently running on nothing.
    folder = Path(__file__).parent.parent / "audio_samples"
    samples = {path.stem for path in folder.iterdir() if path.suffix not in (".json", ".md")}
    stems = {path.name.removesuffix(".json").removesuffix(".noquestion") for path in GOLDEN_FILES}
    assert samples and stems == samples
    assert len(GOLDEN_FILES) == 2 * len(samples)  # with and without the question


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda path: path.name)
def test_golden_reports_round_trip_exactly(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    out = AnswerAnalysis.from_json(data).to_json()
    assert out == data
    # Same key order too, so a re-saved report is the same text.
    assert json.dumps(out, ensure_ascii=False) == json.dumps(data, ensure_ascii=False)


def test_golden_values_come_back_typed() -> None:
    data = golden("goal_missed_weak.json")
    # a filler heard only in the audio (the filler search can add one) comes back as one too
    data["fillers"]["items"][1]["source"] = "audio"
    analysis = AnswerAnalysis.from_json(data)
    assert analysis.question is not None
    assert analysis.question.kind == "missed"
    assert analysis.timing.verdict == "short"
    first_pause = data["timing"]["pauses"][0]
    assert analysis.timing.pauses[0] == Span(first_pause["start_s"], first_pause["end_s"])
    first_word = data["transcript"]["words"][0]
    assert analysis.transcript.words[0] == Word(
        first_word["text"], first_word["start_s"], first_word["end_s"], first_word["filler"]
    )
    audio_items = [item for item in data["fillers"]["items"] if item["source"] == "audio"]
    assert len(audio_items) == 1
    assert [f for f in analysis.fillers.items if f.source == "audio"] == [
        Filler(item["text"], item["start_s"], item["end_s"], "audio") for item in audio_items
    ]
    assert analysis.fillers.by_word == tuple(data["fillers"]["by_word"].items())
    assert analysis.rubric is not None
    assert [flag.id for flag in analysis.rubric.delivery_flags] == [
        flag["id"] for flag in data["rubric"]["delivery_flags"]
    ]
    assert analysis.input_overflows is None and analysis.recording_error is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.timing.verdict = "long"  # type: ignore[misc]


def test_a_report_without_question_has_none() -> None:
    analysis = AnswerAnalysis.from_json(golden("goal_missed_weak.noquestion.json"))
    assert analysis.question is None
    assert analysis.to_json()["question"] is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"pauses": {3: 3.5, 6: 1.25}},
        {"score": None},
        {"text": "Um I led it. Uh then we shipped, er, on time.", "latency_s": 0.0},
    ],
)
def test_hand_made_reports_round_trip(kwargs: dict[str, Any]) -> None:
    """The tests' crafted reports (no band, delivery flags without advice, no rubric) stay valid."""
    kwargs.setdefault("text", "I mapped the plan. Then I called every client, and we shipped it.")
    data = crafted_report(**kwargs)
    assert AnswerAnalysis.from_json(data).to_json() == data


def test_a_typed_answer_rubric_round_trips() -> None:
    from mock_interview.rubric import score_answer

    result = score_answer(
        "I set a goal to cut build time. I measured it and cut it by half.", "achieved"
    )
    assert RubricResult.from_json(result).to_json() == result


def test_a_report_from_before_the_latency_origin_and_opening_reads_and_writes_as_it_was() -> None:
    old = golden()
    for key in ("latency_from", "recording_started_after_s", "opening"):
        del old["timing"][key]
    analysis = AnswerAnalysis.from_json(old)
    assert analysis.timing.latency_from is None and analysis.timing.opening is None
    assert analysis.timing.first_speech_s == analysis.timing.response_latency_s
    assert analysis.to_json() == old


def test_a_report_from_before_the_delivery_reads_and_writes_as_it_was() -> None:
    old = golden()
    del old["delivery"]
    analysis = AnswerAnalysis.from_json(old)
    assert analysis.delivery is None
    assert analysis.to_json() == old


def test_the_delivery_comes_back_typed() -> None:
    delivery = AnswerAnalysis.from_json(golden()).delivery
    assert delivery is not None
    assert (delivery.uptalk.statements, delivery.uptalk.rising) == (9, 0)
    assert delivery.pitch.spread_st == golden()["delivery"]["pitch"]["spread_st"]
    assert isinstance(delivery.loudness.flags, tuple)
    assert delivery.pitch.windows[0].start_s < delivery.pitch.windows[0].end_s


def test_live_extras_appear_only_when_set() -> None:
    data = golden()
    analysis = AnswerAnalysis.from_json(data)
    assert "input_overflows" not in analysis.to_json()
    assert "recording_error" not in analysis.to_json()
    extended = {**data, "input_overflows": 3, "recording_error": "input device lost"}
    parsed = AnswerAnalysis.from_json(extended)
    assert parsed.input_overflows == 3
    assert parsed.recording_error == "input device lost"
    assert parsed.to_json() == extended
    assert list(parsed.to_json())[-2:] == ["input_overflows", "recording_error"]
    zero = dataclasses.replace(analysis, input_overflows=0).to_json()
    assert zero["input_overflows"] == 0  # zero overflows is still a reading, kept


def test_to_json_rounds_as_the_report_always_has() -> None:
    """Values straight from the analysis (unrounded) come out with the report's rounding."""
    analysis = AnswerAnalysis(
        audio=AudioInfo("a.wav", 12.3456789, 48000),
        question=None,
        timing=AnswerTiming(
            response_latency_s=1.23456,  # not rounded by the report: rounded upstream
            answer_length_s=9.5,
            target_min_s=60.0,
            target_max_s=120.0,
            verdict="short",
            words_per_minute=123.456,
            pauses=(Span(2.0, 4.2345),),
            long_pause_count=0,
            speech_detected=True,
        ),
        transcript=Transcript("so", (Word("so", 1.23456, 1.5),)),
        fillers=FillerSummary(
            count=1,
            per_minute=6.31578,
            by_word=(("um", 1),),
            items=(Filler("um", 5.00049, 5.1236, "audio"),),
        ),
    )
    data = analysis.to_json()
    assert data["audio"]["duration_s"] == 12.346
    assert data["timing"]["response_latency_s"] == 1.23456
    assert data["timing"]["words_per_minute"] == 123.5
    assert data["timing"]["pauses"] == [{"start_s": 2.0, "end_s": 4.2345, "duration_s": 2.234}]
    assert data["transcript"]["words"][0]["start_s"] == 1.23456
    assert data["fillers"]["per_minute"] == 6.32
    assert data["fillers"]["items"] == [
        {"text": "um", "start_s": 5.0, "end_s": 5.124, "source": "audio"}
    ]
    assert list(data) == ["schema", "audio", "question", "timing", "transcript", "fillers"]
    assert data["schema"] == 1


# --- malformed reports: (what is changed, the message expected) ---


def _set(path: str, value: Any) -> Any:
    """A mutation setting the field at a dotted path (`[n]` indexes a list) to `value`."""

    def mutate(report: dict[str, Any]) -> None:
        parts = path.replace("[", ".[").split(".")
        target: Any = report
        for part in parts[:-1]:
            target = target[int(part[1:-1])] if part.startswith("[") else target[part]
        last = parts[-1]
        if last.startswith("["):
            target[int(last[1:-1])] = value
        else:
            target[last] = value

    return mutate


def _delete(path: str) -> Any:
    def mutate(report: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = report
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


def _whole(value: Any) -> Any:
    return value


MALFORMED = [
    (
        _set("timing.answer_length_s", "abc"),
        "timing.answer_length_s: expected a number, got 'abc'",
    ),
    (_set("timing", {}), "timing.response_latency_s: required key is missing"),
    (_set("fillers.count", True), "fillers.count: expected an integer, got True"),
    (_set("timing.long_pause_count", False), "timing.long_pause_count: expected an integer"),
    (_set("timing.answer_length_s", True), "timing.answer_length_s: expected a number, got True"),
    (_set("fillers.count", 2.0), "fillers.count: expected an integer, got 2.0"),
    (_set("fillers.count", -1), "fillers.count: -1 is outside"),
    (_set("fillers.count", 10**400), "fillers.count: a huge integer is outside"),
    (_set("audio.duration_s", math.nan), "audio.duration_s: expected a finite number, got nan"),
    (_set("timing.words_per_minute", math.inf), "timing.words_per_minute: expected a finite"),
    (_set("fillers.per_minute", -math.inf), "fillers.per_minute: expected a finite"),
    (_set("timing.response_latency_s", -0.5), "timing.response_latency_s: -0.5 is outside"),
    (_set("timing.response_latency_s", 10**400), "timing.response_latency_s: a huge integer"),
    (_set("audio.duration_s", 1e12), "audio.duration_s: 1000000000000.0 is outside"),
    (_set("transcript.words[0].start_s", -1), "transcript.words[0].start_s: -1 is outside"),
    (_set("transcript.words[2].end_s", 0.0), "transcript.words[2].end_s: 0 is before start_s"),
    (_set("timing.pauses[1].end_s", 1.0), "timing.pauses[1].end_s: 1 is before start_s"),
    (_set("timing.pauses[0].duration_s", 9.0), "timing.pauses[0].duration_s: 9 is not end_s"),
    (_set("fillers.items[2].start_s", "6"), "fillers.items[2].start_s: expected a number"),
    (_set("timing.target_max_s", 10.0), "timing.target_max_s: 10 is below target_min_s"),
    (_set("timing.verdict", "medium"), "timing.verdict: expected one of short, on_target, long"),
    (_set("timing.verdict", None), "timing.verdict: expected one of"),
    (_set("timing.speech_detected", 1), "timing.speech_detected: expected true or false, got 1"),
    (_set("fillers.items[0].source", "guess"), "fillers.items[0].source: expected one of"),
    (_set("fillers.by_word", []), "fillers.by_word: expected an object, got a list"),
    (_set("fillers.by_word", {"um": "5"}), "fillers.by_word['um']: expected an integer"),
    (_set("fillers.by_word", {"": 1}), "fillers.by_word['']: must not be empty"),
    (_set("fillers.by_word", {1: 1}), "fillers.by_word[1]: expected a string"),
    (
        _set("fillers.by_word", {f"w{n}": 1 for n in range(MAX_ITEMS + 1)}),
        "fillers.by_word: 50001 entries, more than",
    ),
    (_set("delivery", []), "delivery: expected an object, got a list"),
    (_delete("delivery.rate"), "delivery.rate: required key is missing"),
    (_set("delivery.pitch.spread_st", -1), "delivery.pitch.spread_st: -1 is outside"),
    (_set("delivery.pitch.median_hz", 1e5), "delivery.pitch.median_hz: 100000.0 is outside"),
    (_set("delivery.pitch.monotone", "no"), "delivery.pitch.monotone: expected true or false"),
    (_set("delivery.pitch.windows[0].end_s", 0), "delivery.pitch.windows[0].end_s: 0 is before"),
    (_set("delivery.uptalk.rising", 12), "delivery.uptalk.rising: 12 is more than the 9"),
    (_set("delivery.uptalk.rising", 1), "delivery.uptalk.items: 0 items for 1 rising"),
    (
        _set("delivery.uptalk.items", [{"start_s": 2.0, "end_s": 1.0, "rise_st": 4.0}]),
        "delivery.uptalk.items[0].end_s: 1 is before start_s",
    ),
    (
        _set("delivery.uptalk.items", [{"start_s": 1.0, "end_s": 1.5, "rise_st": "4"}]),
        "delivery.uptalk.items[0].rise_st: expected a number",
    ),
    (_set("delivery.loudness.flags", ["loud"]), "delivery.loudness.flags[0]: expected one of"),
    (_set("delivery.loudness.flags", ["fading", "fading"]), "delivery.loudness.flags: a flag"),
    (_set("delivery.rate.pace", 1), "delivery.rate: unknown key 'pace'"),
    (_set("delivery.rate.windows[0].wpm", math.nan), "delivery.rate.windows[0].wpm: expected a"),
    (_set("question", []), "question: expected an object, got a list"),
    (_set("question.kind", "behavioural"), "question.kind: expected one of"),
    (_set("question.text", "x" * 20_000), "question.text: 20000 characters, more than"),
    (_set("question.id", ""), "question.id: must not be empty"),
    (_set("audio.sample_rate", 0), "audio.sample_rate: must be more than 0"),
    (_set("audio.sample_rate", 44100.0), "audio.sample_rate: expected an integer"),
    (_set("audio.path", None), "audio.path: expected a string, got None"),
    (_set("transcript.text", "ok \x1b[2J"), "transcript.text: contains the control character"),
    (_set("transcript.words[0].text", "\ud800"), "transcript.words[0].text: contains the"),
    (_set("transcript.words", [{}] * (MAX_ITEMS + 1)), "transcript.words: 50001 items"),
    (_set("timing.pauses", {"0": {}}), "timing.pauses: expected a list, got an object"),
    (_set("transcript.words[1]", deep_junk()), "transcript.words[1]: expected an object"),
    (_set("rubric.criteria[0].evidence[0]", deep_junk()), "rubric.criteria[0].evidence[0]: "),
    (_set("rubric.criteria[0].met", "yes"), "rubric.criteria[0].met: expected true or false"),
    (_set("rubric.score", 101), "rubric.score: 101 is outside 0..100"),
    (_set("rubric.band", "excellent"), "rubric.band: expected one of strong, fair, weak"),
    (_set("rubric.red_flags", [None]), "rubric.red_flags[0]: expected an object, got None"),
    (_set("rubric.delivery_flags[0].detail", 7), "rubric.delivery_flags[0].detail: expected"),
    (_set("rubric.criteria", [{}] * 101), "rubric.criteria: 101 items, more than the 100"),
    (_set("rubric.red_flags[0].evidence", ["a"] * 101), "rubric.red_flags[0].evidence: 101 items"),
    (_delete("rubric.kind"), "rubric.kind: required key is missing"),
    (_delete("transcript.words"), "transcript.words: required key is missing"),
    (_delete("question"), "question: required key is missing"),
    (_set("timing.latency_from", "button"), "timing.latency_from: expected one of question_end"),
    (_delete("timing.recording_started_after_s"), "timing: latency_from and recording_started"),
    (_set("timing.recording_started_after_s", -1), "timing.recording_started_after_s: -1 is"),
    (_set("timing.opening.kind", "cough"), "timing.opening.kind: expected one of thinking_phrase"),
    (_set("timing.opening", {"kind": "story"}), "timing.opening.text: required key is missing"),
    (_set("timing.opening.text", "\x1b]0;"), "timing.opening.text: contains the control"),
    (_set("coaching[0].source", "horoscope"), "coaching[0].source: expected one of rubric"),
    (_set("coaching[1].evidence_s", [-2.0]), "coaching[1].evidence_s[0]: -2.0 is outside"),
    (_set("coaching[0].finding", ""), "coaching[0].finding: must not be empty"),
    (_set("coaching", [{}] * 4), "coaching: 4 items, more than the 3 allowed"),
    (_set("surprise", 1), "report: unknown key 'surprise'"),
    (_set("timing.pace", 1), "timing: unknown key 'pace'"),
    (_set("input_overflows", -1), "input_overflows: -1 is outside"),
    (_set("input_overflows", "3"), "input_overflows: expected an integer, got '3'"),
    (_set("recording_error", ["lost"]), "recording_error: expected a string, got a list"),
    (_set("schema", 2), "schema: unsupported version 2"),
    (_set("schema", "1"), "schema: unsupported version '1'"),
    (_set("schema", True), "schema: unsupported version True"),
    (_delete("schema"), "schema: required key is missing"),
]


@pytest.mark.parametrize(("mutate", "expected"), MALFORMED, ids=[m[1][:60] for m in MALFORMED])
def test_malformed_reports_name_the_field(mutate: Any, expected: str) -> None:
    report = golden()
    mutate(report)
    with pytest.raises(ReportFormatError) as caught:
        AnswerAnalysis.from_json(report)
    message = str(caught.value)
    assert message.startswith(expected), message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "report: expected an object, got None"),
        ([], "report: expected an object, got a list"),
        ("{}", "report: expected an object, got '{}'"),
        (3.5, "report: expected an object, got 3.5"),
        (deep_junk(), "report: expected an object, got a list"),
        ({}, "schema: required key is missing"),
        ({"schema": 1}, "audio: required key is missing"),
    ],
)
def test_values_that_are_no_report_at_all(value: object, expected: str) -> None:
    with pytest.raises(ReportFormatError) as caught:
        AnswerAnalysis.from_json(value)
    assert str(caught.value) == expected


def test_a_report_error_is_a_value_error() -> None:
    assert issubclass(ReportFormatError, ValueError)


def test_reading_leaves_the_input_untouched() -> None:
    data = golden()
    before = copy.deepcopy(data)
    out = AnswerAnalysis.from_json(data).to_json()
    assert data == before
    out["transcript"]["words"].clear()  # the output shares no lists with the input
    assert data == before


def test_the_model_imports_without_the_audio_stack() -> None:
    """The importer and the store validate with it; it must not load numpy, whisper or Textual."""
    code = (
        "import sys, mock_interview.analysis.answer;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'textual', 'rich',"
        " 'faster_whisper', 'ctranslate2', 'soundfile', 'sounddevice'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- fuzz: random mutations of golden reports give a clean refusal or a valid analysis ---

JUNK: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    -0.0,
    10**400,
    1e308,
    -1e308,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "abc",
    "\x00",
    "x" * 2_000_000,
    [],
    {},
    [1, "a", None],
    {"a": {"b": []}},
    [{}] * (MAX_ITEMS + 1),
]
DEEP_JUNK = deep_junk()


def _locations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and index path inside a report (not into junk an earlier mutation put in)."""
    found = [path] if path else []
    if len(path) >= 6:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            found += _locations(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):  # a few items of each list are enough
            found += _locations(item, (*path, index))
    return found


def _mutate(report: dict[str, Any], rng: random.Random) -> str:
    """One random change; the name of the top-level field it is in."""
    location = rng.choice(_locations(report))
    parent: Any = report
    for step in location[:-1]:
        parent = parent[step]
    last = location[-1]
    action = rng.random()
    if action < 0.15 and isinstance(parent, dict):
        del parent[last]
    elif action < 0.25 and isinstance(parent, dict):
        parent[rng.choice(["extra", "label", "", "start_s"])] = rng.choice(JUNK)
    elif action < 0.3:
        parent[last] = DEEP_JUNK
    elif action < 0.4 and isinstance(parent[last], int | float) and abs(parent[last]) < 1e300:
        parent[last] = parent[last] * rng.choice([10**6, 10**30, -1, 1.0000001])
    else:
        parent[last] = rng.choice(JUNK)
    return str(location[0])


def test_fuzzed_reports_fail_cleanly_or_round_trip() -> None:
    rng = random.Random(1313)
    originals = [json.loads(path.read_text(encoding="utf-8")) for path in GOLDEN_FILES[:4]]
    outcomes = {"refused": 0, "accepted": 0}
    for round_number in range(400):
        report = copy.deepcopy(originals[round_number % len(originals)])
        fields = {_mutate(report, rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))}
        try:
            analysis = AnswerAnalysis.from_json(report)
        except ReportFormatError as error:
            outcomes["refused"] += 1
            message = str(error)
            assert "\n" not in message and len(message) < 300, message
            named = message.split(":")[0].split(".")[0].split("[")[0]
            assert named in fields | {"report", "schema"}, (message, fields)
            continue
        outcomes["accepted"] += 1
        out = analysis.to_json()
        # What was accepted comes out canonical (to_json rounds where the report rounds): it
        # parses again to the same JSON.
        assert AnswerAnalysis.from_json(out).to_json() == out
    # Both paths were exercised, or the test would prove little.
    assert outcomes["refused"] > 200 and outcomes["accepted"] >= 5, outcomes

"""Hand-made analysis reports in the issue-2 shape, for storage, history and report tests.

The figures are derived from the words and pauses given, the same way `analyze` defines them, so
tests can check summaries against values they did not type in twice.
"""

from __future__ import annotations

from typing import Any

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.values import Span, Word

FILLER_WORDS = {"um", "uh", "er", "hmm"}


def crafted_report(
    text: str,
    latency_s: float = 1.0,
    word_s: float = 0.4,
    pauses: dict[int, float] | None = None,
    question_id: str = "goal-achieved",
    kind: str = "achieved",
    score: int | None = 70,
    path: str = "answer.wav",
    target_s: tuple[float, float] = (120.0, 180.0),
    parts: list[tuple[str, int]] | None = None,
) -> dict[str, Any]:
    """A report for `text` spoken one word per `word_s`, with a pause before word index N,
    timed against the target band `target_s` (a main question's 2:00–3:00 by default); with
    `parts`, a STAR timeline whose each (part, N) starts at word index N (the first at 0)."""
    pauses = pauses or {}
    words: list[dict[str, Any]] = []
    pause_items: list[dict[str, float]] = []
    clock = latency_s
    for index, token in enumerate(text.split()):
        if index in pauses:
            pause_items.append(
                {"start_s": clock, "end_s": clock + pauses[index], "duration_s": pauses[index]}
            )
            clock += pauses[index]
        bare = token.strip(",.").lower()
        words.append(
            {
                "text": token,
                "start_s": round(clock, 3),
                "end_s": round(clock + word_s, 3),
                "filler": bare in FILLER_WORDS,
            }
        )
        clock += word_s
    length = clock - latency_s
    target_min_s, target_max_s = target_s
    short_of = f"{int(target_min_s) // 60}:{int(target_min_s) % 60:02d}"
    speaking = length - sum(pauses.values())
    filler_items = [
        {
            "text": w["text"].strip(",.").lower(),
            "start_s": w["start_s"],
            "end_s": w["end_s"],
            "source": "transcript",
        }
        for w in words
        if w["filler"]
    ]
    by_word: dict[str, int] = {}
    for item in filler_items:
        by_word[item["text"]] = by_word.get(item["text"], 0) + 1
    report: dict[str, Any] = {
        "schema": 1,
        "audio": {"path": path, "duration_s": round(clock + 1.0, 3), "sample_rate": 16000},
        "question": {"id": question_id, "kind": kind, "text": f"Question {question_id}?"},
        "timing": {
            "response_latency_s": latency_s,
            "answer_length_s": round(length, 3),
            "target_min_s": target_min_s,
            "target_max_s": target_max_s,
            "verdict": "short"
            if length < target_min_s
            else "long"
            if length > target_max_s
            else "on_target",
            "words_per_minute": round(len(words) / speaking * 60, 1),
            "pauses": pause_items,
            "long_pause_count": sum(1 for p in pause_items if p["duration_s"] >= 3.0),
            "speech_detected": bool(words),
        },
        "transcript": {"text": text, "words": words},
        "fillers": {
            "count": len(filler_items),
            "per_minute": round(len(filler_items) / length * 60, 2),
            "by_word": by_word,
            "items": filler_items,
        },
    }
    if parts is not None:
        report["structure"] = _structure(parts, words, latency_s, clock)
    if score is not None:
        report["rubric"] = {
            "kind": kind,
            "score": score,
            "criteria": [
                {"id": "situation", "met": True, "evidence": [text.split(".")[0]], "advice": ""},
                {
                    "id": "reflection",
                    "met": False,
                    "evidence": [],
                    "advice": "Name the lesson you took from it.",
                },
            ],
            "red_flags": [],
            "delivery_flags": [{"id": "too_short", "detail": f"shorter than {short_of}"}]
            if length < target_min_s
            else [],
        }
    return report


def _structure(
    parts: list[tuple[str, int]], words: list[dict[str, Any]], start_s: float, end_s: float
) -> dict[str, Any]:
    """Stretches from each part's first word to the next part's, tiling the answer."""
    edges = [start_s] + [words[index]["start_s"] for _, index in parts[1:]] + [end_s]
    length = end_s - start_s
    stretches = [
        {
            "part": part,
            "start_s": round(begin, 3),
            "end_s": round(end, 3),
            "seconds": round(round(end, 3) - round(begin, 3), 3),
            "share": round((end - begin) / length, 4),
        }
        for (part, _), begin, end in zip(parts, edges, edges[1:], strict=False)
    ]
    summary = {
        name: {
            "seconds": round(sum(s["seconds"] for s in stretches if s["part"] == name), 3),
            "share": round(sum(s["share"] for s in stretches if s["part"] == name), 4),
        }
        for name in ("situation", "task", "action", "result", "reflection", "other")
    }
    return {"parts": stretches, "summary": summary, "flags": []}


def crafted_analysis(text: str, **kwargs: Any) -> AnswerAnalysis:
    """`crafted_report` as the typed analysis the store and the views take."""
    return AnswerAnalysis.from_json(crafted_report(text, **kwargs))


def spoken_phrases(phrases: list[tuple[str, float]]) -> tuple[list[Word], list[Span]]:
    """Words at 0.3 s each from 0.5 s; each phrase is one speech stretch, then the silence given."""
    words, speech, clock = [], [], 0.5
    for phrase, silence_s in phrases:
        start = clock
        for text in phrase.split():
            words.append(Word(text, clock, clock + 0.25))
            clock += 0.3
        speech.append(Span(start, clock - 0.05))
        clock += silence_s
    return words, speech

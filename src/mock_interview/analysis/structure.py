"""The STAR timeline: where an answer's minutes went, part by part.

Each sentence the rubric reads (`rubric.parts.sentence_parts`, on the same pause-bounded text it
scores) is placed in time by its words' stamps. Neighbouring sentences of one part make one
stretch; two stretches meet in the middle of the silence between them, so the stretches tile the
answer from its first speech to its last and a pause belongs to the part it sits in. Words that
are in no sentence (fillers the rubric drops) fall inside the stretches around them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate, pairwise

from mock_interview.analysis.answer import (
    AnswerStructure,
    PartTotal,
    StructureFlag,
    StructurePart,
)
from mock_interview.core.config import QuestionKind, StructureSettings
from mock_interview.core.values import STORY_PARTS, Span, StoryPart, Word
from mock_interview.rubric.parts import SentencePart

FLAG_ADVICE: dict[StructureFlag, str] = {
    "long_setup": "Set the scene in a sentence or two and get to what you did sooner.",
    "thin_action": "Spend more of the answer on what you did yourself: the steps and the choices.",
    "no_lesson_time": (
        "Give the lesson real time: what the miss taught you and what you do differently now."
    ),
}


def measure_structure(
    words: list[Word],
    sentences: list[SentencePart],
    answer: Span | None,
    kind: QuestionKind,
    options: StructureSettings,
) -> AnswerStructure:
    """The timeline of `answer` (first to last speech; None when nothing was said).

    `sentences` index the text of `words` joined by one separator each (a space, or a line break
    at a pause), as `analyze._with_pause_sentences` writes it for the rubric.
    """
    if answer is None or answer.duration_s <= 0 or not words:
        return AnswerStructure((), tuple((part, PartTotal(0.0, 0.0)) for part in STORY_PARTS), ())
    offsets = list(accumulate((len(word.text) + 1 for word in words[:-1]), initial=0))
    runs: list[tuple[StoryPart, int, int]] = []  # part, first word, last word
    for sentence in sentences:
        first = bisect_left(offsets, sentence.start)
        last = bisect_right(offsets, sentence.end - 1) - 1
        if first > last:
            continue
        if runs and runs[-1][0] == sentence.part:
            runs[-1] = (sentence.part, runs[-1][1], last)
        else:
            runs.append((sentence.part, first, last))
    if not runs:
        runs = [("other", 0, len(words) - 1)]
    start_s, end_s = round(answer.start_s, 3), round(answer.end_s, 3)
    edges = [start_s]
    for (_, _, last), (_, first, _) in pairwise(runs):
        middle = (words[last].end_s + words[first].start_s) / 2
        edges.append(round(min(max(middle, edges[-1]), end_s), 3))
    edges.append(end_s)
    length_s = end_s - start_s
    parts = tuple(
        StructurePart(part, begin, end, round((end - begin) / length_s, 4))
        for (part, _, _), begin, end in zip(runs, edges, edges[1:], strict=False)
    )
    summary = tuple((part, _total(parts, part, length_s)) for part in STORY_PARTS)
    return AnswerStructure(parts, summary, _flags(dict(summary), kind, options))


def _total(parts: tuple[StructurePart, ...], part: StoryPart, length_s: float) -> PartTotal:
    seconds = sum((item.end_s - item.start_s for item in parts if item.part == part), 0.0)
    return PartTotal(round(seconds, 3), round(seconds / length_s, 4))


def _flags(
    summary: dict[StoryPart, PartTotal], kind: QuestionKind, options: StructureSettings
) -> tuple[StructureFlag, ...]:
    flags: list[StructureFlag] = []
    if summary["situation"].share + summary["task"].share > options.long_setup_above:
        flags.append("long_setup")
    if summary["action"].share < options.thin_action_below:
        flags.append("thin_action")
    if kind == "missed" and summary["reflection"].share < options.no_lesson_below:
        flags.append("no_lesson_time")
    return tuple(flags)

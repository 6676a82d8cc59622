"""Each sentence of an answer as one part of a STAR story (situation, task, action, result,
reflection, or other), from the criteria the rubric finds it meets: the STAR timeline's input.

A sentence several criteria claim takes the part latest in the story (reflection, then result,
task, situation, action): the specific cues of a lesson or an outcome outrank the generic "I did"
that almost every sentence shows. Ownership ("that was on me") is read as reflection, where an
answer owns its miss; forward momentum ("since then I ...") too. A sentence no criterion claims
takes the part of the claimed sentences on both sides when they agree (a detail inside a run of
actions is still action), and is `other` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_interview.core.values import StoryPart as Part
from mock_interview.rubric.judging import sentence_support
from mock_interview.rubric.loading import Rubric

PART_OF_CRITERION: dict[str, Part] = {
    "situation": "situation",
    "task": "task",
    "action": "action",
    "result": "result",
    "measurable_result": "result",
    "reflection": "reflection",
    "ownership": "reflection",
    "forward_momentum": "reflection",
}
# When several parts claim a sentence, the first of these wins.
PRECEDENCE: tuple[Part, ...] = ("reflection", "result", "task", "situation", "action")


@dataclass(frozen=True)
class SentencePart:
    """One sentence: `start`/`end` index the text given, `part` is what it tells."""

    start: int
    end: int
    part: Part


def sentence_parts(text: str, rubric: Rubric) -> list[SentencePart]:
    """Every sentence of `text` (as the rubric cuts it) in order, with its STAR part."""
    sentences, support = sentence_support(text, rubric)
    claims: list[set[Part]] = [set() for _ in sentences]
    for criterion_id, indexes in support.items():
        part = PART_OF_CRITERION.get(criterion_id)
        if part is not None:
            for index in indexes:
                claims[index].add(part)
    claimed: list[Part | None] = [
        next((part for part in PRECEDENCE if part in claim), None) for claim in claims
    ]
    return [
        SentencePart(sentence.start, sentence.end, _filled(claimed, index))
        for index, sentence in enumerate(sentences)
    ]


def _filled(claimed: list[Part | None], index: int) -> Part:
    """The claimed part, or for an unclaimed sentence the part both nearest claimed neighbours
    share; `other` when they differ or one side has none."""
    own = claimed[index]
    if own is not None:
        return own
    before = next((part for part in reversed(claimed[:index]) if part is not None), None)
    after = next((part for part in claimed[index + 1 :] if part is not None), None)
    return before if before is not None and before == after else "other"

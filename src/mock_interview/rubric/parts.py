"""Each sentence of an answer as one part of a STAR story (situation, task, action, result,
reflection, or other), from the criteria the rubric finds it meets: the STAR timeline's input.

A story is told in order (situation, task, action, result, reflection) and moves forward, so a
sentence several criteria claim takes the latest part that fits between the parts of the claimed
sentences around it. When none fits, the first in this precedence wins: reflection, result, task,
situation, action (the specific cues of a lesson or an outcome outrank the generic "I did" that
almost every sentence shows). Ownership ("that was on me") is read as reflection,
where an answer owns its miss; forward momentum ("since then I ...") too.

A sentence no criterion claims takes the part of the claimed sentences on both sides when they
agree (a detail inside a run of actions is still action); before the first sentence that tells
more than the situation (the goal, usually), it is setting the scene (situation); anywhere else it
is `other`. A sentence whose
only cue is the generic action ("I spent too long on it") inside a run of another part is read
the same way, as that part.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_interview.core.values import StoryPart as Part
from mock_interview.rubric.judging import Reading, sentence_support

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
# When several parts claim a sentence and none fits the story's order, the first of these wins.
PRECEDENCE: tuple[Part, ...] = ("reflection", "result", "task", "situation", "action")
STORY_ORDER: tuple[Part, ...] = ("situation", "task", "action", "result", "reflection")


@dataclass(frozen=True)
class SentencePart:
    """One sentence: `start`/`end` index the text given, `part` is what it tells."""

    start: int
    end: int
    part: Part


def sentence_parts(reading: Reading) -> list[SentencePart]:
    """Every sentence of a read answer (`judging.read_answer`, as the rubric cuts it) in order,
    with its STAR part."""
    sentences, support = sentence_support(reading)
    claims: list[set[Part]] = [set() for _ in sentences]
    for criterion_id, indexes in support.items():
        part = PART_OF_CRITERION.get(criterion_id)
        if part is not None:
            for index in indexes:
                claims[index].add(part)
    first_reading = [_first(claim) for claim in claims]
    claimed = [
        _in_order(claim, first_reading[:index], first_reading[index + 1 :])
        for index, claim in enumerate(claims)
    ]
    weak = [claim == {"action"} for claim in claims]
    told = [part if not generic else None for part, generic in zip(claimed, weak, strict=True)]
    scene_ends = next(
        (index for index, part in enumerate(claimed) if part not in (None, "situation")),
        len(claimed),
    )
    return [
        SentencePart(sentence.start, sentence.end, _filled(told, claimed, index, scene_ends))
        for index, sentence in enumerate(sentences)
    ]


def _first(claim: set[Part] | list[Part]) -> Part | None:
    return next((part for part in PRECEDENCE if part in claim), None)


def _in_order(claim: set[Part], before: list[Part | None], after: list[Part | None]) -> Part | None:
    """The latest claimed part that fits the story's order between the nearest claimed sentences
    before and after (as first read); the first by precedence when none fits."""
    if len(claim) < 2:
        return _first(claim)
    low = next((part for part in reversed(before) if part is not None), STORY_ORDER[0])
    high = next((part for part in after if part is not None), STORY_ORDER[-1])
    fitting = [
        part
        for part in claim
        if STORY_ORDER.index(low) <= STORY_ORDER.index(part) <= STORY_ORDER.index(high)
    ]
    if fitting:
        return max(fitting, key=STORY_ORDER.index)
    return _first(claim)


def _filled(
    told: list[Part | None], claimed: list[Part | None], index: int, scene_ends: int
) -> Part:
    """The part of sentence `index`: what it tells; or else the part both nearest neighbours
    share (claimed ones around an unclaimed sentence, telling ones around a generic action);
    or else what it claims (the generic action); or else situation before `scene_ends` (the
    first sentence past the situation) and `other` after."""
    own = told[index]
    if own is not None:
        return own
    neighbours = told if claimed[index] is not None else claimed
    before = next((part for part in reversed(neighbours[:index]) if part is not None), None)
    after = next((part for part in neighbours[index + 1 :] if part is not None), None)
    if before is not None and before == after:
        return before
    return claimed[index] or ("situation" if index < scene_ends else "other")

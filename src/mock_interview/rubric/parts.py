"""Each sentence of an answer as one part of a STAR story (situation, task, action, result,
reflection, or other), from the criteria the rubric finds it meets: the STAR timeline's input.

A sentence is claimed by the parts whose criteria it meets (ownership and forward momentum are
reflection: where an answer owns its miss and what it does differently since) and by the parts
whose cues of config/parts.toml it matches (round 3: phrasing the rubric does not need, such as
"so I decided" for the goal, "looking back" for the lesson, "after a few months we were" for the
outcome, and asides such as "sorry, I get carried away" for `other`). The rubric's situation cues
claim every sentence before the goal, not only the first two its criterion reads, as a
transcript may cut a headline into several.

The parts are then read for the whole answer at once (round 3; before, sentence by sentence with
its claimed neighbours): the sequence with the highest total of the weights its sentences claim,
less a cost for every change of part, found by dynamic programming (config/parts.toml holds the
weights and costs). A story moves forward (situation, task, action, result, reflection), so a
step forward is cheap, a step back dear and an aside in between costs its way in and out. What
follows from that:
- a specific cue (a lesson, an outcome, a goal) outweighs the generic "I did" almost every
  sentence shows, so a generic action inside a run of another part is read as that part, and a
  claim the outcome shares (ownership's "I never managed to") weighs less than the outcome's;
- a sentence nobody claims continues the part before it (a detail inside the actions, a second
  line of the scene; round 2 read one between two parts as `other`), or, before any part is told,
  sets the scene (situation); the goal is told in one sentence (each further one costs), so after
  it such a sentence is the first action;
- a story told out of order (the goal or the result as a headline first) is read as told: the
  step back after the first sentence costs no more than a step forward.

Round 4 (read on the held-out sets' misses, written by other writers, and on whisper's
transcripts of them):
- a criterion's claim is withdrawn where its cue word names something else (config/parts.toml's
  [criterion_exclude]: "evening lessons" is no lesson learned, "which I never expected" no miss
  owned, "a target I set myself" inside an outcome no goal being set); the rubric's verdicts are
  untouched;
- a sentence that says it tells more of the same ("I also ...") costs more to change part at;
- an aside keeps the story's place: stepping back into the story after it costs the step from
  the part before it (before, out to `other` and back in was cheaper than a step back);
- cues for asides ("Oh,", "So yes,", "..., actually"), outcomes told by time gone by ("By April",
  "four months in", "at the two year mark") and lessons by their shape, several of them also as
  whisper tends to hear them ("sit myself" for "set myself", "my December" for "by December").

Round 5 (four rounds of cues carried over to blind writers only in part, so this round leans on
what any story shares rather than on its words):
- where a sentence stands: a story is told in order far more often than not, so each claim on
  a sentence gains by how often its part is told at the sentence's place in the answer
  (config/parts.toml's [position]: per part, the share of sentences in each fifth of an answer
  that tell it, counted on the tuned-on sets; less in a short answer). Only claims gain, so a
  sentence nobody claims still continues the part before it, and a place alone never gives a
  sentence a part: where the cues are torn (a figure among the actions, a result cue beside a
  scene), the place decides;
- a step forward that passes over the actions (or the outcome) costs more, so a sentence between
  the goal and the outcome that nobody claims is an action, not the outcome told early (passing
  over the goal costs nothing, as it often goes unsaid, nor does a headline: the goal and then
  what came of it, told in the first two sentences);
- cues of kinds seen missed on the blind `scored5`: an aside by the tag that closes it ("...,
  I can tell you", "..., to be fair"), the scene by who the speaker was ("I was a sous chef in a
  hotel kitchen", "we are a small station run by volunteers", "I grew up on"), and "the goal I
  set was to" stating the goal rather than measuring the outcome by it.

Round 6 (five rounds of cues; the sets written after they were last tuned still read 80-90% of
their boundaries right as text): a learned sentence model weighs the claims
(rubric/learned.py `PartModel`, config/parts_model.npz, `with_model` below): a softmax over the
parts of one sentence from its words, the claims on it, the fifth of the answer it stands in and
the question's kind, trained on every set's answers but the sealed one, as written and as whisper
heard them in two voices. Leaving each set out, the five sets written after the cues were last
tuned read 85.5% of their boundaries right as text with the claims alone and 93.2% with the
model; as whisper heard them, 78.4% and 87.6% (scripts/train_part_model.py --validate --spoken 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_interview.core.values import STORY_PARTS
from mock_interview.core.values import StoryPart as Part
from mock_interview.rubric.judging import Reading, sentence_support
from mock_interview.rubric.learned import PartModel, load_part_model, part_features
from mock_interview.rubric.loading import CueSet, PartReading, load_part_reading

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
STORY_ORDER: tuple[Part, ...] = ("situation", "task", "action", "result", "reflection")


@dataclass(frozen=True)
class SentencePart:
    """One sentence: `start`/`end` index the text given, `part` is what it tells."""

    start: int
    end: int
    part: Part


def sentence_parts(reading: Reading, kind: str) -> list[SentencePart]:
    """Every sentence of a read answer (`judging.read_answer`, as the rubric cuts it) in order,
    with its STAR part; `kind` is the question's (achieved, missed or general)."""
    config = load_part_reading(reading.rubric.matching.quantity.pattern)
    claims = part_claims(reading, config)
    model = load_part_model(config.model_path) if config.model_path else None
    if model is not None:
        plain = [sentence.plain for sentence in reading.sentences]
        claims = with_model(model, plain, claims, kind)
    continuing = set(reading.matching(config.continuing))
    return [
        SentencePart(sentence.start, sentence.end, part)
        for sentence, part in zip(
            reading.sentences, best_sequence(claims, continuing, config), strict=True
        )
    ]


def with_model(
    model: PartModel, sentences: list[str], claims: list[dict[Part, float]], kind: str
) -> list[dict[Part, float]]:
    """The claims with the sentence model's say added (round 6): each part claimed for a sentence
    gains the model's log-probability of it, less that of the sentence's likeliest part, so a
    claim the model finds likeliest keeps its weight and an unlikely one loses it; a sentence
    nobody claims gains the same for every part at `unclaimed_weight`. The cost: the weak
    sample's closing "I'll probably get it this year, or maybe somewhere else" now reads as
    looking forward (reflection) rather than more of the outcome."""
    if not sentences:
        return []
    rows = model.log_probs(part_features(sentences, claims, kind, model.options))
    options = model.options
    return [
        {
            part: claim.get(part, 0.0)
            + (options.model_weight if claim else options.unclaimed_weight)
            * float(value - row.max())
            for part, value in zip(STORY_PARTS, row, strict=True)
            if part in claim or (not claim and options.unclaimed_weight)
        }
        for row, claim in zip(rows, claims, strict=True)
    ]


def part_claims(reading: Reading, config: PartReading) -> list[dict[Part, float]]:
    """Per sentence, the parts its criteria and cues claim, with the weight of each claim."""
    sentences, support = sentence_support(reading)
    claims: list[dict[Part, float]] = [{} for _ in sentences]

    def claim(index: int, part: Part, weight: float) -> None:
        claims[index][part] = max(claims[index].get(part, 0.0), weight)

    for criterion_id, indexes in support.items():
        part = PART_OF_CRITERION.get(criterion_id)
        if part is not None:
            for index in indexes:
                if not _named_otherwise(reading, criterion_id, index, config):
                    weight = config.criterion_weights.get(criterion_id, config.weights[part])
                    claim(index, part, weight)
    for part, cues in config.cues.items():
        for index in reading.matching(cues):
            claim(index, part, config.weights[part])
    # The scene is set before the goal, in however many sentences a transcript cuts it into: the
    # rubric's situation cues read every sentence before the goal, not only its first two (when
    # no goal is read, where the scene ends is not known).
    goal = min(support["task"], default=0)
    for index in reading.matching(reading.rubric.criteria["situation"].cues):
        if index < goal:
            claim(index, "situation", config.weights["situation"])
    return claims


def _named_otherwise(reading: Reading, criterion_id: str, index: int, config: PartReading) -> bool:
    """Whether every match of the criterion's cues in sentence `index` starts inside one of its
    exclusions in config/parts.toml (its cue word naming something else there)."""
    exclusions = config.criterion_exclude.get(criterion_id)
    if not exclusions or criterion_id not in reading.rubric.criteria:
        return False
    matches = reading.cue_matches(reading.rubric.criteria[criterion_id].cues, index)
    spans = [
        found.span()
        for found in reading.cue_matches(CueSet(exclusions, (), negation=False), index)
    ]
    return bool(matches) and all(
        any(start <= match.start() < end for start, end in spans) for match in matches
    )


# A state of the reading: the part a sentence tells, and the story's part it stands in (the
# last story part told before an aside; None before any).
_State = tuple[Part, Part | None]
_STATES: tuple[_State, ...] = (
    *((part, part) for part in STORY_ORDER),
    *(("other", story) for story in (None, *STORY_ORDER)),
)


def best_sequence(
    claims: list[dict[Part, float]], continuing: set[int], config: PartReading
) -> list[Part]:
    """The parts, one per sentence, with the highest total of claimed weights less change costs.
    Of equal sequences, the one that changes part latest: an unclaimed sentence continues.
    An aside keeps the story's place (round 4): stepping back into the story after it costs what
    the step from the part before it would, so an aside is no cheap way to turn the story back."""
    if not claims:
        return []

    # Where a sentence stands weighs its claims (round 5), less in a short answer (a fifth of it
    # is less than a sentence): the weight grows with the answer up to `position_full_from`
    # sentences. Only a claimed part gains: a place alone gives no part.
    position_weight = config.position_weight * min(1.0, len(claims) / config.position_full_from)

    def gain(index: int, part: Part) -> float:
        if part not in claims[index]:
            return 0.0
        return claims[index][part] + position_weight * _position_share(
            index, len(claims), part, config
        )

    scores: dict[_State, float] = {
        state: (
            gain(0, state[0]) - (0.0 if state[0] == STORY_ORDER[0] else config.opening)
            if state[1] in (None, state[0])
            else float("-inf")
        )
        for state in _STATES
    }
    links: list[dict[_State, _State]] = []
    for index in range(1, len(claims)):
        totals = {
            state: {
                prior: scores[prior] - _change_cost(prior, state, index, continuing, config)
                for prior in _STATES
                if _follows(prior, state)
            }
            for state in _STATES
        }
        link = {
            state: max(
                options,
                key=lambda prior, options=options, state=state: (  # type: ignore[misc]
                    round(options[prior], 6),
                    prior[0] != state[0],
                ),
            )
            for state, options in totals.items()
        }
        scores = {state: totals[state][link[state]] + gain(index, state[0]) for state in _STATES}
        links.append(link)
    sequence = [max(_STATES, key=lambda state: round(scores[state], 6))]
    for link in reversed(links):
        sequence.append(link[sequence[-1]])
    return [part for part, _ in sequence[::-1]]


def _position_share(index: int, count: int, part: Part, config: PartReading) -> float:
    """The share of sentences at this place in an answer (its fifth) that tell `part`."""
    shares = config.position[part]
    fifth = min(len(shares) - 1, index * len(shares) // count)
    return shares[fifth]


def _follows(prior: _State, state: _State) -> bool:
    """Whether `state` can follow `prior`: an aside stands in the story part before it."""
    if state[0] != "other":
        return True
    return state[1] == (prior[1] if prior[0] == "other" else prior[0])


def _change_cost(
    before: _State, after: _State, index: int, continuing: set[int], config: PartReading
) -> float:
    """What going from `before` to `after` at sentence `index` costs (more where the sentence
    says it continues: "I also ...")."""
    if before[0] == after[0]:
        return config.stay[after[0]]
    extra = config.continued if index in continuing else 0.0
    if after[0] == "other":
        return config.aside + extra
    if before[0] == "other":
        return config.aside + extra + _order_cost(before[1], after[0], index, config)
    return _order_cost(before[0], after[0], index, config) + extra


def _order_cost(before: Part | None, after: Part, index: int, config: PartReading) -> float:
    """What moving the story from part `before` (None: not begun) to `after` costs."""
    if before is None:
        return 0.0
    if before == after:
        return config.stay[after]
    if STORY_ORDER.index(after) > STORY_ORDER.index(before):
        if index == 1:  # a headline: the goal, then what came of it
            return config.forward
        passed = STORY_ORDER[STORY_ORDER.index(before) + 1 : STORY_ORDER.index(after)]
        return config.forward + config.skipped * sum(part != "task" for part in passed)
    return config.after_headline if index == 1 else config.backward

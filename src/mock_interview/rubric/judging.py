"""Scoring one answer against the rubric: which criteria are met, which red flags show, with the
sentences that earned each verdict quoted exactly, plus delivery flags from the timing report.

Judging is by sentence-level cues from config/rubric.toml (patterns with negation handling), a
count of first-person action verbs, and quantities found in result sentences; then a small learned
model (rubric/learned.py) reads those verdicts with the answer's words and may overturn one where
the words say so clearly. Every verdict points at the sentences behind it, and a 3-minute answer
scores in a few milliseconds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from mock_interview.core.errors import UserError
from mock_interview.rubric.learned import (
    AnswerFeatures,
    LearnedModel,
    LearnedOptions,
    featurise,
    load_model,
)
from mock_interview.rubric.loading import FLAG_KINDS, CueSet, Probe, Rubric, load_rubric
from mock_interview.rubric.sentences import Sentence, split_sentences

# Words that start a new subject and so end a run of "I built X, created Y and organised Z".
OTHER_SUBJECTS = frozenset({"we", "they", "he", "she", "it", "you", "everyone", "nobody", "who"})
COORDINATORS = frozenset({"and", "then", "or"})
LIGHT_VERBS = frozenset({"did", "made", "took", "put", "set", "got", "ran", "kept"})
# What follows a quantity that makes it a time span ("eleven months", "one and half year").
TIME_UNIT = re.compile(
    r" (?:and (?:a )?half )?(?:days?|weeks?|months?|years?|hours?|minutes?|seasons?|terms?)\b"
)


@dataclass(frozen=True)
class DeliveryFacts:
    """The few figures of a spoken answer the delivery flags judge. A plain value here, because
    the rubric sits below the analysis and must not know its model; the analysis fills it in."""

    verdict: str  # "short", "on_target" or "long"
    answer_length_s: float
    target_min_s: float
    target_max_s: float
    response_latency_s: float
    fillers_per_minute: float
    filler_counts: tuple[tuple[str, int], ...]  # (label, count), most frequent first
    signposted: bool = False  # the answer opened with a thinking phrase ("let me think")
    latency_from_question: bool = False  # the latency counts from the end of the question


@dataclass(frozen=True)
class Finding:
    """One criterion (met or not) or one red flag (shown), with the sentences quoted for it."""

    id: str
    evidence: list[str]

    @property
    def met(self) -> bool:
        return bool(self.evidence)


@dataclass(frozen=True)
class Judgement:
    """What the cues say about an answer: every criterion of its kind, and the red flags shown."""

    criteria: list[Finding]
    red_flags: list[Finding]
    refused: str | None = None
    """The criterion a follow-up probed, when the reply turned the question away."""

    def criterion_met(self, criterion_id: str) -> bool:
        return any(found.id == criterion_id and found.met for found in self.criteria)


def read_answer(text: str, rubric: Rubric) -> Reading:
    """The cue matches of `text`, made once for the score and the STAR timeline to share."""
    return _Judge(text, rubric)


def judge_answer(
    text: str,
    kind: str,
    rubric: Rubric,
    reading: Reading | None = None,
    probed: str | None = None,
) -> Judgement:
    """The criteria and red flags for `text` as a question of `kind`, before any scoring;
    `reading` is `read_answer(text, rubric)` when the caller already has it; `probed`: the
    criterion a follow-up asked about, when `text` is the reply to it."""
    judge = reading if reading is not None else _Judge(text, rubric)
    by_rules = judge_by_rules(text, kind, rubric, judge)
    model = load_model(rubric.model_path) if rubric.model_path else None
    judgement = by_rules if model is None else _second_opinion(judge, kind, by_rules, model)
    if probed is None or probed not in rubric.probes:
        return judgement
    return _as_reply(judge, judgement, probed, rubric.probes[probed])


def _as_reply(reading: Reading, judgement: Judgement, probed: str, probe: Probe) -> Judgement:
    """`judgement` of a reply to a follow-up probing `probed`. An answer is read as a whole story,
    and a reply says the one thing asked in words only the question makes clear: a sentence
    that answers the probe meets the criterion. A refusal unmeets it unless the reply answers
    after it: "I did everything I could. But I should have asked for help in March" owns a part;
    "I should have asked sooner, but honestly it was out of my hands" takes it back. A question
    answers nothing: "What part was mine?" said back before an excuse owns no part."""
    refusals = reading.matching(probe.refusals)
    last_refusal = max(refusals, default=-1)
    met = judgement.criterion_met(probed)
    answers = set(reading.matching(probe.answers))
    if met:
        answers |= set(reading.supporting(probed))
    asked = reading.questions()
    answered_after = sorted(i for i in answers - set(refusals) - asked if i > last_refusal)
    refused = bool(refusals) and not answered_after

    def as_reply(finding: Finding) -> Finding:
        if finding.id != probed or (met and not refusals and not asked):
            return finding
        return Finding(finding.id, reading.quote(answered_after))

    reply = Judgement([as_reply(finding) for finding in judgement.criteria], [])
    owned = reply.criterion_met("ownership")
    # As `red_flag_evidence` has it: blame that comes with ownership is context, not an excuse.
    flags = [f for f in judgement.red_flags if not (owned and f.id == "blame_external")]
    return Judgement(reply.criteria, flags, probed if refused else None)


def judge_by_rules(
    text: str, kind: str, rubric: Rubric, reading: Reading | None = None
) -> Judgement:
    """`judge_answer` by the rules alone: what the learned model reads and is trained on."""
    if kind not in FLAG_KINDS:
        raise UserError(f"unknown question kind '{kind}' (use {', '.join(FLAG_KINDS)})")
    judge = reading if reading is not None else _Judge(text, rubric)
    # "general" questions (feedback, growth) are judged on the achieved-goal criteria.
    criteria = [
        Finding(criterion.id, judge.evidence_for(criterion.id))
        for criterion in rubric.kind_criteria(kind)
    ]
    red_flags = [
        Finding(flag.id, judge.red_flag_evidence(flag.id))
        for flag in rubric.red_flags.values()
        if kind in flag.kinds
    ]
    return Judgement(criteria, [flag for flag in red_flags if flag.met])


def verdicts_of(
    met: dict[str, bool], shown: set[str], kind: str, rubric: Rubric
) -> dict[str, bool]:
    """The criteria judged and the red flags shown (a judgement lists only those), as one verdict
    per label of `kind`: how a typed answer and a spoken answer's report are compared alike."""
    return met | {
        flag.id: flag.id in shown for flag in rubric.red_flags.values() if kind in flag.kinds
    }


def judgement_verdicts(judgement: Judgement, kind: str, rubric: Rubric) -> dict[str, bool]:
    """Every criterion and red flag that applies to `kind`: met (or shown) or not, by the rules'
    judgement or the model's."""
    met = {finding.id: finding.met for finding in judgement.criteria}
    return verdicts_of(met, {flag.id for flag in judgement.red_flags}, kind, rubric)


def answer_features(
    reading: Reading, kind: str, by_rules: Judgement, options: LearnedOptions
) -> AnswerFeatures:
    """What the learned model reads of an answer: in training and in judging alike."""
    return featurise(
        [sentence.plain for sentence in reading.sentences],
        judgement_verdicts(by_rules, kind, reading.rubric),
        kind,
        reading.facts(),
        options,
    )


def _second_opinion(
    reading: Reading, kind: str, by_rules: Judgement, model: LearnedModel
) -> Judgement:
    """The rules' judgement with the model's verdicts: a verdict it overturns to met (or shown)
    quotes the sentence whose words weigh most for it, and stands only if there is one; a verdict
    it overturns to unmet quotes nothing."""
    features = answer_features(reading, kind, by_rules, model.options)

    def decided(finding: Finding) -> Finding:
        if not model.decide(features, finding.id, finding.met):
            return Finding(finding.id, [])
        if finding.met:
            return finding
        strongest = model.strongest_sentence(features, finding.id, reading.where(finding.id))
        return Finding(finding.id, [] if strongest is None else reading.quote([strongest]))

    criteria = [decided(finding) for finding in by_rules.criteria]
    shown = {flag.id: flag for flag in by_rules.red_flags}
    flags = [
        decided(shown.get(flag.id, Finding(flag.id, [])))
        for flag in reading.rubric.red_flags.values()
        if kind in flag.kinds
    ]
    return Judgement(criteria, [flag for flag in flags if flag.met])


def score_answer(
    text: str,
    kind: str,
    delivery: DeliveryFacts | None = None,
    rubric: Rubric | None = None,
    reading: Reading | None = None,
    probed: str | None = None,
) -> dict[str, Any]:
    """The rubric report for one answer (shape in issue 4, what `RubricResult.from_json` reads);
    `delivery` is None for a typed answer (no delivery flags); `reading` and `probed` as in
    `judge_answer`."""
    rubric = rubric or load_rubric()
    judgement = judge_answer(text, kind, rubric, reading, probed)
    weights = {found.id: rubric.criteria[found.id].weight for found in judgement.criteria}
    possible = sum(weights.values())
    earned = sum(weights[found.id] for found in judgement.criteria if found.met)
    delivery_flags = _delivery_flags(delivery, rubric)
    penalty = sum(rubric.red_flags[flag.id].penalty for flag in judgement.red_flags)
    penalty += sum(rubric.delivery[flag["id"]].penalty for flag in delivery_flags)
    score = round(max(0.0, min(100.0, 100.0 * earned / possible - penalty))) if possible else 0
    return {
        "kind": kind,
        "score": score,
        "band": "strong" if score >= rubric.strong else "fair" if score >= rubric.fair else "weak",
        "criteria": [
            {
                "id": found.id,
                "met": found.met,
                "evidence": found.evidence,
                "advice": "" if found.met else _advice(found.id, judgement, rubric),
            }
            for found in judgement.criteria
        ],
        "red_flags": [
            {"id": flag.id, "evidence": flag.evidence, "advice": rubric.red_flags[flag.id].advice}
            for flag in judgement.red_flags
        ],
        "delivery_flags": delivery_flags,
    }


class _Judge:
    """The cue matches of one answer. Each pattern runs once over all sentences joined by line
    breaks (one regex call per pattern, not per sentence: that keeps a 3-minute answer in
    milliseconds), and each cue set's matches are kept for every criterion that asks again."""

    def __init__(self, text: str, rubric: Rubric) -> None:
        self.text = text
        self.rubric = rubric
        self.sentences = split_sentences(text, rubric.fillers, rubric.matching)
        self.joined = "\n".join(sentence.plain for sentence in self.sentences)
        self.starts = list(accumulate((len(s.plain) + 1 for s in self.sentences[:-1]), initial=0))
        self._matches: dict[int, tuple[CueSet, list[list[re.Match[str]]]]] = {}
        self._supporting: dict[str, list[int]] = {}

    def facts(self) -> list[tuple[str, int | None]]:
        """A few facts the words alone do not show the learned model, each with the sentence it
        is about (None for the whole answer): where figures stand relative to the goal and to
        actions, how many distinct actions "I" did, and how long the answer is."""
        quantity = self.rubric.matching.quantity
        goal = next(iter(self.supporting("task")), -1)
        facts: list[tuple[str, int | None]] = []
        actions: set[str] = set()
        for index, sentence in enumerate(self.sentences):
            done = self._actions_in(sentence)
            actions |= done
            if not quantity.search(sentence.plain):
                continue
            facts.append(("figure", index))
            if index > goal:
                facts.append(("figure_after_goal", index))
                if not done:
                    facts.append(("figure_after_goal_no_action", index))
            if index >= len(self.sentences) - 3:
                facts.append(("figure_near_end", index))
        facts.append((f"actions_{min(len(actions), 3)}", None))
        facts.append((f"sentences_{min(len(self.sentences) // 3, 3)}", None))
        return facts

    def where(self, label: str) -> list[int]:
        """The sentences a verdict on `label` may rest on: the closing one for a positive close,
        the first few for a criterion searched only there (the situation), else any."""
        if label == "positive_close":
            closing = self._closing_sentence()
            return [] if closing is None else [closing]
        criterion = self.rubric.criteria.get(label)
        limit = self._first_sentences(criterion.within_first if criterion else None)
        return list(range(limit))

    def quote(self, indexes: list[int]) -> list[str]:
        chosen = sorted(set(indexes))[: self.rubric.max_evidence]
        return [self.text[self.sentences[i].start : self.sentences[i].end] for i in chosen]

    def questions(self) -> set[int]:
        """Indexes of the sentences that end in a question mark."""
        return {
            index
            for index, sentence in enumerate(self.sentences)
            if self.text[sentence.start : sentence.end].rstrip().endswith("?")
        }

    def evidence_for(self, criterion_id: str) -> list[str]:
        """The sentences quoted for a met criterion. The goal's own sentence often carries a
        result cue ("raise 12,000 pounds by the end of the term"): it is quoted as the result
        only when no other sentence tells the outcome."""
        supporting = self.supporting(criterion_id)
        if criterion_id == "result":
            goal = set(self.supporting("task"))
            supporting = [index for index in supporting if index not in goal] or supporting
        return self.quote(supporting)

    def supporting(self, criterion_id: str) -> list[int]:
        """Indexes of the sentences that meet a criterion (empty when it is not met)."""
        if criterion_id not in self._supporting:
            finder = getattr(self, f"_find_{criterion_id}", None)
            criterion = self.rubric.criteria[criterion_id]
            found = finder() if finder else self.matching(criterion.cues)
            limit = self._first_sentences(criterion.within_first)
            self._supporting[criterion_id] = [i for i in found if i < limit]
        return self._supporting[criterion_id]

    def _first_sentences(self, count: int | None) -> int:
        """How many sentences from the start hold the first `count` of more than a few words
        ("Right." or "Sorry." before the story does not use up a place); all when None."""
        if not count:
            return len(self.sentences)
        minimum = self.rubric.matching.min_closing_words
        for index, sentence in enumerate(self.sentences):
            if len(sentence.words) >= minimum:
                count -= 1
            if count == 0:
                return index + 1
        return len(self.sentences)

    def matching(self, cues: CueSet) -> list[int]:
        return [i for i, found in enumerate(self._all_matches(cues)) if found]

    def cue_matches(self, cues: CueSet, index: int) -> list[re.Match[str]]:
        """Matches in sentence `index` that neither an exclusion nor a negation cancels."""
        return self._all_matches(cues)[index]

    def _all_matches(self, cues: CueSet) -> list[list[re.Match[str]]]:
        if id(cues) in self._matches:
            return self._matches[id(cues)][1]
        per_sentence: list[list[re.Match[str]]] = [[] for _ in self.sentences]
        excluded = [m.span() for pattern in cues.exclude for m in pattern.finditer(self.joined)]
        for pattern in cues.patterns:
            for match in pattern.finditer(self.joined):
                if "\n" in match.group() or any(a <= match.start() < b for a, b in excluded):
                    continue
                index = bisect_right(self.starts, match.start()) - 1
                if cues.negation and self._negated(self.starts[index], match):
                    continue
                per_sentence[index].append(match)
        self._matches[id(cues)] = (cues, per_sentence)  # the set is kept so its id stays unique
        return per_sentence

    def _negated(self, sentence_start: int, match: re.Match[str]) -> bool:
        matching = self.rubric.matching
        if matching.negators & set(re.findall(r"[\w']+", match.group())):
            return False  # the pattern spells out its own negation ("I can not blame")
        clause = re.split(r"[,;:]|\bbut\b", self.joined[sentence_start : match.start()])[-1]
        for phrase in matching.not_negating:
            clause = clause.replace(phrase, " ")
        before = clause.split()[-matching.negation_window :]
        return any(word in matching.negators for word in before)

    def _find_action(self) -> list[int]:
        verbs: set[str] = set()
        indexes = []
        for index, sentence in enumerate(self.sentences):
            found = self._actions_in(sentence)
            if found:
                verbs |= found
                indexes.append(index)
        return indexes if len(verbs) >= self.rubric.actions.min_actions else []

    def _actions_in(self, sentence: Sentence) -> set[str]:
        """Action verbs done by "I": right after "I", or coordinated after such a verb."""
        words = sentence.words
        bare = [word.strip(",;:") for word in words]
        found: set[str] = set()
        speaking_as_i = False
        for index, word in enumerate(bare):
            after_coordination = index > 0 and (
                words[index - 1].endswith(",") or bare[index - 1] in COORDINATORS
            )
            if word == "i":
                at = index + 1
                verb = self._action_at(bare, at)
                # "I set out to run, added a tempo run and ran 48:12": a verb that is no action
                # still makes "I" the subject of the verbs coordinated after it.
                speaking_as_i = verb is not None or self._is_verb(bare, at)
            elif word in OTHER_SUBJECTS:
                speaking_as_i = False
                continue
            elif speaking_as_i and after_coordination:
                at = index
                verb = self._action_at(bare, at)
            else:
                continue
            if verb in LIGHT_VERBS:
                # "did the modules" and "did fifty practice cases" are two things done
                following = bare[self._after_adverbs(bare, at) + 1 :]
                verb = f"{verb} {following[0]}" if following else verb
            if verb:
                found.add(verb)
        return found

    def _after_adverbs(self, words: list[str], index: int) -> int:
        """The index of the first word at or after `index` that is no adverb or coordinator."""
        skipped = self.rubric.actions.adverbs | COORDINATORS
        while index < len(words) and words[index] in skipped:
            index += 1
        return index

    def _action_at(self, words: list[str], index: int) -> str | None:
        lexicon = self.rubric.actions
        index = self._after_adverbs(words, index)
        if index >= len(words):
            return None
        rest = " ".join(words[index : index + 3])
        if any(pattern.match(rest) for pattern in self.rubric.criteria["action"].cues.exclude):
            return None
        for phrasal in lexicon.phrasal_verbs:
            if rest == phrasal or rest.startswith(phrasal + " "):
                return phrasal
        word = words[index]
        if word in ("was", "were") and index + 1 < len(words):
            return self._ongoing(words[index + 1])
        if word in lexicon.not_verbs:
            return None
        regular_past = word.endswith("ed") and len(word) > 4 and word.replace("-", "").isalpha()
        return word if word in lexicon.verbs or regular_past else None

    def _ongoing(self, word: str) -> str | None:
        """An action verb's -ing form ("taking", "practising"), as the verb."""
        stem = word.removesuffix("ing")
        if stem == word:
            return None
        verbs = self.rubric.actions.verbs
        for base in (stem, stem + "e", stem[:-1]):  # do-ing, tak(e)-ing, run(n)-ing
            if base in verbs:
                return base
        return None

    def _is_verb(self, words: list[str], index: int) -> bool:
        """A verb of the lexicon, action or not, or a past tense, stands at `index`."""
        lexicon = self.rubric.actions
        index = self._after_adverbs(words, index)
        if index >= len(words):
            return False
        word = words[index]
        return word in lexicon.verbs or word in lexicon.not_verbs or word.endswith("ed")

    def _find_measurable_result(self) -> list[int]:
        """Result sentences holding a quantity at or after the result cue ("we finished on
        260"), or before it as a time span ("after eleven months I got the role"); in a sentence
        that also states the goal only after it, so the target alone does not count. A count
        before the cue belongs to the actions ("I did two mock interviews, but I did not pass")."""
        criteria = self.rubric.criteria
        amounts = self._all_matches(CueSet((self.rubric.matching.quantity,), (), negation=False))
        found = []
        for index in range(len(self.sentences)):
            if self.cue_matches(criteria["measurable_result"].cues, index):
                found.append(index)
                continue
            cues = self.cue_matches(criteria["result"].cues, index)
            if not cues:
                continue
            states_goal = bool(self.cue_matches(criteria["task"].cues, index))
            first_cue = min(m.start() for m in cues)
            if any(
                m.start() >= first_cue or (not states_goal and self._time_span(m))
                for m in amounts[index]
            ):
                found.append(index)
        return found

    def _time_span(self, amount: re.Match[str]) -> bool:
        return bool(TIME_UNIT.match(self.joined, amount.end()))

    def _find_positive_close(self) -> list[int]:
        closing = self._closing_sentence()
        if closing is None:
            return []
        close = self.rubric.criteria["positive_close"].cues
        growth = (
            close,
            *(self.rubric.criteria[c].cues for c in ("reflection", "forward_momentum")),
        )
        # A named lesson may mention the feeling ("I learnt that being embarrassed is part of
        # learning"); the regret and shrug words spoil only a close that names none.
        lesson = bool(self.cue_matches(self.rubric.criteria["reflection"].cues, closing))
        spoils = [] if lesson else [CueSet(close.exclude, (), negation=False)]
        flags = ("blame_external", "minimizing", "disguised_success")
        spoils += [self.rubric.red_flags[flag].cues for flag in flags]
        grows = any(self.cue_matches(cues, closing) for cues in growth)
        spoiled = any(self.cue_matches(cues, closing) for cues in spoils)
        return [closing] if grows and not spoiled else []

    def _closing_sentence(self) -> int | None:
        minimum = self.rubric.matching.min_closing_words
        for index in reversed(range(len(self.sentences))):
            if len(self.sentences[index].words) >= minimum:
                return index
        return None

    def red_flag_evidence(self, flag_id: str) -> list[str]:
        flag = self.rubric.red_flags[flag_id]
        found = self._all_matches(flag.cues)
        if sum(len(matches) for matches in found) < flag.min_count:
            return []
        if flag_id == "blame_external" and self.supporting("ownership"):
            return []  # blame that comes with ownership is context, not an excuse
        return self.quote([index for index, matches in enumerate(found) if matches])


Reading = _Judge
"""An answer's text as the rubric's cues read it (`read_answer`)."""


def _advice(criterion: str, judgement: Judgement, rubric: Rubric) -> str:
    """What to do about an unmet criterion: the probe's own line when a reply turned the
    question away (the candidate was asked for it and declined), else the criterion's."""
    if criterion == judgement.refused:
        return rubric.probes[criterion].refused_advice
    return rubric.criteria[criterion].advice


def _delivery_flags(delivery: DeliveryFacts | None, rubric: Rubric) -> list[dict[str, str]]:
    if delivery is None:
        return []
    flags = []
    if delivery.verdict in ("short", "long"):
        target = f"{delivery.target_min_s:.0f}–{delivery.target_max_s:.0f} s"
        flags.append(
            (
                "too_short" if delivery.verdict == "short" else "too_long",
                f"answered in {delivery.answer_length_s:.0f} s; the target is {target}",
            )
        )
    latency = delivery.response_latency_s
    if latency > rubric.slow_start_s:
        flags.append(
            (
                "slow_start",
                f"first words after {latency:.1f} s (more than {rubric.slow_start_s:g} s)",
            )
        )
    if latency > rubric.signpost_wait_s and not delivery.signposted:
        since = "the end of the question" if delivery.latency_from_question else "recording start"
        flags.append(
            (
                "unsignposted_wait",
                f"{latency:.1f} s of silence from {since} to the first word, "
                "with no sign that you were thinking",
            )
        )
    rate = delivery.fillers_per_minute
    if rate > rubric.filler_rate_max:
        common = sorted(delivery.filler_counts, key=lambda item: -item[1])[:3]
        most = ", ".join(f'"{word}" ×{count}' for word, count in common)
        flags.append(
            (
                "many_fillers",
                f"{rate:.1f} fillers per minute (limit {rubric.filler_rate_max:g})"
                + (f": {most}" if most else ""),
            )
        )
    return [
        {"id": flag_id, "detail": detail, "advice": rubric.delivery[flag_id].advice}
        for flag_id, detail in flags
    ]


def sentence_support(reading: Reading) -> tuple[list[Sentence], dict[str, list[int]]]:
    """The sentences of a read answer and, for every criterion of any kind, the indexes of those
    that meet it: the rubric's own judgement read sentence by sentence (the STAR timeline's input).

    An action sentence is any sentence with an action done by "I", even when the answer as a whole
    names too few distinct actions to meet the action criterion: the timeline asks where the
    actions are, not whether there are enough of them. No verdict changes.
    """
    support = {criterion: reading.supporting(criterion) for criterion in reading.rubric.criteria}
    support["action"] = [
        index for index, sentence in enumerate(reading.sentences) if reading._actions_in(sentence)
    ]
    return reading.sentences, support

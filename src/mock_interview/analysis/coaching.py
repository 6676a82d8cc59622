"""Three things to work on: the few findings that would change an interviewer's impression most.

Each finding is something observed in this answer, with the times that show it ("2 pauses over
3 s" at 0:40 and 1:10), never a trait ("you lacked confidence"). They are ranked by where
they come from (`COACHING_SOURCES`): a criterion the answer misses first (the heaviest in the
rubric first), then red flags, then length, then hesitation and delivery. An answer with none of
these still gets one item: its smallest hesitation, or the strength to keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from mock_interview.analysis.answer import (
    COACHING_SOURCES,
    MAX_COACHING,
    AnswerAnalysis,
    AnswerTiming,
    CoachingItem,
    Delivery,
    FillerSummary,
    RubricResult,
    Transcript,
)
from mock_interview.core.values import Word, normalize_token
from mock_interview.rubric import Rubric

QUOTE_CHARS = 70
"""A quoted sentence is cut to this many characters, so a finding stays one line."""

# What an answer that misses a criterion shows instead, where the place it would be is known.
_MISSING = {
    "situation": "No setting before the story starts",
    "task": "The goal itself is never stated",
    "action": "No step you took yourself is described (\"I built…\", \"I asked…\")",
    "result": "The outcome is never stated",
    "measurable_result": "The outcome has no number on it",
    "reflection": "No lesson is named",
    "ownership": "Nothing says which part of the miss was yours",
    "forward_momentum": "Nothing says what you do differently now",
    "positive_close": "The answer does not end on what you would do next",
}
# Where a missing criterion would have been said: the opening, or beside the outcome the answer
# states (the `result` criterion's sentence); anything else belongs to the close.
_AT_START = {"situation", "task"}
_BY_THE_OUTCOME = {"measurable_result", "ownership"}

def coach(
    timing: AnswerTiming,
    transcript: Transcript,
    fillers: FillerSummary,
    rubric: RubricResult | None,
    rules: Rubric,
    long_pause_s: float,
    delivery: Delivery | None = None,
) -> tuple[CoachingItem, ...]:
    """At most `MAX_COACHING` findings, most important first; at least one for any speech."""
    words = [word for word in transcript.words if not word.filler]
    if not timing.speech_detected or not words:
        return ()
    start_s, end_s = words[0].start_s, words[-1].start_s
    last_sentence_s = _last_sentence_start(words)
    items: list[CoachingItem] = []
    if rubric is not None:
        items += _criteria_gaps(rubric, rules, start_s, last_sentence_s, words)
        items += [
            CoachingItem(
                _flag_label(rules, flag.id)
                + "".join(f" — “{_short(quote)}”" for quote in flag.evidence[:1]),
                flag.advice,
                _quote_times(words, flag.evidence) or (start_s,),
                "red_flag",
            )
            for flag in rubric.red_flags
        ]
        items += [
            CoachingItem(
                flag.detail[:1].upper() + flag.detail[1:],
                flag.advice or "",
                (end_s,),
                "length",
            )
            for flag in rubric.delivery_flags
            if flag.id in ("too_short", "too_long")
        ]
    items += _hesitation(timing, fillers, rubric, long_pause_s)
    items += delivery_findings(delivery) if delivery is not None else []
    if not items:
        items.append(_smallest_hesitation(timing, fillers) or _strength(rubric, words))
    items.sort(key=lambda item: COACHING_SOURCES.index(item.source))  # stable: weights kept
    return tuple(items[:MAX_COACHING])


def coaching_for_follow_up(
    analysis: AnswerAnalysis, criterion: str | None, rules: Rubric, long_pause_s: float
) -> AnswerAnalysis:
    """A follow-up answers one question: its things to work on judge only the criterion it
    probes (not the whole story a 30-second answer never meant to tell), then as any answer its
    red flags, length, hesitation and delivery."""
    rubric = analysis.rubric
    if rubric is not None:
        rubric = replace(rubric, criteria=tuple(c for c in rubric.criteria if c.id == criterion))
    items = coach(
        analysis.timing,
        analysis.transcript,
        analysis.fillers,
        rubric,
        rules,
        long_pause_s,
        analysis.delivery,
    )
    return replace(analysis, coaching=items)


def _criteria_gaps(
    rubric: RubricResult,
    rules: Rubric,
    start_s: float,
    last_sentence_s: float,
    words: list[Word],
) -> list[CoachingItem]:
    unmet = [c for c in rubric.criteria if not c.met and c.id in rules.criteria]
    unmet.sort(key=lambda c: -rules.criteria[c.id].weight)
    outcome = next((c for c in rubric.criteria if c.id == "result" and c.met), None)
    outcome_s = _quote_times(words, outcome.evidence) if outcome else ()
    items = []
    for criterion in unmet:
        label = rules.criteria[criterion.id].label
        said = _MISSING.get(criterion.id, f"{label} is not heard in this answer")
        if criterion.id in _AT_START:
            finding, at = f"{said} in the opening", start_s
        elif criterion.id == "action":
            finding, at = f"{said} anywhere in the answer", start_s
        elif criterion.id in _BY_THE_OUTCOME and outcome and outcome_s:
            at = outcome_s[0]
            finding = f"{said}: the outcome is “{_short(outcome.evidence[0])}”"
        else:
            closing = _sentence_from(words, last_sentence_s)
            at = last_sentence_s
            finding = f"{said}: the last sentence is “{closing}”"
        items.append(CoachingItem(finding, criterion.advice, (at,), "rubric"))
    return items

def _hesitation(
    timing: AnswerTiming,
    fillers: FillerSummary,
    rubric: RubricResult | None,
    long_pause_s: float,
) -> list[CoachingItem]:
    flags = {flag.id: flag for flag in rubric.delivery_flags} if rubric else {}
    items = []
    long_pauses = [p for p in timing.pauses if p.duration_s >= long_pause_s]
    if long_pauses:
        items.append(
            CoachingItem(
                f"{_count(len(long_pauses), 'pause')} over {long_pause_s:g} s",
                "Plan the story's four beats (goal, actions, result, lesson) so no step needs a "
                "long search; a short pause to breathe is fine.",
                tuple(p.start_s for p in long_pauses),
                "hesitation",
            )
        )
    if "many_fillers" in flags:
        flag = flags["many_fillers"]
        times = tuple(item.start_s for item in fillers.items[:5])
        finding = f"Fillers: {flag.detail}"
        items.append(CoachingItem(finding, flag.advice or "", times, "hesitation"))
    for flag_id in ("unsignposted_wait", "slow_start"):
        if flag_id in flags:
            flag = flags[flag_id]
            at = (timing.first_speech_s,)
            items.append(CoachingItem(f"Start: {flag.detail}", flag.advice or "", at, "hesitation"))
            break  # one finding for one wait
    return items


def delivery_findings(delivery: Delivery) -> list[CoachingItem]:
    """One finding per delivery flag: what was heard, where, and what to change (the reports'
    "How it sounded" lines are these too)."""
    pitch, uptalk, loudness = delivery.pitch, delivery.uptalk, delivery.loudness
    windows = sorted(pitch.windows, key=lambda window: window.spread_st)
    answer_start = min((w.start_s for w in pitch.windows), default=0.0)
    answer_end = max((w.end_s for w in pitch.windows), default=0.0)
    items = []
    if pitch.monotone:
        items.append(
            CoachingItem(
                f"Your pitch stayed flat for most of the answer ({pitch.spread_st:.1f} "
                "semitones overall)",
                "Lift the words that carry your result and your lesson, and let each sentence "
                "fall at its end.",
                tuple(sorted(w.start_s for w in windows[:3])),
                "delivery",
            )
        )
    if uptalk.rising:
        items.append(
            CoachingItem(
                f"{uptalk.rising} of {uptalk.statements} statements ended on a rise",
                "End statements on a falling pitch, so they sound like answers, not questions.",
                tuple(item.end_s for item in uptalk.items[:5]),
                "delivery",
            )
        )
    if "flat_loudness" in loudness.flags:
        items.append(
            CoachingItem(
                f"Your loudness hardly changed ({loudness.spread_db:.1f} dB from soft to loud "
                "words)",
                "Stress the words that matter, such as the number in your result.",
                (answer_start,),
                "delivery",
            )
        )
    if "fading" in loudness.flags:
        items.append(
            CoachingItem(
                "Your voice faded: the last third of the answer was markedly quieter than the "
                "first",
                "Keep your voice up to the last sentence, where the lesson is.",
                (round(answer_start + (answer_end - answer_start) * 2 / 3, 3),),
                "delivery",
            )
        )
    return items


def _smallest_hesitation(timing: AnswerTiming, fillers: FillerSummary) -> CoachingItem | None:
    """For an answer with nothing else to fix: its longest pause or its fillers, if any."""
    if fillers.count:
        word, count = fillers.by_word[0]
        return CoachingItem(
            f"{_count(fillers.count, 'filler')} ({fillers.per_minute:.1f} per minute), most often "
            f"“{word}” ×{count}",
            "Where a filler comes, try a silent beat instead.",
            tuple(item.start_s for item in fillers.items[:5]),
            "hesitation",
        )
    if timing.pauses:
        longest = max(timing.pauses, key=lambda pause: pause.duration_s)
        return CoachingItem(
            f"Longest pause {longest.duration_s:.1f} s",
            "Nothing to fix here: check the pause was a breath, not a search for the next step.",
            (longest.start_s,),
            "hesitation",
        )
    return None


def _strength(rubric: RubricResult | None, words: list[Word]) -> CoachingItem:
    """What to keep when there is nothing to fix: the evidence of the heaviest criterion met."""
    met = [c for c in rubric.criteria if c.met and c.evidence] if rubric else []
    if met:
        times = _quote_times(words, met[-1].evidence)
        quote = _short(met[-1].evidence[0])
        return CoachingItem(
            f"Keep this: “{quote}”",
            "Every criterion was met; say it the same way next time.",
            times or (words[0].start_s,),
            "strength",
        )
    return CoachingItem(
        "Nothing to fix in this answer",
        "Say it the same way next time.",
        (words[0].start_s,),
        "strength",
    )


def _flag_label(rules: Rubric, flag_id: str) -> str:
    flag = rules.red_flags.get(flag_id)
    return flag.label if flag else flag_id.replace("_", " ").capitalize()


def _last_sentence_start(words: list[Word]) -> float:
    """When the last sentence begins (after the last full stop before the final word)."""
    for index in range(len(words) - 2, -1, -1):
        if words[index].text.rstrip('"”’').endswith((".", "!", "?")):
            return words[index + 1].start_s
    return words[0].start_s


def _sentence_from(words: list[Word], start_s: float) -> str:
    return _short(" ".join(word.text for word in words if word.start_s >= start_s))


def _quote_times(words: list[Word], quotes: Sequence[str]) -> tuple[float, ...]:
    """Where each quoted sentence starts in the transcript (quotes not found are left out)."""
    tokens = [normalize_token(word.text) for word in words]
    times = []
    for quote in quotes:
        wanted = [token for token in (normalize_token(t) for t in quote.split()) if token]
        for index in range(len(tokens) - len(wanted) + 1):
            if wanted and tokens[index : index + len(wanted)] == wanted:
                times.append(words[index].start_s)
                break
    return tuple(times)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

"""Checks on a prepared story: before it is spoken (the rubric, field by field) and after (did the
spoken answer cover each field's point, and was it recited from the notes?).

Both are pure functions of text, so they are tested without audio.

- `check_written`: the story's fields, in telling order, are scored as one typed answer with the
  reflection rubric (`rubric.score_answer`); each criterion it misses is put on the field that
  should carry it (`CRITERION_FIELDS`), and an empty field the story's kind needs is a gap too.
  A story is *ready* when it has no gap and the rubric calls it strong.
- `check_spoken`: a field is *covered* when enough of its content words (lower-cased, lightly
  stemmed, stop words dropped; numbers read as values, so "20" and "twenty" agree) appear within
  a few neighbouring sentences of the transcript; the best such sentence is the evidence. The
  answer is *recited* when a high share of the notes' 5-word sequences appear verbatim in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mock_interview.analysis.story import FIELDS, Story
from mock_interview.core.config import FillerSettings
from mock_interview.rubric.judging import score_answer
from mock_interview.rubric.loading import Rubric
from mock_interview.rubric.sentences import split_sentences

# The field that should carry each criterion of the rubric when the story misses it.
CRITERION_FIELDS = {
    "situation": "situation",
    "task": "goal",
    "action": "actions",
    "result": "outcome",
    "measurable_result": "outcome",
    "ownership": "outcome",
    "reflection": "lesson",
    "forward_momentum": "since",
    "positive_close": "since",
}

RECITED_ADVICE = (
    "Long stretches repeat your notes word for word: tell it in your own words — the goal is "
    "comfort with the story, not memorising it."
)


@dataclass(frozen=True)
class StoryCheckOptions:
    """How the spoken check judges coverage and recitation.

    - `min_field_share` (0.1–1.0): the share of a field's content words that must appear in the
      transcript window for the field to count as covered. 0.4: a retelling in other words keeps
      the names, numbers and key verbs of a point, but rarely more than half of its words.
    - `window_sentences` (1–6): how many neighbouring transcript sentences one field may span.
    - `ngram_words` (3–10): the length of the word sequences compared for recitation.
    - `recited_share` (0.1–1.0): the share of the notes' sequences found verbatim in the
      transcript above which the answer is called recited. 0.35: a retelling shares almost none
      (under 0.1 in the tests' answers), while reading aloud keeps most of them even through
      whisper's mistakes.
    """

    min_field_share: float = 0.4
    window_sentences: int = 3
    ngram_words: int = 5
    recited_share: float = 0.35

    def __post_init__(self) -> None:
        for name, value, low, high in (
            ("min_field_share", self.min_field_share, 0.1, 1.0),
            ("window_sentences", self.window_sentences, 1, 6),
            ("ngram_words", self.ngram_words, 3, 10),
            ("recited_share", self.recited_share, 0.1, 1.0),
        ):
            if not low <= value <= high:
                raise ValueError(f"story check: {name} must be in [{low}, {high}], not {value}")


@dataclass(frozen=True)
class FieldCheck:
    """One field of a written story: what the rubric misses there (criterion ids with advice)."""

    field: str
    filled: bool
    missing: tuple[tuple[str, str], ...]  # (criterion id, advice)

    @property
    def ok(self) -> bool:
        return self.filled and not self.missing


@dataclass(frozen=True)
class WrittenCheck:
    fields: tuple[FieldCheck, ...]
    rubric: dict[str, Any]  # the rubric report of the story read as a typed answer

    @property
    def gaps(self) -> list[str]:
        return [check.field for check in self.fields if not check.ok]

    @property
    def ready(self) -> bool:
        return not self.gaps and self.rubric["band"] == "strong"


@dataclass(frozen=True)
class FieldCoverage:
    covered: bool
    evidence: str | None
    share: float


@dataclass(frozen=True)
class SpokenCheck:
    coverage: dict[str, FieldCoverage]
    recited: bool
    recited_share: float


def story_text(story: Story) -> str:
    """The story's fields in telling order as one typed answer, each ending a sentence."""
    parts = [story.text_of(name) for name in FIELDS]
    return "\n".join(part if part[-1] in ".!?" else part + "." for part in parts if part)


def check_written(story: Story, rubric: Rubric) -> WrittenCheck:
    """The field-by-field rubric check of a written story (see the module docstring)."""
    report = score_answer(story_text(story), story.kind, rubric=rubric)
    missing: dict[str, list[tuple[str, str]]] = {name: [] for name in FIELDS}
    for criterion in report["criteria"]:
        if not criterion["met"]:
            missing[CRITERION_FIELDS[criterion["id"]]].append(
                (criterion["id"], criterion["advice"])
            )
    required = story.required_fields()
    checks = tuple(
        FieldCheck(name, bool(story.text_of(name)), tuple(missing[name]))
        for name in FIELDS
        if name in required or story.text_of(name) or missing[name]
    )
    return WrittenCheck(checks, report)


def check_spoken(
    story: Story,
    transcript: str,
    fillers: FillerSettings,
    rubric: Rubric,
    options: StoryCheckOptions | None = None,
) -> SpokenCheck:
    """How the spoken `transcript` told `story`: coverage per written field, and recitation."""
    options = options or StoryCheckOptions()
    sentences = [
        (transcript[s.start : s.end], set(content_keys(s.plain)))
        for s in split_sentences(transcript, fillers, rubric.matching)
    ]
    coverage = {
        name: _field_coverage(story.text_of(name), sentences, options)
        for name in FIELDS
        if story.text_of(name)
    }
    share = recited_share(story, transcript, options.ngram_words)
    return SpokenCheck(coverage, share >= options.recited_share, share)


def _field_coverage(
    field_text: str, sentences: list[tuple[str, set[str]]], options: StoryCheckOptions
) -> FieldCoverage:
    wanted = set(content_keys(field_text))
    if not wanted or not sentences:
        return FieldCoverage(False, None, 0.0)
    best_share, best_start, span = 0.0, 0, options.window_sentences
    for start in range(len(sentences)):
        window = set().union(*(keys for _, keys in sentences[start : start + span]))
        share = len(wanted & window) / len(wanted)
        if share > best_share:
            best_share, best_start = share, start
    if best_share < options.min_field_share:
        return FieldCoverage(False, None, round(best_share, 3))
    best = sentences[best_start : best_start + span]
    evidence = max(best, key=lambda sentence: len(wanted & sentence[1]))[0]
    return FieldCoverage(True, evidence, round(best_share, 3))


def recited_share(story: Story, transcript: str, length: int) -> float:
    """The share of the notes' `length`-word sequences that appear verbatim in the transcript."""
    spoken = _ngrams(plain_words(transcript), length)
    notes: set[tuple[str, ...]] = set()
    for name in FIELDS:
        notes |= _ngrams(plain_words(story.text_of(name)), length)
    return round(len(notes & spoken) / len(notes), 3) if notes else 0.0


def _ngrams(words: list[str], length: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


# -- words -------------------------------------------------------------------------------------

WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
STOP_WORDS = frozenset(
    (
        "a", "about", "actually", "after", "again", "all", "also", "am", "an", "and", "any",
        "are", "as", "at", "be", "because", "been", "before", "being", "both", "but", "by",
        "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
        "from", "further", "get", "go", "going", "got", "had", "has", "have", "having", "he",
        "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
        "itself", "just", "lot", "me", "more", "most", "my", "myself", "no", "nor", "not",
        "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over",
        "own", "really", "same", "she", "should", "so", "some", "such", "than", "that", "the",
        "their", "them", "then", "there", "these", "they", "thing", "things", "this", "those",
        "through", "to", "too", "under", "until", "up", "very", "was", "we", "went", "were",
        "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
        "would", "you", "your"
    )
)
UNITS = {
    word: value
    for value, word in enumerate(
        (
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen"
        )
    )
}
TENS = {
    word: 10 * value
    for value, word in enumerate(
        ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"),
        start=2,
    )
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
SUFFIXES = ("ies", "ing", "ed", "es", "ly", "s")


def plain_words(text: str) -> list[str]:
    """Lower-cased words without punctuation, apostrophes dropped, numbers written as digits."""
    text = text.lower().replace("’", "'").replace("'", "").replace("%", " percent")
    return _numbers_as_digits(WORD.findall(text))


def content_keys(text: str) -> list[str]:
    """The words that carry a point: no stop words, each reduced to a rough stem."""
    return [stem(word) for word in plain_words(text) if word not in STOP_WORDS]


def stem(word: str) -> str:
    """A light suffix stripper (no dictionary): enough for "trained", "training" and "trains"
    to meet, which is all coverage needs; numbers stay as they are."""
    if word[0].isdigit() or len(word) <= 4:
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "planned" -> "plann" -> "plan"
    return word.rstrip("e") if len(word) > 4 else word


def _numbers_as_digits(words: list[str]) -> list[str]:
    """"twenty five" -> "25", "two hundred" -> "200", "1,200" -> "1200"; other words unchanged."""
    out: list[str] = []
    total: int | None = None
    current = 0
    for word in words:
        if word in UNITS or word in TENS or (word in SCALES and total is not None):
            if total is None:
                total, current = 0, 0
            if word in SCALES:
                current = max(current, 1) * SCALES[word]
                if SCALES[word] >= 1_000:
                    total, current = total + current, 0
            else:
                current += UNITS.get(word, TENS.get(word, 0))
            continue
        if total is not None:
            out.append(str(total + current))
            total = None
        out.append(word.replace(",", "") if word[0].isdigit() else word)
    if total is not None:
        out.append(str(total + current))
    return out

"""How an answer opens: with a thinking phrase, with a filler, or straight into the story.

A wait before the first word reads differently with a signpost ("Let me think of a good
example") than in silence or after an "um", so the report names which one the candidate used.
"""

from __future__ import annotations

from mock_interview.analysis.answer import Opening
from mock_interview.core.values import Filler, Word, normalize_token

OPENING_WORDS = 6
"""A thinking phrase counts when it starts within this many words of the start (after any
fillers), so "Well, okay, let me think" is signposted but a phrase a sentence later is not."""
STORY_WORDS = 5
"""Words quoted when the answer goes straight into the story."""


def classify_opening(
    words: list[Word], audio_fillers: list[Filler], thinking_phrases: list[str]
) -> Opening | None:
    """The opening of an answer from its words (fillers marked) and the fillers heard only in
    the audio; `thinking_phrases` as in settings `[analysis] thinking_phrases`. None when
    nothing was said."""
    if not words and not audio_fillers:
        return None
    spoken = [word for word in words if not word.filler]
    first_word_s = spoken[0].start_s if spoken else float("inf")
    heard = [(word.start_s, word.text) for word in words if word.filler]
    heard += [(filler.start_s, filler.text) for filler in audio_fillers]
    leading_fillers = sorted(item for item in heard if item[0] < first_word_s)
    tokens = [_comparable(word.text) for word in spoken]
    phrases = [[_comparable(token) for token in phrase.split()] for phrase in thinking_phrases]
    found = [  # (start, -length): the earliest phrase, the longest of those ("that's a great …")
        (start, -len(wanted))
        for wanted in phrases
        for start in range(min(OPENING_WORDS, len(tokens)))
        if wanted and tokens[start : start + len(wanted)] == wanted
    ]
    if found:
        start, negative_length = min(found)
        said = spoken[start : start - negative_length]
        return Opening("thinking_phrase", " ".join(word.text for word in said))
    if leading_fillers:
        label = leading_fillers[0][1]
        return Opening("filler", normalize_token(label) or label)
    return Opening("story", " ".join(word.text for word in spoken[:STORY_WORDS]))


def _comparable(text: str) -> str:
    return normalize_token(text.replace("\u2019", "'"))

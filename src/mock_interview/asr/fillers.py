"""Fillers the transcript names, from the lexicon in config/settings.toml ([fillers]).

Single words ("um") are fillers wherever they stand; phrases ("you know") too; hedges
("kind of") unless the word before makes them ordinary ("a kind of tool"); and "like" only when
a comma comes before it ("it was, like, hard"), or after it where the word before does not make
it a verb or a comparison ("I like", "feel like", "is like X").
Matching is on whole words, so "her" and "never" never hold an "er".
"""

from __future__ import annotations

from dataclasses import replace

from mock_interview.core.config import FillerSettings
from mock_interview.core.values import Filler, Word, normalize_token

# Spellings whisper uses for the same sound, counted under one label. This is the one spelling
# table: the lexicon's labels and the filled-pause labels (`filled_pause_label`) both come from
# it. "er" wins over "erm" (and "uh" over "ah"): the sample truths in audio_samples/*.json spell
# the sound "er", and config/settings.toml lists "erm" and "ah" only so that they are found.
CANONICAL = {
    "umm": "um",
    "uhm": "um",
    "mm": "hmm",
    "hm": "hmm",
    "mhm": "hmm",
    "uhh": "uh",
    "erm": "er",
    "ah": "uh",
}
# Labels a filled pause can get; anything else a re-decode says means "this was a word".
FILLED_PAUSE_LABELS = frozenset({"um", "uh", "er", "hmm"})


def canonical_filler(token: str) -> str:
    return CANONICAL.get(token, token)


def filled_pause_label(text: str) -> str | None:
    """The filled-pause label ("um", "uh", "er", "hmm") a token spells; None for other tokens."""
    token = canonical_filler(normalize_token(text))
    return token if token in FILLED_PAUSE_LABELS else None


def mark_fillers(words: list[Word], lexicon: FillerSettings) -> tuple[list[Word], list[Filler]]:
    """The words with `filler` set, and one Filler per filler word or phrase."""
    tokens = [normalize_token(word.text) for word in words]
    marked = list(words)
    fillers: list[Filler] = []
    phrases = [(phrase.split(), False) for phrase in lexicon.phrases]
    phrases += [(hedge.split(), True) for hedge in lexicon.hedges]
    single = set(lexicon.words)
    index = 0
    while index < len(words):
        size = _filler_size(words, tokens, index, single, phrases, lexicon)
        if size:
            label = canonical_filler(" ".join(tokens[index : index + size]))
            fillers.append(Filler(label, words[index].start_s, words[index + size - 1].end_s))
            for position in range(index, index + size):
                marked[position] = replace(words[position], filler=True)
            index += size
        else:
            index += 1
    return marked, fillers


def _filler_size(
    words: list[Word],
    tokens: list[str],
    index: int,
    single: set[str],
    phrases: list[tuple[list[str], bool]],
    lexicon: FillerSettings,
) -> int:
    """How many words starting at `index` form a filler (0 when none does)."""
    token = tokens[index]
    previous = tokens[index - 1] if index else ""
    if token in single:
        return 1
    for phrase, is_hedge in phrases:
        if tokens[index : index + len(phrase)] == phrase:
            if is_hedge and previous in lexicon.hedge_not_after:
                return 0
            return len(phrase)
    if token == "like":
        comma_before = index > 0 and words[index - 1].text.endswith(",")
        comma_after = words[index].text.endswith(",")
        if comma_before or (comma_after and previous not in lexicon.like_not_after):
            return 1
    return 0

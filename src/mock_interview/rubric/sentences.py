"""An answer cut into sentences, each kept twice: as the exact original span (the evidence the
candidate is shown) and as a normalised form the rubric's patterns match against.

Normalising removes fillers (with the same lexicon the filler report uses, so "I, uh, set the goal"
reads "i set the goal"), lower-cases, and expands contractions, so one pattern covers "wasn't" and
"was not". Transcripts with little punctuation are cut at conjunctions so evidence stays short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mock_interview.asr.fillers import mark_fillers
from mock_interview.core.config import FillerSettings
from mock_interview.core.values import Word
from mock_interview.rubric.loading import Matching

TOKEN = re.compile(r"\S+")
SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*$")
ABBREVIATIONS = frozenset(
    {"e.g.", "i.e.", "mr.", "mrs.", "ms.", "dr.", "vs.", "st.", "etc.", "approx.", "a.m.", "p.m."}
)
CLAUSE_STARTS = frozenset({"but", "so", "because", "then", "and"})
# Contractions expanded before matching (documented in config/rubric.toml).
CONTRACTIONS = (
    (re.compile(r"\bcan'?t\b|\bcannot\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d (?=\w+(?:ed|en|wn|ne|t)\b)"), " had "),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"\b(it|that|there|what|he|she|who|here|where)'s\b"), r"\1 is"),
    # Transcripts and fast typing drop the apostrophe: "didnt", "im", "thats". Only forms that
    # are no other word are expanded ("its", "ill", "id", "wont", "were" stay as they are).
    (re.compile(r"\bcant\b"), "can not"),
    (
        re.compile(r"\b(do|does|did|is|are|was|have|has|had|could|would|should|must|need)nt\b"),
        r"\1 not",
    ),
    (re.compile(r"\bim\b"), "i am"),
    (re.compile(r"\bive\b"), "i have"),
    (re.compile(r"\b(you|they)re\b"), r"\1 are"),
    (re.compile(r"\b(you|they)ve\b"), r"\1 have"),
    (re.compile(r"\b(that|there|what)s\b"), r"\1 is"),
)
MIN_CLAUSE_WORDS = 8
STRAIGHT_QUOTES = str.maketrans("’‘“”", "''\"\"")


@dataclass(frozen=True)
class Sentence:
    """One sentence: `start`/`end` index the original text; `plain` is what patterns see."""

    start: int
    end: int
    plain: str

    @property
    def words(self) -> list[str]:
        return self.plain.split()


def split_sentences(text: str, fillers: FillerSettings, matching: Matching) -> list[Sentence]:
    """Every sentence of `text` in order; sentences that are nothing but fillers are dropped."""
    tokens = list(TOKEN.finditer(text))
    marked, _ = mark_fillers([Word(token.group(), 0.0, 0.0) for token in tokens], fillers)
    is_filler = {token.start(): word.filler for token, word in zip(tokens, marked, strict=True)}
    sentences = []
    for group in _sentence_groups(text, tokens):
        for clause in _clauses(group, matching.max_sentence_words):
            plain = _normalise(_without_fillers(clause, is_filler))
            if plain:
                sentences.append(Sentence(clause[0].start(), clause[-1].end(), plain))
    return sentences


def _sentence_groups(text: str, tokens: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    groups: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for index, token in enumerate(tokens):
        current.append(token)
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        line_break = following is not None and "\n" in text[token.end() : following.start()]
        ends = SENTENCE_END.search(token.group()) and token.group().lower() not in ABBREVIATIONS
        if ends or line_break or following is None:
            groups.append(current)
            current = []
    return groups


def _clauses(tokens: list[re.Match[str]], max_words: int) -> list[list[re.Match[str]]]:
    """A long run-on sentence cut before conjunctions, then after commas, then every max_words."""
    if len(tokens) <= max_words:
        return [tokens]
    for cut_before in (
        lambda token, _previous: token.group().lower().strip(",") in CLAUSE_STARTS,
        lambda _token, previous: previous.group().endswith(","),
    ):
        pieces: list[list[re.Match[str]]] = [[]]
        for index, token in enumerate(tokens):
            if len(pieces[-1]) >= MIN_CLAUSE_WORDS and cut_before(token, tokens[index - 1]):
                pieces.append([])
            pieces[-1].append(token)
        if len(pieces) > 1:
            return [clause for piece in pieces for clause in _clauses(piece, max_words)]
    return [tokens[start : start + max_words] for start in range(0, len(tokens), max_words)]


def _without_fillers(tokens: list[re.Match[str]], is_filler: dict[int, bool]) -> list[str]:
    """The words that are not fillers; a comma left dangling by a removed filler goes too."""
    kept: list[str] = []
    for token in tokens:
        if not is_filler[token.start()]:
            kept.append(token.group())
        elif kept and token.group().endswith(","):
            kept[-1] = kept[-1].rstrip(",")
    return kept


def _normalise(words: list[str]) -> str:
    text = " ".join(words).lower()
    text = text.translate(STRAIGHT_QUOTES)
    text = re.sub(r"\s*[—–]\s*|\s+-\s+", ", ", text)
    for pattern, replacement in CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"[\"()\[\]]|[.!?]+(?=\s|$)", " ", text)
    return " ".join(text.split()).strip(" ,")

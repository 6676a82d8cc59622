"""The small value types every part of the analysis passes around."""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, replace
from typing import Literal

FillerSource = Literal["transcript", "audio"]
StoryPart = Literal["situation", "task", "action", "result", "reflection", "other"]
STORY_PARTS: tuple[StoryPart, ...] = typing.get_args(StoryPart)
"""The parts of a STAR story in telling order; `other` is what tells none of them."""


@dataclass(frozen=True)
class Span:
    """A stretch of the recording, in seconds from its start."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def overlap_s(self, start_s: float, end_s: float) -> float:
        return max(0.0, min(self.end_s, end_s) - max(self.start_s, start_s))


@dataclass(frozen=True)
class Word:
    """A transcribed word; `filler` is set by the filler lexicon. `probability` is whisper's for
    its least certain piece (1.0 for words no decoder wrote); reports do not keep it."""

    text: str
    start_s: float
    end_s: float
    filler: bool = False
    probability: float = 1.0

    def shifted(self, offset_s: float) -> Word:
        return replace(self, start_s=self.start_s + offset_s, end_s=self.end_s + offset_s)


@dataclass(frozen=True)
class Filler:
    """A filler as the candidate said it: `text` is its label ("um", "you know", "filler")."""

    text: str
    start_s: float
    end_s: float
    source: FillerSource = "transcript"


def normalize_token(text: str) -> str:
    """Lower case without surrounding punctuation: how words are compared everywhere."""
    return re.sub(r"^[^\w']+|[^\w']+$", "", text.lower())


def clock(seconds: float) -> str:
    """m:ss, the way a candidate reads a timer."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"

"""config/rubric.toml, validated into a Rubric: every bad value names the file, the key and why.

The rubric keeps what it needs from settings.toml too (the filler lexicon, the delivery limits),
so one object carries everything scoring needs and settings are never duplicated in rubric.toml.
config/parts.toml, the STAR timeline's own cues and weights (never scored), is read the same way
into a PartReading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mock_interview.core.config import FillerSettings, Settings, load_settings, read_toml
from mock_interview.core.errors import UserError
from mock_interview.core.paths import shipped_config_dir
from mock_interview.core.values import STORY_PARTS, StoryPart

CRITERIA = (
    "situation",
    "task",
    "action",
    "result",
    "measurable_result",
    "reflection",
    "ownership",
    "forward_momentum",
    "positive_close",
)
RED_FLAGS = ("blame_external", "minimizing", "disguised_success", "excessive_apology")
DELIVERY_FLAGS = ("too_short", "too_long", "slow_start", "unsignposted_wait", "many_fillers")
PART_COSTS = (
    "forward",
    "backward",
    "aside",
    "opening",
    "after_headline",
    "continued",
    "skipped",
)
POSITION_BINS = 5  # [position]: an answer cut into fifths
PART_NUMBER_RANGE = (0.1, 10.0)  # every weight and cost of config/parts.toml ([stay] from 0)
CRITERION_KINDS = ("achieved", "missed")
FLAG_KINDS = ("achieved", "missed", "general")


@dataclass(frozen=True)
class CueSet:
    """Patterns that recognise one idea in a sentence, and the ones that cancel a match."""

    patterns: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]
    negation: bool


@dataclass(frozen=True)
class Described:
    """What a criterion and a red flag share: how to show it, where it applies, how to spot it."""

    id: str
    label: str
    kinds: tuple[str, ...]
    advice: str
    cues: CueSet


@dataclass(frozen=True)
class Criterion(Described):
    weight: float
    within_first: int | None


@dataclass(frozen=True)
class RedFlag(Described):
    penalty: float
    min_count: int


@dataclass(frozen=True)
class Probe:
    """How a reply to a follow-up that probes one criterion is read: `answers` are what supplies
    the criterion only as that reply ("the bit that was mine was the paperwork"), `refusals`
    what turns the probe away ("I did everything I could"), which outweighs any cue."""

    answers: CueSet
    refusals: CueSet
    refused_advice: str


@dataclass(frozen=True)
class ActionLexicon:
    """How first-person actions are recognised (see [criteria.action] in rubric.toml)."""

    min_actions: int
    adverbs: frozenset[str]
    verbs: frozenset[str]
    phrasal_verbs: tuple[str, ...]
    not_verbs: frozenset[str]


@dataclass(frozen=True)
class Matching:
    negators: frozenset[str]
    negation_window: int
    not_negating: tuple[str, ...]
    max_sentence_words: int
    min_closing_words: int
    quantity: re.Pattern[str]


@dataclass(frozen=True)
class DeliveryRule:
    penalty: float
    advice: str


@dataclass(frozen=True)
class Rubric:
    criteria: dict[str, Criterion]
    red_flags: dict[str, RedFlag]
    delivery: dict[str, DeliveryRule]
    actions: ActionLexicon
    matching: Matching
    strong: float
    fair: float
    max_evidence: int
    fillers: FillerSettings
    slow_start_s: float
    signpost_wait_s: float
    filler_rate_max: float
    # The learned second opinion's weights, beside the rubric they were trained with
    # (rubric/learned.py); a rubric without one is judged by its rules alone.
    model_path: Path | None = None
    # [probes]: replies to a follow-up, by the criterion it probes.
    probes: dict[str, Probe] = field(default_factory=dict)

    def kind_criteria(self, kind: str) -> list[Criterion]:
        """The criteria an answer to a question of `kind` is judged on ("general" questions use
        the achieved ones)."""
        criteria_kind = "missed" if kind == "missed" else "achieved"
        return [c for c in self.criteria.values() if criteria_kind in c.kinds]

    def weight_share(self, kind: str, criterion_id: str) -> float:
        """`criterion_id`'s share (0 to 1) of the score of a `kind` answer: its weight over the
        summed weights of the kind's criteria, as the score counts them (0 where it does not
        apply)."""
        criteria = self.kind_criteria(kind)
        possible = sum(criterion.weight for criterion in criteria)
        weight = sum(c.weight for c in criteria if c.id == criterion_id)
        return weight / possible if possible else 0.0


@dataclass(frozen=True)
class PartReading:
    """config/parts.toml: what a claim of each part is worth, what a change of part costs, and
    the cues that claim a part beside the rubric's criteria."""

    weights: dict[StoryPart, float]
    criterion_weights: dict[str, float]
    stay: dict[StoryPart, float]
    forward: float
    backward: float
    aside: float
    opening: float
    after_headline: float
    continued: float
    skipped: float
    cues: dict[StoryPart, CueSet]
    # Per criterion, where its cue names something else ("evening lessons" is no lesson learned):
    # a criterion's claim on a sentence whose every match of it starts inside one is withdrawn.
    criterion_exclude: dict[str, tuple[re.Pattern[str], ...]]
    # A sentence that says it tells more of the same ("I also ..."): leaving the part before it
    # there costs `continued` more.
    continuing: CueSet
    # Where in an answer each part is told (round 5): per part, the share of sentences in each
    # fifth of an answer that tell it; a claim of it gains `position_weight` times that share
    # (less in an answer shorter than `position_full_from` sentences).
    position_weight: float
    position_full_from: int
    position: dict[StoryPart, tuple[float, ...]]
    # The sentence model trained on the claims these cues and weights make (round 6,
    # rubric/learned.py `PartModel`), beside this file; without one the claims alone are read.
    model_path: Path | None = None


class _Reader:
    """Typed access to one TOML file that turns every problem into a file/key/reason UserError."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def fail(self, key: str, reason: str) -> UserError:
        return UserError(f"config error: {self.path}: key '{key}': {reason}")

    def table(self, key: str) -> dict[str, Any]:
        node: Any = self.data
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise self.fail(key, "missing [section]")
        return node

    def value(self, table: str, name: str, expected: type | tuple[type, ...], what: str) -> Any:
        section = self.table(table)
        key = f"{table}.{name}"
        if name not in section:
            raise self.fail(key, "missing")
        value = section[name]
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise self.fail(key, f"must be {what} (got {value!r})")
        return value

    def number(self, table: str, name: str, minimum: float = 0.0) -> float:
        value = float(self.value(table, name, (int, float), "a number"))
        if value < minimum:
            raise self.fail(f"{table}.{name}", f"must be {minimum:g} or more (got {value:g})")
        return value

    def bounded(self, table: str, name: str, low: float, high: float) -> float:
        value = self.number(table, name, low)
        if value > high:
            raise self.fail(f"{table}.{name}", f"must be {high:g} or less (got {value:g})")
        return value

    def whole(self, table: str, name: str, minimum: int) -> int:
        value = self.value(table, name, int, "a whole number")
        if value < minimum:
            raise self.fail(f"{table}.{name}", f"must be {minimum} or more (got {value})")
        return int(value)

    def optional_whole(self, table: str, name: str, minimum: int) -> int | None:
        return self.whole(table, name, minimum) if name in self.table(table) else None

    def text(self, table: str, name: str) -> str:
        value = self.value(table, name, str, "a string")
        if not value.strip():
            raise self.fail(f"{table}.{name}", "must not be empty")
        return str(value)

    def strings(self, table: str, name: str, default: list[str] | None = None) -> list[str]:
        if default is not None and name not in self.table(table):
            return default
        value = self.value(table, name, list, "a list of strings")
        if not all(isinstance(item, str) and item for item in value):
            raise self.fail(f"{table}.{name}", "must be a list of non-empty strings")
        return list(value)

    def kinds(self, table: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        kinds = self.strings(table, "kinds")
        for kind in kinds:
            if kind not in allowed:
                raise self.fail(
                    f"{table}.kinds", f"unknown kind '{kind}' (use {', '.join(allowed)})"
                )
        return tuple(kinds)

    def patterns(self, table: str, name: str, quantity: str) -> tuple[re.Pattern[str], ...]:
        compiled = []
        for index, source in enumerate(self.strings(table, name, default=[])):
            try:
                compiled.append(re.compile(source.replace("{quantity}", quantity), re.IGNORECASE))
            except re.error as exc:
                raise self.fail(
                    f"{table}.{name}[{index}]", f"not a valid regular expression ({exc})"
                ) from None
        return tuple(compiled)

    def cues(self, table: str, quantity: str) -> CueSet:
        return CueSet(
            patterns=self.patterns(table, "patterns", quantity),
            exclude=self.patterns(table, "exclude", quantity),
            negation=self.value(table, "negation", bool, "true or false"),
        )

    def only_known(self, table: str, known: tuple[str, ...], what: str) -> None:
        for name in self.table(table):
            if name not in known:
                raise self.fail(f"{table}.{name}", f"unknown {what} (known: {', '.join(known)})")


def load_rubric(path: Path | None = None, settings: Settings | None = None) -> Rubric:
    """The rubric from `path` (default: the shipped config/rubric.toml), with settings' limits."""
    path = path or shipped_config_dir() / "rubric.toml"
    settings = settings or load_settings()
    data = read_toml(path)
    reader = _Reader(path, data)
    matching = _matching(reader)
    quantity = matching.quantity.pattern
    reader.only_known("criteria", CRITERIA, "criterion")
    reader.only_known("red_flags", RED_FLAGS, "red flag")
    reader.only_known("delivery", DELIVERY_FLAGS, "delivery flag")
    probed = reader.table("probes") if "probes" in data else {}  # optional: replies as answers
    if probed:
        reader.only_known("probes", CRITERIA, "criterion")
    criteria = {name: _criterion(reader, name, quantity) for name in CRITERIA}
    for kind in CRITERION_KINDS:
        if not any(c.weight > 0 for c in criteria.values() if kind in c.kinds):
            raise reader.fail("criteria", f"no criterion with a weight above 0 applies to '{kind}'")
    strong = reader.number("score", "strong")
    fair = reader.number("score", "fair")
    if not fair < strong <= 100:
        raise reader.fail("score.strong", "must be above score.fair and at most 100")
    return Rubric(
        criteria=criteria,
        red_flags={name: _red_flag(reader, name, quantity) for name in RED_FLAGS},
        delivery={
            name: DeliveryRule(
                penalty=reader.number(f"delivery.{name}", "penalty"),
                advice=reader.text(f"delivery.{name}", "advice"),
            )
            for name in DELIVERY_FLAGS
        },
        actions=_actions(reader),
        matching=matching,
        strong=strong,
        fair=fair,
        max_evidence=reader.whole("score", "max_evidence", 1),
        fillers=settings.fillers,
        slow_start_s=settings.analysis.slow_start_s,
        signpost_wait_s=settings.analysis.signpost_wait_s,
        filler_rate_max=settings.analysis.filler_rate_max,
        model_path=path.parent / "rubric_model.npz",
        probes={name: _probe(reader, name, quantity) for name in probed},
    )


def _probe(reader: _Reader, criterion: str, quantity: str) -> Probe:
    table = f"probes.{criterion}"
    reader.only_known(table, ("negation", "answers", "refusals", "refused_advice"), "key")
    negation = reader.value(table, "negation", bool, "true or false")
    return Probe(
        answers=CueSet(reader.patterns(table, "answers", quantity), (), negation),
        refusals=CueSet(reader.patterns(table, "refusals", quantity), (), negation),
        refused_advice=reader.text(table, "refused_advice"),
    )


@cache
def load_part_reading(quantity: str, path: Path | None = None) -> PartReading:
    """The STAR timeline's cues and weights from `path` (default: the shipped
    config/parts.toml), `{quantity}` standing for the rubric's quantity pattern; read once."""
    path = path or shipped_config_dir() / "parts.toml"
    reader = _Reader(path, read_toml(path))
    for table, known in (("weights", STORY_PARTS), ("stay", STORY_PARTS), ("costs", PART_COSTS)):
        reader.only_known(table, known, "name")
    reader.only_known("cues", STORY_PARTS, "part")
    reader.only_known("criteria", CRITERIA, "criterion")
    reader.only_known("criterion_exclude", CRITERIA, "criterion")
    reader.only_known("continuing", ("negation", "patterns", "exclude"), "key")
    low, high = PART_NUMBER_RANGE
    costs = {name: reader.bounded("costs", name, low, high) for name in PART_COSTS}
    cued = reader.table("cues")
    return PartReading(
        weights={part: reader.bounded("weights", part, low, high) for part in STORY_PARTS},
        criterion_weights={
            name: reader.bounded("criteria", name, low, high) for name in reader.table("criteria")
        },
        stay={part: reader.bounded("stay", part, 0.0, high) for part in STORY_PARTS},
        cues={part: _part_cues(reader, part, quantity) for part in STORY_PARTS if part in cued},
        criterion_exclude={
            name: reader.patterns("criterion_exclude", name, quantity)
            for name in reader.table("criterion_exclude")
        },
        continuing=reader.cues("continuing", quantity),
        position_weight=reader.bounded("position", "weight", 0.0, high),
        position_full_from=reader.whole("position", "full_from", 1),
        position=_position_shares(reader),
        model_path=path.parent / "parts_model.npz",
        **costs,
    )


def _position_shares(reader: _Reader) -> dict[StoryPart, tuple[float, ...]]:
    """[position]'s shares: per part, one from 0 to 1 for each fifth of an answer."""
    reader.only_known("position", ("weight", "full_from", *STORY_PARTS), "part")
    shares = {}
    for part in STORY_PARTS:
        values = reader.value("position", part, list, "a list of numbers")
        if len(values) != POSITION_BINS or not all(
            isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
            for value in values
        ):
            raise reader.fail(
                f"position.{part}", f"must be {POSITION_BINS} numbers from 0 to 1 (got {values!r})"
            )
        shares[part] = tuple(float(value) for value in values)
    return shares


def _part_cues(reader: _Reader, part: str, quantity: str) -> CueSet:
    reader.only_known(f"cues.{part}", ("negation", "patterns", "exclude"), "key")
    return reader.cues(f"cues.{part}", quantity)


def _matching(reader: _Reader) -> Matching:
    quantity = reader.text("matching", "quantity")
    try:
        compiled = re.compile(quantity, re.IGNORECASE)
    except re.error as exc:
        raise reader.fail("matching.quantity", f"not a valid regular expression ({exc})") from None
    return Matching(
        negators=frozenset(reader.strings("matching", "negators")),
        negation_window=reader.whole("matching", "negation_window", 1),
        not_negating=tuple(reader.strings("matching", "not_negating")),
        max_sentence_words=reader.whole("matching", "max_sentence_words", 5),
        min_closing_words=reader.whole("matching", "min_closing_words", 1),
        quantity=compiled,
    )


def _described(
    reader: _Reader, table: str, kinds: tuple[str, ...], quantity: str
) -> dict[str, Any]:
    """The keys criteria and red flags share: label, kinds, advice and cues."""
    return {
        "label": reader.text(table, "label"),
        "kinds": reader.kinds(table, kinds),
        "advice": reader.text(table, "advice"),
        "cues": reader.cues(table, quantity),
    }


def _criterion(reader: _Reader, name: str, quantity: str) -> Criterion:
    table = f"criteria.{name}"
    return Criterion(
        id=name,
        weight=reader.number(table, "weight"),
        within_first=reader.optional_whole(table, "within_first", 1),
        **_described(reader, table, CRITERION_KINDS, quantity),
    )


def _red_flag(reader: _Reader, name: str, quantity: str) -> RedFlag:
    table = f"red_flags.{name}"
    return RedFlag(
        id=name,
        penalty=reader.number(table, "penalty"),
        min_count=reader.optional_whole(table, "min_count", 1) or 1,
        **_described(reader, table, FLAG_KINDS, quantity),
    )


def _actions(reader: _Reader) -> ActionLexicon:
    table = "criteria.action"
    verbs = [verb.lower() for verb in reader.strings(table, "verbs")]
    return ActionLexicon(
        min_actions=reader.whole(table, "min_actions", 1),
        adverbs=frozenset(reader.strings(table, "adverbs")),
        verbs=frozenset(verb for verb in verbs if " " not in verb),
        phrasal_verbs=tuple(verb for verb in verbs if " " in verb),
        not_verbs=frozenset(reader.strings(table, "not_verbs")),
    )

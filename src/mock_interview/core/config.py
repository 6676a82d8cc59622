"""Settings and the question bank: shipped TOML defaults, then user overrides, all validated.

Every bad value is reported as one line naming the file, the key and the reason, because a
candidate editing a config file should never have to read a traceback.
"""

from __future__ import annotations

import functools
import math
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from mock_interview.core.errors import UserError
from mock_interview.core.paths import shipped_config_dir, user_config_file

QuestionKind = Literal["achieved", "missed", "general"]
QUESTION_KINDS: tuple[str, ...] = typing.get_args(QuestionKind)
FollowUpMode = Literal["missing", "always", "off"]


MAX_CONFIG_BYTES = 1_000_000
"""A settings file is a few kilobytes; anything far larger is a mistake, not settings."""
MAX_ANSWER_S = 4 * 3600.0
"""Longest answer a setting may ask for (the recorder refuses more)."""
QUESTION_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
"""Question ids are slugs: they name recording files."""
CRITERION_ID = re.compile(r"[a-z][a-z_]{0,63}")
"""Rubric criterion ids as config/rubric.toml spells them; which exist is the rubric's to say
(`session.follow_up.check_follow_ups`), since the core cannot read the rubric."""
KEY_NAME = re.compile(r"(?:[a-z]+\+)*(?:[A-Za-z0-9_]+|[^\s,])")
"""A Textual key name ("enter", "ctrl+s", "right_square_bracket", "x") or a single character."""


def _bounds(minimum: float, maximum: float, *, above: bool = False) -> dict[str, Any]:
    """Setting metadata: a finite value from `minimum` (excluded when `above`) to `maximum`."""
    return {"bounds": (minimum, maximum, above)}


def _bounds_error(value: float, bounds: tuple[float, float, bool]) -> str | None:
    minimum, maximum, above = bounds
    if not math.isfinite(value):
        return "must be a finite number"
    low_ok = value > minimum if above else value >= minimum
    if low_ok and value <= maximum:
        return None
    low = f"greater than {minimum:g}" if above else f"at least {minimum:g}"
    return f"must be {low} and at most {maximum:g}"


@dataclass(frozen=True)
class AnalysisSettings:
    pause_min_s: float = field(metadata=_bounds(0, 60, above=True))
    long_pause_s: float = field(metadata=_bounds(0, 600, above=True))
    sentence_pause_s: float = field(metadata=_bounds(0, 60, above=True))
    default_target_min_s: float = field(metadata=_bounds(0, MAX_ANSWER_S, above=True))
    default_target_max_s: float = field(metadata=_bounds(0, MAX_ANSWER_S, above=True))
    slow_start_s: float = field(metadata=_bounds(0, 600, above=True))
    filler_rate_max: float = field(metadata=_bounds(0, 200))
    signpost_wait_s: float = field(metadata=_bounds(0, 600, above=True))
    thinking_phrases: list[str]


@dataclass(frozen=True)
class DeliverySettings:
    """How the voice's delivery is judged (`analysis/delivery.py`); `config/settings.toml` gives
    each value's source."""

    # Pitch variety: the 10th-90th percentile spread of F0 (semitones) in windows this long (s).
    pitch_window_s: float = field(metadata=_bounds(1, 600))
    # A window is judged only when it holds at least this much voiced speech (s).
    min_voiced_s: float = field(metadata=_bounds(0, 600, above=True))
    # A window whose spread is below this (semitones) is flat ...
    monotone_st: float = field(metadata=_bounds(0, 48, above=True))
    # ... and the answer is monotone when at least this share of its judged windows is flat.
    monotone_share: float = field(metadata=_bounds(0, 1, above=True))
    # Uptalk: a statement's last voiced stretch (its last `final_rise_s`) rising more than
    # `uptalk_rise_st` semitones from its lowest point to its end.
    final_rise_s: float = field(metadata=_bounds(0.05, 5))
    uptalk_rise_st: float = field(metadata=_bounds(0, 48, above=True))
    # Loudness: flat when the 10th-90th percentile spread of the words' levels is below this (dB);
    # fading when the last third of the answer is this much quieter than the first (dB).
    flat_loudness_db: float = field(metadata=_bounds(0, 120, above=True))
    fading_db: float = field(metadata=_bounds(0, 120, above=True))
    # Rate: a run of words ends at a silence this long (s); pace is measured in windows this long.
    run_pause_s: float = field(metadata=_bounds(0, 60, above=True))
    pace_window_s: float = field(metadata=_bounds(1, 600))


@dataclass(frozen=True)
class TranscriptionSettings:
    model: str
    compute_type: str
    beam_size: int = field(metadata=_bounds(1, 20))
    cpu_threads: int = field(metadata=_bounds(0, 64))
    verbatim_prompt: str


@dataclass(frozen=True)
class FillerSettings:
    words: list[str]
    phrases: list[str]
    hedges: list[str]
    hedge_not_after: list[str]
    like_not_after: list[str]


@dataclass(frozen=True)
class RecordingSettings:
    input_device: str
    output_device: str
    sample_rate: int = field(metadata=_bounds(8000, 192_000))
    max_answer_s: float = field(metadata=_bounds(1, MAX_ANSWER_S))
    auto_stop_silence_s: float = field(metadata=_bounds(0, 600))


@dataclass(frozen=True)
class SpeechSettings:
    enabled: bool
    voice: str
    rate: int = field(metadata=_bounds(50, 500))


@dataclass(frozen=True)
class PracticeSettings:
    default_questions: list[str]
    auto_start: bool
    follow_ups: FollowUpMode
    max_follow_ups: int = field(metadata=_bounds(0, 3))
    follow_up_criteria_achieved: list[str]
    follow_up_criteria_missed: list[str]
    follow_up_target_min_s: float = field(metadata=_bounds(0, MAX_ANSWER_S, above=True))
    follow_up_target_max_s: float = field(metadata=_bounds(0, MAX_ANSWER_S, above=True))
    follow_up_credit: float = field(metadata=_bounds(0, 1))

    def follow_up_criteria(self, kind: str) -> list[str]:
        """The criteria worth a follow-up for a question `kind`, most important first ("general"
        questions are judged on the achieved criteria, so they are probed on them too)."""
        if kind == "missed":
            return self.follow_up_criteria_missed
        return self.follow_up_criteria_achieved


def _share() -> dict[str, Any]:
    """Setting metadata: a share of the answer's length, 0 to 1."""
    return _bounds(0, 1)


@dataclass(frozen=True)
class StructureSettings:
    """Where the minutes of a STAR answer should go (shares of the answer length, 0 to 1), and
    the thresholds of the timeline's flags; `config/settings.toml` [structure] gives the source."""

    situation_min: float = field(metadata=_share())
    situation_max: float = field(metadata=_share())
    task_min: float = field(metadata=_share())
    task_max: float = field(metadata=_share())
    action_min: float = field(metadata=_share())
    action_max: float = field(metadata=_share())
    result_min: float = field(metadata=_share())
    result_max: float = field(metadata=_share())
    reflection_min: float = field(metadata=_share())
    reflection_max: float = field(metadata=_share())
    long_setup_above: float = field(metadata=_share())
    thin_action_below: float = field(metadata=_share())
    no_lesson_below: float = field(metadata=_share())

    def target(self, part: str) -> tuple[float, float] | None:
        """The (min, max) share a part should take; None for `other`, which has no target."""
        if part not in STRUCTURE_TARGET_PARTS:
            return None
        return getattr(self, f"{part}_min"), getattr(self, f"{part}_max")


STRUCTURE_TARGET_PARTS = ("situation", "task", "action", "result", "reflection")


@dataclass(frozen=True)
class Settings:
    analysis: AnalysisSettings
    delivery: DeliverySettings
    transcription: TranscriptionSettings
    fillers: FillerSettings
    recording: RecordingSettings
    speech: SpeechSettings
    practice: PracticeSettings
    structure: StructureSettings
    keys: dict[str, str]


@dataclass(frozen=True)
class FollowUp:
    """A follow-up an interviewer may ask: the rubric criterion it probes (None for the old
    plain-string form, which probes nothing in particular) and the words spoken."""

    criterion: str | None
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    target_min_s: float = field(metadata=_bounds(0, MAX_ANSWER_S, above=True))
    target_max_s: float = field(metadata=_bounds(0, MAX_ANSWER_S, above=True))
    follow_ups: tuple[FollowUp, ...] = field(metadata={"parsed_by": "_follow_ups"})
    """The question's own follow-ups first, then its kind's defaults for the criteria they
    leave out, so every criterion of the kind can be probed."""


@dataclass(frozen=True)
class ProbingQuestion(Question):
    """A follow-up as it is asked (`session.follow_up.follow_up_question`), never read from the
    bank: its answer is judged as the reply to a probe of this criterion (None: it probes none)."""

    probes: str | None = None


def _type_error(value: Any, expected: Any) -> str | None:
    """Why `value` is not of the annotated type, or None when it is."""
    origin = typing.get_origin(expected)
    if expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "must be a whole number"
    if expected is bool:
        return None if isinstance(value, bool) else "must be true or false"
    if expected is str:
        return None if isinstance(value, str) else "must be a string"
    if origin is list:
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        return None if ok else "must be a list of strings"
    if origin is dict:
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        return None if ok else "must be a table of strings"
    if origin is Literal:
        allowed = typing.get_args(expected)
        return None if value in allowed else f"must be one of {', '.join(allowed)}"
    raise TypeError(f"unsupported setting type {expected!r}")


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables, or one line saying why it cannot be read as settings."""
    try:
        if path.exists() and not path.is_file():  # a folder, or a FIFO that would block the open
            raise UserError(f"config error: {path}: not a regular file")
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_CONFIG_BYTES:
                raise UserError(f"config error: {path}: larger than {MAX_CONFIG_BYTES} bytes")
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"config error: {path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"config error: {path}: not UTF-8 text (byte {exc.start})") from None
    except RecursionError:
        raise UserError(f"config error: {path}: not valid TOML (nested too deeply)") from None
    except OSError as exc:
        raise UserError(f"config error: {path}: cannot read ({exc.strerror})") from None


def _shown(value: Any) -> str:
    """A bad value as quoted in the one-line error: repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


Sources = dict[tuple[str, str], Path]
"""Which file set each (section, key): errors name that file."""


def _merge(base: dict[str, Any], override: dict[str, Any], path: Path, sources: Sources) -> None:
    """Lay an override file over the defaults; unknown sections and keys are errors, not ignored."""
    for section, values in override.items():
        if section not in base:
            raise UserError(f"config error: {path}: key '{section}': unknown section")
        if not isinstance(values, dict):
            raise UserError(f"config error: {path}: key '{section}': must be a [section] table")
        for key, value in values.items():
            if key not in base[section]:
                unknown = "unknown key binding" if section == "keys" else "unknown setting"
                raise UserError(f"config error: {path}: key '{section}.{key}': {unknown}")
            base[section][key] = value
            sources[(section, key)] = path


def _checked(
    values: dict[str, Any], record_type: type, prefix: str, file_of: Callable[[str], Path]
) -> dict[str, Any]:
    """The fields of `record_type` from `values`, each type- and bounds-checked; an error names
    the key as `prefix.name` in the file `file_of(name)` that set it."""
    hints = typing.get_type_hints(record_type)
    checked = {}
    for spec in fields(record_type):
        path, key = file_of(spec.name), f"{prefix}.{spec.name}"
        if spec.name not in values:
            raise UserError(f"config error: {path}: key '{key}': missing")
        if "parsed_by" in spec.metadata:
            continue
        value = values[spec.name]
        reason = _type_error(value, hints[spec.name])
        if reason is None and "bounds" in spec.metadata:
            reason = _bounds_error(value, spec.metadata["bounds"])
        if reason is not None:
            raise UserError(f"config error: {path}: key '{key}': {reason} (got {_shown(value)})")
        checked[spec.name] = float(value) if hints[spec.name] is float else value
    return checked


def override_files() -> list[Path]:
    """User overrides in the order they apply: the platformdirs file, then MOCK_INTERVIEW_CONFIG.

    The platformdirs file may be absent; anything else at its path (a folder) is an error.
    """
    user_file = user_config_file()
    files = [user_file] if os.path.lexists(user_file) else []
    named = os.environ.get("MOCK_INTERVIEW_CONFIG")
    if named:
        if not Path(named).is_file():
            raise UserError(f"config error: {named}: MOCK_INTERVIEW_CONFIG names no file")
        files.append(Path(named))
    return files


def load_settings(extra: Path | None = None) -> Settings:
    """Shipped defaults, then each override file; `extra` (tests, --config) applies last."""
    shipped = shipped_config_dir() / "settings.toml"
    merged = read_toml(shipped)
    sources: Sources = {}
    for path in [*override_files(), *([extra] if extra else [])]:
        _merge(merged, read_toml(path), path, sources)

    def source(section: str, key: str) -> Path:
        return sources.get((section, key), shipped)

    hints = typing.get_type_hints(Settings)
    sections: dict[str, Any] = {}
    for spec in fields(Settings):
        section_type = hints[spec.name]
        if isinstance(section_type, types.GenericAlias):
            sections[spec.name] = _build_keys(merged[spec.name], source)
        else:
            values = _checked(
                merged[spec.name], section_type, spec.name, functools.partial(source, spec.name)
            )
            sections[spec.name] = section_type(**values)
    settings = Settings(**sections)
    _check_targets(settings.analysis, sources, shipped)
    _check_follow_up_targets(settings.practice, source("practice", "follow_up_target_max_s"))
    _check_structure_targets(settings.structure, source)
    _check_default_questions(
        settings.practice.default_questions, source("practice", "default_questions")
    )
    return settings


def _check_targets(analysis: AnalysisSettings, sources: Sources, shipped: Path) -> None:
    """The default target range must be a range; blame the override file that broke it."""
    if analysis.default_target_min_s < analysis.default_target_max_s:
        return
    low, high = ("analysis", "default_target_min_s"), ("analysis", "default_target_max_s")
    if low in sources and high not in sources:
        raise UserError(
            f"config error: {sources[low]}: key 'analysis.default_target_min_s': must be less "
            f"than analysis.default_target_max_s ({analysis.default_target_max_s:g})"
        )
    raise UserError(
        f"config error: {sources.get(high, shipped)}: key 'analysis.default_target_max_s': must "
        f"be greater than analysis.default_target_min_s ({analysis.default_target_min_s:g})"
    )


def _check_follow_up_targets(practice: PracticeSettings, path: Path) -> None:
    if practice.follow_up_target_min_s >= practice.follow_up_target_max_s:
        raise UserError(
            f"config error: {path}: key 'practice.follow_up_target_max_s': must be greater than "
            f"practice.follow_up_target_min_s ({practice.follow_up_target_min_s:g})"
        )
    for kind in ("achieved", "missed"):
        key = f"follow_up_criteria_{kind}"
        for criterion in getattr(practice, key):
            if not CRITERION_ID.fullmatch(criterion):
                raise UserError(
                    f"config error: {path}: key 'practice.{key}': {_shown(criterion)} is not a "
                    "criterion id (see config/rubric.toml)"
                )


def _check_structure_targets(
    structure: StructureSettings, source: Callable[[str, str], Path]
) -> None:
    """Each part's target must be a range (min at most max)."""
    for part in STRUCTURE_TARGET_PARTS:
        low, high = getattr(structure, f"{part}_min"), getattr(structure, f"{part}_max")
        if low > high:
            raise UserError(
                f"config error: {source('structure', f'{part}_max')}: key 'structure.{part}_max': "
                f"must be at least structure.{part}_min ({low:g})"
            )


def _check_default_questions(question_ids: list[str], path: Path) -> None:
    if not question_ids:
        raise UserError(
            f"config error: {path}: key 'practice.default_questions': must name a question"
        )
    bank = load_questions()
    for question_id in question_ids:
        if question_id not in bank:
            raise UserError(
                f"config error: {path}: key 'practice.default_questions': unknown question id "
                f"{_shown(question_id)} (known: {', '.join(bank)})"
            )


def _build_keys(values: dict[str, Any], source: Callable[[str, str], Path]) -> dict[str, str]:
    """Key bindings by id: each a comma-separated list of Textual key names."""
    for binding, keys in values.items():
        if not isinstance(keys, str) or not all(KEY_NAME.fullmatch(key) for key in keys.split(",")):
            raise UserError(
                f"config error: {source('keys', binding)}: key 'keys.{binding}': must be key "
                f'names separated by commas, such as "s" or "ctrl+s,f2" (got {_shown(keys)})'
            )
    return dict(values)


def load_questions(path: Path | None = None) -> dict[str, Question]:
    """The question bank by id, validated like the settings."""
    path = path or shipped_config_dir() / "questions.toml"
    data = read_toml(path)
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        raise UserError(f"config error: {path}: key 'questions': must be a list of [[questions]]")
    unknown_tables = sorted(data.keys() - {"questions", "default_follow_ups"})
    if unknown_tables:
        raise UserError(f"config error: {path}: key '{unknown_tables[0]}': unknown table")
    defaults = _default_follow_ups(data.get("default_follow_ups", []), path)
    known = {spec.name for spec in fields(Question)}
    bank: dict[str, Question] = {}
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise UserError(f"config error: {path}: key 'questions[{index}]': must be a table")
        unknown = sorted(entry.keys() - known)
        if unknown:
            raise UserError(
                f"config error: {path}: key 'questions[{index}].{unknown[0]}': unknown field"
            )
        where = f"questions[{index}]"
        checked = _checked(entry, Question, where, lambda _: path)
        own = _follow_ups(entry["follow_ups"], f"{where}.follow_ups", path)
        follow_ups = _with_defaults(own, defaults.get(checked["kind"]))
        question = Question(**checked, follow_ups=follow_ups)
        if not QUESTION_ID.fullmatch(question.id) or question.id in bank:
            reason = "used twice" if question.id in bank else "must be a slug (a-z, 0-9, -)"
            raise UserError(f"config error: {path}: key 'questions[{index}].id': {reason}")
        if question.target_min_s >= question.target_max_s:
            raise UserError(
                f"config error: {path}: key 'questions[{index}].target_max_s': "
                "must be greater than target_min_s"
            )
        bank[question.id] = question
    return bank


def _follow_ups(value: Any, key: str, path: Path) -> list[FollowUp]:
    """`[{criterion, text}, ...]`; a plain string (the older form) probes no criterion."""
    if not isinstance(value, list):
        raise UserError(f"config error: {path}: key '{key}': must be a list")
    parsed = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            parsed.append(FollowUp(None, _follow_up_text(item, f"{key}[{index}]", path)))
            continue
        if not isinstance(item, dict) or set(item) != {"criterion", "text"}:
            raise UserError(
                f"config error: {path}: key '{key}[{index}]': must be a string or "
                '{criterion = "...", text = "..."}'
            )
        parsed.append(
            FollowUp(
                _criterion_id(item["criterion"], f"{key}[{index}].criterion", path),
                _follow_up_text(item["text"], f"{key}[{index}].text", path),
            )
        )
    return parsed


def _follow_up_text(value: Any, key: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"config error: {path}: key '{key}': must be a non-empty string")
    return value


def _criterion_id(value: Any, key: str, path: Path) -> str:
    if not isinstance(value, str) or not CRITERION_ID.fullmatch(value):
        raise UserError(
            f"config error: {path}: key '{key}': {_shown(value)} is not a criterion id "
            "(see config/rubric.toml)"
        )
    return value


def _default_follow_ups(value: Any, path: Path) -> dict[str, list[FollowUp]]:
    """`[[default_follow_ups]]` (kind, criterion, text) as each kind's follow-ups."""
    if not isinstance(value, list):
        raise UserError(f"config error: {path}: key 'default_follow_ups': must be [[tables]]")
    defaults: dict[str, list[FollowUp]] = {kind: [] for kind in QUESTION_KINDS}
    for index, item in enumerate(value):
        key = f"default_follow_ups[{index}]"
        if not isinstance(item, dict) or set(item) != {"kind", "criterion", "text"}:
            raise UserError(f"config error: {path}: key '{key}': must have kind, criterion, text")
        if item["kind"] not in QUESTION_KINDS:
            raise UserError(
                f"config error: {path}: key '{key}.kind': must be one of "
                f"{', '.join(QUESTION_KINDS)} (got {_shown(item['kind'])})"
            )
        criterion = _criterion_id(item["criterion"], f"{key}.criterion", path)
        if any(known.criterion == criterion for known in defaults[item["kind"]]):
            raise UserError(
                f"config error: {path}: key '{key}.criterion': {criterion} has a default "
                f"for {item['kind']} questions already"
            )
        text = _follow_up_text(item["text"], f"{key}.text", path)
        defaults[item["kind"]].append(FollowUp(criterion, text))
    return defaults


def _with_defaults(own: list[FollowUp], defaults: list[FollowUp] | None) -> tuple[FollowUp, ...]:
    covered = {follow_up.criterion for follow_up in own}
    return (*own, *(d for d in defaults or [] if d.criterion not in covered))


def find_question(bank: dict[str, Question], question_id: str) -> Question:
    try:
        return bank[question_id]
    except KeyError:
        raise UserError(f"unknown question id '{question_id}' (known: {', '.join(bank)})") from None

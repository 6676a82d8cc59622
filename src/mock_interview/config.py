"""Settings and the question bank: shipped TOML defaults, then user overrides, all validated.

Every bad value is reported as one line naming the file, the key and the reason, because a
candidate editing a config file should never have to read a traceback.
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from mock_interview.errors import UserError
from mock_interview.paths import shipped_config_dir, user_config_file

QuestionKind = Literal["achieved", "missed", "general"]
QUESTION_KINDS: tuple[str, ...] = typing.get_args(QuestionKind)


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _not_negative(value: float) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _check(rule: typing.Callable[[Any], str | None]) -> dict[str, Any]:
    return {"check": rule}


@dataclass(frozen=True)
class AnalysisSettings:
    pause_min_s: float = field(metadata=_check(_positive))
    long_pause_s: float = field(metadata=_check(_positive))
    default_target_min_s: float = field(metadata=_check(_positive))
    default_target_max_s: float = field(metadata=_check(_positive))
    slow_start_s: float = field(metadata=_check(_positive))
    filler_rate_max: float = field(metadata=_check(_not_negative))


@dataclass(frozen=True)
class TranscriptionSettings:
    model: str
    compute_type: str
    beam_size: int = field(metadata=_check(_positive))
    cpu_threads: int = field(metadata=_check(_not_negative))
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
    sample_rate: int = field(metadata=_check(_positive))
    max_answer_s: float = field(metadata=_check(_positive))
    auto_stop_silence_s: float = field(metadata=_check(_not_negative))


@dataclass(frozen=True)
class SpeechSettings:
    enabled: bool
    voice: str
    rate: int = field(metadata=_check(_positive))


@dataclass(frozen=True)
class PracticeSettings:
    default_questions: list[str]
    auto_start: bool


@dataclass(frozen=True)
class Settings:
    analysis: AnalysisSettings
    transcription: TranscriptionSettings
    fillers: FillerSettings
    recording: RecordingSettings
    speech: SpeechSettings
    practice: PracticeSettings
    keys: dict[str, str]


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    target_min_s: float
    target_max_s: float
    follow_ups: list[str]


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
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"config error: {path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise UserError(f"config error: {path}: cannot read ({exc.strerror})") from None


def _merge(base: dict[str, Any], override: dict[str, Any], path: Path) -> None:
    """Lay an override file over the defaults; unknown sections and keys are errors, not ignored."""
    for section, values in override.items():
        if section not in base:
            raise UserError(f"config error: {path}: key '{section}': unknown section")
        if not isinstance(values, dict):
            raise UserError(f"config error: {path}: key '{section}': must be a [section] table")
        for key, value in values.items():
            if key not in base[section] and section != "keys":
                raise UserError(f"config error: {path}: key '{section}.{key}': unknown setting")
            base[section][key] = value
            _sources[(section, key)] = path


_sources: dict[tuple[str, str], Path] = {}


def _build(section_type: type, section: str, values: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(section_type)
    kwargs = {}
    for spec in fields(section_type):
        value = values[spec.name]
        where = _sources.get((section, spec.name), Path("config/settings.toml"))
        reason = _type_error(value, hints[spec.name])
        if reason is None and "check" in spec.metadata:
            reason = spec.metadata["check"](value)
        if reason is not None:
            raise UserError(
                f"config error: {where}: key '{section}.{spec.name}': {reason} (got {value!r})"
            )
        kwargs[spec.name] = float(value) if hints[spec.name] is float else value
    return section_type(**kwargs)


def override_files() -> list[Path]:
    """User overrides in the order they apply: the platformdirs file, then MOCK_INTERVIEW_CONFIG."""
    files = [user_config_file()]
    named = os.environ.get("MOCK_INTERVIEW_CONFIG")
    if named:
        if not Path(named).is_file():
            raise UserError(f"config error: {named}: MOCK_INTERVIEW_CONFIG names no file")
        files.append(Path(named))
    return [path for path in files if path.is_file()]


def load_settings(extra: Path | None = None) -> Settings:
    """Shipped defaults, then each override file; `extra` (tests, --config) applies last."""
    shipped = shipped_config_dir() / "settings.toml"
    merged = read_toml(shipped)
    _sources.clear()
    for path in [*override_files(), *([extra] if extra else [])]:
        _merge(merged, read_toml(path), path)
    hints = typing.get_type_hints(Settings)
    sections: dict[str, Any] = {}
    for spec in fields(Settings):
        section_type = hints[spec.name]
        if isinstance(section_type, types.GenericAlias):
            sections[spec.name] = _build_keys(merged[spec.name])
        else:
            sections[spec.name] = _build(section_type, spec.name, merged[spec.name])
    settings = Settings(**sections)
    analysis = settings.analysis
    if analysis.default_target_min_s >= analysis.default_target_max_s:
        where = _sources.get(("analysis", "default_target_max_s"), shipped)
        raise UserError(
            f"config error: {where}: key 'analysis.default_target_max_s': "
            "must be greater than analysis.default_target_min_s"
        )
    return settings


def _build_keys(values: dict[str, Any]) -> dict[str, str]:
    for key, value in values.items():
        if not isinstance(value, str) or not value:
            where = _sources.get(("keys", key), Path("config/settings.toml"))
            raise UserError(f"config error: {where}: key 'keys.{key}': must be a key name")
    return dict(values)


def load_questions(path: Path | None = None) -> dict[str, Question]:
    """The question bank by id, validated like the settings."""
    path = path or shipped_config_dir() / "questions.toml"
    raw = read_toml(path).get("questions")
    if not isinstance(raw, list) or not raw:
        raise UserError(f"config error: {path}: key 'questions': must be a list of [[questions]]")
    hints = typing.get_type_hints(Question)
    bank: dict[str, Question] = {}
    for index, entry in enumerate(raw):
        values = {}
        for spec in fields(Question):
            key = f"questions[{index}].{spec.name}"
            if spec.name not in entry:
                raise UserError(f"config error: {path}: key '{key}': missing")
            reason = _type_error(entry[spec.name], hints[spec.name])
            if reason:
                raise UserError(f"config error: {path}: key '{key}': {reason}")
            values[spec.name] = entry[spec.name]
        question = Question(**values)
        if question.target_min_s >= question.target_max_s:
            raise UserError(
                f"config error: {path}: key 'questions[{index}].target_max_s': "
                "must be greater than target_min_s"
            )
        bank[question.id] = question
    return bank


def find_question(bank: dict[str, Question], question_id: str) -> Question:
    try:
        return bank[question_id]
    except KeyError:
        raise UserError(f"unknown question id '{question_id}' (known: {', '.join(bank)})") from None

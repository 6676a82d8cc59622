"""The ASR layer's tuning options in one bundle, and `NAME.FIELD=VALUE` overrides of them.

The app runs on the defaults; the evaluation and bench scripts take `--set chunking.window_s=25`
(groups: decode, chunking, speech, filler_search) so a sweep needs no code change.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, TypeVar

from mock_interview.asr.chunking import ChunkingOptions
from mock_interview.asr.whisper import DecodeOptions

GROUPS = ("decode", "chunking", "speech", "filler_search")

Options = TypeVar("Options")


@dataclass(frozen=True)
class Tuning:
    """`decode` goes to the `Transcriber`; `chunking` (with the VAD's `speech` and the
    `filler_search` options inside it) to `transcribe_in_chunks` or `LiveTranscriber`."""

    decode: DecodeOptions = field(default_factory=DecodeOptions)
    chunking: ChunkingOptions = field(default_factory=ChunkingOptions)


def with_override(tuning: Tuning, assignment: str) -> Tuning:
    """`tuning` with one `GROUP.FIELD=VALUE` applied; ValueError names what is wrong."""
    name, equals, value = assignment.partition("=")
    group, dot, field_name = name.strip().partition(".")
    if not equals or not dot:
        raise ValueError(f"{assignment!r}: expected GROUP.FIELD=VALUE")
    if group == "decode":
        return replace(tuning, decode=_set(tuning.decode, field_name, value))
    if group == "chunking":
        return replace(tuning, chunking=_set(tuning.chunking, field_name, value))
    if group in ("speech", "filler_search"):
        nested = _set(getattr(tuning.chunking, group), field_name, value)
        return replace(tuning, chunking=replace(tuning.chunking, **{group: nested}))
    raise ValueError(f"{assignment!r}: no option group {group!r} (one of {', '.join(GROUPS)})")


def _set(options: Options, name: str, text: str) -> Options:
    """The options with field `name` parsed from `text` as the type of its default."""
    known = [item.name for item in fields(options)]  # type: ignore[arg-type]
    current: Any = getattr(options, name, None)
    if name not in known or is_dataclass(current):
        tunable = [item for item in known if not is_dataclass(getattr(options, item))]
        raise ValueError(f"no field {name!r} (one of {', '.join(tunable)})")
    try:
        value = _parsed(text.strip(), current)
    except ValueError:
        raise ValueError(f"{name}={text!r}: not a {type(current).__name__}") from None
    return replace(options, **{name: value})  # type: ignore[type-var]


def _parsed(text: str, current: Any) -> Any:
    """`text` as a value of `current`'s type; a flag is "true" or "false" ("False" is not true)."""
    if isinstance(current, bool):
        if text.lower() not in ("true", "false"):
            raise ValueError(text)
        return text.lower() == "true"
    return type(current)(text)


def add_override_option(parser: argparse.ArgumentParser) -> None:
    """The evaluation and bench scripts' repeatable `--set GROUP.FIELD=VALUE`."""
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="GROUP.FIELD=VALUE",
        help=f"override a tuning option; groups: {', '.join(GROUPS)}",
    )


def tuning_with(assignments: list[str]) -> Tuning:
    """The default tuning with each `GROUP.FIELD=VALUE` applied in order (ValueError if bad)."""
    tuning = Tuning()
    for assignment in assignments:
        tuning = with_override(tuning, assignment)
    return tuning

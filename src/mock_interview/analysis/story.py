"""A prepared story: the candidate's own success or setback, written down field by field.

The advice behind the tool ends with preparation: three successes and three setbacks, each with
what I did, what happened and what I learned (and, for a setback, what I do differently since).
A story is plain text per field; `parse_story_toml` is the one door written stories come in by
(the CLI's `--file`/stdin, the TUI's editor, an imported archive), so every story stored has
passed the same checks: known keys only, a title, a known kind, bounded text, no control
characters.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from typing import Any

from mock_interview.core.errors import UserError

STORY_KINDS = ("achieved", "missed")
FIELDS = ("situation", "goal", "actions", "outcome", "lesson", "since")
"""The written fields in the order they are told (`since`: what I do differently now)."""
FIELD_LABELS = {
    "situation": "Situation",
    "goal": "Goal",
    "actions": "What I did",
    "outcome": "What happened",
    "lesson": "What I learned",
    "since": "What I do differently since",
}
MAX_TITLE_CHARS = 200
MAX_FIELD_CHARS = 4_000  # about four minutes spoken: longer is not a story but an essay
MAX_STORY_BYTES = 64_000
# Tabs and line breaks are text; every other control character would reach a terminal or a file.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Story:
    """One written story; `id` is 0 until it is stored."""

    title: str
    kind: str
    situation: str = ""
    goal: str = ""
    actions: str = ""
    outcome: str = ""
    lesson: str = ""
    since: str = ""
    id: int = 0
    uid: str = ""

    @property
    def question_id(self) -> str:
        """The question the story answers by default."""
        return "goal-achieved" if self.kind == "achieved" else "goal-missed"

    def text_of(self, field: str) -> str:
        if field not in FIELDS:
            raise KeyError(field)
        return str(getattr(self, field))

    def required_fields(self) -> tuple[str, ...]:
        """The fields a ready story fills: `since` only matters for a setback."""
        return FIELDS if self.kind == "missed" else FIELDS[:-1]

    def written(self) -> dict[str, str]:
        """The keys `parse_story` reads, as TOML and archives hold them."""
        return {"title": self.title, "kind": self.kind} | {f: self.text_of(f) for f in FIELDS}


_KEYS = tuple(f.name for f in fields(Story) if f.name not in ("id", "uid"))


def parse_story_toml(text: str, where: str, base: Story | None = None) -> Story:
    """A story from TOML text; any problem is one UserError line naming `where`. With `base`
    (an edit) the keys given replace that story's, the others stay, and so do its id and uid."""
    if len(text.encode("utf-8", errors="replace")) > MAX_STORY_BYTES:
        raise UserError(f"{where}: larger than {MAX_STORY_BYTES // 1000} kB; not a story")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{where}: not valid TOML ({error})") from None
    if base is None:
        return parse_story(data, where)
    merged = parse_story(base.written() | data if isinstance(data, dict) else data, where)
    return replace(merged, id=base.id, uid=base.uid)


def parse_story(data: Any, where: str) -> Story:
    """A story from its keys (TOML or an archive's JSON), checked key by key."""
    if not isinstance(data, dict):
        raise UserError(f"{where}: a story is a table of keys ({', '.join(_KEYS)})")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise UserError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_KEYS)})")
    values: dict[str, Any] = {}
    for key in _KEYS:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise UserError(f"{where}: {key} must be text, not {type(value).__name__}")
        limit = MAX_TITLE_CHARS if key == "title" else MAX_FIELD_CHARS
        if len(value) > limit:
            raise UserError(f"{where}: {key} is longer than {limit} characters")
        found = CONTROL.search(value)
        if found:
            raise UserError(f"{where}: {key} holds a control character ({found.group()!r})")
        values[key] = value.strip()
    if not values["title"]:
        raise UserError(f"{where}: a story needs a title")
    if values["title"].count("\n"):
        raise UserError(f"{where}: title must be one line")
    if values["kind"] not in STORY_KINDS:
        raise UserError(
            f"{where}: kind must be one of {', '.join(STORY_KINDS)}, not {values['kind']!r}"
        )
    return replace(Story(values["title"], values["kind"]), **values)


"""`mock-interview stories list|show|add|edit|delete`: the story bank from the terminal.

`add` and `edit` read TOML (`--file F`, else standard input) with the keys title, kind,
situation, goal, actions, outcome, lesson and since; `edit` replaces only the keys given.
Each command that writes prints the story's check, so a gap shows the moment it is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mock_interview.analysis.story import MAX_STORY_BYTES, Story, parse_story_toml
from mock_interview.core.errors import UserError
from mock_interview.storage.database import Store
from mock_interview.storage.stories import add_story, delete_story, stories, story, update_story
from mock_interview.views.stories import (
    StoryChecker,
    bank_json,
    render_bank_text,
    render_story_text,
    story_comfort,
    written_json,
)


def add_stories_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "stories", help="your prepared stories: three successes and three setbacks, checked"
    )
    actions = parser.add_subparsers(dest="stories_command", metavar="ACTION", required=True)
    for name, help_text in (
        ("list", "every story with its readiness, and the bank's progress"),
        ("show", "one story's field-by-field check and its practice over time"),
        ("add", "write a new story from TOML (--file F or standard input); prints its id"),
        ("edit", "change a story's keys from TOML (--file F or standard input)"),
        ("delete", "delete a story (its practised answers stay)"),
    ):
        action = actions.add_parser(name, help=help_text)
        if name in ("show", "edit", "delete"):
            action.add_argument("story_id", type=int, metavar="ID")
        if name in ("add", "edit"):
            action.add_argument(
                "--file", type=Path, metavar="F", help="a TOML file (default: standard input)"
            )
        action.add_argument("--format", choices=["text", "json"], default="text")
        action.set_defaults(handler=_HANDLERS[name])


def _list(args: argparse.Namespace) -> int:
    checker = StoryChecker.from_settings()
    with Store.open_default() as store:
        checked = [(told, checker.written(told)) for told in stories(store)]
    _print(args, bank_json(checked), render_bank_text(checked))
    return 0


def _show(args: argparse.Namespace) -> int:
    checker = StoryChecker.from_settings()
    with Store.open_default() as store:
        told = story(store, args.story_id)
        comfort = story_comfort(store, told, checker)
    check = checker.written(told)
    data = written_json(told, check) | {"attempts": comfort}
    _print(args, data, render_story_text(told, check, comfort))
    return 0


def _add(args: argparse.Namespace) -> int:
    written = parse_story_toml(*_read_toml(args.file))
    checker = StoryChecker.from_settings()
    with Store.open_default() as store:
        story_id = add_story(store, written)
        told = story(store, story_id)
    _print_written(args, told, checker)
    return 0


def _edit(args: argparse.Namespace) -> int:
    text, where = _read_toml(args.file)
    checker = StoryChecker.from_settings()
    with Store.open_default() as store:
        told = parse_story_toml(text, where, base=story(store, args.story_id))
        update_story(store, told)
    _print_written(args, told, checker)
    return 0


def _delete(args: argparse.Namespace) -> int:
    with Store.open_default() as store:
        delete_story(store, args.story_id)
    _print(args, {"id": args.story_id, "deleted": True}, f"Deleted story {args.story_id}.")
    return 0


def _print_written(args: argparse.Namespace, told: Story, checker: StoryChecker) -> None:
    """The id, readiness and gaps of a story just written (`{"id", "ready", "gaps"}` as JSON)."""
    check = checker.written(told)
    if args.format == "json":
        print(json.dumps({"id": told.id, "ready": check.ready, "gaps": check.gaps}))
        return
    print(told.id)
    state = "ready" if check.ready else "needs work"
    gaps = f"; gaps: {', '.join(check.gaps)}" if check.gaps else ""
    print(f"Story {told.id} ({told.kind}): {state}, rubric {check.rubric['score']}{gaps}",
          file=sys.stderr)


def _print(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.format == "json" else text)


def _read_toml(path: Path | None) -> tuple[str, str]:
    """The TOML text and where it came from, at most MAX_STORY_BYTES read."""
    where = "standard input" if path is None else str(path)
    try:
        if path is None:
            raw = sys.stdin.buffer.read(MAX_STORY_BYTES + 1)
        elif path.is_dir():
            raise UserError(f"{path}: is a directory, not a TOML file")
        else:
            with path.open("rb") as handle:
                raw = handle.read(MAX_STORY_BYTES + 1)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as error:
        raise UserError(f"{where}: cannot read ({error.strerror})") from None
    if len(raw) > MAX_STORY_BYTES:
        raise UserError(f"{where}: larger than {MAX_STORY_BYTES // 1000} kB; not a story")
    try:
        return raw.decode("utf-8"), where
    except UnicodeDecodeError:
        raise UserError(f"{where}: not UTF-8 text") from None


_HANDLERS = {"list": _list, "show": _show, "add": _add, "edit": _edit, "delete": _delete}

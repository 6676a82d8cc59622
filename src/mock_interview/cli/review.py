"""The review subcommands: history, report, compare, delete, export, import and replay.

Registered on the main parser by `add_review_commands`; each handler opens the default store in
the data dir and returns the exit status.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mock_interview.core.errors import UserError
from mock_interview.core.paths import write_user_file
from mock_interview.storage.database import Store
from mock_interview.storage.stories import story, story_attempts
from mock_interview.views.session_formats import REPORT_FORMATS


def _history(args: argparse.Namespace) -> int:
    from mock_interview.views.history import (
        parse_since,
        render_history_csv,
        render_history_json,
        render_history_text,
    )

    since = parse_since(args.since) if args.since else None
    with Store.open_default() as store:
        rows = store.answers(question_id=args.question, since=since)
        if args.story is not None:
            told = {row.id for row in story_attempts(store, story(store, args.story).id)}
            rows = [row for row in rows if row.id in told]
    render = {"text": render_history_text, "json": render_history_json, "csv": render_history_csv}
    print(render[args.format](rows).rstrip("\n"))
    return 0


def _emit(text: str, output: Path | None) -> None:
    """The text to the file the user named, else to stdout."""
    if output:
        write_user_file(output, text)
        print(f"Wrote {output}")
    else:
        print(text, end="")


def _report(args: argparse.Namespace) -> int:
    from mock_interview.core.config import load_settings
    from mock_interview.views.session import load_session_report
    from mock_interview.views.session_formats import format_session

    with Store.open_default() as store:
        report = load_session_report(store, args.session_id)
    settings = load_settings()
    text = format_session(report, args.format, settings.analysis.long_pause_s, settings.structure)
    _emit(text, args.output)
    return 0


COMPARE_FORMATS = ("text", "json", "markdown", "html")


def _compare(args: argparse.Namespace) -> int:
    from mock_interview.views.compare import (
        compare_sessions,
        render_compare_json,
        render_compare_markdown,
        render_compare_text,
    )
    from mock_interview.views.session_html import render_compare_html

    with Store.open_default() as store:
        first, second = store.session(args.first), store.session(args.second)
    comparisons = compare_sessions(first, second, args.question)
    render = {
        "text": render_compare_text,
        "json": render_compare_json,
        "markdown": render_compare_markdown,
        "html": render_compare_html,
    }[args.format]
    text = render(comparisons)
    _emit(text, args.output)
    return 0


def _delete(args: argparse.Namespace) -> int:
    with Store.open_default() as store:
        removed = store.delete_session(args.session_id)
    print(f"Deleted session {args.session_id} and {len(removed)} recording(s).")
    return 0


def _export(args: argparse.Namespace) -> int:
    from mock_interview.core.config import load_settings
    from mock_interview.storage.archive import export_sessions
    from mock_interview.views.session_formats import session_html_by_id

    if not args.all and not args.session_ids:
        raise UserError("export: name SESSION_IDs or use --all")
    settings = load_settings()
    with Store.open_default() as store:
        count = export_sessions(
            store,
            args.output,
            session_html_by_id(store, settings.analysis.long_pause_s, settings.structure),
            None if args.all else args.session_ids,
        )
    print(f"Exported {count} session(s) to {args.output}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from mock_interview.storage.archive import import_archive

    with Store.open_default() as store:
        result = import_archive(store, args.archive)
    print(
        f"Imported {len(result.imported)} session(s)"
        + (f"; {result.skipped} already here, skipped" if result.skipped else "")
        + "."
    )
    return 0


def _replay(args: argparse.Namespace) -> int:
    from mock_interview.core.config import load_settings
    from mock_interview.views.replay import replay

    output_device = load_settings().recording.output_device
    with Store.open_default() as store:
        session = store.session(args.session_id)
    return replay(session, args.answer, args.start_s, output_device)


def add_review_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    history = commands.add_parser("history", help="every saved answer, newest first, and the trend")
    history.add_argument("--format", choices=["text", "json", "csv"], default="text")
    history.add_argument("--question", metavar="ID", help="only answers to this question")
    history.add_argument("--since", metavar="DATE", help="sessions from this date on (YYYY-MM-DD)")
    history.add_argument("--story", type=int, metavar="ID", help="only answers telling this story")
    history.set_defaults(handler=_history)

    report = commands.add_parser("report", help="a saved session's full report")
    report.add_argument("session_id", type=int, metavar="SESSION_ID")
    report.add_argument("--format", choices=REPORT_FORMATS, default="markdown")
    report.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    report.set_defaults(handler=_report)

    compare = commands.add_parser(
        "compare", help="two attempts at the same question side by side, with every change"
    )
    compare.add_argument("first", type=int, metavar="SESSION_A")
    compare.add_argument("second", type=int, metavar="SESSION_B")
    compare.add_argument("--question", metavar="ID", help="only this question")
    compare.add_argument("--format", choices=COMPARE_FORMATS, default="text")
    compare.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    compare.set_defaults(handler=_compare)

    delete = commands.add_parser("delete", help="delete a saved session and its recordings")
    delete.add_argument("session_id", type=int, metavar="SESSION_ID")
    delete.set_defaults(handler=_delete)

    export = commands.add_parser(
        "export", help="save sessions (recordings, JSON and HTML reports) to a zip"
    )
    export.add_argument("session_ids", type=int, nargs="*", metavar="SESSION_ID")
    export.add_argument("--all", action="store_true", help="every saved session")
    export.add_argument("-o", "--output", type=Path, metavar="FILE.zip", required=True)
    export.set_defaults(handler=_export)

    import_ = commands.add_parser("import", help="bring back sessions from an exported zip")
    import_.add_argument("archive", type=Path, metavar="FILE.zip")
    import_.set_defaults(handler=_import)

    replay = commands.add_parser(
        "replay", help="play a saved answer while the transcript follows along"
    )
    replay.add_argument("session_id", type=int, metavar="SESSION_ID")
    replay.add_argument(
        "--answer", type=int, metavar="N", help="answer number (default: the first recorded)"
    )
    replay.add_argument("--from", dest="start_s", type=float, default=0.0, metavar="SECONDS",
                        help="start this many seconds into the recording")
    replay.set_defaults(handler=_replay)

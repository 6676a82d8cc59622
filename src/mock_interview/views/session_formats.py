"""A saved session in the format asked for; sits above the Markdown and HTML modules so neither
needs the other."""

from __future__ import annotations

import json
from collections.abc import Callable

from mock_interview.core.config import StructureSettings
from mock_interview.storage.database import Store
from mock_interview.views.session import SessionReport, load_session_report, session_json
from mock_interview.views.session_html import render_session_html
from mock_interview.views.session_markdown import render_session_markdown

REPORT_FORMATS = ("markdown", "html", "json")


def format_session(
    report: SessionReport,
    report_format: str,
    long_pause_s: float = 3.0,
    targets: StructureSettings | None = None,
) -> str:
    if report_format == "json":
        return json.dumps(session_json(report), indent=2) + "\n"
    if report_format == "html":
        return render_session_html(report, long_pause_s, targets)
    return render_session_markdown(report, targets)


def session_html_by_id(
    store: Store, long_pause_s: float, targets: StructureSettings | None = None
) -> Callable[[int], str]:
    """What an export packs beside each session's data: its HTML page."""
    return lambda session_id: render_session_html(
        load_session_report(store, session_id), long_pause_s, targets
    )

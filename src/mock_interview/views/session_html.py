"""The session report as one self-contained HTML page: no scripts, no network, prints cleanly.

A Content-Security-Policy of `default-src 'none'` (inline styles only) makes
the no-network promise hold in the browser too, not just in the markup we write.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from mock_interview.storage.database import StoredAnswer
from mock_interview.views.answer import timing_lines, transcript_pieces
from mock_interview.views.history import (
    HISTORY_HEADER,
    compute_trend,
    history_table,
    session_means,
    trend_line,
)
from mock_interview.views.session import SessionReport, session_heading, unanalysed_note
from mock_interview.views.svg import line_chart_svg, timeline_svg

CSP = "default-src 'none'; style-src 'unsafe-inline'"

STYLE = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #d5d9e2; --speech: #3a7bd5;
  --pause: #f0b429; --long: #d64545; --filler: #8e44ad; --ok: #1f8a4c; --bad: #c0392b;
  --band: #e3f4e8; --paper: #ffffff; --soft: #f5f7fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  background: var(--paper); margin: 0 auto; max-width: 960px; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin-top: 32px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { margin: 20px 0 8px; font-size: 16px; }
.subtitle, .note, figcaption { color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); }
.measures th { width: 12em; }
section.answer { page-break-inside: auto; }
figure { margin: 0; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .target { fill: var(--band); }
svg .latency { fill: var(--soft); stroke: var(--line); }
svg .speech { fill: var(--speech); }
svg .pause { fill: var(--pause); }
svg .pause.long { fill: var(--long); }
svg .filler { fill: var(--filler); }
svg .mark { stroke: var(--ok); stroke-width: 2; stroke-dasharray: 4 3; }
svg .mark-label { fill: var(--ok); font-weight: 600; }
svg .series { fill: none; stroke: var(--speech); stroke-width: 2; }
svg .dot { fill: var(--speech); }
svg .dot.current { fill: var(--long); }
svg .chart-title { font-size: 13px; fill: var(--ink); font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 13px; color: var(--muted); }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
  vertical-align: -1px; border-radius: 2px; }
.transcript { background: var(--soft); padding: 12px 14px; border-radius: 6px; }
mark.filler { background: none; color: var(--filler); font-weight: 700;
  text-decoration: underline wavy; }
.pause-mark { color: #8a6100; font-size: 13px; }
.pause-mark.long { color: var(--long); font-weight: 700; }
.checklist { list-style: none; padding: 0; }
.checklist li { padding: 8px 10px; border-left: 4px solid var(--line); margin: 6px 0;
  background: var(--soft); }
.checklist li.met { border-color: var(--ok); }
.checklist li.unmet, .checklist li.flag { border-color: var(--bad); }
.verdict { font-weight: 700; }
.met .verdict { color: var(--ok); }
.unmet .verdict, .flag .verdict { color: var(--bad); }
blockquote { margin: 4px 0 4px 8px; font-style: italic; color: var(--muted); }
.advice { margin: 4px 0 0; }
.score { font-size: 17px; font-weight: 700; margin: 4px 0; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; }
  section.answer { break-before: page; }
  figure, .checklist li, table, .charts { break-inside: avoid; }
  .transcript, .checklist li, th { background: none; }
  a { color: inherit; text-decoration: none; }
}
"""

LEGEND = (
    ("speech", "Speech"),
    ("pause", "Pause"),
    ("long", "Long pause"),
    ("filler", "Filler"),
    ("band", "Target 2:00–3:00"),
)


def _legend() -> str:
    items = "".join(
        f'<span><span class="swatch" style="background: var(--{key})"></span>{label}</span>'
        for key, label in LEGEND
    )
    return f'<div class="legend">{items}</div>'


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], css: str = "") -> str:
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _transcript(report: dict[str, Any], long_pause_s: float) -> str:
    parts = []
    for piece in transcript_pieces(report):
        text = escape(piece.text)
        if piece.kind == "filler":
            parts.append(f'<mark class="filler" title="filler">{text}</mark>')
        elif piece.kind == "pause":
            long = " long" if piece.end_s - piece.start_s >= long_pause_s else ""
            parts.append(f'<span class="pause-mark{long}" title="pause">[{text}]</span>')
        else:
            parts.append(text)
    return f'<p class="transcript">{" ".join(parts) or "<em>(no words)</em>"}</p>'


def _label(item: dict[str, Any]) -> str:
    return str(item.get("label") or item["id"].replace("_", " ").capitalize())


def _evidence(quotes: list[str]) -> str:
    return "".join(f"<blockquote>“{escape(quote)}”</blockquote>" for quote in quotes)


def _rubric(rubric: dict[str, Any]) -> str:
    items = []
    for criterion in rubric["criteria"]:
        met = criterion["met"]
        advice = criterion.get("advice") if not met else ""
        items.append(
            f'<li class="{"met" if met else "unmet"}">'
            f'<span class="verdict">{"✓" if met else "✗"}</span> {escape(_label(criterion))}'
            f"{_evidence(criterion.get('evidence', []))}"
            + (f'<p class="advice">{escape(advice)}</p>' if advice else "")
            + "</li>"
        )
    for flag in rubric.get("red_flags", []):
        items.append(
            f'<li class="flag"><span class="verdict">⚑</span> Red flag: {escape(_label(flag))}'
            f"{_evidence(flag.get('evidence', []))}"
            f'<p class="advice">{escape(flag.get("advice", ""))}</p></li>'
        )
    for flag in rubric.get("delivery_flags", []):
        items.append(
            f'<li class="flag"><span class="verdict">⚑</span> Delivery: {escape(_label(flag))}'
            f' <span class="note">({escape(flag.get("detail", ""))})</span>'
            + (f'<p class="advice">{escape(flag["advice"])}</p>' if flag.get("advice") else "")
            + "</li>"
        )
    return (
        f'<p class="score">Score {rubric["score"]} / 100'
        + (f" · {escape(rubric['band'])}" if rubric.get("band") else "")
        + "</p>"
        f'<ul class="checklist">{"".join(items)}</ul>'
    )


def _answer(answer: StoredAnswer, long_pause_s: float) -> str:
    report = answer.report
    position = answer.row.position
    if report is None:
        return (f'<section class="answer"><h2>Answer {position}</h2>'
                f'<p class="note">{escape(unanalysed_note(answer))}</p></section>')
    question = report["question"]["text"] if report["question"] else answer.row.question_id
    parts = [
        f'<section class="answer" id="answer-{position}">',
        f"<h2>Answer {position}: {escape(question)}</h2>",
        _table(("Measure", "Value"), timing_lines(report), "measures"),
        "<h3>Timeline</h3>",
        f"<figure>{timeline_svg(report, long_pause_s)}{_legend()}"
        "<figcaption>The 2:00 and 3:00 marks count from the first word.</figcaption></figure>",
        "<h3>Transcript</h3>",
        _transcript(report, long_pause_s),
    ]
    if not report["timing"].get("speech_detected", True):
        parts.append('<p class="note">No speech detected: the recording is silent or too '
                     "quiet to measure.</p>")
    if report.get("rubric"):
        parts += ["<h3>Rubric</h3>", _rubric(report["rubric"])]
    parts.append("</section>")
    return "".join(parts)


def _trend(report: SessionReport) -> str:
    means = session_means(report.history)
    ids = [session_id for session_id, _, _ in means]
    current = ids.index(report.session.id) if report.session.id in ids else None
    charts = "".join(
        line_chart_svg(title, [m.get(key) for _, _, m in means], current, y_max)
        for title, key, y_max in (
            ("Rubric score", "score", 100.0),
            ("Fillers per minute", "fillers_per_minute", None),
        )
    )
    return (
        '<section class="trend"><h2>Progress across sessions</h2>'
        f"<p>{escape(trend_line(compute_trend(report.history)))}</p>"
        f'<div class="charts">{charts}</div>'
        '<p class="note">Each point is one session (the mean of its answers); '
        "this session is highlighted.</p></section>"
    )


def render_session_html(report: SessionReport, long_pause_s: float = 3.0) -> str:
    session = report.session
    title, subtitle = session_heading(session)
    analysed = [answer.row for answer in session.answers if answer.report is not None]
    summary = _table(HISTORY_HEADER, history_table(analysed)) if analysed else "<p>No answers.</p>"
    body = "".join(_answer(answer, long_pause_s) for answer in session.answers)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><p class="subtitle">{escape(subtitle)}</p></header>'
        f"<section><h2>Summary</h2>{summary}</section>"
        f"{body}{_trend(report)}"
        '<footer><p class="note">Made offline by mock-interview.</p></footer>'
        "</body></html>\n"
    )

"""Inline SVG pictures for the HTML report: an answer's timeline, its pitch strip and a
per-session trend chart.

Plain SVG strings styled by CSS classes (no scripts, no fonts, no external references), so the
report stays one self-contained file that prints and opens anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from mock_interview.analysis.answer import AnswerAnalysis, AnswerTiming, Delivery
from mock_interview.views.answer import (
    PART_COLOURS,
    clock,
    pause_length_s,
    pitch_strip_level,
    timeline_end_s,
)

WIDTH = 900
PAD = 30


def _speech_spans(timing: AnswerTiming) -> list[tuple[float, float]]:
    """The answer (first to last speech) with its pauses cut out."""
    start = timing.first_speech_s
    end = start + timing.answer_length_s
    spans = []
    for pause in sorted(timing.pauses, key=lambda p: p.start_s):
        spans.append((start, pause.start_s))
        start = pause.end_s
    spans.append((start, end))
    return [(a, b) for a, b in spans if b > a]


def _timeline_scale(analysis: AnswerAnalysis) -> tuple[float, Callable[[float], float]]:
    """Pixels per second of the answer's timeline (`timeline_end_s` wide), and where a time
    falls: every drawing under the timeline uses this one scale."""
    scale = (WIDTH - 2 * PAD) / timeline_end_s(analysis)
    return scale, lambda seconds: round(PAD + seconds * scale, 1)


def timeline_svg(analysis: AnswerAnalysis, long_pause_s: float = 3.0) -> str:
    """Speech, pauses and fillers along the recording, with the question's target band marked,
    and under the axis the STAR band: each part of the story in its colour (`PART_COLOURS`).

    The marks are counted from the first speech, as the answer length is, and labelled with the
    answer time they stand for; the axis is `timeline_end_s`, the scale the TUI draws to too.
    """
    timing = analysis.timing
    latency = timing.first_speech_s
    targets = (timing.target_min_s, timing.target_max_s)
    marks = [latency + target for target in targets]
    labels = [clock(target) for target in targets]
    total = timeline_end_s(analysis)
    scale, x = _timeline_scale(analysis)
    bar_top, bar_height = 28, 26
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} 104" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="Timeline of the answer">',
        f'<rect class="target" x="{x(marks[0])}" y="{bar_top - 8}" '
        f'width="{round(x(marks[1]) - x(marks[0]), 1)}" height="{bar_height + 16}">'
        f"<title>Target band: {labels[0]} to {labels[1]} of answer</title></rect>",
        f'<line class="axis" x1="{PAD}" y1="{bar_top + bar_height}" x2="{WIDTH - PAD}" '
        f'y2="{bar_top + bar_height}"/>',
        f'<rect class="latency" x="{x(0)}" y="{bar_top}" width="{round(latency * scale, 1)}" '
        f'height="{bar_height}"><title>Response latency '
        f'{timing.response_latency_s:.1f} s</title></rect>',
    ]
    for start, end in _speech_spans(timing):
        parts.append(
            f'<rect class="speech" x="{x(start)}" y="{bar_top}" '
            f'width="{max(round((end - start) * scale, 1), 0.5)}" height="{bar_height}">'
            f"<title>Speech {clock(start)}–{clock(end)}</title></rect>"
        )
    for pause in timing.pauses:
        length_s = pause_length_s(pause)
        kind = "pause long" if length_s >= long_pause_s else "pause"
        parts.append(
            f'<rect class="{kind}" x="{x(pause.start_s)}" y="{bar_top}" '
            f'width="{max(round(length_s * scale, 1), 0.5)}" height="{bar_height}">'
            f"<title>Pause {length_s:.1f} s at {clock(pause.start_s)}</title></rect>"
        )
    for item in analysis.fillers.items:
        left = x(item.start_s)
        parts.append(
            f'<path class="filler" d="M{left} {bar_top - 2} l-5 -9 h10 z">'
            f"<title>{escape(item.text)} at {clock(item.start_s)}</title></path>"
        )
    for mark, label in zip(marks, labels, strict=True):
        parts.append(
            f'<line class="mark" x1="{x(mark)}" y1="{bar_top - 10}" x2="{x(mark)}" '
            f'y2="{bar_top + bar_height + 6}"/>'
            f'<text class="mark-label" x="{x(mark)}" y="{bar_top - 13}" '
            f'text-anchor="middle">{label}</text>'
        )
    step = 30 if total <= 300 else 60 * max(1, round(total / 600))
    tick = 0.0
    while tick <= total:
        parts.append(
            f'<text class="tick" x="{x(tick)}" y="{bar_top + bar_height + 20}" '
            f'text-anchor="middle">{clock(tick)}</text>'
        )
        tick += step
    structure = analysis.structure
    for stretch in structure.parts if structure is not None else ():
        parts.append(
            f'<rect class="part part-{stretch.part}" x="{x(stretch.start_s)}" y="{bar_top + 60}" '
            f'width="{max(round(stretch.seconds * scale, 1), 0.5)}" height="14" '
            f'fill="{PART_COLOURS[stretch.part]}"><title>{stretch.part.capitalize()} '
            f"{clock(stretch.start_s)}–{clock(stretch.end_s)} ({100 * stretch.share:.0f}%)"
            "</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)


def pitch_strip_svg(analysis: AnswerAnalysis, delivery: Delivery) -> str:
    """The pitch variety under the timeline, to the same scale: a bar per judged window, as high
    as its pitch spread (full height from `PITCH_STRIP_FULL_ST`), and a mark where a statement
    ended on a rise."""
    scale, x = _timeline_scale(analysis)
    top, height = 14, 36
    parts = [
        f'<svg class="pitch-strip" viewBox="0 0 {WIDTH} {top + height + 4}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="Pitch variety along the answer">',
        f'<line class="axis" x1="{PAD}" y1="{top + height}" x2="{WIDTH - PAD}" '
        f'y2="{top + height}"/>',
    ]
    for window in delivery.pitch.windows:
        bar = max(round(pitch_strip_level(window) * height, 1), 1.0)
        parts.append(
            f'<rect class="pitch" x="{x(window.start_s)}" y="{round(top + height - bar, 1)}" '
            f'width="{max(round((window.end_s - window.start_s) * scale - 1, 1), 0.5)}" '
            f'height="{bar}"><title>{clock(window.start_s)}–{clock(window.end_s)}: pitch spread '
            f"{window.spread_st:.1f} semitones</title></rect>"
        )
    for item in delivery.uptalk.items:
        parts.append(
            f'<path class="rise" d="M{x(item.end_s)} {top - 12} l-5 9 h10 z">'
            f"<title>Statement ending on a rise of {item.rise_st:.1f} semitones at "
            f"{clock(item.end_s)}</title></path>"
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart_svg(
    title: str, values: list[float | None], highlight: int | None, y_max: float | None = None
) -> str:
    """A small line chart of one metric per session (oldest left), one point highlighted."""
    height, top, bottom = 150, 24, 24
    known = [v for v in values if v is not None]
    ceiling = y_max if y_max is not None else max([*known, 1.0]) * 1.15
    count = max(len(values), 2)

    def point(index: int, value: float) -> tuple[float, float]:
        px = PAD + index * (WIDTH / 2 - 2 * PAD) / (count - 1)
        py = height - bottom - value / ceiling * (height - top - bottom)
        return round(px, 1), round(py, 1)

    width = WIDTH // 2
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)} per session">',
        f'<text class="chart-title" x="{PAD}" y="15">{escape(title)}</text>',
        f'<line class="axis" x1="{PAD}" y1="{height - bottom}" x2="{width - PAD}" '
        f'y2="{height - bottom}"/>',
        f'<text class="tick" x="{PAD - 4}" y="{top + 4}" text-anchor="end">{ceiling:.0f}</text>',
        f'<text class="tick" x="{PAD - 4}" y="{height - bottom + 4}" text-anchor="end">0</text>',
    ]
    points = [(i, point(i, v), v) for i, v in enumerate(values) if v is not None]
    if len(points) > 1:
        path = " ".join(f"{px},{py}" for _, (px, py), _ in points)
        parts.append(f'<polyline class="series" points="{path}"/>')
    for index, (px, py), value in points:
        kind = "dot current" if index == highlight else "dot"
        parts.append(
            f'<circle class="{kind}" cx="{px}" cy="{py}" r="{5 if index == highlight else 3.5}">'
            f"<title>Session {index + 1}: {value:.1f}</title></circle>"
        )
    parts.append(
        f'<text class="tick" x="{PAD}" y="{height - 6}">first</text>'
        f'<text class="tick" x="{width - PAD}" y="{height - 6}" text-anchor="end">latest</text>'
        "</svg>"
    )
    return "".join(parts)

"""Plain-text and Markdown views of an answer's analysis, for the terminal and for sharing.

`transcript_pieces` is the one place that lays words, fillers heard only in the audio and pauses
on a single timeline, and `timeline_end_s` the one scale a timeline is drawn to; every view (text,
Markdown, HTML, the TUI, the console replay) formats those its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from mock_interview.analysis.answer import AnswerAnalysis, AnswerStructure
from mock_interview.analysis.structure import FLAG_ADVICE
from mock_interview.core.config import StructureSettings
from mock_interview.core.values import Filler, Span, StoryPart, Word
from mock_interview.views.rubric import render_rubric_markdown, render_rubric_text

PieceKind = Literal["word", "filler", "pause"]

# How far a timeline reaches past the end of the target band, so the band's last mark and its
# label are not drawn on the edge.
TIMELINE_SLACK_S = 15.0


# The STAR timeline's palette, one for the TUI band and the HTML band (Okabe-Ito colours, told
# apart with every common colour-vision deficiency).
PART_COLOURS: dict[StoryPart, str] = {
    "situation": "#56b4e9",
    "task": "#e69f00",
    "action": "#009e73",
    "result": "#cc79a7",
    "reflection": "#0072b2",
    "other": "#b0b0b0",
}
STRUCTURE_HEADER = ("Part", "Seconds", "Share", "Target")


@dataclass(frozen=True)
class Piece:
    kind: PieceKind
    text: str
    start_s: float
    end_s: float


def clock(seconds: float) -> str:
    """m:ss, the way a candidate reads a timer."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def timeline_end_s(analysis: AnswerAnalysis) -> float:
    """Where a timeline of the answer ends: the whole recording, and always past the end of the
    target band (counted from the first speech), so a short answer looks short."""
    timing = analysis.timing
    band_end_s = timing.response_latency_s + timing.target_max_s + TIMELINE_SLACK_S
    return max(analysis.audio.duration_s, band_end_s, 1.0)


def pause_length_s(pause: Span) -> float:
    """A pause's length as the stored JSON gives it (to the millisecond), so a view shows the same
    tenth of a second before and after the analysis is saved."""
    return round(pause.duration_s, 3)


def transcript_pieces(analysis: AnswerAnalysis) -> list[Piece]:
    """Words, audio-only fillers and pauses in time order."""
    audio_fillers = [item for item in analysis.fillers.items if item.source == "audio"]
    return pieces_from_words(analysis.transcript.words, audio_fillers, analysis.timing.pauses)


def pieces_from_words(
    words: Iterable[Word], audio_fillers: Iterable[Filler], pauses: Iterable[Span]
) -> list[Piece]:
    """The pieces of a transcript still being made (the live one has no pauses yet) or finished."""
    pieces = [
        Piece("filler" if word.filler else "word", word.text, word.start_s, word.end_s)
        for word in words
    ]
    pieces += [Piece("filler", item.text, item.start_s, item.end_s) for item in audio_fillers]
    pieces += [
        Piece("pause", f"{pause_length_s(pause):.1f} s", pause.start_s, pause.end_s)
        for pause in pauses
    ]
    return sorted(pieces, key=lambda piece: (piece.start_s, piece.kind != "pause"))


def inline_transcript(
    analysis: AnswerAnalysis, filler: Callable[[str], str], pause: Callable[[str], str]
) -> str:
    parts = []
    for piece in transcript_pieces(analysis):
        if piece.kind == "word":
            parts.append(piece.text)
        elif piece.kind == "filler":
            parts.append(filler(piece.text))
        else:
            parts.append(pause(piece.text))
    return " ".join(parts)


def timing_lines(analysis: AnswerAnalysis) -> list[tuple[str, str]]:
    """(label, value) rows shared by every view."""
    timing = analysis.timing
    fillers = analysis.fillers
    target = f"target {clock(timing.target_min_s)}–{clock(timing.target_max_s)}"
    verdict = {"short": "too short", "on_target": "on target", "long": "too long"}[timing.verdict]
    top = ", ".join(f"{word} ×{count}" for word, count in fillers.by_word[:3])
    return [
        ("Answer length", f"{clock(timing.answer_length_s)} ({target}): {verdict}"),
        ("Response latency", f"{timing.response_latency_s:.1f} s"),
        ("Pace", f"{timing.words_per_minute:.0f} words per minute"),
        (
            "Fillers",
            f"{fillers.count} ({fillers.per_minute:.1f} per minute)" + (f": {top}" if top else ""),
        ),
        ("Pauses", f"{len(timing.pauses)} ({timing.long_pause_count} long)"),
    ]


def structure_rows(
    structure: AnswerStructure, targets: StructureSettings | None
) -> list[tuple[str, str, str, str]]:
    """(part, seconds, share, target) for every part, in telling order; the target is "–" for
    `other` and when no targets are given."""
    rows = []
    for part, total in structure.summary:
        target = targets.target(part) if targets is not None else None
        wanted = "–" if target is None else f"{100 * target[0]:.0f}–{100 * target[1]:.0f}%"
        rows.append(
            (part.capitalize(), f"{total.seconds:.1f} s", f"{100 * total.share:.0f}%", wanted)
        )
    return rows


def structure_advice(structure: AnswerStructure) -> list[tuple[str, str]]:
    """(flag title, one line of advice) for each flag the timeline raised."""
    return [(flag.replace("_", " ").capitalize(), FLAG_ADVICE[flag]) for flag in structure.flags]


def _structure_text(analysis: AnswerAnalysis, targets: StructureSettings | None) -> list[str]:
    if analysis.structure is None or not analysis.structure.parts:
        return []
    rows = [STRUCTURE_HEADER, *structure_rows(analysis.structure, targets)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(STRUCTURE_HEADER))]
    lines = ["", "STAR timeline (share of the answer length):"]
    for row in rows:
        label, *figures = row
        lines.append(
            f"  {label:<{widths[0]}}  "
            + "  ".join(f"{cell:>{width}}" for cell, width in zip(figures, widths[1:], strict=True))
        )
    lines += [f"  ⚑ {title}: {advice}" for title, advice in structure_advice(analysis.structure)]
    return lines


def _structure_markdown(
    analysis: AnswerAnalysis, targets: StructureSettings | None, hashes: str
) -> list[str]:
    if analysis.structure is None or not analysis.structure.parts:
        return []
    lines = ["", f"{hashes}# STAR timeline", ""]
    lines += ["| " + " | ".join(STRUCTURE_HEADER) + " |", "| --- | ---: | ---: | ---: |"]
    lines += [
        "| " + " | ".join(row) + " |" for row in structure_rows(analysis.structure, targets)
    ]
    advice = structure_advice(analysis.structure)
    if advice:
        lines += ["", *(f"- **{title}**: {text}" for title, text in advice)]
    return lines


def _speech_note(analysis: AnswerAnalysis) -> list[str]:
    if analysis.timing.speech_detected:
        return []
    return ["No speech detected: the recording is silent or too quiet to measure."]


def render_text(analysis: AnswerAnalysis, targets: StructureSettings | None = None) -> str:
    """The report for a terminal; `targets` fill the STAR table's target column."""
    lines: list[str] = []
    if analysis.question is not None:
        lines += [f"Question: {analysis.question.text}", ""]
    lines += _speech_note(analysis)
    if analysis.input_overflows:
        lines.append(
            f"The sound card dropped audio {analysis.input_overflows} times while recording "
            "(the computer was too busy): the timing may be slightly off."
        )
    rows = timing_lines(analysis)
    width = max(len(label) for label, _ in rows)
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    for pause in analysis.timing.pauses:
        lines.append(
            f"{'':<{width}}    pause at {clock(pause.start_s)}: {pause_length_s(pause):.1f} s"
        )
    lines += ["", "Transcript (fillers «marked», pauses [in seconds]):"]
    transcript = inline_transcript(analysis, lambda f: f"«{f}»", lambda p: f"[{p}]")
    lines.append(transcript or "(no words)")
    lines += _structure_text(analysis, targets)
    if analysis.rubric is not None:
        lines += ["", render_rubric_text(analysis.rubric)]
    return "\n".join(lines)


def render_markdown(
    analysis: AnswerAnalysis, heading_level: int = 2, targets: StructureSettings | None = None
) -> str:
    """The report in Markdown; `targets` fill the STAR table's target column."""
    hashes = "#" * heading_level
    title = analysis.question.text if analysis.question is not None else "Answer"
    lines = [f"{hashes} {title}", ""]
    lines += _speech_note(analysis)
    lines += ["| Measure | Value |", "| --- | --- |"]
    lines += [f"| {label} | {value} |" for label, value in timing_lines(analysis)]
    if analysis.timing.pauses:
        lines += [
            "",
            "Pauses: "
            + ", ".join(
                f"{clock(p.start_s)} ({pause_length_s(p):.1f} s)"
                for p in analysis.timing.pauses
            ),
        ]
    lines += ["", f"{hashes}# Transcript", ""]
    text = inline_transcript(analysis, lambda f: f"**{f}**", lambda p: f"*[{p}]*")
    lines.append(text or "*(no words)*")
    lines += _structure_markdown(analysis, targets, hashes)
    if analysis.rubric is not None:
        lines += ["", render_rubric_markdown(analysis.rubric, heading_level + 1)]
    return "\n".join(lines) + "\n"

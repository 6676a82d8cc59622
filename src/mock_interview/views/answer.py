"""Plain-text and Markdown views of an answer report, for the terminal and for sharing.

`transcript_pieces` is the one place that lays words, fillers heard only in the audio and pauses
on a single timeline; every view (text, Markdown, HTML, the TUI) formats those pieces its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from mock_interview.views.rubric import render_rubric_markdown, render_rubric_text

PieceKind = Literal["word", "filler", "pause"]


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


def transcript_pieces(report: dict[str, Any]) -> list[Piece]:
    """Words, audio-only fillers and pauses in time order."""
    pieces = [
        Piece("filler" if word["filler"] else "word", word["text"], word["start_s"], word["end_s"])
        for word in report["transcript"]["words"]
    ]
    pieces += [
        Piece("filler", item["text"], item["start_s"], item["end_s"])
        for item in report["fillers"]["items"]
        if item.get("source") == "audio"
    ]
    pieces += [
        Piece("pause", f"{pause['duration_s']:.1f} s", pause["start_s"], pause["end_s"])
        for pause in report["timing"]["pauses"]
    ]
    return sorted(pieces, key=lambda piece: (piece.start_s, piece.kind != "pause"))


def inline_transcript(
    report: dict[str, Any], filler: Callable[[str], str], pause: Callable[[str], str]
) -> str:
    parts = []
    for piece in transcript_pieces(report):
        if piece.kind == "word":
            parts.append(piece.text)
        elif piece.kind == "filler":
            parts.append(filler(piece.text))
        else:
            parts.append(pause(piece.text))
    return " ".join(parts)


def timing_lines(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows shared by every view."""
    timing = report["timing"]
    fillers = report["fillers"]
    target = f"target {clock(timing['target_min_s'])}–{clock(timing['target_max_s'])}"
    verdict = {"short": "too short", "on_target": "on target", "long": "too long"}[
        timing["verdict"]
    ]
    top = ", ".join(f"{word} ×{count}" for word, count in list(fillers["by_word"].items())[:3])
    long_pauses = timing["long_pause_count"]
    return [
        ("Answer length", f"{clock(timing['answer_length_s'])} ({target}): {verdict}"),
        ("Response latency", f"{timing['response_latency_s']:.1f} s"),
        ("Pace", f"{timing['words_per_minute']:.0f} words per minute"),
        (
            "Fillers",
            f"{fillers['count']} ({fillers['per_minute']:.1f} per minute)"
            + (f": {top}" if top else ""),
        ),
        ("Pauses", f"{len(timing['pauses'])} ({long_pauses} long)"),
    ]


def _speech_note(report: dict[str, Any]) -> list[str]:
    if report["timing"]["speech_detected"]:
        return []
    return ["No speech detected: the recording is silent or too quiet to measure."]


def render_text(report: dict[str, Any]) -> str:
    lines: list[str] = []
    if report["question"]:
        lines += [f"Question: {report['question']['text']}", ""]
    lines += _speech_note(report)
    if report.get("input_overflows"):
        lines.append(
            f"The sound card dropped audio {report['input_overflows']} times while recording "
            "(the computer was too busy): the timing may be slightly off."
        )
    width = max(len(label) for label, _ in timing_lines(report))
    lines += [f"{label:<{width}}  {value}" for label, value in timing_lines(report)]
    for pause in report["timing"]["pauses"]:
        lines.append(
            f"{'':<{width}}    pause at {clock(pause['start_s'])}: {pause['duration_s']:.1f} s"
        )
    lines += ["", "Transcript (fillers «marked», pauses [in seconds]):"]
    lines.append(inline_transcript(report, lambda f: f"«{f}»", lambda p: f"[{p}]") or "(no words)")
    if "rubric" in report:
        lines += ["", render_rubric_text(report["rubric"])]
    return "\n".join(lines)


def render_markdown(report: dict[str, Any], heading_level: int = 2) -> str:
    hashes = "#" * heading_level
    title = report["question"]["text"] if report["question"] else "Answer"
    lines = [f"{hashes} {title}", ""]
    lines += _speech_note(report)
    lines += ["| Measure | Value |", "| --- | --- |"]
    lines += [f"| {label} | {value} |" for label, value in timing_lines(report)]
    if report["timing"]["pauses"]:
        lines += [
            "",
            "Pauses: "
            + ", ".join(
                f"{clock(p['start_s'])} ({p['duration_s']:.1f} s)"
                for p in report["timing"]["pauses"]
            ),
        ]
    lines += ["", f"{hashes}# Transcript", ""]
    text = inline_transcript(report, lambda f: f"**{f}**", lambda p: f"*[{p}]*")
    lines.append(text or "*(no words)*")
    if "rubric" in report:
        lines += ["", render_rubric_markdown(report["rubric"], heading_level + 1)]
    return "\n".join(lines) + "\n"

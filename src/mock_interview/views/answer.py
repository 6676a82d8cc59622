"""Plain-text and Markdown views of an answer's analysis, for the terminal and for sharing.

`transcript_pieces` is the one place that lays words, fillers heard only in the audio and pauses
on a single timeline, and `timeline_end_s` the one scale a timeline is drawn to; every view (text,
Markdown, HTML, the TUI, the console replay) formats those its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from mock_interview.analysis.answer import (
    AnswerAnalysis,
    AnswerStructure,
    AnswerTiming,
    Delivery,
    PitchWindow,
)
from mock_interview.analysis.coaching import delivery_findings
from mock_interview.analysis.structure import FLAG_ADVICE
from mock_interview.core.config import StructureSettings
from mock_interview.core.values import Filler, Span, StoryPart, Word, clock
from mock_interview.views.rubric import render_rubric_markdown, render_rubric_text

PieceKind = Literal["word", "filler", "pause"]

# How far a timeline reaches past the end of the target band, so the band's last mark and its
# label are not drawn on the edge.
TIMELINE_SLACK_S = 15.0
# The pitch strip's scale: a window whose pitch spreads this many semitones or more is drawn at
# full height (lively speech spreads about 4-8 semitones in 10 s; a flat voice under 2).
PITCH_STRIP_FULL_ST = 8.0


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


def timeline_end_s(analysis: AnswerAnalysis) -> float:
    """Where a timeline of the answer ends: the whole recording, and always past the end of the
    target band (counted from the first speech), so a short answer looks short."""
    timing = analysis.timing
    band_end_s = timing.first_speech_s + timing.target_max_s + TIMELINE_SLACK_S
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


def timing_lines(
    analysis: AnswerAnalysis, usual: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(label, value) rows shared by every view; `usual` (history metric key -> the candidate's
    own baseline, formatted) adds "your usual" beside the figures it has."""
    timing = analysis.timing
    fillers = analysis.fillers
    target = f"target {clock(timing.target_min_s)}–{clock(timing.target_max_s)}"
    verdict = {"short": "too short", "on_target": "on target", "long": "too long"}[timing.verdict]
    top = ", ".join(f"{word} ×{count}" for word, count in fillers.by_word[:3])
    rows = [
        (
            "answer_length_s",
            "Answer length",
            f"{clock(timing.answer_length_s)} ({target}): {verdict}",
        ),
        ("response_latency_s", "Response latency", _latency_text(timing)),
        ("words_per_minute", "Pace", f"{timing.words_per_minute:.0f} words per minute"),
        (
            "fillers_per_minute",
            "Fillers",
            f"{fillers.count} ({fillers.per_minute:.1f} per minute)" + (f": {top}" if top else ""),
        ),
        ("long_pause_count", "Pauses", f"{len(timing.pauses)} ({timing.long_pause_count} long)"),
    ]
    usual = usual or {}
    return [
        (label, value + (f" · your usual {usual[key]}" if key in usual else ""))
        for key, label, value in rows
    ]


def measure_lines(
    analysis: AnswerAnalysis, usual: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Every (label, value) row: the timing (with `usual`, as for `timing_lines`), then how it
    sounded when that was measured."""
    delivery = analysis.delivery
    rows = timing_lines(analysis, usual)
    return rows + (delivery_lines(delivery) if delivery is not None else [])


def delivery_lines(delivery: Delivery) -> list[tuple[str, str]]:
    """(label, value) rows of how the answer sounded."""
    pitch, loudness, rate = delivery.pitch, delivery.loudness, delivery.rate
    variety = (
        f"{pitch.spread_st:.1f} semitones around {pitch.median_hz:.0f} Hz"
        + (": monotone" if pitch.monotone else "")
        if pitch.median_hz
        else "no voice measured"
    )
    loudness_flags = ", ".join(flag.replace("_", " ") for flag in loudness.flags)
    paces = [window.wpm for window in rate.windows]
    pace_range = (
        f" ({min(paces):.0f} to {max(paces):.0f} from stretch to stretch)" if len(paces) > 1 else ""
    )
    return [
        ("Pitch variety", variety),
        ("Rising ends", f"{delivery.uptalk.rising} of {delivery.uptalk.statements} statements"),
        (
            "Loudness",
            f"{loudness.spread_db:.1f} dB from soft to loud words"
            + (f": {loudness_flags}" if loudness_flags else ""),
        ),
        (
            "Speech rate",
            f"{rate.speech_wpm:.0f} words per minute overall{pace_range}, "
            f"{rate.articulation_wpm:.0f} while speaking; {rate.mean_length_of_run:.1f} words "
            "between pauses",
        ),
    ]


def delivery_advice(delivery: Delivery) -> list[str]:
    """One line per delivery flag: what was heard, where, and what to change."""
    return [
        f"{item.finding} (at {', '.join(clock(t) for t in item.evidence_s)}): {item.advice}"
        for item in delivery_findings(delivery)
    ]


def pitch_window_at(delivery: Delivery, seconds: float) -> PitchWindow | None:
    """The pitch window covering `seconds`, if one was judged there."""
    return next(
        (window for window in delivery.pitch.windows if window.start_s <= seconds < window.end_s),
        None,
    )


def pitch_strip_level(window: PitchWindow) -> float:
    """How high the pitch strip is drawn for a window, 0 to 1."""
    return min(window.spread_st / PITCH_STRIP_FULL_ST, 1.0)


_OPENINGS = {
    "thinking_phrase": 'signposted with "{}"',
    "filler": 'opened with a filler ("{}")',
    "story": "straight into the story",
}


def _latency_text(timing: AnswerTiming) -> str:
    """The wait before the first word, from where it was counted, and how the answer began."""
    text = f"{timing.response_latency_s:.1f} s"
    if timing.latency_from == "question_end":
        text += " after the question ended"
    elif timing.latency_from == "recording_start":
        text += " after recording started"
    if timing.opening is not None:
        text += "; " + _OPENINGS[timing.opening.kind].format(timing.opening.text)
    return text


def coaching_lines(analysis: AnswerAnalysis) -> list[tuple[str, str]]:
    """(finding with its times, advice) for each of the answer's things to work on."""
    return [
        (f"{item.finding} (at {', '.join(clock(t) for t in item.evidence_s)})", item.advice)
        for item in analysis.coaching or ()
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


def render_text(
    analysis: AnswerAnalysis,
    targets: StructureSettings | None = None,
    probed: str | None = None,
) -> str:
    """The report for a terminal; `targets` fill the STAR table's target column; `probed` is
    the criterion a follow-up's reply was asked about (its rubric shows that one alone)."""
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
    sounded = delivery_lines(analysis.delivery) if analysis.delivery is not None else []
    width = max(len(label) for label, _ in rows + sounded)
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    for pause in analysis.timing.pauses:
        lines.append(
            f"{'':<{width}}    pause at {clock(pause.start_s)}: {pause_length_s(pause):.1f} s"
        )
    lines += [f"{label:<{width}}  {value}" for label, value in sounded]
    lines += ["", "Transcript (fillers «marked», pauses [in seconds]):"]
    transcript = inline_transcript(analysis, lambda f: f"«{f}»", lambda p: f"[{p}]")
    lines.append(transcript or "(no words)")
    lines += _structure_text(analysis, targets)
    advice = delivery_advice(analysis.delivery) if analysis.delivery is not None else []
    if advice:
        lines += ["", "How it sounded:"] + [f"  → {line}" for line in advice]
    if analysis.rubric is not None:
        lines += ["", render_rubric_text(analysis.rubric, probed=probed)]
    if analysis.coaching:
        lines += ["", "Three things to work on:"]
        for number, (finding, to_do) in enumerate(coaching_lines(analysis), start=1):
            lines += [f"  {number}. {finding}", f"     → {to_do}"]
    return "\n".join(lines)


def render_markdown(
    analysis: AnswerAnalysis,
    heading_level: int = 2,
    usual: Mapping[str, str] | None = None,
    targets: StructureSettings | None = None,
) -> str:
    """The report in Markdown; `usual` as for `timing_lines`, `targets` fill the STAR table's
    target column."""
    hashes = "#" * heading_level
    title = analysis.question.text if analysis.question is not None else "Answer"
    lines = [f"{hashes} {title}", ""]
    lines += _speech_note(analysis)
    lines += ["| Measure | Value |", "| --- | --- |"]
    lines += [f"| {label} | {value} |" for label, value in measure_lines(analysis, usual)]
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
    advice = delivery_advice(analysis.delivery) if analysis.delivery is not None else []
    if advice:
        lines += ["", f"{hashes}# How it sounded", ""] + [f"- {line}" for line in advice]
    if analysis.rubric is not None:
        lines += ["", render_rubric_markdown(analysis.rubric, heading_level + 1)]
    if analysis.coaching:
        lines += ["", f"{hashes}# Three things to work on", ""]
        for number, (finding, to_do) in enumerate(coaching_lines(analysis), start=1):
            lines.append(f"{number}. {finding}. {to_do}")
    return "\n".join(lines) + "\n"


def follow_up_heading(criterion: str | None, question: str) -> str:
    """"Follow-up (criterion): question", as the CLI and the reports title a follow-up."""
    return f"Follow-up ({criterion}): {question}" if criterion else f"Follow-up: {question}"


def follow_up_outcome(
    criterion: str | None, recovered: bool, main_score: int | None, score_with_prompt: int | None
) -> str:
    """Whether the follow-up drew out the criterion it probed, and what the prompt earned."""
    if criterion is None:
        said = "It probed no criterion in particular."
    else:
        said = f"Recovered {criterion}: {'yes' if recovered else 'no'}."
    if score_with_prompt is None or main_score is None:
        return said
    return f"{said} Score with the prompt: {score_with_prompt} (the answer alone: {main_score})."

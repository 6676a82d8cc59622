"""Widgets that draw an answer: the timer bar, the level meter, the timeline, the transcript,
the measures and the rubric. Colours come from component classes styled with theme variables,
so light and dark themes both read well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Static

from mock_interview.analysis.answer import (
    AnswerAnalysis,
    CriterionResult,
    Delivery,
    DeliveryFlag,
    RedFlagResult,
    RubricResult,
)
from mock_interview.views.answer import (
    PART_COLOURS,
    Piece,
    clock,
    measure_lines,
    pitch_strip_level,
    pitch_window_at,
    timeline_end_s,
    transcript_pieces,
)

# The meter's floor: quieter than this reads as silence.
METER_FLOOR_DB = -60.0


def _seconds_at(column: float, width: int, total_s: float) -> float:
    return column * total_s / width


class TimerBar(Widget):
    """A bar from 0:00 to the end of the target band (at least 3:00), the band marked."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timerbar--done",
        "timerbar--band",
        "timerbar--rest",
        "timerbar--axis",
    }
    DEFAULT_CSS = """
    TimerBar { height: 2; }
    TimerBar > .timerbar--done { color: $primary; }
    TimerBar > .timerbar--band { color: $success; }
    TimerBar > .timerbar--rest { color: $foreground 25%; }
    TimerBar > .timerbar--axis { color: $text-muted; }
    """

    elapsed_s: reactive[float] = reactive(0.0)

    def __init__(self, target_min_s: float, target_max_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_min_s = target_min_s
        self.target_max_s = target_max_s

    def render(self) -> Text:
        width = max(self.size.width, 10)
        total = max(180.0, self.target_max_s, self.elapsed_s)
        done = self.get_component_rich_style("timerbar--done")
        band = self.get_component_rich_style("timerbar--band")
        rest = self.get_component_rich_style("timerbar--rest")
        bar = Text()
        for column in range(width):
            moment = _seconds_at(column + 0.5, width, total)
            in_band = self.target_min_s <= moment <= self.target_max_s
            if moment <= self.elapsed_s:
                bar.append("█", band if in_band else done)
            else:
                bar.append("▒" if in_band else "░", band if in_band else rest)
        axis = [" "] * width
        for mark in (0.0, self.target_min_s, self.target_max_s):
            label = clock(mark)
            start = min(round(mark / total * width), width - len(label))
            axis[start : start + len(label)] = label
        bar.append("\n")
        bar.append("".join(axis), self.get_component_rich_style("timerbar--axis"))
        return bar


def level_db(rms: float) -> float:
    """Full-scale RMS as dBFS, floored for display."""
    return max(METER_FLOOR_DB, 20 * math.log10(rms)) if rms > 0 else METER_FLOOR_DB


class LevelMeter(Widget):
    """The live input level: a bar from the floor to 0 dBFS, with the peak as a tick."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "levelmeter--bar",
        "levelmeter--hot",
        "levelmeter--off",
    }
    DEFAULT_CSS = """
    LevelMeter { height: 1; }
    LevelMeter > .levelmeter--bar { color: $success; }
    LevelMeter > .levelmeter--hot { color: $error; }
    LevelMeter > .levelmeter--off { color: $foreground 20%; }
    """

    rms: reactive[float] = reactive(0.0)
    peak: reactive[float] = reactive(0.0)

    def render(self) -> Text:
        label = f" {level_db(self.rms):>4.0f} dB"
        width = max(self.size.width - len(label) - 6, 4)
        filled = round((level_db(self.rms) - METER_FLOOR_DB) / -METER_FLOOR_DB * width)
        peak_at = round((level_db(self.peak) - METER_FLOOR_DB) / -METER_FLOOR_DB * width) - 1
        hot = self.get_component_rich_style("levelmeter--hot")
        text = Text("Level ")
        for column in range(width):
            if column < filled:
                text.append(
                    "█",
                    hot
                    if column >= width * 0.9
                    else self.get_component_rich_style("levelmeter--bar"),
                )
            elif column == peak_at:
                text.append("▏", hot)
            else:
                text.append("·", self.get_component_rich_style("levelmeter--off"))
        text.append(label)
        return text


class Timeline(Widget):
    """The whole recording on one line: latency, speech, pauses, fillers and the target marks."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--speech",
        "timeline--pause",
        "timeline--long",
        "timeline--filler",
        "timeline--quiet",
        "timeline--axis",
        "timeline--cursor",
    }
    DEFAULT_CSS = """
    Timeline { height: 3; }
    Timeline > .timeline--speech { color: $primary; }
    Timeline > .timeline--pause { color: $warning; }
    Timeline > .timeline--long { color: $error; }
    Timeline > .timeline--filler { color: $warning; text-style: bold; }
    Timeline > .timeline--quiet { color: $foreground 25%; }
    Timeline > .timeline--axis { color: $text-muted; }
    Timeline > .timeline--cursor { color: $accent; text-style: bold; }
    """

    position_s: reactive[float | None] = reactive(None)

    def __init__(self, analysis: AnswerAnalysis, long_pause_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.analysis = analysis
        self.long_pause_s = long_pause_s

    def render(self) -> Text:
        timing = self.analysis.timing
        latency = timing.first_speech_s
        answer_end = latency + timing.answer_length_s
        marks = [latency + timing.target_min_s, latency + timing.target_max_s]
        total = timeline_end_s(self.analysis)
        width = max(self.size.width, 10)
        style = self.get_component_rich_style

        def column(seconds: float) -> int:
            return min(width - 1, max(0, int(seconds / total * width)))

        top = [" "] * width
        for item in self.analysis.fillers.items:
            top[column(item.start_s)] = "▼"
        if self.position_s is not None:
            top[column(self.position_s)] = "▽"
        marks_line = Text()
        for index, char in enumerate(top):
            cursor = self.position_s is not None and index == column(self.position_s)
            marks_line.append(char, style("timeline--cursor" if cursor else "timeline--filler"))
        bar = Text()
        for index in range(width):
            start, end = _seconds_at(index, width, total), _seconds_at(index + 1, width, total)
            pause = next((p for p in timing.pauses if p.start_s < end and p.end_s > start), None)
            if pause is not None:
                long = pause.duration_s >= self.long_pause_s
                bar.append("▁", style("timeline--long" if long else "timeline--pause"))
            elif latency < end and start < answer_end:
                bar.append("█", style("timeline--speech"))
            else:
                bar.append("─", style("timeline--quiet"))
        axis = [" "] * width
        for seconds, label in ((0.0, "0:00"), (marks[0], "2:00"), (marks[1], "3:00")):
            if label != "0:00":
                label = clock(seconds - latency)
            at = min(column(seconds), width - len(label))
            axis[at : at + len(label)] = label
        return Text("\n").join([marks_line, bar, Text("".join(axis), style("timeline--axis"))])


class PitchStrip(Widget):
    """The pitch variety under the timeline, column for column: a block as high as the pitch
    spread of the 10-s window there, and ▲ where a statement ended on a rise."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"pitchstrip--bar", "pitchstrip--rise"}
    DEFAULT_CSS = """
    PitchStrip { height: 2; }
    PitchStrip > .pitchstrip--bar { color: $primary; }
    PitchStrip > .pitchstrip--rise { color: $error; text-style: bold; }
    """
    BLOCKS = "▁▂▃▄▅▆▇█"

    def __init__(self, analysis: AnswerAnalysis, delivery: Delivery, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.analysis = analysis
        self.delivery = delivery

    def render(self) -> Text:
        total = timeline_end_s(self.analysis)
        width = max(self.size.width, 10)
        rises = [" "] * width
        for item in self.delivery.uptalk.items:
            rises[min(width - 1, int(item.end_s / total * width))] = "▲"
        bars = []
        for index in range(width):
            window = pitch_window_at(self.delivery, _seconds_at(index + 0.5, width, total))
            level = None if window is None else pitch_strip_level(window)
            bars.append(" " if level is None else self.BLOCKS[round(level * 7)])
        style = self.get_component_rich_style
        return Text("\n").join(
            [
                Text("".join(rises), style("pitchstrip--rise")),
                Text("".join(bars), style("pitchstrip--bar")),
            ]
        )


class StructureBand(Widget):
    """The STAR band under the timeline, on its scale: each column in the colour of the story
    part told at that time (`PART_COLOURS`, the HTML report's palette), then a legend."""

    DEFAULT_CSS = """
    StructureBand { height: 2; }
    """

    def __init__(self, analysis: AnswerAnalysis, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.analysis = analysis

    def render(self) -> Text:
        structure = self.analysis.structure
        stretches = structure.parts if structure is not None else ()
        total = timeline_end_s(self.analysis)
        width = max(self.size.width, 10)
        band = Text()
        for index in range(width):
            middle = _seconds_at(index + 0.5, width, total)
            stretch = next((s for s in stretches if s.start_s <= middle < s.end_s), None)
            if stretch is None:
                band.append(" ")
            else:
                band.append("▀", Style(color=PART_COLOURS[stretch.part]))
        legend = Text()
        for part, colour in PART_COLOURS.items():
            legend.append("■ ", Style(color=colour))
            legend.append(f"{part.capitalize()}  ")
        return Text("\n").join([band, legend])


def pause_mark(duration: str) -> str:
    """A pause as "[3.6s]", without any space, so the mark never breaks across lines; a
    non-breaking space would not do: Textual wraps at any character `\\s` matches, U+00A0 too."""
    return f"[{''.join(duration.split())}]"


class TranscriptView(Static):
    """The transcript: fillers highlighted, pauses inline as "[2.4s]", the current word lit."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--filler",
        "transcript--pause",
        "transcript--long",
        "transcript--current",
    }
    DEFAULT_CSS = """
    TranscriptView { height: auto; }
    TranscriptView > .transcript--filler { color: $warning; text-style: bold underline; }
    TranscriptView > .transcript--pause { color: $text-muted; }
    TranscriptView > .transcript--long { color: $error; text-style: bold; }
    TranscriptView > .transcript--current { background: $accent; color: $text; }
    """

    current: reactive[int | None] = reactive(None)

    def __init__(
        self,
        analysis: AnswerAnalysis | None,
        long_pause_s: float,
        empty: str = "(no words were heard)",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.long_pause_s = long_pause_s
        self.empty = empty
        self.pieces: list[Piece] = transcript_pieces(analysis) if analysis else []

    def watch_current(self) -> None:
        self.update(self.transcript_text())

    def show_pieces(self, pieces: list[Piece]) -> None:
        """Replace the words (the live transcript grows chunk by chunk)."""
        self.pieces = pieces
        self.update(self.transcript_text())

    def on_mount(self) -> None:
        self.update(self.transcript_text())

    def transcript_text(self) -> Text:
        style = self.get_component_rich_style
        text = Text()
        for index, piece in enumerate(self.pieces):
            if index:
                text.append(" ")
            if piece.kind == "pause":
                long = piece.end_s - piece.start_s >= self.long_pause_s
                piece_style = style("transcript--long" if long else "transcript--pause")
                label = pause_mark(piece.text)
            else:
                piece_style = style("transcript--filler") if piece.kind == "filler" else Style()
                label = piece.text
            if index == self.current:
                piece_style = style("transcript--current")
            text.append(label, piece_style)
        return text if self.pieces else Text(self.empty, style("transcript--pause"))


class MeasuresView(Static):
    """The answer's measures as label: value rows, the same rows every view shows."""

    DEFAULT_CSS = "MeasuresView { height: auto; }"

    def __init__(
        self, analysis: AnswerAnalysis, usual: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.analysis = analysis
        self.usual = usual

    def on_mount(self) -> None:
        rows = measure_lines(self.analysis, self.usual)
        width = max(len(label) for label, _ in rows)
        text = Text()
        for index, (label, value) in enumerate(rows):
            if index:
                text.append("\n")
            text.append(f"{label:<{width}}  ", "bold")
            text.append(value)
        if not self.analysis.timing.speech_detected:
            text.append("\nNo speech detected: check the microphone level and try again.", "bold")
        self.update(text)


def _label(item: CriterionResult | RedFlagResult | DeliveryFlag) -> str:
    return item.id.replace("_", " ").capitalize()


class RubricView(Static):
    """The rubric as a checklist with evidence quotes, the red flags and the advice."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"rubric--met", "rubric--unmet", "rubric--quote"}
    DEFAULT_CSS = """
    RubricView { height: auto; }
    RubricView > .rubric--met { color: $success; text-style: bold; }
    RubricView > .rubric--unmet { color: $error; text-style: bold; }
    RubricView > .rubric--quote { color: $text-muted; text-style: italic; }
    """

    def __init__(self, rubric: RubricResult | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rubric = rubric

    def on_mount(self) -> None:
        self.update(self.rubric_text())

    def rubric_text(self) -> Text:
        if not self.rubric:
            return Text("Not scored: this answer has no rubric yet.")
        style = self.get_component_rich_style
        lines = [Text(f"Score {self.rubric.score} / 100", "bold")]
        for criterion in self.rubric.criteria:
            met = criterion.met
            line = Text()
            line.append("✓ " if met else "✗ ", style("rubric--met" if met else "rubric--unmet"))
            line.append(_label(criterion))
            lines.append(line)
            lines += [
                Text(f"    “{quote}”", style("rubric--quote")) for quote in criterion.evidence
            ]
            if not met and criterion.advice:
                lines.append(Text(f"    → {criterion.advice}"))
        flags: list[tuple[str, RedFlagResult | DeliveryFlag]] = [
            ("Red flag", flag) for flag in self.rubric.red_flags
        ]
        flags += [("Delivery", flag) for flag in self.rubric.delivery_flags]
        for kind, flag in flags:
            line = Text()
            line.append("⚑ ", style("rubric--unmet"))
            line.append(f"{kind}: {_label(flag)}")
            if isinstance(flag, DeliveryFlag) and flag.detail:
                line.append(f" ({flag.detail})", style("rubric--quote"))
            lines.append(line)
            if isinstance(flag, RedFlagResult):
                lines += [Text(f"    “{quote}”", style("rubric--quote")) for quote in flag.evidence]
            if flag.advice:
                lines.append(Text(f"    → {flag.advice}"))
        return Text("\n").join(lines)


def fill_table(
    table: DataTable[str], header: list[str], rows: Sequence[tuple[str, ...]], keys: list[str]
) -> None:
    """Replace a table's columns and rows, each column as wide as its widest cell.

    Explicit widths: a table refilled with the same row keys keeps stale auto widths otherwise.
    """
    table.clear(columns=True)
    for index, label in enumerate(header):
        width = max([len(label), *(len(row[index]) for row in rows)])
        table.add_column(label, width=width, key=str(index))
    for row, key in zip(rows, keys, strict=True):
        table.add_row(*row, key=key)

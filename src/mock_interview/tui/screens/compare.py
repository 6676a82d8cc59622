"""Compare: two attempts at one question side by side, as the `compare` command prints them."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from mock_interview.views.compare import (
    AnswerComparison,
    attempts_line,
    criteria_lines,
    figure_rows,
)

_VERDICT_STYLES = {"better": "bold green", "worse": "bold red"}


def comparison_text(comparison: AnswerComparison) -> Text:
    """The figures with coloured verdicts, the rubric changes, and the word diff."""
    text = Text()
    text.append(comparison.question, "bold")
    text.append(f"\n{attempts_line(comparison)}\n\n")
    rows = [("Figure", "Earlier", "Later", ""), *figure_rows(comparison)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for index, (label, before, after, verdict) in enumerate(rows):
        line = f"{label:<{widths[0]}}  {before:<{widths[1]}}  {after:<{widths[2]}}  "
        text.append(line, "bold" if index == 0 else "")
        text.append(verdict, _VERDICT_STYLES.get(verdict.split(" ")[-1], ""))
        text.append("\n")
    text.append("\n" + "\n".join(criteria_lines(comparison)) + "\n\n")
    text.append("What you said differently ", "bold")
    text.append("(red: earlier only, green: later only)\n")
    for piece in comparison.transcript_diff:
        style = {"removed": "red strike", "added": "bold green"}.get(piece.op, "")
        text.append(piece.text + " ", style)
    return text


class CompareScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, comparisons: list[AnswerComparison]) -> None:
        super().__init__()
        self.comparisons = comparisons

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            for comparison in self.comparisons:
                yield Static(comparison_text(comparison), classes="comparison")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Two attempts compared"

    def action_back(self) -> None:
        self.dismiss()

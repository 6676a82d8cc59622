"""History: every answer in a sortable table, a trend plot, and open, replay or delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label
from textual_plotext import PlotextPlot

from mock_interview.storage.database import AnswerRow, Store
from mock_interview.tui.messages import (
    CompareRequested,
    ConfirmRequested,
    ReplayRequested,
    ReportRequested,
)
from mock_interview.tui.widgets import fill_table
from mock_interview.views.history import (
    COMPACT_DATE,
    COMPACT_HEADER,
    HISTORY_HEADER,
    METRICS,
    follow_up_note,
    history_table,
    session_means,
)

# How each column of HISTORY_HEADER sorts: by the stored value, never by its display text.
SORT_KEYS: tuple[Callable[[AnswerRow], Any], ...] = (
    lambda row: row.session_id,
    lambda row: row.session_started_at,
    lambda row: row.question_id,
    *(lambda row, key=metric.key: getattr(row, key) for metric in METRICS),
)
# (metric, legend, theme colour, y axis): fillers/min and the 0-100 score need their own scales.
TREND_SERIES = (
    ("fillers_per_minute", "Fillers/min (left)", "warning", "left"),
    ("score", "Score (right)", "primary", "right"),
)


class HistoryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_report", "Open report", id="open_report", priority=True),
        Binding("p", "replay", "Replay", id="replay"),
        Binding("s", "sort", "Sort", id="sort_history"),
        Binding("m", "mark", "Mark", id="mark_answer"),
        Binding("c", "compare", "Compare", id="compare_marked"),
        Binding("x,delete", "delete_session", "Delete", id="delete_session"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.rows: list[AnswerRow] = []
        self.sort_column = 1
        self.sort_reverse = True
        self.marked: list[AnswerRow] = []  # at most two answers, to compare

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Label(id="history-note")
        yield PlotextPlot(id="trend")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "History"

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.rows = self.store.answers()
        self.fill_table()
        self.draw_trend()

    def fill_table(self) -> None:
        key = SORT_KEYS[self.sort_column]
        present = [row for row in self.rows if key(row) is not None]
        missing = [row for row in self.rows if key(row) is None]
        ordered = sorted(present, key=key, reverse=self.sort_reverse) + missing
        arrow = " ▼" if self.sort_reverse else " ▲"
        header = [
            name + (arrow if index == self.sort_column else "")
            for index, name in enumerate(COMPACT_HEADER)
        ]
        table = self.query_one(DataTable)
        rows = history_table(ordered, COMPACT_DATE)
        fill_table(table, header, rows, [str(row.id) for row in ordered])
        note = self.query_one("#history-note", Label)
        if not self.rows:
            note.update("No sessions yet: go back and press enter (or d for a demo).")
        else:
            answers = follow_up_note(self.rows) or f"{len(self.rows)} answers"
            note.update(
                f"{answers} · sorted by {HISTORY_HEADER[self.sort_column]} · "
                "click a column or press s to sort"
            )

    def draw_trend(self) -> None:
        """Fillers per minute and score per session, oldest to newest."""
        means = session_means(self.rows)
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        enough = len(means) >= 2
        plt.title("Trend per session" if enough else "The trend appears after two sessions")
        for key, label, colour, side in TREND_SERIES:
            points = [
                (n, values[key]) for n, (_, _, values) in enumerate(means, 1) if key in values
            ]
            if points:
                rgb = Color.parse(self.app.theme_variables[colour]).rgb
                xs, ys = zip(*points, strict=True)
                plt.plot(xs, ys, label=label, color=rgb, marker="braille", yside=side)
        plt.xticks(list(range(1, len(means) + 1)))
        plt.xlabel("session")
        plot.refresh()

    def selected_row(self) -> AnswerRow | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((row for row in self.rows if str(row.id) == key), None)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(event.column_index)

    def sort_by(self, column: int) -> None:
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self.fill_table()

    def action_sort(self) -> None:
        self.sort_column = (self.sort_column + 1) % len(HISTORY_HEADER)
        self.sort_reverse = False
        self.fill_table()

    def action_open_report(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.post_message(ReportRequested(row.session_id, row.id))

    def action_replay(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.post_message(ReplayRequested(row.id))

    def action_delete_session(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        count = sum(1 for other in self.rows if other.session_id == row.session_id)
        question = (
            f"Delete session {row.session_id} ({count} answer{'s' if count > 1 else ''}) "
            "and its recordings? This cannot be undone."
        )

        def delete() -> None:
            removed = self.store.delete_session(row.session_id)
            self.notify(f"Session {row.session_id} deleted ({len(removed)} recordings).")
            self.reload()

        self.post_message(ConfirmRequested(question, yes="Delete", no="Keep", on_yes=delete))

    def action_mark(self) -> None:
        """Mark the selected answer for comparison (again: unmark); the two latest count."""
        row = self.selected_row()
        if row is None:
            return
        if row in self.marked:
            self.marked.remove(row)
        else:
            self.marked = [*self.marked, row][-2:]
        names = ", ".join(f"session {r.session_id} {r.question_id}" for r in self.marked)
        self.notify(f"Marked: {names}" if names else "No answer marked.")

    def action_compare(self) -> None:
        if len(self.marked) < 2:
            self.notify("Mark two answers to the same question with m, then press c.")
            return
        first, second = self.marked
        if first.question_id != second.question_id:
            self.notify("The marked answers are to different questions.", severity="warning")
            return
        self.post_message(CompareRequested(second.id, first.id))

    def action_back(self) -> None:
        self.dismiss()

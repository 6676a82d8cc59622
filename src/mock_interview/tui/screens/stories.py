"""Stories: the candidate's bank of successes and setbacks, each edited field by field with the
rubric's check beside it, and practised out loud from here.

Dismisses with the id of the story to practise, or None.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static, TextArea

from mock_interview.analysis.story import FIELD_LABELS, FIELDS, STORY_KINDS, Story, parse_story
from mock_interview.core.errors import UserError
from mock_interview.storage.database import Store
from mock_interview.storage.stories import add_story, delete_story, stories, update_story
from mock_interview.tui.messages import ConfirmRequested
from mock_interview.tui.widgets import fill_table
from mock_interview.views.stories import (
    StoryChecker,
    progress_line,
    render_comfort_lines,
    story_comfort,
)

KIND_LABELS = {"achieved": "Success (goal achieved)", "missed": "Setback (goal missed)"}
KIND_SHORT = {"achieved": "success", "missed": "setback"}


class StoriesScreen(Screen[int | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_story", "New", id="new_story"),
        Binding("ctrl+s", "save_story", "Save", id="save_story", priority=True),
        Binding("p", "practise_story", "Practise", id="practise_story"),
        Binding("x,delete", "delete_story", "Delete", id="delete_story"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, store: Store, checker: StoryChecker) -> None:
        super().__init__()
        self.store = store
        self.checker = checker
        self.bank: list[Story] = []
        self.editing: Story | None = None  # None: a new story
        self.comfort: list[str] = []  # the edited story's practice so far

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="stories-body"):
            with Vertical(id="stories-panel"):
                yield DataTable(id="stories", cursor_type="row", zebra_stripes=True)
                yield Label(id="bank-progress")
            with VerticalScroll(id="story-editor"):
                yield Input(placeholder="Title", id="story-title")
                yield Select(
                    [(KIND_LABELS[kind], kind) for kind in STORY_KINDS],
                    value="achieved",
                    allow_blank=False,
                    id="story-kind",
                )
                for name in FIELDS:
                    yield Label(FIELD_LABELS[name], classes="field-label")
                    yield TextArea(id=f"field-{name}", classes="story-field", soft_wrap=True)
            with VerticalScroll(id="story-check-panel"):
                yield Static(id="story-check")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Stories"
        self.query_one("#stories-panel").border_title = "Your stories"
        self.query_one("#story-editor").border_title = "Story"
        self.query_one("#story-check-panel").border_title = "Check"
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        self.bank = stories(self.store)
        checked = [(told, self.checker.written(told)) for told in self.bank]
        rows = [
            ("ready" if check.ready else "to do", KIND_SHORT[told.kind], told.title)
            for told, check in checked
        ]
        table = self.query_one("#stories", DataTable)
        fill_table(table, ["State", "Kind", "Title"], rows, [str(s.id) for s in self.bank])
        self.query_one("#bank-progress", Label).update(progress_line(checked))
        index = next((i for i, s in enumerate(self.bank) if s.id == select_id), 0)
        if self.bank:
            table.move_cursor(row=index)
            self.load(self.bank[index])
        else:
            self.load(None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.bank):
            self.load(self.bank[event.cursor_row])

    def load(self, told: Story | None) -> None:
        """Show a story in the editor (an empty one for a new story) and its check."""
        self.editing = told
        attempts = [] if told is None else story_comfort(self.store, told, self.checker)
        self.comfort = [] if told is None else render_comfort_lines(attempts)
        self.query_one("#story-title", Input).value = "" if told is None else told.title
        self.query_one("#story-kind", Select).value = "achieved" if told is None else told.kind
        for name in FIELDS:
            text = "" if told is None else told.text_of(name)
            self.query_one(f"#field-{name}", TextArea).text = text
        self.show_check()

    def written(self) -> Story:
        """The editor's story, checked as any written story is; UserError says what is wrong."""
        values = {name: self.query_one(f"#field-{name}", TextArea).text for name in FIELDS}
        kind = self.query_one("#story-kind", Select).value
        title = self.query_one("#story-title", Input).value
        return parse_story({"title": title, "kind": kind, **values}, "story")

    def on_text_area_changed(self) -> None:
        self.show_check()

    def on_input_changed(self) -> None:
        self.show_check()

    def on_select_changed(self) -> None:
        self.show_check()

    def show_check(self) -> None:
        """The field-by-field check of what is in the editor now, and its practice so far."""
        shown = self.query_one("#story-check", Static)
        try:
            told = self.written()
        except UserError as error:
            shown.update(str(error).removeprefix("story: "))
            return
        check = self.checker.written(told)
        lines = [
            ("Ready to practise" if check.ready else "Needs work")
            + f" · rubric {check.rubric['score']} ({check.rubric['band']})",
            "",
        ]
        for part in check.fields:
            lines.append(f"{'✓' if part.ok else '✗'} {FIELD_LABELS[part.field]}")
            lines.extend(f"   {advice}" for _, advice in part.missing)
            if not part.filled and not part.missing:
                lines.append("   Write this part before you practise it.")
        if self.comfort:
            lines.extend(["", *self.comfort])
        shown.update("\n".join(lines))

    def action_new_story(self) -> None:
        self.load(None)
        self.query_one("#story-title", Input).focus()

    def action_save_story(self) -> None:
        try:
            told = self.written()
            if self.editing is None:
                story_id = add_story(self.store, told)
            else:
                story_id = self.editing.id
                update_story(self.store, replace(told, id=story_id))
        except UserError as error:
            self.notify(str(error), title="Not saved", severity="warning")
            return
        self.notify(f"Saved “{told.title}”.")
        self.reload(select_id=story_id)
        self.query_one("#stories", DataTable).focus()

    def action_practise_story(self) -> None:
        if self.editing is None:
            self.notify("Save the story first, then practise it.", severity="warning")
            return
        self.dismiss(self.editing.id)

    def action_delete_story(self) -> None:
        told = self.editing
        if told is None:
            return

        def delete() -> None:
            delete_story(self.store, told.id)
            self.reload()

        self.post_message(
            ConfirmRequested(
                f"Delete the story “{told.title}”? Its practised answers stay.",
                "Delete",
                "Keep",
                delete,
            )
        )

    def action_back(self) -> None:
        if not isinstance(self.focused, DataTable):
            self.query_one("#stories", DataTable).focus()
            return
        self.dismiss(None)

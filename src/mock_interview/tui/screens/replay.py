"""Replay: hear an answer with the current word lit; seek, and jump between fillers and pauses."""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Label, Static

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.errors import UserError
from mock_interview.storage.database import AnswerRow
from mock_interview.tui.backend import Player
from mock_interview.tui.messages import QuestionAudioRequested
from mock_interview.tui.widgets import Timeline, TranscriptView
from mock_interview.views.answer import clock

SEEK_S = 5.0
# Where the cursor lands before a filler or pause, so the lead-in is heard.
MARK_LEAD_S = 0.3
POLL_S = 0.1


class ReplayScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "play_pause", "Play", id="play_pause", priority=True),
        Binding("left", "seek(-5)", "-5s", id="seek_back", priority=True),
        Binding("right", "seek(5)", "+5s", id="seek_forward", priority=True),
        Binding("right_square_bracket", "mark(1)", "Next mark", id="next_mark"),
        Binding("left_square_bracket", "mark(-1)", "Prev mark", id="previous_mark"),
        Binding("r", "question_audio", "Question", id="repeat_question"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(
        self,
        row: AnswerRow,
        analysis: AnswerAnalysis,
        recording: Path,
        player: Player,
        question_text: str,
        long_pause_s: float,
    ) -> None:
        """`player` is already playing `recording`, the file `analysis` was made from."""
        super().__init__()
        self.row = row
        self.analysis = analysis
        self.path = recording
        self.player = player
        self.question_text = question_text
        self.long_pause_s = long_pause_s
        self._poll: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(self.question_text, classes="question-title")
        yield Timeline(self.analysis, self.long_pause_s, id="replay-timeline")
        yield Static(id="position")
        with VerticalScroll(id="replay-transcript"):
            yield TranscriptView(self.analysis, self.long_pause_s)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = f"Replay · session {self.row.session_id}"
        transcript = self.query_one(TranscriptView)
        self.spoken = [i for i, p in enumerate(transcript.pieces) if p.kind != "pause"]
        self.spoken_starts = [transcript.pieces[i].start_s for i in self.spoken]
        self.marks = sorted(p.start_s for p in transcript.pieces if p.kind != "word")
        self._poll = self.set_interval(POLL_S, self.show_position)
        self.show_position()

    def on_unmount(self) -> None:
        self.player.stop()

    def show_position(self) -> None:
        position = self.player.position_s
        if self.player.playing:
            state = "▶ playing"
        elif position >= self.player.duration_s - 0.05:
            state = "■ at the end (space plays it again)"
        else:
            state = "⏸ paused"
        self.query_one("#position", Static).update(
            f"{state}  {clock(position)} / {clock(self.player.duration_s)}"
        )
        self.query_one(Timeline).position_s = position
        at = bisect.bisect_right(self.spoken_starts, position) - 1
        transcript = self.query_one(TranscriptView)
        current = self.spoken[at] if at >= 0 else None
        if transcript.current != current:
            transcript.current = current
            self.follow(current or 0, len(transcript.pieces))

    def follow(self, index: int, count: int) -> None:
        """Keep the word being heard in view: scroll in proportion to how far through it is."""
        scroller = self.query_one("#replay-transcript", VerticalScroll)
        if scroller.max_scroll_y and count:
            target = index / count * scroller.virtual_size.height - scroller.size.height / 2
            scroller.scroll_to(y=max(0.0, target), animate=False)

    def toggle_playback(self) -> None:
        """Pause, or play on from the cursor (from the start once the end was reached)."""
        player = self.player
        try:
            if player.playing:
                player.pause()
                return
            if player.position_s >= player.duration_s - 0.05:
                player.seek(0.0)
            player.resume()
            if not player.playing:
                player.play_file(self.path, start_s=player.position_s)
        except UserError as error:
            self.notify(str(error), title="Cannot play", severity="error", timeout=8)

    def action_play_pause(self) -> None:
        self.toggle_playback()
        self.show_position()

    def action_seek(self, seconds: float) -> None:
        self.player.seek(self.player.position_s + seconds)
        self.show_position()

    def action_mark(self, direction: int) -> None:
        position = self.player.position_s
        if direction > 0:
            later = [m for m in self.marks if m - MARK_LEAD_S > position + 0.05]
            target = later[0] if later else None
        else:
            earlier = [m for m in self.marks if m - MARK_LEAD_S < position - 1.0]
            target = earlier[-1] if earlier else None
        if target is None:
            self.notify("No more fillers or pauses that way.")
            return
        self.player.seek(max(0.0, target - MARK_LEAD_S))
        self.show_position()

    def action_question_audio(self) -> None:
        self.post_message(QuestionAudioRequested(self.row.question_id))

    def action_back(self) -> None:
        self.dismiss()

"""`mock-interview replay`: play a saved answer while the terminal follows its transcript.

Words, fillers («marked») and pauses ([2.4 s]) are printed as playback reaches them, read from
the player's position, so the text keeps pace with what is heard; Ctrl+C stops the sound cleanly.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from mock_interview.core.errors import UserError
from mock_interview.storage.database import StoredAnswer, StoredSession
from mock_interview.views.answer import Piece, clock, transcript_pieces

POLL_S = 0.03


def choose_answer(session: StoredSession, position: int | None) -> StoredAnswer:
    """Answer number `position` (1-based), or the session's first answer with a recording."""
    if position is not None:
        for answer in session.answers:
            if answer.row.position == position:
                return answer
        raise UserError(
            f"session {session.id} has no answer {position} "
            f"(it has {len(session.answers)}; --answer counts from 1)"
        )
    for answer in session.answers:
        if answer.row.recording_path is not None:
            return answer
    raise UserError(f"session {session.id} has no recorded answer to replay")


def _piece_text(piece: Piece) -> str:
    if piece.kind == "filler":
        return f"«{piece.text}»"
    if piece.kind == "pause":
        return f"[{piece.text}]"
    return piece.text


class _Follower:
    """Prints pieces as their time comes, wrapping at the terminal's width."""

    def __init__(self, pieces: list[Piece], out: TextIO) -> None:
        self.pieces = pieces
        self.out = out
        self.next = 0
        self.column = 0
        self.width = max(40, shutil.get_terminal_size().columns - 1)

    def show_until(self, position_s: float) -> None:
        while self.next < len(self.pieces) and self.pieces[self.next].start_s <= position_s:
            text = _piece_text(self.pieces[self.next])
            if self.column and self.column + 1 + len(text) > self.width:
                self.out.write("\n")
                self.column = 0
            elif self.column:
                self.out.write(" ")
                self.column += 1
            self.out.write(text)
            self.column += len(text)
            self.next += 1
        self.out.flush()

    def end_line(self) -> None:
        if self.column:
            self.out.write("\n")
            self.column = 0
        self.out.flush()


def replay(
    session: StoredSession,
    position: int | None = None,
    from_s: float = 0.0,
    output_device: str = "",
    out: TextIO = sys.stdout,
) -> int:
    from mock_interview.audio.playback import Player, read_wav

    answer = choose_answer(session, position)
    path = answer.row.recording_path
    if path is None or not path.is_file():
        raise UserError(
            f"the recording of answer {answer.row.position} in session {session.id} is missing"
            + (f" ({path})" if path else "")
        )
    samples, rate = read_wav(path)
    duration_s = len(samples) / rate
    if not 0 <= from_s < duration_s:
        raise UserError(f"--from {from_s:g}: the recording is {duration_s:.1f} s long")
    analysis = answer.report
    pieces = [p for p in transcript_pieces(analysis) if p.start_s >= from_s] if analysis else []
    question = analysis.question if analysis else None
    title = question.text if question else answer.row.question_id
    out.write(f"Replaying answer {answer.row.position} of session {session.id}: {title}\n")
    out.write(f"{clock(from_s)} of {clock(duration_s)} · Ctrl+C stops\n\n")
    if analysis is None:
        out.write("(not analysed yet: no transcript to follow)\n")
    follower = _Follower(pieces, out)
    player = Player(output_device)
    try:
        player.play(samples, rate, start_s=from_s)
        while player.playing:
            follower.show_until(player.position_s)
            time.sleep(POLL_S)
        follower.show_until(duration_s)
        follower.end_line()
    except KeyboardInterrupt:
        player.stop()
        follower.end_line()
        stopped = player.position_s
        out.write(f"Stopped at {clock(stopped)} (resume with --from {stopped:.0f}).\n")
    finally:
        player.stop()
    return 0

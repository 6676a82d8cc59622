"""The HTML session report escapes everything it prints: hostile text stays text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from crafted_reports import crafted_report
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.storage.database import Store
from mock_interview.views.session import load_session_report
from mock_interview.views.session_html import render_session_html

# One whitespace-free token, so it survives as a single transcript word: an element to inject
# and a quote that would end an attribute value and start an event handler.
PAYLOAD = '<script>alert(1)</script>"onmouseover="alert(2)'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


class _Page(HTMLParser):
    """Every element, attribute and piece of text of a page, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _hostile_analysis() -> AnswerAnalysis:
    data = crafted_report(f"I led the team {PAYLOAD} to the final. We came third.", score=40)
    data["question"]["text"] = f"Why {PAYLOAD}?"
    data["fillers"]["items"] = [
        {"text": PAYLOAD, "start_s": 1.0, "end_s": 1.2, "source": "audio"},
    ]
    rubric = data["rubric"]
    rubric["criteria"][0]["evidence"] = [f"quoted {PAYLOAD}"]
    rubric["criteria"][1]["advice"] = f"advise {PAYLOAD}"
    rubric["red_flags"] = [
        {"id": "blame", "evidence": [f"flagged {PAYLOAD}"], "advice": f"stop {PAYLOAD}"}
    ]
    rubric["delivery_flags"][0]["detail"] = f"detail {PAYLOAD}"
    return AnswerAnalysis.from_json(data)


def test_text_from_the_analysis_is_escaped_everywhere(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        session_id = store.create_session(["goal-achieved"])
        store.add_answer(session_id, "goal-achieved", None, _hostile_analysis())
        page = render_session_html(load_session_report(store, session_id))

    parsed = _Page()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert PAYLOAD not in page
    # question, transcript word, audio-only filler (transcript and timeline), evidence twice,
    # advice twice, delivery detail
    assert page.count(ESCAPED_SCRIPT) == 9
    text = "".join(parsed.text)
    for shown in (
        f"Answer 1: Why {PAYLOAD}?",
        f"the team {PAYLOAD} to the final.",
        f"“quoted {PAYLOAD}”",
        f"{PAYLOAD} at 0:01",
        f"advise {PAYLOAD}",
        f"Red flag: Blame“flagged {PAYLOAD}”stop {PAYLOAD}",
        f"Delivery: Too short (detail {PAYLOAD})",
    ):
        assert shown in text, shown

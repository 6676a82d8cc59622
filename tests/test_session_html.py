"""The HTML session report escapes everything it prints: hostile text stays text; and it draws
the STAR band under the timeline (checked in headless Chromium)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from crafted_reports import crafted_report
from headless_browser import find_chromium, png_pixel, visit
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.config import load_settings
from mock_interview.storage.database import Store
from mock_interview.views.answer import PART_COLOURS
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


def test_the_star_band_and_its_legend_in_headless_chromium(tmp_path: Path) -> None:
    """Under the timeline, one band stretch per part in its colour, left to right in time, the
    legend's swatches in the same colours, and the per-part table with its targets; the
    screenshot's pixels in the middle of each stretch are that part's colour."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    text = "I was new. My goal was ten sales. I called everyone I knew. I sold twelve. I learnt."
    parts = [("situation", 0), ("task", 3), ("action", 8), ("result", 13), ("reflection", 16)]
    analysis = AnswerAnalysis.from_json(crafted_report(text, word_s=2.0, parts=parts))
    with Store(tmp_path / "s.db") as store:
        session_id = store.create_session(["goal-achieved"])
        store.add_answer(session_id, "goal-achieved", None, analysis)
        page = render_session_html(
            load_session_report(store, session_id), targets=load_settings().structure
        )
    page_path = tmp_path / "report.html"
    page_path.write_text(page)
    probe = """(() => {
        const axis = document.querySelector("svg.timeline line.axis").getBoundingClientRect();
        const band = [...document.querySelectorAll("svg.timeline rect.part")].map((r) => {
            const box = r.getBoundingClientRect();
            return [r.getAttribute("class"), box.left, box.top, box.width, box.height,
                    getComputedStyle(r).fill];
        });
        const legend = [...document.querySelectorAll(".legend.parts > span")].map((s) =>
            [s.textContent, getComputedStyle(s.querySelector(".swatch")).backgroundColor]);
        const table = [...document.querySelectorAll("table.structure tbody tr")].map((row) =>
            [...row.cells].map((cell) => cell.textContent));
        return {axis_bottom: axis.bottom, band, legend, table};
    })()"""

    result = visit(chromium, page_path.as_uri(), probe=probe)

    assert result.requests == [] and result.console_errors == []
    found = result.probe
    colours = {f"part part-{part}": _rgb(colour) for part, colour in PART_COLOURS.items()}
    assert [item[0] for item in found["band"]] == [f"part part-{part}" for part, _ in parts]
    lefts = [item[1] for item in found["band"]]
    assert lefts == sorted(lefts)
    for name, left, top, width, height, fill in found["band"]:
        assert top > found["axis_bottom"] and width > 5 and height > 5
        assert fill == _css_rgb(colours[name])
        assert png_pixel(result.screenshot, int(left + width / 2), int(top + height / 2)) == (
            colours[name]
        )
    assert found["legend"] == [
        [part.capitalize(), _css_rgb(_rgb(colour))] for part, colour in PART_COLOURS.items()
    ]
    # 18 words of 2 s each: situation 3 words, task 5, action 5, result 3, reflection 2.
    assert found["table"] == [
        ["Situation", "6.0 s", "17%", "10–20%"],
        ["Task", "10.0 s", "28%", "5–15%"],
        ["Action", "10.0 s", "28%", "50–60%"],
        ["Result", "6.0 s", "17%", "10–15%"],
        ["Reflection", "4.0 s", "11%", "5–10%"],
        ["Other", "0.0 s", "0%", "–"],
    ]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _css_rgb(rgb: tuple[int, int, int]) -> str:
    return "rgb({}, {}, {})".format(*rgb)

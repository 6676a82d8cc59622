"""How the delivery is shown: its rows, one advice line per flag (text, Markdown, HTML, the TUI
summary), and the pitch strip under the timeline (HTML and TUI), drawn to the timeline's scale."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from headless_browser import find_chromium, visit
from mock_interview.analysis.answer import (
    AnswerAnalysis,
    Delivery,
    Loudness,
    PitchWindow,
    RisingEnd,
    Uptalk,
)
from mock_interview.core.config import Settings
from mock_interview.storage.database import Store
from mock_interview.tui.screens.report import ReportScreen
from mock_interview.tui.widgets import PitchStrip
from mock_interview.views.answer import render_markdown, render_text, timeline_end_s
from mock_interview.views.session import load_session_report
from mock_interview.views.session_html import render_session_html
from mock_interview.views.svg import PAD, WIDTH
from tui_fakes import fill_store

GOLDEN = Path(__file__).parent / "golden" / "goal_missed_weak.json"


def _analysis() -> AnswerAnalysis:
    return AnswerAnalysis.from_json(json.loads(GOLDEN.read_text()))


def _with_delivery(**changes: Any) -> AnswerAnalysis:
    """The golden answer (its delivery has no flags and one rising end), changed."""
    analysis = _analysis()
    assert analysis.delivery is not None
    return dataclasses.replace(analysis, delivery=dataclasses.replace(analysis.delivery, **changes))


def _every_flag(delivery: Delivery) -> dict[str, Any]:
    return {
        "pitch": dataclasses.replace(delivery.pitch, monotone=True),
        "uptalk": Uptalk(10, 2, (RisingEnd(11.0, 11.5, 4.2), RisingEnd(70.0, 70.4, 6.0))),
        "loudness": Loudness(1.2, ("flat_loudness", "fading")),
    }


def _quiet() -> dict[str, Any]:
    return {"uptalk": Uptalk(11, 0, ())}


def test_an_answer_without_flags_gets_rows_but_no_delivery_advice() -> None:
    text = render_text(_with_delivery(**_quiet()))
    for label in ("Pitch variety", "Rising ends", "Loudness", "Speech rate"):
        assert re.search(rf"^{label} +\S", text, re.MULTILINE), label
    assert "5.7 semitones around 102 Hz" in text and "0 of 11 statements" in text
    rate = json.loads(GOLDEN.read_text())["delivery"]["rate"]
    paces = [window["wpm"] for window in rate["windows"]]
    assert f"({min(paces):.0f} to {max(paces):.0f} from stretch to stretch)" in text
    assert "How it sounded" not in text
    assert "How it sounded" not in render_markdown(_with_delivery(**_quiet()))


def test_one_advice_line_per_flag_in_text_and_markdown() -> None:
    delivery = _analysis().delivery
    assert delivery is not None
    analysis = _with_delivery(**_every_flag(delivery))
    text = render_text(analysis)
    advice = text.split("How it sounded:\n")[1].split("\n\n")[0].splitlines()
    assert len(advice) == 4 and all(line.startswith("  → ") for line in advice)
    assert "pitch stayed flat" in advice[0]
    assert "2 of 10 statements ended on a rise (at 0:12, 1:10)" in advice[1]
    assert "1.2 dB" in advice[2] and "faded" in advice[3]
    markdown = render_markdown(analysis)
    section = markdown.split("### How it sounded\n\n")[1].split("\n\n")[0].splitlines()
    assert len(section) == 4 and all(line.startswith("- ") for line in section)
    assert "| Pitch variety | 5.7 semitones around 102 Hz: monotone |" in markdown


def test_a_report_from_before_the_delivery_shows_none_of_it() -> None:
    analysis = dataclasses.replace(_analysis(), delivery=None)
    text = render_text(analysis)
    assert "Pitch variety" not in text and "How it sounded" not in text


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data" / "sessions.db")


def test_the_html_report_draws_the_pitch_strip_to_the_timeline_scale(store: Store) -> None:
    delivery = _analysis().delivery
    assert delivery is not None
    analysis = _with_delivery(**_every_flag(delivery))
    assert analysis.delivery is not None
    session_id = fill_store(store, [[analysis]])[0]
    page = render_session_html(load_session_report(store, session_id))
    strip = page[page.index('<svg class="pitch-strip"') :]
    strip = strip[: strip.index("</svg>")]
    windows = analysis.delivery.pitch.windows
    bars = re.findall(
        r'<rect class="pitch" x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', strip
    )
    assert len(bars) == len(windows)
    scale = (WIDTH - 2 * PAD) / timeline_end_s(analysis)
    for (x, height), window in zip(bars, windows, strict=True):
        assert float(x) == pytest.approx(PAD + window.start_s * scale, abs=0.1)
        # 36 px is full height, reached at a spread of 8 semitones.
        assert float(height) == pytest.approx(max(min(window.spread_st / 8, 1) * 36, 1), abs=0.1)
    assert strip.count('class="rise"') == 2
    assert page.count('<li class="advice">') == 4


def test_the_pitch_strip_in_headless_chromium(store: Store, tmp_path: Path) -> None:
    """The page with the strip still loads nothing and logs no error; the strip is drawn under
    the timeline, as wide as it, and prints."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    delivery = _analysis().delivery
    assert delivery is not None
    session_id = fill_store(store, [[_with_delivery(**_every_flag(delivery))]])[0]
    page_path = tmp_path / "report.html"
    page_path.write_text(render_session_html(load_session_report(store, session_id)))
    probe = """(() => {
        const box = (selector) => {
            const r = document.querySelector(selector).getBoundingClientRect();
            return [r.top, r.bottom, r.width, r.height];
        };
        return {timeline: box("svg.timeline"), strip: box("svg.pitch-strip"),
                bars: document.querySelectorAll("svg.pitch-strip rect.pitch").length};
    })()"""
    result = visit(chromium, page_path.as_uri(), probe=probe)
    assert result.requests == [] and result.console_errors == []
    assert result.pdf.startswith(b"%PDF")
    timeline, strip = result.probe["timeline"], result.probe["strip"]
    assert strip[0] >= timeline[1]  # below the timeline
    assert strip[2] == pytest.approx(timeline[2], abs=1) and strip[3] > 20
    assert result.probe["bars"] == len(delivery.pitch.windows)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_tui_report_shows_the_pitch_strip_and_the_advice(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    from test_tui_screens import build_app, open_first_session_report

    windows = tuple(
        PitchWindow(start, start + 10.0, spread)
        for start, spread in ((6.0, 0.5), (16.0, 2.0), (26.0, 8.0))
    )
    delivery = _analysis().delivery
    assert delivery is not None
    analysis = _with_delivery(
        pitch=dataclasses.replace(delivery.pitch, windows=windows),
        uptalk=Uptalk(5, 1, (RisingEnd(30.0, 30.4, 5.0),)),
    )
    fill_store(store, [[analysis]])
    app = build_app(settings, store, tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:
        report = await open_first_session_report(pilot)
        strip = report.query_one(PitchStrip)
        rises, bars = str(strip.render()).split("\n")
        width = strip.size.width
        total = timeline_end_s(analysis)

        def at(seconds: float) -> int:
            return int(seconds / total * width)

        assert rises.count("▲") == 1 and rises.index("▲") == at(30.0)
        # Eight block heights for 0 to 8 semitones: 0.5 st is the lowest, 2 st the third.
        assert bars[at(11.0)] == "▁" and bars[at(21.0)] == "▃" and bars[at(31.0)] == "█"
        assert bars[: at(6.0)].strip() == "" and bars[at(36.0) + 1 :].strip() == ""
        assert isinstance(app.screen, ReportScreen)
        advice = str(report.query_one(".delivery-advice", Static).render())
        assert "1 of 5 statements ended on a rise (at 0:30)" in advice

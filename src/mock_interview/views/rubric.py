"""The rubric report for people: plain text for the terminal, Markdown for sharing.

Both are drawn from one list of lines-to-show, so they always say the same things.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_interview.analysis.answer import RubricResult

KIND_NAMES = {"achieved": "goal achieved", "missed": "goal missed", "general": "general question"}


@dataclass(frozen=True)
class _Item:
    section: str  # "" for criteria, else "Red flags" / "Delivery"
    mark: str
    title: str
    quotes: tuple[str, ...]
    advice: str


def item_title(item_id: str, labels: dict[str, str] | None = None) -> str:
    """A criterion's or flag's name as people read it (the HTML page uses it too)."""
    return (labels or {}).get(item_id) or item_id.replace("_", " ").capitalize()


def _heading(result: RubricResult) -> str:
    kind = KIND_NAMES.get(result.kind, result.kind)
    band = f", {result.band}" if result.band else ""
    return f"Reflection rubric ({kind}): {result.score}/100{band}"


def _items(
    result: RubricResult, labels: dict[str, str] | None, probed: str | None = None
) -> list[_Item]:
    items = [
        _Item(
            "",
            "✓" if c.met else "✗",
            item_title(c.id, labels),
            c.evidence,
            "" if c.met else c.advice,
        )
        for c in result.criteria
        if probed is None or c.id == probed
    ]
    items += [
        _Item("Red flags", "!", item_title(f.id, labels), f.evidence, f.advice)
        for f in result.red_flags
    ]
    items += [
        _Item("Delivery", "!", f"{item_title(f.id, labels)}: {f.detail}", (), f.advice or "")
        for f in result.delivery_flags
    ]
    return items


def render_rubric_text(
    result: RubricResult, labels: dict[str, str] | None = None, probed: str | None = None
) -> str:
    """Each criterion ticked or crossed, with its quotes or its advice; then flags. A follow-up's
    reply (`probed`: the criterion it was asked about) shows that criterion alone and no score:
    a 20-second reply is no story to grade, and its outcome line gives the score with the
    prompt."""
    lines = [_heading(result) if probed is None else "The follow-up asked about:"]
    section = None
    for item in _items(result, labels, probed):
        if item.section != section:
            section = item.section
            lines += ["", section] if section else [""]
        lines.append(f"  {item.mark} {item.title}")
        lines += [f'      "{quote}"' for quote in item.quotes]
        if item.advice:
            lines.append(f"      → {item.advice}")
    return "\n".join(lines)


def render_rubric_markdown(
    result: RubricResult, heading_level: int = 3, labels: dict[str, str] | None = None
) -> str:
    """The same report as a Markdown section, headed at `heading_level`."""
    hashes = "#" * heading_level
    lines = [f"{hashes} {_heading(result)}"]
    section = None
    for item in _items(result, labels):
        if item.section != section:
            section = item.section
            lines += ["", f"{hashes}# {section}", ""] if section else [""]
        quotes = "; ".join(f"“{quote}”" for quote in item.quotes)
        parts = [f"**{item.mark} {item.title}**", quotes, f"*{item.advice}*" if item.advice else ""]
        lines.append("- " + " — ".join(part for part in parts if part))
    return "\n".join(lines)

"""Answers and sessions shown outside the TUI: text, Markdown, HTML, SVG, history, replay."""

"""Measuring an answer: the typed analysis, its timing and the report from words and speech."""

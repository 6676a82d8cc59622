"""The reflection rubric: what a sharp interviewer looks for in a goal achieved or missed."""

from mock_interview.rubric.judging import score_answer
from mock_interview.rubric.loading import Rubric, load_rubric
from mock_interview.rubric.render import render_rubric_markdown, render_rubric_text

__all__ = ["Rubric", "load_rubric", "render_rubric_markdown", "render_rubric_text", "score_answer"]

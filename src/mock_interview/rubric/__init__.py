"""The reflection rubric: what a sharp interviewer looks for in a goal achieved or missed."""

from mock_interview.rubric.judging import score_answer
from mock_interview.rubric.loading import Rubric, load_rubric

__all__ = ["Rubric", "load_rubric", "score_answer"]

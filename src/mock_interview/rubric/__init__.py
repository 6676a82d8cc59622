"""The reflection rubric: what a sharp interviewer looks for in a goal achieved or missed."""

from mock_interview.rubric.judging import DeliveryFacts, score_answer
from mock_interview.rubric.loading import Rubric, load_rubric

__all__ = ["DeliveryFacts", "Rubric", "load_rubric", "score_answer"]

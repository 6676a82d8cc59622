"""Written stories and spoken retellings shared by the story bank's tests."""

SETBACK = r'''
title = "The marathon I did not finish"
kind = "missed"
situation = "In 2023, as a junior analyst, I signed up for the Berlin marathon."
goal = "I set myself the goal to finish it in under four hours."
actions = "I built a sixteen week training plan and I ran four times a week."
outcome = """I did not finish: I stopped at kilometre thirty with a knee injury. \
  That was my fault, because I skipped the strength training."""
since = """Since then I book two strength sessions every week, \
  and this spring I finished a half marathon without pain."""
'''
LESSON = 'lesson = "I learned that I need to plan rest and strength work, not only distance."\n'
SUCCESS = r'''
title = "Fewer open tickets"
kind = "achieved"
situation = "In 2022, as the team lead of a support team, our queue was growing every week."
goal = "I set the goal to cut open tickets by thirty percent in one quarter."
actions = """I mapped the top ten causes, I wrote help articles for each, \
  and I trained two colleagues to triage."""
outcome = "We reached it: open tickets fell by 35 percent in eleven weeks."
lesson = "I learned that fixing causes beats working faster."
'''
# The same setback told in other words, with the lesson, and without it.
RETOLD = (
    "Back in 2023 I was a junior analyst, and I entered the Berlin marathon. My goal was to "
    "finish in under four hours. I built my own plan of sixteen weeks and ran four times every "
    "week. But at kilometre thirty my knee gave out, and I stopped. The fault was mine: I "
    "skipped strength training. {lesson}Now I book two strength sessions each week, and this "
    "spring I ran a half marathon without pain."
)
RETOLD_LESSON = "What I learned is that rest and strength work need a plan, just like distance. "

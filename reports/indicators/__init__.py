"""The indicators of a campaign, counted by the database (seed sections 3 to 5).

``compute(campaign, Filter(...))`` returns every figure of the dashboard and the report:
representativeness, the distribution of every choice question (the profile's included, with
the communes grouped by arrondissement and by EPCI), the favourable rate of every scale
question against the campaign's objective, and the comparison with the previous year.

Questions are followed by their code, not their number: the hall and phone questionnaires
of a campaign share codes (a figure over both channels adds them up), and a comparison with
another year finds the same code there — in that campaign's raw answers when they exist,
else in the figures entered as published (``PublishedFigure``), and says which.

Cost: a fixed number of queries (three; five with a comparison year; two more when the
questionnaires changed since this process last read them), whatever the number of
questions or responses. The counts come from the campaign's tallies (``AnswerTally``, kept
exact by survey/tallies.py in the transaction of every write): a SUM over some rows per
question and per cell of the filters (over the channels' summary cells when no site, week
or interviewer is filtered), not a GROUP BY over every answer. ``source="raw"`` counts the
answers themselves instead (four GROUP BYs per campaign counted), the same figures: tests
and ``survey.tallies.check`` compare the two. Python loops over the grouped rows and the
questions, never over answers.

Conditional shares need nothing special: a question not asked is not stored (skip logic),
so the base of "where did you find the information" is those who looked for it.

The modules: ``filters`` (which questionnaires a figure counts), ``structure`` (the
questionnaires' questions and choices, kept per revision), ``tallied`` and ``raw`` (the
two ways of counting, into the same ``counts.Counts``), ``comparison`` (the year compared
with and its figures), ``computation`` (``compute``) and ``results`` (what it returns).
"""

from .computation import Counted, compute
from .filters import Filter
from .results import (
    FAVOURABLE,
    Distribution,
    Indicators,
    Place,
    Previous,
    QuestionResult,
    Share,
    Source,
)
from .structure import clear_structure_cache

__all__ = [
    "FAVOURABLE",
    "Counted",
    "Distribution",
    "Filter",
    "Indicators",
    "Place",
    "Previous",
    "QuestionResult",
    "Share",
    "Source",
    "clear_structure_cache",
    "compute",
]

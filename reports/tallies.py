"""What reports reads of the tallies besides the indicators' counts.

The tallies (``survey.models.AnswerTally``) are written by survey, in the transaction of
every write of the answers (survey/tallies.py says why there); reports only reads them:
the indicators' SUMs in reports/indicators.py, and here the dashboard's list of
interviewers.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from survey.models import AnswerTally, Campaign


def counted_interviewers(campaign: Campaign) -> list[Any]:
    """The accounts that collected counted, non-voided questionnaires of ``campaign``, by
    username: read from the tallies' questionnaire rows (a few per day and interviewer)
    rather than from every response. One query."""
    ids = (
        AnswerTally.objects.filter(campaign=campaign, question_id=AnswerTally.RESPONSES)
        .exclude(site_id=AnswerTally.SUMMARY)
        .exclude(interviewer_id=AnswerTally.NO_INTERVIEWER)
        .values("interviewer_id")
        .distinct()
    )
    return list(get_user_model().objects.filter(pk__in=ids).order_by("username"))

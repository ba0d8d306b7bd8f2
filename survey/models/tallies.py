"""The roll-ups of the answers (``AnswerTally``) that the indicators read.

A count of survey's own rows, written by survey's services in their transaction
(survey/tallies.py), hence a survey model; reports reads it (reports/indicators.py).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

# The columns that name one tally row: its unique key, and the ON CONFLICT target of the
# upserts in survey/tallies.py.
TALLY_KEY = (
    "campaign",
    "question_id",
    "channel",
    "day",
    "dated",
    "site_id",
    "interviewer_id",
    "answer",
)


TALLY_SUMMARY = -1  # AnswerTally.SUMMARY


class AnswerTally(models.Model):
    """How many counted questionnaires gave one answer, per cell of the dashboard's filters.

    A roll-up of ``Answer`` and ``Response``, kept exact in the transaction of every write
    (``survey.tallies``); the answers stay the source of truth, and ``rebuild_tallies``
    recomputes these rows from them. The key:

    - ``campaign``, then ``question_id``: the question answered, or ``RESPONSES`` (0) for
      the rows that count questionnaires (representativeness);
    - the filter cell: ``channel``, ``day`` (collection day in the organisation's zone, from
      ``started_at``, else ``received_at``), ``dated`` (whether ``started_at`` is known: the
      week filter keeps only those), ``site_id``, ``interviewer_id`` (``NO_INTERVIEWER``, 0,
      when none: a sentinel rather than NULL, so that the unique key, hence ``ON CONFLICT``,
      holds on SQLite and PostgreSQL alike);
    - ``answer``: what one respondent answered to the question, as the sorted ids of the
      chosen choices ("412,415": a multiple choice is one respondent), or ``c`` and the
      INSEE code of a commune, ``t`` a text (a commune outside the département, a remark),
      ``e`` an empty text.

    Every questionnaire is counted twice: in its cell, and in its channel's **summary**
    cell (``site_id`` ``SUMMARY``, −1, ``interviewer_id`` ``SUMMARY``, ``day``
    ``SUMMARY_DAY``, ``dated`` false), which a figure without a site, week or interviewer
    filter reads: a few rows per choice, whatever the number of questionnaires, instead
    of some per cell. Every reader picks one grain (``Filter.tally_where``).

    Ids, not codes: a question or choice renamed, a choice's polarity changed, a commune
    moved to another EPCI are read at count time, so no tally goes stale. ``n`` counts
    respondents; a row that falls to 0 is deleted.
    """

    RESPONSES = 0
    NO_INTERVIEWER = 0
    SUMMARY = TALLY_SUMMARY  # site_id and interviewer_id of a channel's summary cell
    SUMMARY_DAY = datetime.date.min  # its day: a constant, never a collection day

    campaign = models.ForeignKey(
        "survey.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique key starts with it
        verbose_name=_("campagne"),
    )
    question_id = models.BigIntegerField(_("question"))
    channel = models.CharField(_("canal"), max_length=10)
    day = models.DateField(_("jour de recueil"))
    dated = models.BooleanField(_("heure de début connue"))
    site_id = models.BigIntegerField(_("site"))
    interviewer_id = models.BigIntegerField(_("enquêteur"))
    answer = models.TextField(_("réponse"), blank=True)
    n = models.IntegerField(_("effectif"))

    class Meta:
        # Created by the reports app, where the model lived until it moved here with its
        # writers (survey/tallies.py): the table keeps its name, no data moves.
        db_table = "reports_answertally"
        verbose_name = _("effectif d'une réponse")
        verbose_name_plural = _("effectifs des réponses")
        constraints = [
            models.UniqueConstraint(fields=list(TALLY_KEY), name="answer_tally_key"),
        ]
        indexes = [
            # The summary cells alone: what a figure without a site, week or interviewer
            # filter reads, without walking the campaign's detailed cells in the key.
            models.Index(
                fields=["campaign", "question_id", "channel"],
                condition=models.Q(site_id=TALLY_SUMMARY),
                name="answer_tally_summary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} {self.answer} {self.day}: {self.n}"

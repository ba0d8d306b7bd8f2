"""The matrix's "Réponses" rows, one per questionnaire counted, streamed from the raw
answers, and its "Communes" rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from survey.models import Answer, Campaign, Choice, Commune, Question, QuestionKind
from survey.services.exchange_rows import OUTSIDE, SEPARATOR
from survey.spreadsheets import format_moment

from .layout import Layout

CHUNK = 5_000  # answers fetched at a time


class Answers:
    """The "Réponses" rows, merged from the questionnaires and their answers, both in the
    order of entry, and the "Communes" rows. Two queries here (the questions' and choices'
    codes, the communes answered), one per "Réponses" sheet."""

    def __init__(self, campaign: Campaign, layout: Layout, responses: list[Any]) -> None:
        self.layout, self.responses = layout, responses
        self.questions = dict(
            Question.objects.filter(questionnaire__campaign=campaign)
            .exclude(kind=QuestionKind.FREE_TEXT)
            .values_list("pk", "code")
        )
        self.choices = dict(
            Choice.objects.filter(question_id__in=list(self.questions)).values_list("pk", "code")
        )
        self.places = {
            row[0]: row
            for row in Commune.objects.filter(
                answers__question_id__in=list(self.questions),
                answers__response__campaign=campaign,
                answers__response__voided_at__isnull=True,
            )
            .distinct()
            .order_by("insee_code")
            .values_list(
                "insee_code",
                "name",
                "arrondissement_id",
                "arrondissement__name",
                "epci_id",
                "epci__name",
            )
        }

    def rows(self, first: int, last: int) -> Iterator[list[Any]]:
        """The questionnaires ``first`` to ``last`` (excluded): one row in memory at a time,
        the answers read ``CHUNK`` at a time (a voided questionnaire's are passed over)."""
        chosen = self.responses[first:last]
        if not chosen:
            return
        answers = (
            Answer.objects.filter(
                question_id__in=list(self.questions),
                response_id__gte=chosen[0][0],
                response_id__lte=chosen[-1][0],
            )
            .order_by("response_id")
            .values_list("response_id", "question_id", "choice_id", "commune_id", "text")
            .iterator(chunk_size=CHUNK)
        )
        width = len(self.layout.header)
        pending = next(answers, None)
        for pk, uuid, channel, site, started_at, interviewer in chosen:
            row: list[Any] = [str(uuid), channel, site, format_moment(started_at), interviewer]
            row += [None] * (width - len(row))
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk:
                    self._place(row, *pending[1:])
                pending = next(answers, None)
            yield row

    def _place(
        self, row: list[Any], question: int, choice: int | None, commune: str | None, text: str
    ) -> None:
        layout, code = self.layout, self.questions[question]
        if code in layout.single and choice is not None:
            single, answered = layout.single[code], self.choices[choice]
            row[single] = answered if row[single] is None else f"{row[single]}{SEPARATOR}{answered}"
        elif code in layout.multiple and choice is not None:
            boxes = layout.multiple[code]
            if row[next(iter(boxes.values()))] is None:  # the question's first box
                for box in boxes.values():
                    row[box] = 0
            ticked = boxes.get(self.choices[choice])
            if ticked is not None:
                row[ticked] = 1
        elif code in layout.communes and (commune is not None or text):
            given, arrondissement, epci = layout.communes[code]
            if commune is not None:
                place = self.places[commune]
                row[given], row[arrondissement], row[epci] = commune, place[2], place[4]
            else:
                row[given] = OUTSIDE + text

    def communes(self) -> Iterator[list[Any]]:
        for place in self.places.values():
            yield list(place)

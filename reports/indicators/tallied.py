"""The tallied path: every count of a campaign under a filter from its tallies
(``AnswerTally``), in one query whatever the number of answers.

The tallies are kept exact by survey/tallies.py in the transaction of every write; this
module only reads them. The raw path (``raw``) counts the same figures from the answers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connections

from survey.models import (
    AnswerTally,
    Arrondissement,
    Commune,
    Epci,
    Polarity,
    Question,
    QuestionKind,
)

from ..stats import Rate
from .counts import Counts, by_day, ranked
from .filters import Filter
from .structure import ChoiceIds


def counts(campaign_id: int, flt: Filter, choice_ids: ChoiceIds) -> Counts:
    """Every count of ``raw.counts`` from the campaign's tallies, in one query of two
    parts:

    - the answers' tallies summed per (question, answer) over the filter's cells, with
      each question's code and kind, and each commune's arrondissement and EPCI as they
      are now;
    - the questionnaires' tallies summed per channel and day (the detailed cells);

    then a Python loop over those rows (a few per choice, one per commune and per day)."""
    connection = connections[AnswerTally.objects.db]
    table = connection.ops.quote_name
    answers, answers_params = flt.tally_where(connection)
    days, days_params = flt.tally_where(connection, by_day=True)
    tallies = table(AnswerTally._meta.db_table)
    sql = (
        "SELECT q.code, q.kind, g.answer, g.total, m.arrondissement_id, ar.name, "
        "m.epci_id, ep.name, NULL, NULL "
        f"FROM (SELECT t.question_id, t.answer, SUM(t.n) AS total FROM {tallies} t "
        f"WHERE t.campaign_id = %s AND t.question_id > %s AND {answers} "
        "GROUP BY t.question_id, t.answer) g "
        f"JOIN {table(Question._meta.db_table)} q ON q.id = g.question_id "
        f"LEFT JOIN {table(Commune._meta.db_table)} m ON q.kind = %s AND m.insee_code = "
        "CASE WHEN substr(g.answer, 1, 1) = 'c' THEN substr(g.answer, 2) END "
        f"LEFT JOIN {table(Arrondissement._meta.db_table)} ar ON ar.code = m.arrondissement_id "
        f"LEFT JOIN {table(Epci._meta.db_table)} ep ON ep.siren = m.epci_id "
        "UNION ALL SELECT NULL, NULL, NULL, SUM(t.n), NULL, NULL, NULL, NULL, t.channel, t.day "
        f"FROM {tallies} t WHERE t.campaign_id = %s AND t.question_id = %s AND {days} "
        "GROUP BY t.channel, t.day"
    )
    params = [
        campaign_id,
        AnswerTally.RESPONSES,
        *answers_params,
        QuestionKind.COMMUNE.value,
        campaign_id,
        AnswerTally.RESPONSES,
        *days_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    choices: dict[tuple[str, str], int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    bases: dict[str, int] = defaultdict(int)
    arrondissements: dict[tuple[str, str], int] = defaultdict(int)
    epcis: dict[tuple[str, str], int] = defaultdict(int)
    cells: list[tuple[str, datetime.date, int]] = []
    outside = communes = 0
    for code, kind, answer, total, arr_code, arr_name, epci_code, epci_name, channel, day in rows:
        n = int(total or 0)
        if not n:
            continue
        if code is None:  # questionnaires of one channel on one day
            day = datetime.date.fromisoformat(day) if isinstance(day, str) else day
            cells.append((channel, day, n))
            continue
        answered[code] += n
        in_base, places = False, 0
        for token in answer.split(",") if answer else ():
            if token[0].isdigit():  # a choice: counted, in the base unless "outside"
                choice_code, polarity = choice_ids[int(token)]
                choices[(code, choice_code)] += n
                in_base = in_base or polarity != Polarity.OUTSIDE
            elif token[0] in "ct":  # a commune, or a text (a commune outside, a remark)
                in_base, places = True, places + 1
        if in_base:
            bases[code] += n
        if kind != QuestionKind.COMMUNE or not places:
            continue
        communes += n * places
        if arr_code is None and epci_code is None:
            outside += n * places
            continue
        if arr_code is not None:
            arrondissements[(arr_code, arr_name)] += n * places
        if epci_code is not None:
            epcis[(epci_code, epci_name)] += n * places
    by_channel, per_day = by_day(cells)
    return Counts(
        dict(choices),
        dict(answered),
        dict(bases),
        ranked(arrondissements, communes, "arrondissement_"),
        ranked(epcis, communes, "epci_"),
        Rate.of(outside, communes),
        by_channel,
        per_day,
    )

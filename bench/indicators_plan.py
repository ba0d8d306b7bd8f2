"""How bench.indicators' responses answer each question, as data and set-based SQL.

Every response is a complete hall or phone questionnaire that follows the skip logic: a
question is answered only if the answers it depends on (up to two levels: ``tel_svi``
after ``tel_svi_utilise`` after ``tel_a_appele``) open it. Choices are drawn
pseudo-randomly but deterministically: from ``hashint8extended(response id, question id)``,
through a table of 100 slots per question filled according to weights (scales mostly
favourable, a Zipf-like spread for the other questions, a fixed share of "oui" for each
filter question). A multiple-choice question gets 1 or 2 rows; the commune question a real
Charente commune (Angoulême and Cognac more often), a commune outside the département or
nothing; the free text, sometimes, one of a few remarks.

Needs Django configured (bench.harness.configure_django) for ``plan_rows``.
"""

from __future__ import annotations

from typing import Any

# Share of "oui" of the filter questions (yes/no questions that open others): high enough
# that a questionnaire has ~40 answers, as docs/storage.md assumes.
YES_PERCENT = {
    "info_renseigne": 80,
    "tel_a_appele": 90,
    "tel_svi_utilise": 60,
    "web_a_consulte": 90,
    "rs_connait": 50,
    "rs_a_echange": 50,
}
SECOND_CHOICE_PERCENT = 40  # a multiple-choice answer with two boxes ticked
COMMUNE_NONE, COMMUNE_OUTSIDE = 10, 5  # percent: no commune given, a commune elsewhere
COMMUNE_ANGOULEME, COMMUNE_COGNAC = 20, 8  # percent of everyone
FREE_TEXT_PERCENT = 40
REMARKS = [
    "Très bon accueil.",
    "Attente trop longue.",
    "Personnel aimable et compétent.",
    "Signalétique à revoir.",
    "Rien à signaler.",
]
OUTSIDE = ["Bordeaux", "Poitiers", "Limoges", "Niort", "Périgueux"]


# -- the plan: how each question is answered -----------------------------------------------


def _weights(kind: str, code: str, choices: list[tuple[str, str]]) -> list[int]:
    """A weight per choice of a question, given its choices [(code, polarity)]."""
    if kind == "yes_no":
        yes = YES_PERCENT.get(code, 50)
        others = [c for c, _ in choices if c not in ("oui", "non")]
        rest = 3 if others else 0
        by_code = {"oui": yes, "non": 100 - yes - rest}
        if others:
            by_code[others[0]] = rest
        return [by_code.get(c, 0) for c, _ in choices]
    if kind in ("satisfaction", "agreement"):
        # mostly favourable (the seed's rates are 80 to 95 %), the first of each polarity
        # (very satisfied, strongly agree…) a little more often than the next
        shares = {"favourable": 78, "unfavourable": 16, "neutral": 3, "outside": 6}
        groups: dict[str, list[int]] = {}
        for position, (_, polarity) in enumerate(choices):
            groups.setdefault(polarity, []).append(position)
        weights = [0] * len(choices)
        for polarity, positions in groups.items():
            raw = [1 / (rank + 2) for rank in range(len(positions))]
            for position, r in zip(positions, raw, strict=True):
                weights[position] = round(1000 * shares.get(polarity, 3) * r / sum(raw))
        return weights
    # single or multiple: a Zipf-like spread, the first choices more often
    return [round(1000 / (rank + 1)) for rank in range(len(choices))]


def _slots(weights: list[int]) -> list[int]:
    """100 slots holding the 1-based position of a choice, in proportion to its weight."""
    total = sum(weights)
    slots, bound, position = [], 0.0, 0
    for slot in range(100):
        while position < len(weights) and (slot + 0.5) * total / 100 >= bound + weights[position]:
            bound += weights[position]
            position += 1
        slots.append(min(position, len(weights) - 1) + 1)
    return slots


def plan_rows(questionnaire_id: int) -> list[tuple[Any, ...]]:
    """One row per question (and a second one for a multiple choice's second box):
    (questionnaire, question, order, slot, kind, choices, slots, then for the condition
    and the condition's condition: question, choices, slots, choice ids that open)."""
    from survey.models import Question

    questions = list(
        Question.objects.filter(questionnaire_id=questionnaire_id)
        .prefetch_related("choices")
        .order_by("order")
    )
    by_id = {q.pk: q for q in questions}
    info: dict[int, tuple[list[int], list[int]]] = {}
    for q in questions:
        choices = sorted(q.choices.all(), key=lambda c: c.order)
        ids = [c.pk for c in choices]
        slots = _slots(_weights(q.kind, q.code, [(c.code, c.polarity) for c in choices]))
        info[q.pk] = (ids, slots if ids else [])

    def condition(q: Any) -> tuple[Any, ...]:
        if q is None or q.condition_question_id is None:
            return (None, None, None, None)
        parent = by_id[q.condition_question_id]
        ids, slots = info[parent.pk]
        opening = [c.pk for c in parent.choices.all() if c.code in set(q.condition_codes)]
        return (parent.pk, ids, slots, opening)

    rows = []
    for q in questions:
        ids, slots = info[q.pk]
        first = condition(q)
        parent = by_id.get(q.condition_question_id) if q.condition_question_id else None
        second = condition(parent)
        if parent is not None and parent.condition_question_id is not None:
            grand = by_id[parent.condition_question_id]
            if grand.condition_question_id is not None:
                raise RuntimeError(f"{q.code} : plus de deux niveaux de conditions")
        for slot in (1, 2) if q.kind == "multiple" else (1,):
            rows.append(
                (questionnaire_id, q.pk, q.order, slot, q.kind, ids, slots, *first, *second)
            )
    return rows


SETUP_SQL = """
CREATE TABLE bench_plan (
    questionnaire_id int, question_id int, ord int, slot int, kind text,
    choices int[], slots int[],
    c1 int, c1_choices int[], c1_slots int[], c1_open int[],
    c2 int, c2_choices int[], c2_slots int[], c2_open int[]
);
CREATE TABLE bench_commune AS
    SELECT (row_number() OVER (ORDER BY insee_code))::int - 1 AS n, insee_code AS insee
    FROM survey_commune WHERE departement_code = '16';
CREATE UNIQUE INDEX ON bench_commune (n);
"""

# A percentile 0..99 of (response, seed): the same answer every time for the same ids.
_P = "((hashint8extended({r}::bigint, {seed}::bigint) & 1048575) %% 100)::int"


def _p(r: str, seed: str) -> str:
    return _P.format(r=r, seed=seed)


def answers_sql() -> str:
    """INSERT the answers of the responses of one questionnaire whose ids are in a range.

    Parameters: questionnaire id, first and last response id, number of communes."""
    asked_1, asked_2 = (
        f"(s.{c} IS NULL OR s.{c}_choices[s.{c}_slots[1 + {_p('s.rid', 's.' + c)}]] "
        f"= ANY(s.{c}_open))"
        for c in ("c1", "c2")
    )
    remarks = "ARRAY[" + ", ".join(f"'{t}'" for t in REMARKS) + "]"
    outside = "ARRAY[" + ", ".join(f"'{t}'" for t in OUTSIDE) + "]"
    skip_commune = COMMUNE_NONE
    outside_end = COMMUNE_NONE + COMMUNE_OUTSIDE
    angouleme_end = outside_end + COMMUNE_ANGOULEME
    cognac_end = angouleme_end + COMMUNE_COGNAC
    return f"""
INSERT INTO survey_answer (response_id, question_id, choice_id, commune_id, text)
SELECT s.rid, s.question_id,
    CASE WHEN s.kind IN ('commune', 'free_text') THEN NULL
         WHEN s.slot = 1 THEN s.choices[s.slots[1 + s.h1]]
         ELSE s.choices[s.slots[1 + s.h1] %% cardinality(s.choices) + 1] END,
    CASE WHEN s.kind <> 'commune' OR s.h1 < {outside_end} THEN NULL
         WHEN s.h1 < {angouleme_end} THEN '16015'
         WHEN s.h1 < {cognac_end} THEN '16102'
         ELSE (SELECT c.insee FROM bench_commune c WHERE c.n = s.h3 %% %(communes)s) END,
    CASE WHEN s.kind = 'commune' AND s.h1 < {outside_end}
              THEN ({outside})[1 + s.h3 %% {len(OUTSIDE)}]
         WHEN s.kind = 'free_text' THEN ({remarks})[1 + s.h3 %% {len(REMARKS)}]
         ELSE '' END
FROM (
    SELECT r.id AS rid, p.*,
        {_p("r.id", "p.question_id")} AS h1,
        {_p("r.id", "p.question_id + 1000000")} AS h2,
        ((hashint8extended(r.id::bigint, p.question_id + 2000000::bigint) & 1048575))::int AS h3
    FROM survey_response r
    CROSS JOIN bench_plan p
    WHERE r.questionnaire_id = %(questionnaire)s AND r.id BETWEEN %(first)s AND %(last)s
      AND p.questionnaire_id = %(questionnaire)s
    OFFSET 0
) s
WHERE {asked_1} AND {asked_2}
  AND CASE s.kind
        WHEN 'commune' THEN s.h1 >= {skip_commune}
        WHEN 'free_text' THEN s.h1 < {FREE_TEXT_PERCENT}
        ELSE s.slot = 1 OR s.h2 < {SECOND_CHOICE_PERCENT} END
ORDER BY s.rid, s.ord, s.slot
"""


RESPONSES_SQL = """
INSERT INTO survey_response (
    uuid, campaign_id, questionnaire_id, channel, site_id, interviewer_id, mode, device_id,
    started_at, submitted_at, received_at, voided_at, voided_by_id, void_reason
)
SELECT
    md5('bench-indicateurs-' || %(campaign)s || '-' || %(channel)s || '-' || g)::uuid,
    %(campaign)s, %(questionnaire)s, %(channel)s,
    CASE WHEN %(channel)s = 'phone' THEN (%(sites)s::int[])[1]
         WHEN g %% 100 < 70 THEN (%(sites)s::int[])[1]
         WHEN g %% 100 < 90 THEN (%(sites)s::int[])[2]
         ELSE (%(sites)s::int[])[3] END,
    (%(interviewers)s::int[])[1 + g %% cardinality(%(interviewers)s::int[])],
    %(mode)s,
    CASE WHEN %(channel)s = 'hall' THEN 'tablette-' || lpad((1 + g %% 4)::text, 2, '0')
         ELSE '' END,
    t.started, t.started + t.duration, t.started + t.duration + interval '2 seconds',
    CASE WHEN g %% 1000 < %(voided)s THEN t.started + interval '1 day' END,
    CASE WHEN g %% 1000 < %(voided)s THEN %(manager)s END,
    CASE WHEN g %% 1000 < %(voided)s THEN 'Questionnaire saisi deux fois.' ELSE '' END
FROM generate_series(1, %(count)s) AS g
CROSS JOIN LATERAL (
    SELECT
        ((%(start)s::date + (d + 2 * (d / 5)))::timestamp + interval '8 hours 30 minutes'
            + ((h / 10) %% 480) * interval '1 minute') AT TIME ZONE 'Europe/Paris' AS started,
        (3 + (h / 5000) %% 8) * interval '1 minute' AS duration
    FROM (SELECT (hashint8extended(g::bigint, %(campaign)s::bigint) & 1048575)::int AS h) x,
         LATERAL (SELECT (x.h %% 10) AS d) y
) t
ORDER BY g
"""

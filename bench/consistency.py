"""Did the server keep exactly what the tablets think it keeps? The comparison is pure
(``compare``, on plain data: tests/test_bench_faults.py feeds it hand-made cases); the rest
reads the database and needs Django configured against it.

A questionnaire's rows are compared as a multiset of (question id, choice id, commune id,
text): the rows the server would build from the JSON the tablet sent (``build_answers``)
against the rows stored. One stored row too many, too few or different is "incomplete".
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Row = tuple[int, int | None, str | None, str]  # question, choice, commune (INSEE), text
Rows = Counter[Row]


@dataclass(frozen=True)
class Verdict:
    sent: int  # distinct uuids the tablets sent
    accepted: int  # of them, answered 200 or 201
    stored: int  # Response rows
    lost: list[str]  # accepted, not stored
    unexpected: list[str]  # stored, never sent
    unconfirmed: list[str]  # stored, sent, never accepted: the tablet still holds it
    pending: list[str]  # sent, neither accepted nor stored
    duplicates: list[str]  # uuids stored more than once
    incomplete: list[str]  # stored rows that differ from what was sent
    misattributed: list[str]  # stored under another account than the sending tablet's
    tallies: int  # roll-up counts that differ from a recount (survey.tallies.check)

    @property
    def ok(self) -> bool:
        """stored = accepted = distinct sent, each once and whole; tallies = recount."""
        return not (
            self.lost
            or self.unexpected
            or self.unconfirmed
            or self.pending
            or self.duplicates
            or self.incomplete
            or self.misattributed
            or self.tallies
        )


def compare(
    sent: Mapping[str, Rows],
    accepted: Iterable[str],
    stored: Sequence[tuple[str, Rows]],
    *,
    tallies: int = 0,
    senders: Mapping[str, str] | None = None,
    owners: Mapping[str, str] | None = None,
) -> Verdict:
    """``sent``: uuid → the rows its JSON makes; ``stored``: one (uuid, rows) per stored
    questionnaire, so that a uuid stored twice shows; ``tallies``: differences found;
    ``senders`` and ``owners``: uuid → the account that sent it, that it is stored under."""
    senders, owners = senders or {}, owners or {}
    accepted = set(accepted)
    counts = Counter(client_uuid for client_uuid, _ in stored)
    kept = set(counts)
    return Verdict(
        sent=len(sent),
        accepted=len(accepted),
        stored=len(stored),
        lost=sorted(accepted - kept),
        unexpected=sorted(kept - set(sent)),
        unconfirmed=sorted((kept & set(sent)) - accepted),
        pending=sorted(set(sent) - accepted - kept),
        duplicates=sorted(u for u, n in counts.items() if n > 1),
        incomplete=sorted({u for u, rows in stored if u in sent and rows != sent[u]}),
        misattributed=sorted(u for u, owner in owners.items() if senders.get(u, owner) != owner),
        tallies=tallies,
    )


# -- from the database ---------------------------------------------------------------------


def expected_rows(questionnaire_id: int, bodies: Mapping[str, bytes]) -> dict[str, Rows]:
    """uuid → the rows the server builds from the answers in its body (built once for
    identical answers)."""
    from survey.models import Questionnaire
    from survey.services.responses import QuestionnaireSpec, build_answers

    spec = QuestionnaireSpec.load(Questionnaire.objects.get(pk=questionnaire_id))
    built: dict[str, Rows] = {}
    rows = {}
    for client_uuid, body in bodies.items():
        answers = json.dumps(json.loads(body)["answers"], sort_keys=True)
        if answers not in built:
            built[answers] = Counter(
                (a.question_id, a.choice_id, a.commune_id, a.text)
                for a in build_answers(spec, json.loads(answers))
            )
        rows[client_uuid] = built[answers]
    return rows


def stored_rows(
    usernames: Sequence[str], exclude: set[str]
) -> tuple[list[tuple[str, Rows]], dict[str, str]]:
    """(uuid, rows) of every questionnaire of these interviewers, but ``exclude``'s uuids
    (an earlier phase's), and uuid → the interviewer it is stored under: two reads,
    whatever the number."""
    from survey.models import Answer, Response

    responses: dict[int, str] = {}
    owners: dict[str, str] = {}
    for pk, client_uuid, owner in Response.objects.filter(
        interviewer__username__in=usernames
    ).values_list("pk", "uuid", "interviewer__username"):
        responses[pk] = str(client_uuid)
        owners.setdefault(str(client_uuid), owner)
    rows: dict[int, Rows] = {pk: Counter() for pk in responses}
    answers = Answer.objects.filter(response_id__in=list(responses)).values_list(
        "response_id", "question_id", "choice_id", "commune_id", "text"
    )
    for response_id, question_id, choice_id, commune_id, text in answers.iterator(
        chunk_size=10_000
    ):
        rows[response_id][(question_id, choice_id, commune_id, text)] += 1
    kept = [(u, rows[pk]) for pk, u in sorted(responses.items()) if u not in exclude]
    return kept, {u: owner for u, owner in owners.items() if u not in exclude}


def tally_differences() -> int:
    """Roll-up counts of every campaign that differ from a recount of the answers."""
    from survey import tallies
    from survey.models import Campaign

    return sum(len(tallies.check(campaign)) for campaign in Campaign.objects.all())


def check(
    questionnaire_id: int,
    usernames: Sequence[str],
    bodies: Mapping[str, bytes],
    accepted: Iterable[str],
    exclude: set[str],
    senders: Mapping[str, str] | None = None,
) -> Verdict:
    """The verdict on one phase; ``exclude``: uuids of earlier phases; ``senders``: uuid →
    the account of the tablet that sent it."""
    stored, owners = stored_rows(usernames, exclude)
    return compare(
        expected_rows(questionnaire_id, bodies),
        accepted,
        stored,
        tallies=tally_differences(),
        senders=senders,
        owners=owners,
    )


def sample(items: Sequence[Any], count: int = 3) -> str:
    """A few of ``items`` for a report line."""
    shown = ", ".join(str(item) for item in items[:count])
    return shown + (" …" if len(items) > count else "")

"""Roll-ups of the answers (``AnswerTally``), kept exact in the transaction of every write.

Why in survey, though only reports reads them: a tally is a count of survey's answers,
written in the transaction of the survey service that writes the answers (a submission,
a correction, a void, an import), so that it can never disagree with them. The writer
owns the count; the readers (reports/indicators.py, reports/tallies.py) read the table.
Had it stayed in reports, survey's services would have climbed a layer up to keep it.
A module of survey beside its services rather than one of them: it is their shared
building block (one SQL statement run in the caller's transaction, with no atomic block,
no user and no validation of its own), also called by the migrations that fill the
table and by ``reports.remarks`` for the demo's remarks.

The indicators (reports/indicators.py) read these rows instead of the answers: a SUM over
the campaign's tallies, some rows per question and per cell of the dashboard's filters,
instead of a GROUP BY over every answer. The answers stay the source of truth: ``rebuild``
recomputes a campaign's tallies from them, and ``check`` compares the two.

Who writes them, always in the transaction of the write itself:

- ``survey.services.responses.submit_response``: a new questionnaire, +1 (a replay adds
  nothing: it stores nothing);
- ``survey.services.corrections.correct_response``: the corrected questions, new − old;
- ``survey.services.corrections.void_response`` and ``restore_response``: −1 and +1,
  explicitly (no signal: ``Response.save`` alone leaves the tallies alone, and
  ``voided_at`` is not editable in the admin);
- ``survey.services.exchange.import_responses`` and ``survey.demo.responses``: +1, in bulk;
- ``reports.remarks.load_demo_remarks``: the remarks added to stored questionnaires.

A write that goes around these (``Response.save`` or ``QuerySet.update`` of
``voided_at``, raw SQL, a fixture) leaves the tallies behind the answers until
``manage.py rebuild_tallies`` (``--check`` says whether they agree).

Every tally write is one statement, ``INSERT … SELECT … ON CONFLICT (key) DO UPDATE SET
n = n + excluded.n``, computed by the database from the rows just written (no Python loop
over answers), with its rows in key order: two transactions that touch the same tallies
lock them in the same order, so they wait for each other, never deadlock. A correction
reads its old and new counts (two SELECTs) and writes their difference in one statement,
for the same reason. Rows that fall to 0 are deleted.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .models import TALLY_KEY, Answer, AnswerTally, Campaign, Organisation, Response
from .moments import clamped_sql, departement_zone_sql, local_day_sql

KEY = tuple("campaign_id" if name == "campaign" else name for name in TALLY_KEY)
Key = tuple[int, int, str, datetime.date, bool, int, int, str]
SQLITE_CHUNK = 500  # ids per statement on SQLite (at most 999 parameters there)
VALUES_CHUNK = 100  # rows of 9 values per INSERT … VALUES on SQLite


# --- writing -----------------------------------------------------------------------------------


def tally_responses(
    responses: Iterable[int | Response],
    sign: int = 1,
    *,
    questions: Iterable[int] | None = None,
    using: str | None = None,
) -> None:
    """Add (``sign`` = 1) or take away (−1) the answers of ``responses``, whether they are
    voided or not: the caller knows why. With ``questions``, only the answers to those
    questions, and not the questionnaires themselves (already counted).

    One statement on PostgreSQL whatever the number of questionnaires (one per
    ``SQLITE_CHUNK`` on SQLite, whose single writer cannot deadlock), and one more, taking
    away, for the rows that fell to 0.
    """
    ids = [r.pk if isinstance(r, Response) else int(r) for r in responses]
    if not ids or sign == 0:
        return
    connection = connections[using or DEFAULT_DB_ALIAS]
    only = None if questions is None else sorted(set(questions))
    if only == []:
        return
    chunks = [ids] if connection.vendor != "sqlite" else _chunks(ids, SQLITE_CHUNK)
    for chunk in chunks:
        where, params = _picked(connection, chunk)
        rows, row_params = _rows_sql(connection, where, params, only, sign)
        select = f"SELECT * FROM ({rows}) d WHERE true {_order(connection)}"
        _upsert(connection, select, row_params, may_empty=sign < 0)


def answer_counts(
    responses: Iterable[int | Response],
    *,
    questions: Iterable[int] | None = None,
    using: str | None = None,
) -> Counter[Key]:
    """What ``tally_responses`` would add for ``responses``, read and not written: the
    tally rows, by key. One query (per ``SQLITE_CHUNK`` on SQLite)."""
    ids = [r.pk if isinstance(r, Response) else int(r) for r in responses]
    only = None if questions is None else sorted(set(questions))
    counts: Counter[Key] = Counter()
    if not ids or only == []:
        return counts
    connection = connections[using or DEFAULT_DB_ALIAS]
    chunks = [ids] if connection.vendor != "sqlite" else _chunks(ids, SQLITE_CHUNK)
    for chunk in chunks:
        where, params = _picked(connection, chunk)
        counts.update(_read(connection, where, params, only))
    return counts


def apply(deltas: Mapping[Key, int], *, using: str | None = None) -> None:
    """Add ``deltas`` (key → change, from ``answer_counts``) to the tallies: one statement,
    its rows in key order (one per ``VALUES_CHUNK`` rows on SQLite)."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    rows = sorted((key, n) for key, n in deltas.items() if n)
    if not rows:
        return
    chunks = [rows] if connection.vendor != "sqlite" else _chunks(rows, VALUES_CHUNK)
    for chunk in chunks:
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        params: list[Any] = []
        for key, n in chunk:
            campaign, question, channel, day, dated, site, interviewer, answer = key
            day_value = connection.ops.adapt_datefield_value(day)
            params += [campaign, question, channel, day_value, dated, site, interviewer, answer, n]
        _upsert(connection, f"VALUES {values}", params, may_empty=any(n < 0 for _, n in chunk))


# --- rebuilding and checking -------------------------------------------------------------------


def rebuild(campaign: Campaign, *, using: str | None = None) -> int:
    """Recompute ``campaign``'s tallies from its counted answers; returns their number.
    Writers of tallies wait meanwhile (PostgreSQL: a table lock that readers ignore), so
    that no questionnaire stored during the rebuild is counted twice or missed."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    with transaction.atomic(using=connection.alias):
        _lock(connection)
        AnswerTally.objects.using(connection.alias).filter(campaign_id=campaign.pk).delete()
        where = "r.campaign_id = %s AND r.voided_at IS NULL"
        rows, params = _rows_sql(connection, where, [campaign.pk], None, 1)
        _insert(connection, f"SELECT * FROM ({rows}) d WHERE true", params)
        return AnswerTally.objects.using(connection.alias).filter(campaign_id=campaign.pk).count()


def rebuild_all(connection: BaseDatabaseWrapper) -> None:
    """Every campaign's tallies, from scratch, in one INSERT … SELECT (the migration that
    creates the table calls it, on its own connection)."""
    table = connection.ops.quote_name(AnswerTally._meta.db_table)
    with transaction.atomic(using=connection.alias):
        _lock(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
        rows, params = _rows_sql(connection, "r.voided_at IS NULL", [], None, 1)
        _insert(connection, f"SELECT * FROM ({rows}) d WHERE true", params)


@dataclass(frozen=True)
class Difference:
    key: Key
    stored: int
    expected: int


def check(campaign: Campaign, *, using: str | None = None) -> list[Difference]:
    """Where ``campaign``'s tallies disagree with its counted answers (empty: nowhere).
    Two queries: the tallies, and the same counts from the answers."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    expected = _read(connection, "r.campaign_id = %s AND r.voided_at IS NULL", [campaign.pk], None)
    stored: Counter[Key] = Counter()
    rows = (
        AnswerTally.objects.using(connection.alias)
        .filter(campaign_id=campaign.pk)
        .exclude(n=0)
        .values_list(*KEY, "n")
    )
    for *key, n in rows:
        stored[_key(key)] += n
    return [
        Difference(key, stored.get(key, 0), expected.get(key, 0))
        for key in sorted(set(stored) | set(expected))
        if stored.get(key, 0) != expected.get(key, 0)
    ]


# --- SQL ---------------------------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _picked(connection: BaseDatabaseWrapper, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """The condition on ``survey_response r`` that picks ``ids``."""
    if connection.vendor == "postgresql":
        return "r.id = ANY(%s)", [list(ids)]
    return f"r.id IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _rows_sql(
    connection: BaseDatabaseWrapper,
    where: str,
    params: list[Any],
    questions: list[int] | None,
    sign: int,
) -> tuple[str, list[Any]]:
    """SELECT of the tally rows (``KEY`` and ``n``, times ``sign``) of the questionnaires
    ``where`` picks in ``survey_response r``: one row per questionnaire cell (unless
    ``questions``), one per (cell, question, answer); each questionnaire is in two cells,
    its own and its channel's summary (``AnswerTally.SUMMARY``).

    A respondent's answer to a question is the list of its answer rows' tokens, ordered
    by choice id (the one row without a choice, if any, first): the choice id; ``c`` and
    the commune's code; ``t`` for a text, ``e`` for an empty one.
    """
    q = connection.ops.quote_name
    response, answer = q(Response._meta.db_table), q(Answer._meta.db_table)
    # Clamped: a moment stored beyond what Python reads must not break the tallies.
    moment, moment_params = clamped_sql(connection, "COALESCE(r.started_at, r.received_at)")
    # The collection day is a day in the zone of the campaign's organisation, as the week's.
    zone = departement_zone_sql(
        f"(SELECT o.departement_code FROM {q(Campaign._meta.db_table)} zc JOIN "
        f"{q(Organisation._meta.db_table)} o ON o.id = zc.organisation_id "
        "WHERE zc.id = r.campaign_id)"
    )
    day, day_params = local_day_sql(connection, moment, moment_params, zone)
    summary_day = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"
    cells = (
        f"SELECT r.id AS id, r.campaign_id AS campaign_id, r.channel AS channel, {day} AS day, "
        "(r.started_at IS NOT NULL) AS dated, r.site_id AS site_id, "
        f"COALESCE(r.interviewer_id, {AnswerTally.NO_INTERVIEWER}) AS interviewer_id "
        f"FROM {response} r WHERE {where} "
        f"UNION ALL SELECT r.id, r.campaign_id, r.channel, {summary_day}, (1 = 0), "
        f"{AnswerTally.SUMMARY}, {AnswerTally.SUMMARY} FROM {response} r WHERE {where}"
    )
    cell_params = [
        *day_params,
        *params,
        connection.ops.adapt_datefield_value(AnswerTally.SUMMARY_DAY),
        *params,
    ]
    token = (
        "CASE WHEN a.choice_id IS NOT NULL THEN CAST(a.choice_id AS TEXT) "
        "WHEN a.commune_id IS NOT NULL THEN 'c' || a.commune_id "
        "WHEN a.text <> '' THEN 't' ELSE 'e' END"
    )
    order = "COALESCE(a.choice_id, 0)"
    if connection.vendor == "postgresql":
        aggregate = f"string_agg({token}, ',' ORDER BY {order})"
    else:
        _register_sqlite_aggregate(connection)
        aggregate = f"tally_answer({order}, {token})"
    only, only_params = "", list[Any]()
    if questions is not None:
        if connection.vendor == "postgresql":
            only, only_params = " AND a.question_id = ANY(%s)", [questions]
        else:
            only = f" AND a.question_id IN ({', '.join(['%s'] * len(questions))})"
            only_params = list(questions)
    answers = (
        f"SELECT a.response_id AS response_id, a.question_id AS question_id, "
        f"{aggregate} AS answer FROM {answer} a "
        f"WHERE a.response_id IN (SELECT r.id FROM {response} r WHERE {where}){only} "
        "GROUP BY a.response_id, a.question_id"
    )
    cell = "c.campaign_id, c.channel, c.day, c.dated, c.site_id, c.interviewer_id"
    sql = (
        "SELECT c.campaign_id AS campaign_id, s.question_id AS question_id, "
        "c.channel AS channel, c.day AS day, c.dated AS dated, c.site_id AS site_id, "
        "c.interviewer_id AS interviewer_id, s.answer AS answer, COUNT(*) * %s AS n "
        f"FROM ({cells}) c JOIN ({answers}) s ON s.response_id = c.id "
        f"GROUP BY {cell}, s.question_id, s.answer"
    )
    sql_params = [sign, *cell_params, *params, *only_params]
    if questions is None:
        sql += (
            f" UNION ALL SELECT c.campaign_id, {AnswerTally.RESPONSES}, c.channel, c.day, "
            "c.dated, c.site_id, c.interviewer_id, '', COUNT(*) * %s "
            f"FROM ({cells}) c GROUP BY {cell}"
        )
        sql_params += [sign, *cell_params]
    return sql, sql_params


def _order(connection: BaseDatabaseWrapper) -> str:
    """Rows in key order, byte order for the texts whatever the database's collation, so
    that every writer locks the rows it updates in the same order as ``apply`` sorts."""
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    return (
        "ORDER BY d.campaign_id, d.question_id, "
        f"d.channel{collate}, d.day, d.dated, d.site_id, d.interviewer_id, d.answer{collate}"
    )


def _columns() -> str:
    return ", ".join(KEY) + ", n"


def _upsert(
    connection: BaseDatabaseWrapper, rows: str, params: list[Any], *, may_empty: bool
) -> None:
    """INSERT ``rows`` (a SELECT or VALUES of ``KEY`` and ``n``), adding to the tallies
    already there; if some take away (``may_empty``), delete those that fell to 0."""
    table = connection.ops.quote_name(AnswerTally._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({_columns()}) {rows} "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET n = {table}.n + excluded.n"
    )
    if not may_empty:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING id, n", params)
        emptied = [pk for pk, n in cursor.fetchall() if n == 0]
        if emptied:
            cursor.execute(
                f"DELETE FROM {table} WHERE n = 0 AND id IN ({', '.join(['%s'] * len(emptied))})",
                emptied,
            )


def _insert(connection: BaseDatabaseWrapper, rows: str, params: list[Any]) -> None:
    """INSERT ``rows`` into tallies known to be absent (a rebuild)."""
    table = connection.ops.quote_name(AnswerTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({_columns()}) {rows}", params)


def _read(
    connection: BaseDatabaseWrapper, where: str, params: list[Any], questions: list[int] | None
) -> Counter[Key]:
    rows, row_params = _rows_sql(connection, where, params, questions, 1)
    counts: Counter[Key] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(rows, row_params)
        for *key, n in cursor.fetchall():
            counts[_key(key)] += n
    return counts


def _key(values: Sequence[Any]) -> Key:
    """A key as Python compares it, whatever the database returned (SQLite: the day as
    text, the boolean as 0 or 1)."""
    campaign, question, channel, day, dated, site, interviewer, answer = values
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return (
        int(campaign),
        int(question),
        str(channel),
        day,
        bool(dated),
        int(site),
        int(interviewer),
        str(answer),
    )


def _lock(connection: BaseDatabaseWrapper) -> None:
    """Make writers of tallies wait until the transaction ends; readers go on. SQLite's
    single writer needs nothing."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(AnswerTally._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


class _AnswerOf:
    """SQLite aggregate ``tally_answer(order, token)``: the tokens of one respondent's
    answer, joined in order (PostgreSQL: ``string_agg(… ORDER BY …)``; SQLite before
    3.44 does not order an aggregate)."""

    def __init__(self) -> None:
        self.tokens: list[tuple[int, str]] = []

    def step(self, order: int, token: str) -> None:
        self.tokens.append((order, token))

    def finalize(self) -> str:
        return ",".join(token for _, token in sorted(self.tokens))


def _register_sqlite_aggregate(connection: BaseDatabaseWrapper) -> None:
    """Once per SQLite connection (the Python object, not a query)."""
    connection.ensure_connection()
    raw = connection.connection
    if getattr(connection, "_tally_aggregate_on", None) is not raw:
        raw.create_aggregate("tally_answer", 2, _AnswerOf)
        setattr(connection, "_tally_aggregate_on", raw)  # noqa: B010

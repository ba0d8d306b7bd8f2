"""Loading bench.indicators' responses and answers, then checking them.

The foreign-key triggers are off for the session (``session_replication_role =
replica``: the rows are right by construction, and ``verify`` checks them afterwards), the
secondary indexes of ``survey_answer`` are dropped before and built again after, exactly
as they were, and the answers go in by chunks of responses, in response order (as the
tablets send them), on ``jobs`` connections at once. Then the application's roll-ups,
if it has them (``survey.tallies.rebuild_all``: these rows went around
``submit_response``, which keeps them), and ANALYZE.

Needs Django configured (bench.harness.configure_django) against a throw-away database.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench.indicators_data import CHUNK, HALL_SHARE, START, VOIDED_PER_MILLE, Generation, Layout
from bench.indicators_plan import RESPONSES_SQL, SETUP_SQL, answers_sql, plan_rows

# -- loading -----------------------------------------------------------------------------


@contextlib.contextmanager
def timed(seconds: dict[str, float], step: str) -> Iterator[None]:
    """Add the wall time of the block to ``seconds[step]``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[step] = seconds.get(step, 0.0) + time.perf_counter() - started


def _connect(database_url: str) -> Any:
    import psycopg2

    connection = psycopg2.connect(database_url, connect_timeout=10)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '1GB'")
    return connection


def _insert_responses(cursor: Any, layout: Layout) -> None:
    from django.contrib.auth import get_user_model

    from survey.models import Site

    sites = list(
        Site.objects.filter(organisation_id=layout.organisation_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    users = get_user_model().objects
    interviewers = list(
        users.filter(
            memberships__organisation_id=layout.organisation_id,
            memberships__role="interviewer",
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    manager = users.get(username=layout.manager).pk
    hall = layout.size * HALL_SHARE // 100
    for channel, count in (("hall", hall), ("phone", layout.size - hall)):
        if count == 0:
            continue
        cursor.execute(
            RESPONSES_SQL,
            {
                "campaign": layout.campaign_id,
                "questionnaire": layout.questionnaires[channel],
                "channel": channel,
                "sites": sites,
                "interviewers": interviewers,
                "mode": "tablet" if channel == "hall" else "phone",
                "voided": VOIDED_PER_MILLE,
                "manager": manager,
                "count": count,
                "start": START,
            },
        )
        cursor.execute(
            "SELECT min(id), max(id), count(*) FROM survey_response "
            "WHERE campaign_id = %s AND channel = %s",
            [layout.campaign_id, channel],
        )
        first, last, rows = cursor.fetchone()
        layout.ranges[channel] = (first, last)
        layout.responses += rows


def _secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    """(name, definition) of survey_answer's indexes that back no constraint."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = 'survey_answer'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """
    )
    return [(name, definition) for name, definition in cursor.fetchall()]


def _chunks(layouts: list[Layout]) -> list[tuple[int, int, int]]:
    """(questionnaire, first id, last id) of every CHUNK responses."""
    chunks = []
    for layout in layouts:
        for channel, (first, last) in layout.ranges.items():
            questionnaire = layout.questionnaires[channel]
            for low in range(first, last + 1, CHUNK):
                chunks.append((questionnaire, low, min(last, low + CHUNK - 1)))
    return chunks


def _run_parallel(
    database_url: str,
    statements: list[tuple[str, dict[str, Any]]],
    jobs: int,
    progress: Callable[[int, int], None],
) -> None:
    """Run ``statements`` on ``jobs`` connections at once; the first error is raised."""
    work: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
    for item in statements:
        work.put(item)
    errors: list[BaseException] = []
    done = [0]
    lock = threading.Lock()

    def worker() -> None:
        try:
            with (
                contextlib.closing(_connect(database_url)) as connection,
                connection.cursor() as cursor,
            ):
                while not errors:
                    try:
                        sql, params = work.get_nowait()
                    except queue.Empty:
                        return
                    cursor.execute(sql, params)
                    with lock:
                        done[0] += 1
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, jobs))]
    for thread in threads:
        thread.start()
    total = len(statements)
    last = -1
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(timeout=5)
        if done[0] != last:
            last = done[0]
            progress(last, total)
    if errors:
        raise errors[0]


def _tallies_rebuilder() -> Callable[[], None] | None:
    """The application's rebuild of its roll-ups (``survey.tallies.rebuild_all``), if it
    has them: answers written around ``submit_response``, as here, leave them behind until
    it runs. None when there is no such module."""
    try:
        from survey import tallies
    except ImportError:
        return None
    rebuild_all = getattr(tallies, "rebuild_all", None)
    if rebuild_all is None:
        return None

    def rebuild() -> None:
        from django.db import connection, transaction

        with transaction.atomic():
            rebuild_all(connection)

    return rebuild


def generate(
    database_url: str, layouts: list[Layout], jobs: int, say: Callable[[str], None]
) -> Generation:
    """Insert every campaign's responses and answers; rebuild the indexes; ANALYZE."""
    seconds: dict[str, float] = {}
    _rebuild_tallies = _tallies_rebuilder()
    with contextlib.closing(_connect(database_url)) as connection, connection.cursor() as cursor:
        cursor.execute(SETUP_SQL)
        for layout in layouts:
            for questionnaire in layout.questionnaires.values():
                cursor.executemany(
                    "INSERT INTO bench_plan VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    plan_rows(questionnaire),
                )
        cursor.execute("SELECT count(*) FROM bench_commune")
        communes = int(cursor.fetchone()[0])

        with timed(seconds, "questionnaires (survey_response)"):
            for layout in layouts:
                _insert_responses(cursor, layout)

        indexes = _secondary_indexes(cursor)
        with timed(seconds, "index de survey_answer supprimés"):
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")

        sql = answers_sql()
        chunks = _chunks(layouts)
        statements = [
            (sql, {"questionnaire": q, "first": lo, "last": hi, "communes": communes})
            for q, lo, hi in chunks
        ]
        with timed(seconds, "réponses (survey_answer)"):
            started = time.perf_counter()

            def progress(done: int, total: int) -> None:
                say(
                    f"  réponses : {done}/{total} paquets de {CHUNK} questionnaires, "
                    f"{time.perf_counter() - started:.0f} s"
                )

            _run_parallel(database_url, statements, jobs, progress)

        with timed(seconds, "index de survey_answer reconstruits"):
            for name, definition in indexes:
                say(f"  index {name}")
                cursor.execute(definition)
        cursor.execute("DROP TABLE bench_plan, bench_commune")
        if _rebuild_tallies is not None:
            say("  comptes des indicateurs (survey.tallies.rebuild_all)")
            with timed(seconds, "comptes des indicateurs reconstruits"):
                _rebuild_tallies()
        with timed(seconds, "ANALYZE"):
            cursor.execute("ANALYZE")
        with timed(seconds, "vérification"):
            errors = verify(cursor, layouts)
        cursor.execute("SELECT count(*) FROM survey_response")
        responses = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT count(*), pg_table_size('survey_answer'), pg_indexes_size('survey_answer') "
            "FROM survey_answer"
        )
        answers, heap, index = cursor.fetchone()
    return Generation(
        layouts,
        seconds,
        responses,
        int(answers),
        int(heap),
        int(index),
        errors,
        _rebuild_tallies is not None,
    )


SAMPLE = 200  # responses per campaign (half per channel) that build_answers checks


def verify(cursor: Any, layouts: list[Layout]) -> list[str]:
    """What the foreign keys, the constraints and the submission's validation would have
    refused: nothing, or the list of what is wrong.

    Over every row: each choice belongs to its question, each commune exists. Over
    ``SAMPLE`` responses of each campaign, spread over its ids: the answers read back as
    the tablet would have sent them pass ``build_answers`` (skip logic, required answers,
    choices of the question) and give back exactly the rows stored."""
    errors = []
    cursor.execute(
        """
        SELECT count(*) FILTER (WHERE a.choice_id IS NOT NULL AND c.id IS NULL),
               count(*) FILTER (WHERE c.question_id <> a.question_id),
               count(*) FILTER (WHERE a.commune_id IS NOT NULL AND m.insee_code IS NULL)
        FROM survey_answer a
        LEFT JOIN survey_choice c ON c.id = a.choice_id
        LEFT JOIN survey_commune m ON m.insee_code = a.commune_id
        """
    )
    labels = ("choix inexistant", "choix d'une autre question", "commune inexistante")
    errors += [f"{label} : {n}" for label, n in zip(labels, cursor.fetchone(), strict=True) if n]
    for layout in layouts:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE voided_at IS NULL) FROM survey_response "
            "WHERE campaign_id = %s",
            [layout.campaign_id],
        )
        layout.responses, layout.counted = (int(v) for v in cursor.fetchone())
        cursor.execute(
            "SELECT count(*) FROM survey_answer a JOIN survey_response r "
            "ON r.id = a.response_id WHERE r.campaign_id = %s",
            [layout.campaign_id],
        )
        layout.answers = int(cursor.fetchone()[0])
        if layout.responses != layout.size:
            errors.append(f"campagne de {layout.size} : {layout.responses} questionnaires")
        errors += _validate_sample(layout)
    return errors


def _validate_sample(layout: Layout) -> list[str]:
    from django.core.exceptions import ValidationError

    from survey.models import Answer, Questionnaire
    from survey.services.responses import QuestionnaireSpec, build_answers

    errors = []
    for channel, (first, last) in layout.ranges.items():
        step = max(1, (last - first + 1) // (SAMPLE // 2))
        ids = list(range(first, last + 1, step))[: SAMPLE // 2]
        spec = QuestionnaireSpec.load(Questionnaire.objects.get(pk=layout.questionnaires[channel]))
        given: dict[int, dict[str, Any]] = {i: {} for i in ids}
        stored: dict[int, int] = dict.fromkeys(ids, 0)
        rows = Answer.objects.filter(response_id__in=ids).values_list(
            "response_id", "question__code", "question__kind", "choice__code", "commune_id", "text"
        )
        for response, code, kind, choice, commune, text in rows:
            stored[response] += 1
            answers = given[response]
            if kind == "multiple":
                answers.setdefault(code, []).append(choice)
            elif choice is not None:
                answers[code] = choice
            elif kind == "commune":
                answers[code] = {"insee": commune} if commune else {"outside": text}
            else:
                answers[code] = text
        for response, answers in given.items():
            try:
                built = build_answers(spec, answers)
            except ValidationError as error:
                errors.append(f"questionnaire {response} refusé : {error.messages[:3]}")
                continue
            if len(built) != stored[response]:
                errors.append(f"questionnaire {response} : {stored[response]} lignes, {len(built)}")
    return errors[:10]

"""The pure parts of the load and fault test (``python -m bench.load``): the consistency
checker must be able to fail, the tablets must retry as static/entry/queue.js does, and
the fault schedule must land while the load runs. The 2 × 60 s run itself is a benchmark
(bench/README.md), not a test."""

from __future__ import annotations

import datetime
import itertools
import json
import random
import uuid
from collections import Counter
from pathlib import Path

import pytest

from bench.consistency import Rows, Verdict, check, compare
from bench.faults import DATABASE, WORKER, schedule
from bench.tablets import (
    AUTH,
    INVALID,
    NETWORK,
    SERVER,
    STORED,
    Item,
    Tablet,
    backoff,
    classify,
)
from survey.models import Answer, Organisation, Questionnaire
from survey.services.responses import QuestionnaireSpec, Submission, submit_response
from tests.helpers_answers import complete_answers

from .factories import SiteFactory, UserFactory
from .helpers import open_canonical_campaign

WHOLE: Rows = Counter({(1, 10, None, ""): 1, (2, 20, None, ""): 1, (3, None, "16015", ""): 1})


def sent(*uuids: str) -> dict[str, Rows]:
    return dict.fromkeys(uuids, WHOLE)


# -- the checker on hand-made datasets ---------------------------------------------------------


def test_the_checker_passes_a_run_where_every_sent_questionnaire_is_stored_once_and_whole() -> None:
    verdict = compare(sent("a", "b"), {"a", "b"}, [("a", WHOLE), ("b", Counter(WHOLE))])

    assert verdict.ok
    assert (verdict.sent, verdict.accepted, verdict.stored) == (2, 2, 2)


def test_the_checker_finds_a_questionnaire_stored_twice() -> None:
    verdict = compare(sent("a", "b"), {"a", "b"}, [("a", WHOLE), ("b", WHOLE), ("a", WHOLE)])

    assert not verdict.ok
    assert verdict.duplicates == ["a"]
    assert verdict.stored == 3


def test_the_checker_finds_an_accepted_questionnaire_missing_from_the_database() -> None:
    verdict = compare(sent("a", "b"), {"a", "b"}, [("a", WHOLE)])

    assert not verdict.ok
    assert verdict.lost == ["b"]


def test_the_checker_finds_a_stored_questionnaire_with_an_answer_missing_or_added() -> None:
    short = Counter(WHOLE)
    del short[(2, 20, None, "")]
    doubled = Counter(WHOLE)
    doubled[(1, 10, None, "")] += 1

    verdict = compare(sent("a", "b", "c"), {"a", "b", "c"}, [("a", short), ("b", doubled)])

    assert not verdict.ok
    assert verdict.incomplete == ["a", "b"]
    assert verdict.lost == ["c"]


def test_the_checker_finds_a_different_answer_with_the_same_number_of_rows() -> None:
    changed = Counter(WHOLE)
    del changed[(3, None, "16015", "")]
    changed[(3, None, "16102", "")] = 1

    assert compare(sent("a"), {"a"}, [("a", changed)]).incomplete == ["a"]


def test_the_checker_finds_what_was_stored_without_being_sent_or_acknowledged() -> None:
    verdict = compare(sent("a", "b", "c"), {"a"}, [("a", WHOLE), ("b", WHOLE), ("z", WHOLE)])

    assert not verdict.ok
    assert verdict.unexpected == ["z"]  # never sent by any tablet
    assert verdict.unconfirmed == ["b"]  # stored, but the tablet still holds it
    assert verdict.pending == ["c"]  # neither acknowledged nor stored


def test_the_checker_finds_a_questionnaire_stored_under_another_account() -> None:
    verdict = compare(
        sent("a", "b"),
        {"a", "b"},
        [("a", WHOLE), ("b", WHOLE)],
        senders={"a": "enqueteur01", "b": "enqueteur02"},
        owners={"a": "enqueteur01", "b": "enqueteur01"},
    )

    assert not verdict.ok
    assert verdict.misattributed == ["b"]


def test_the_checker_fails_when_the_tallies_differ_from_a_recount() -> None:
    assert not compare(sent("a"), {"a"}, [("a", WHOLE)], tallies=1).ok


@pytest.mark.django_db
def test_the_checker_reads_the_account_and_a_missing_answer_row_in_the_database(
    organisation: Organisation,
) -> None:
    hall: Questionnaire = open_canonical_campaign(organisation).questionnaires.get(channel="hall")
    answers = complete_answers(QuestionnaireSpec.load(hall))
    interviewer = UserFactory(username="enqueteur01")
    site = SiteFactory(organisation=organisation)
    bodies = {}
    for _ in range(2):
        client_uuid = uuid.uuid4()
        submit_response(Submission(client_uuid, hall, site, answers, interviewer=interviewer))
        bodies[str(client_uuid)] = json.dumps({"answers": answers}).encode()

    damaged = sorted(bodies)[0]
    senders = dict.fromkeys(bodies, "enqueteur01")
    assert check(hall.pk, ["enqueteur01"], bodies, set(bodies), set(), senders).ok
    other = check(hall.pk, ["enqueteur01"], bodies, set(bodies), set(), {damaged: "enqueteur02"})
    assert other.misattributed == [damaged]

    Answer.objects.filter(response__uuid=damaged).order_by("pk").first().delete()
    verdict = check(hall.pk, ["enqueteur01"], bodies, set(bodies), set())

    assert verdict.incomplete == [damaged]
    assert verdict.tallies > 0  # the roll-ups still count the deleted row
    # An earlier phase's questionnaires are left out of this one's verdict.
    assert check(hall.pk, ["enqueteur01"], {}, set(), set(bodies)).stored == 0


# -- the tablets retry as queue.js does -------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (201, b'{"uuid": "x"}', STORED),
        (200, b'{"uuid": "x"}', STORED),
        (200, b"<html>connexion</html>", AUTH),  # a login page served in place of the API
        (302, b"", AUTH),
        (403, b"", AUTH),
        (401, b"", AUTH),
        (400, b'{"errors": {}}', INVALID),
        (404, b"", INVALID),
        (413, b"<html>trop gros</html>", INVALID),  # any 4xx is a refusal, kept
        (409, b'{"errors": {}}', INVALID),
        (409, b'{"code": "other_interviewer"}', AUTH),  # waits for its owner's session
        (500, b"", SERVER),
        (502, b"", SERVER),
        (429, b"", SERVER),  # "try again later"
        (408, b"", SERVER),
        (0, b"", NETWORK),
    ],
)
def test_an_answer_is_read_as_the_queue_reads_it(status: int, body: bytes, outcome: str) -> None:
    assert classify(status, body) == outcome


def test_the_delay_before_a_retry_doubles_from_five_seconds_up_to_five_minutes() -> None:
    rng = random.Random(1)
    for attempts, base in ((1, 5), (2, 10), (3, 20), (7, 300), (30, 300)):
        delays = [backoff(attempts, rng) for _ in range(50)]
        assert all(0.8 * base <= delay <= 1.2 * base for delay in delays)


def item(client_uuid: str = "u1", **kwargs: object) -> Item:
    return Item(client_uuid, b"{}", 0.0, **kwargs)  # type: ignore[arg-type]


def test_a_server_error_keeps_the_questionnaire_for_a_later_try_under_the_same_uuid() -> None:
    tablet = Tablet(0, random.Random(1))
    tablet.add(item())

    assert tablet.record(tablet.pending["u1"], 500, b"", 100.0, force=False) == SERVER
    assert tablet.record(tablet.pending["u1"], 0, b"", 100.0, force=False) == NETWORK

    kept = tablet.pending["u1"]
    assert kept.attempts == 2
    assert 108 <= kept.next_try <= 112
    assert tablet.due(105.0, force=False) == []
    assert tablet.due(105.0, force=True) == [kept]  # the network is back: sent at once
    tablet.record(kept, 503, b"", 105.0, force=True)
    assert kept.attempts == 1  # a forced try starts the delays over
    assert tablet.record(kept, 201, b'{"uuid": "u1", "id": 7, "created": true}', 111, force=False)
    assert tablet.pending == {}
    assert tablet.accepted == {"u1": 7}
    assert tablet.acceptance == [111]


def test_a_refused_questionnaire_is_never_sent_again() -> None:
    tablet = Tablet(0, random.Random(1))
    tablet.add(item())

    tablet.record(tablet.pending["u1"], 400, b'{"errors": {"site": ["inconnu"]}}', 1.0, force=False)

    assert tablet.due(1e9, force=True) == []
    assert "inconnu" in tablet.invalid["u1"]
    assert tablet.accepted == {}


def test_a_replay_that_the_server_creates_again_is_an_anomaly() -> None:
    tablet = Tablet(0, random.Random(1))
    tablet.add(item())
    tablet.record(
        tablet.pending["u1"], 201, b'{"uuid": "u1", "id": 7, "created": true}', 1, force=False
    )
    tablet.add(item(replay=True))

    tablet.record(
        tablet.pending["u1"], 201, b'{"uuid": "u1", "id": 8, "created": true}', 2, force=False
    )

    assert len(tablet.anomalies) == 2  # another id, and created again
    assert tablet.accepted == {"u1": 7}


# -- the fault schedule ------------------------------------------------------------------------


def test_the_faults_come_repeatedly_while_the_load_runs_and_the_same_seed_gives_the_same() -> None:
    strikes = schedule(60, database_every=6, worker_every=15, rng=random.Random(3))

    assert strikes == schedule(60, database_every=6, worker_every=15, rng=random.Random(3))
    assert [s.offset for s in strikes] == sorted(s.offset for s in strikes)
    assert all(0 < s.offset < 54 for s in strikes)
    database = [s.offset for s in strikes if s.kind == DATABASE]
    workers = [s.offset for s in strikes if s.kind == WORKER]
    assert 6 <= len(database) <= 12
    assert 2 <= len(workers) <= 5
    gaps = [b - a for a, b in itertools.pairwise(database)]
    assert all(4.5 - 0.002 <= gap <= 7.5 + 0.002 for gap in gaps)  # offsets to the ms


def test_a_fault_kind_whose_period_is_zero_never_comes() -> None:
    strikes = schedule(60, database_every=0, worker_every=15, rng=random.Random(3))

    assert strikes
    assert {s.kind for s in strikes} == {WORKER}


# -- the report --------------------------------------------------------------------------------


def test_the_report_shows_each_pass_its_faults_and_a_missed_objective() -> None:
    import argparse

    from bench.faults import Blow
    from bench.load import Phase, Result
    from bench.load_faults import Outcome, Run, parse_args
    from bench.load_faults_report import report
    from bench.scenario import Fixture

    args: argparse.Namespace = parse_args(["--tablets", "2", "--duration", "20"])
    fixture = Fixture(
        1, [1], {"q": "a"}, 45, ["enqueteur01", "enqueteur02"], "/static/x.css", MOMENT
    )
    baseline = Phase("référence", [Result("login_page", 200, 0.05, True)] * 4, 2.0, cpu=CPU)
    clean = Tablet(0, random.Random(1))
    clean.results = [Result("create", 201, 0.1, True, at=100 + i) for i in range(20)]
    faulty = Tablet(1, random.Random(2))
    faulty.results = [
        Result("create", 500, 0.3, False, at=200.0),
        Result("retry", 0, 0.0, False, at=205.0),
        Result("retry", 200, 0.2, True, at=222.0),
    ]
    runs = [
        Run("sans panne", [clean], Phase("a", clean.results, 20, started=100, cpu=CPU), ok()),
        Run(
            "avec pannes",
            [faulty],
            Phase("b", faulty.results, 25, started=200, cpu=CPU),
            compare(sent("a", "b"), {"a", "b"}, [("a", WHOLE), ("a", WHOLE), ("b", WHOLE)]),
            [Blow(4.0, DATABASE, 5, 2), Blow(12.0, WORKER, 1, 1, "processus 12")],
        ),
    ]
    outcome = Outcome(args, fixture, baseline, runs, Counter({"OperationalError: x": 3}), "15", "1")

    text = report(outcome)

    assert "| enregistrés en double | 0 | 0 | 1 |" in text
    assert "passe « sans panne » **atteint** ; passe « avec pannes » **manqué**" in text
    assert "500 × 1" in text
    assert "sans réponse (connexion coupée, délai dépassé) × 1" in text
    assert "| passe « avec pannes » | 300 / 300 | – | 200 / 200 |" in text  # 0–10, 10–20, after
    assert "| … pannes (connexions coupées, processus tués) | 1, 0 | 0, 1 | – |" in text
    assert "3 × `OperationalError: x`" in text
    # 2 CPU seconds over 20 attempts; 2 tablets, one questionnaire every 5 s: 0.4 a second.
    assert "passe « sans panne » 100,0 ms, soit 0,04 cœur au rythme prévu" in text


MOMENT = datetime.datetime(2016, 10, 3, 10, tzinfo=datetime.UTC)
CPU = {"gunicorn": 1.0, "postgres": 1.0, "clients": 0.5, "autres": 0.5, "capacité": 10.0}


def ok() -> Verdict:
    return compare(sent("a"), {"a"}, [("a", WHOLE)])


def test_the_log_summary_counts_the_exception_each_500_ended_with(tmp_path: Path) -> None:
    from bench.load_faults import server_errors

    log = tmp_path / "gunicorn.log"
    log.write_text(
        "Internal Server Error: /saisie/api/reponses/\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n'
        "AttributeError: 'SessionStore' object has no attribute '_session_cache'\n"
        "\n"
        "During handling of the above exception, another exception occurred:\n"
        "\n"
        "Traceback (most recent call last):\n"
        "psycopg2.OperationalError: server closed the connection unexpectedly\n"
        "\tThis probably means the server terminated abnormally\n"
        "\n"
        "The above exception was the direct cause of the following exception:\n"
        "\n"
        "Traceback (most recent call last):\n"
        '  File "y.py", line 2, in g\n'
        "django.db.utils.OperationalError: server closed the connection unexpectedly\n"
        "\tThis probably means the server terminated abnormally\n"
        '127.0.0.1 - - [07/Dec/2026:19:20:00 +0000] "POST /saisie/api/reponses/" 500 145\n'
        "[2026-12-07 19:20:01 +0000] [4242] [ERROR] Worker (pid:4243) was sent SIGKILL!"
        " Perhaps out of memory?\n"
        "Internal Server Error: /compte/connexion/\n"
        "Traceback (most recent call last):\n"
        "ValueError: boom\n"
    )

    assert server_errors(log) == Counter(
        {
            "/saisie/api/reponses/ : django.db.utils.OperationalError: server closed the "
            "connection unexpectedly": 1,
            "Worker (pid:N) was sent SIGKILL! Perhaps out of memory?": 1,
            "/compte/connexion/ : ValueError: boom": 1,
        }
    )

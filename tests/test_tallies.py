"""The indicators' tallies (survey/tallies.py) give every figure the answers give, under
every filter, after every kind of write; concurrent writers keep them exact; the
``rebuild_tallies`` command rebuilds and checks them; reading them costs a fixed number
of queries and never the answers."""

from __future__ import annotations

import datetime
import threading
import uuid
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.indicators import Filter, Indicators, clear_structure_cache, compute
from reports.tallies import counted_interviewers
from survey import tallies
from survey.models import (
    AnswerTally,
    Choice,
    Commune,
    Organisation,
    Polarity,
    Questionnaire,
    Response,
    Role,
    Site,
)
from survey.services.corrections import correct_response, restore_response, void_response
from survey.services.exchange import import_responses
from survey.services.responses import QuestionnaireSpec, Submission, submit_response

from .factories import SiteFactory, UserFactory
from .helpers import MONDAY, Survey, client_for, open_canonical_campaign
from .helpers_answers import complete_answers

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def figures(indicators: Indicators) -> dict[str, Any]:
    """Every figure of ``indicators``, by name, so that a difference names its figure."""
    found: dict[str, Any] = {
        "total": indicators.total,
        "by_channel": indicators.by_channel,
        "by_day": indicators.by_day,
        "arrondissements": indicators.arrondissements,
        "epcis": indicators.epcis,
        "outside_departement": indicators.outside_departement,
        "comparison_year": indicators.comparison_year,
        "previous_by_channel": indicators.previous_by_channel,
    }
    for code, result in indicators.questions.items():
        found[f"{code}: answered"] = result.answered
        found[f"{code}: base"] = result.base
        found[f"{code}: favourable"] = result.favourable
        found[f"{code}: previous"] = result.previous
        for share in result.shares:
            found[f"{code}={share.code}"] = share
    return found


def assert_tallies_give_the_raw_figures(survey: Survey, filters: list[Filter]) -> None:
    assert tallies.check(survey.campaign) == []
    for flt in filters:
        tallied = figures(compute(survey.campaign, flt))
        raw = figures(compute(survey.campaign, flt, source="raw"))
        assert tallied == raw, flt


def import_row(spec: QuestionnaireSpec, site: Site, **cells: str) -> dict[str, str]:
    """A spreadsheet row (docs/formats.md) of a complete questionnaire."""
    row = {"site": site.name}
    for code, value in complete_answers(spec).items():
        if isinstance(value, list):
            row[code] = "|".join(value)
        elif isinstance(value, dict):
            row[code] = value.get("insee") or f"hors:{value['outside']}"
        else:
            row[code] = value
    row.update(cells)
    return row


@pytest.fixture
def busy(organisation: Organisation) -> tuple[Survey, list[Filter]]:
    """A campaign (and the previous year's) after submissions in two sites, two weeks,
    with and without interviewer or start time, then corrections, voids, a restore and an
    import; and the filters to compare it under."""
    before = Survey(organisation, 2015)
    before.file(hall_satisfaction_globale="satisfaisant", profil_commune={"insee": "16102"})
    before.file(before.phone, hall_satisfaction_globale="peu_satisfaisant")
    now = Survey(organisation, 2016)
    cognac = SiteFactory(organisation=organisation, name="Sous-préfecture de Cognac")
    trainee, manager = UserFactory(), UserFactory()
    first = now.file(info_source=["internet", "mairie"], profil_commune={"insee": "16015"})
    now.file(at=MONDAY + DAY, site=cognac, interviewer=trainee, profil_commune={"insee": "16102"})
    voided = now.file(
        at=MONDAY + 2 * DAY,
        hall_satisfaction_globale="sans_reponse",
        profil_commune={"outside": "Bordeaux"},
    )
    restored = now.file(now.phone, at=MONDAY + 8 * DAY, interviewer=trainee)
    now.file(at=MONDAY + 9 * DAY, info_renseigne="non", info_source=None, profil_commune=None)
    late = datetime.datetime(2016, 10, 3, 22, 30, tzinfo=datetime.UTC)  # the 4th in Paris
    now.file(at=late, site=cognac, info_source=["telephone"], remarques=None)
    spec = QuestionnaireSpec.load(now.hall)
    undated, _ = submit_response(  # no start time: counted on the day it was received
        Submission(uuid.uuid4(), now.hall, now.site, complete_answers(spec))
    )

    corrected = complete_answers(spec)
    corrected.update(
        info_source=["telephone", "internet", "autre"],
        hall_satisfaction_globale="peu_satisfaisant",
        profil_commune={"outside": "Poitiers"},
    )
    correct_response(first, corrected, user=manager, reason="Erreur de saisie.")
    correct_response(undated, corrected, user=manager, reason="Erreur de saisie.")
    void_response(voided, user=manager, reason="Doublon.")
    void_response(restored, user=manager, reason="Par erreur.")
    restore_response(restored, user=manager, reason="Annulé par erreur.")
    import_responses(
        now.hall,
        [
            import_row(spec, cognac, recueilli_le="2016-10-12T10:00:00+02:00"),
            import_row(
                spec,
                now.site,
                envoye_le="2016-10-13T16:00:00+02:00",
                info_renseigne="non",
                info_source="",
            ),
            import_row(spec, now.site, recueilli_le="12/10/2016 09:30", profil_commune="16102"),
        ],
        user=manager,
    )
    filters = [
        Filter(),
        Filter(channel="hall"),
        Filter(channel="phone"),
        Filter(site_id=cognac.pk),
        Filter(week=datetime.date(2016, 10, 5)),
        Filter(week=datetime.date(2016, 10, 12)),
        Filter(interviewer_id=trainee.pk),
        Filter(channel="hall", week=datetime.date(2016, 10, 12), site_id=cognac.pk),
    ]
    return now, filters


def test_tallies_give_every_figure_the_answers_give_after_every_kind_of_write(
    busy: tuple[Survey, list[Filter]],
) -> None:
    survey, filters = busy

    assert_tallies_give_the_raw_figures(survey, filters)
    everything = compute(survey.campaign)
    assert everything.total == 9  # 7 submitted, 1 voided, 3 imported
    assert everything.question("info_source").base == 7
    assert everything.comparison_year == 2015
    assert compute(survey.campaign, Filter(week=datetime.date(2016, 10, 12))).total == 4


def test_a_choice_made_outside_the_base_or_a_commune_moved_changes_both_alike(
    busy: tuple[Survey, list[Filter]],
) -> None:
    """Tallies name questions, choices and communes by id: their codes, polarities and
    groupings are read at count time, as the answers' are."""
    survey, filters = busy
    internet = Choice.objects.filter(
        question__questionnaire__campaign=survey.campaign,
        question__code="info_source",
        code="internet",
    )
    for choice in internet:
        choice.polarity = Polarity.OUTSIDE
        choice.save()
    cognac = Commune.objects.get(pk="16102")
    Commune.objects.filter(pk="16015").update(
        epci_id=cognac.epci_id, arrondissement_id=cognac.arrondissement_id
    )

    assert_tallies_give_the_raw_figures(survey, filters)


def test_a_submission_writes_its_tallies_in_one_statement_and_a_replay_none(
    organisation: Organisation,
) -> None:
    campaign = open_canonical_campaign(organisation)
    hall = campaign.questionnaires.get(channel="hall")
    spec = QuestionnaireSpec.load(hall)
    same = Submission(
        uuid.uuid4(), hall, SiteFactory(organisation=organisation), complete_answers(spec)
    )

    with CaptureQueriesContext(connection) as first:
        submit_response(same, spec=spec)
    with CaptureQueriesContext(connection) as replay:
        submit_response(same, spec=spec)

    def writes(queries: CaptureQueriesContext) -> int:
        return sum('"reports_answertally"' in q["sql"] for q in queries.captured_queries)

    assert (writes(first), writes(replay)) == (1, 0)
    assert tallies.check(campaign) == []
    counted = AnswerTally.objects.filter(question_id=AnswerTally.RESPONSES)
    # Counted twice: in its own cell, and in the hall's summary cell.
    assert sorted(counted.values_list("site_id", "channel", "n")) == [
        (AnswerTally.SUMMARY, "hall", 1),
        (same.site.pk, "hall", 1),
    ]


def test_voiding_and_correcting_to_the_same_answers_keep_the_tallies_exact(
    organisation: Organisation,
) -> None:
    survey = Survey(organisation)
    kept = survey.file()
    voided = survey.file(hall_satisfaction_globale="peu_satisfaisant")
    void_response(voided, user=UserFactory(), reason="Doublon.")
    rows = AnswerTally.objects.count()
    spec = QuestionnaireSpec.load(survey.hall)
    correct_response(kept, complete_answers(spec), user=UserFactory(), reason="Relu.")

    assert AnswerTally.objects.count() == rows
    assert not AnswerTally.objects.filter(n__lte=0).exists()  # the voided one's rows left
    assert_tallies_give_the_raw_figures(survey, [Filter()])


def test_voiding_and_restoring_through_the_services_leave_the_tallies_a_rebuild_gives(
    organisation: Organisation,
) -> None:
    """The services take the questionnaire out of the tallies and put it back themselves,
    in their transaction (no signal on ``Response.save``): after each, the stored rows are
    those a rebuild from the answers writes."""
    survey = Survey(organisation)
    survey.file()
    target = survey.file(survey.phone, at=MONDAY + DAY, interviewer=UserFactory())
    manager = UserFactory()

    def stored() -> list[tuple[Any, ...]]:
        rows = AnswerTally.objects.filter(campaign=survey.campaign)
        return sorted(rows.values_list(*tallies.KEY, "n"))

    void_response(target, user=manager, reason="Doublon.")
    voided = stored()
    tallies.rebuild(survey.campaign)
    assert stored() == voided
    assert compute(survey.campaign).total == 1

    restore_response(target, user=manager, reason="Annulé par erreur.")
    restored = stored()
    tallies.rebuild(survey.campaign)
    assert stored() == restored
    assert compute(survey.campaign).total == 2


def test_the_command_rebuilds_and_checks_the_tallies(
    busy: tuple[Survey, list[Filter]], capsys: pytest.CaptureFixture[str]
) -> None:
    survey, filters = busy
    Response.objects.filter(campaign=survey.campaign, channel="phone").update(
        voided_at=timezone.now()  # around the services: the tallies are left behind
    )
    AnswerTally.objects.filter(campaign=survey.campaign, question_id__gt=0).first().delete()  # type: ignore[union-attr]

    with pytest.raises(CommandError, match="diffèrent"):
        call_command("rebuild_tallies", "--check")
    assert "effectifs diffèrent" in capsys.readouterr().err
    call_command("rebuild_tallies", str(survey.campaign.pk))
    call_command("rebuild_tallies", "--check")

    assert_tallies_give_the_raw_figures(survey, filters)
    assert compute(survey.campaign, Filter(channel="phone")).total == 0
    with pytest.raises(CommandError, match="introuvables"):
        call_command("rebuild_tallies", "999999")


def test_rebuilding_every_campaign_as_the_migration_does_gives_the_same_tallies(
    busy: tuple[Survey, list[Filter]],
) -> None:
    survey, filters = busy
    kept = sorted(AnswerTally.objects.values_list(*tallies.KEY, "n"))

    tallies.rebuild_all(connection)

    assert sorted(AnswerTally.objects.values_list(*tallies.KEY, "n")) == kept
    assert_tallies_give_the_raw_figures(survey, filters[:1])


def test_the_demo_and_its_remarks_are_tallied() -> None:
    from demo.loader import load_demo

    campaign = load_demo().campaign

    assert tallies.check(campaign) == []
    assert compute(campaign).total == 266
    assert figures(compute(campaign)) == figures(compute(campaign, source="raw"))


def test_reading_the_tallies_never_reads_the_answers(busy: tuple[Survey, list[Filter]]) -> None:
    survey, filters = busy

    for flt in filters:
        with CaptureQueriesContext(connection) as captured:
            compute(survey.campaign, flt)
        assert len(captured) <= 8
        assert not [q for q in captured.captured_queries if '"survey_answer"' in q["sql"]]


def test_the_dashboard_costs_the_same_queries_whatever_the_data(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    small = Survey(organisation)
    small.file()
    big = Survey(other_organisation)
    cognac = SiteFactory(organisation=other_organisation)
    for day in range(10):
        big.file(at=MONDAY + day * DAY, site=cognac if day % 2 else big.site)
        big.file(big.phone, at=MONDAY + day * DAY, interviewer=UserFactory())

    def queries(
        survey: Survey, role_org: Organisation, *, kept: bool = False, **params: str
    ) -> list[str]:
        if not kept:  # the questionnaires' structure read afresh, as after a change
            clear_structure_cache()
        client: Client = client_for(Role.QUALITY_MANAGER, role_org)
        url = reverse("reports:campaign_dashboard", args=[survey.campaign.pk])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    few = queries(small, organisation)
    assert len(queries(big, other_organisation)) == len(few)
    assert len(queries(big, other_organisation, canal="phone")) == len(few)
    assert not [sql for sql in few if '"survey_answer"' in sql]
    # Kept from the previous request: the questions and the choices are not read again.
    warm = queries(big, other_organisation, kept=True, canal="phone")
    assert len(warm) == len(few) - 2
    assert not [sql for sql in warm if '"survey_choice"' in sql]


# --- concurrency (PostgreSQL) ------------------------------------------------------------------

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_simultaneous_writers_keep_the_tallies_exact_and_never_deadlock(
    organisation: Organisation,
) -> None:
    """Submissions, corrections and voids at once, on the same tallies (same site, day
    and interviewer): every upsert takes its row locks in key order, so they wait for each
    other and none fails."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: concurrent upserts need PostgreSQL (run in CI)")
    campaign = open_canonical_campaign(organisation)
    hall = Questionnaire.objects.select_related("campaign").get(campaign=campaign, channel="hall")
    spec = QuestionnaireSpec.load(hall)
    site = SiteFactory(organisation=organisation)
    manager = UserFactory()
    statuses = [c.code for c in spec.choices[spec.by_code["profil_statut"].pk].values()]

    def answers(i: int) -> dict[str, Any]:
        values = complete_answers(spec)
        values["profil_statut"] = statuses[i % len(statuses)]
        values["info_source"] = ["internet", "mairie"] if i % 2 else ["telephone"]
        return values

    def submit(i: int) -> Response:
        response, _ = submit_response(
            Submission(uuid.uuid4(), hall, site, answers(i), started_at=MONDAY), spec=spec
        )
        return response

    existing = [submit(i) for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            for j in range(4):
                submit(i + j)
                if i % 3 == 1:
                    response = existing[i]
                    correct_response(response, answers(i + j + 1), user=manager, reason="Relu.")
                elif i % 3 == 2 and j % 2 == 0:
                    void_response(existing[i], user=manager, reason="Doublon.")
                elif i % 3 == 2:
                    restore_response(existing[i], user=manager, reason="Rétabli.")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert tallies.check(campaign) == []
    assert compute(campaign).total == THREADS + THREADS * 4


def test_the_interviewer_filter_lists_who_collected_counted_questionnaires(
    organisation: Organisation,
) -> None:
    now = Survey(organisation, 2016)
    other = Survey(Organisation.objects.create(name="Préfecture de la Vienne"), 2016)
    zoe, adam, gone, elsewhere = (UserFactory(username=name) for name in ("zoe", "adam", "x", "y"))
    manager = UserFactory()
    now.file(interviewer=zoe)
    now.file(now.phone, at=MONDAY + DAY, interviewer=adam)
    now.file(interviewer=adam)
    now.file()  # no interviewer
    void_response(now.file(interviewer=gone), user=manager, reason="Doublon.")
    other.file(interviewer=elsewhere)

    with CaptureQueriesContext(connection) as queries:
        found = counted_interviewers(now.campaign)

    assert [user.get_username() for user in found] == ["adam", "zoe"]
    assert len(queries) == 1

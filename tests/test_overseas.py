"""A prefecture overseas counts on its own clock (issue 15, point 6): its collection days,
its dashboard's week filter, its e-mail deadlines (working days and public holidays of its
département) and its report's dates are those of its zone, not Paris's.

La Réunion is UTC+4 all year; Guadeloupe UTC-4; Paris UTC+2 until the last Sunday of
October, UTC+1 after. 20:30 UTC on Tuesday 4 October 2016 is 22:30 that day in Paris and
00:30 on Wednesday 5 in La Réunion.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mystery.tables import email_timings
from mystery.workdays import WorkingCalendar
from reports.audit.document import report_date
from reports.indicators import Filter, compute
from survey import moments, tallies
from survey.models import CampaignStatus, Organisation, Role
from survey.spreadsheets import Cells, format_moment, parse_moment

from .factories import CampaignFactory, MysteryEmailFactory, OrganisationFactory
from .helpers import client_for
from .test_indicators import Survey

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
EVENING = datetime.datetime(2016, 10, 4, 20, 30, tzinfo=UTC)  # Réunion: the 5th, 00:30
REUNION = ZoneInfo("Indian/Reunion")
GUADELOUPE = ZoneInfo("America/Guadeloupe")


@pytest.fixture
def reunion(db: Any) -> Organisation:
    return OrganisationFactory(name="Préfecture de La Réunion", departement_code="974")


@pytest.fixture
def guadeloupe(db: Any) -> Organisation:
    return OrganisationFactory(name="Préfecture de la Guadeloupe", departement_code="971")


def test_the_zone_follows_the_departement(
    reunion: Organisation, guadeloupe: Organisation, organisation: Organisation
) -> None:
    assert (reunion.time_zone, guadeloupe.time_zone) == ("Indian/Reunion", "America/Guadeloupe")
    assert organisation.time_zone == "Europe/Paris"  # the Charente
    assert moments.zone_of(reunion) == REUNION
    assert moments.zone_of(None) == moments.PARIS
    organisation.departement_code = "976"
    organisation.save(update_fields=["departement_code"])
    organisation.refresh_from_db()
    assert moments.zone_of(organisation) == ZoneInfo("Indian/Mayotte")
    assert Organisation.objects.filter(time_zone="Indian/Mayotte").count() == 1


def test_a_late_evening_counts_on_the_next_day_in_la_reunion(
    reunion: Organisation, organisation: Organisation
) -> None:
    overseas, charente = Survey(reunion), Survey(organisation)
    overseas.file(at=EVENING)
    charente.file(at=EVENING)

    five, four = datetime.date(2016, 10, 5), datetime.date(2016, 10, 4)
    assert compute(overseas.campaign).by_day["hall"] == [(five, 1)]
    assert compute(overseas.campaign, source="raw").by_day["hall"] == [(five, 1)]
    assert compute(charente.campaign).by_day["hall"] == [(four, 1)]
    assert compute(charente.campaign, source="raw").by_day["hall"] == [(four, 1)]
    assert tallies.check(overseas.campaign) == []
    tallies.rebuild(overseas.campaign)  # the rebuild's SQL counts the same days
    assert compute(overseas.campaign).by_day["hall"] == [(five, 1)]


def test_an_evening_in_guadeloupe_is_the_next_day_in_paris(guadeloupe: Organisation) -> None:
    survey = Survey(guadeloupe)
    survey.file(at=datetime.datetime(2016, 10, 5, 2, 30, tzinfo=UTC))  # 4th, 22:30 there

    assert compute(survey.campaign).by_day["hall"] == [(datetime.date(2016, 10, 4), 1)]
    assert tallies.check(survey.campaign) == []


def test_the_week_filter_counts_the_organisations_days(reunion: Organisation) -> None:
    survey = Survey(reunion)
    sunday_night = datetime.datetime(2016, 10, 9, 21, 0, tzinfo=UTC)  # Monday 10th there
    survey.file(at=sunday_night)

    for source in ("tallies", "raw"):
        first = compute(survey.campaign, Filter(week=datetime.date(2016, 10, 5)), source=source)
        second = compute(survey.campaign, Filter(week=datetime.date(2016, 10, 12)), source=source)
        assert (first.total, second.total) == (0, 1), source


def test_the_dashboards_week_filter_in_la_reunion(reunion: Organisation) -> None:
    survey = Survey(reunion)
    survey.file(at=datetime.datetime(2016, 10, 9, 21, 0, tzinfo=UTC))  # Monday 10th there
    client = client_for(Role.QUALITY_MANAGER, reunion)
    url = reverse("reports:campaign_dashboard", args=[survey.campaign.pk])

    first = client.get(url, {"semaine": "2016-10-03"})
    second = client.get(url, {"semaine": "2016-10-10"})

    assert first.status_code == second.status_code == 200
    assert (first.context["indicators"].total, second.context["indicators"].total) == (0, 1)


def test_the_entry_window_opens_at_midnight_in_la_reunion(
    reunion: Organisation, organisation: Organisation
) -> None:
    overseas, charente = Survey(reunion), Survey(organisation)
    early = datetime.datetime(2016, 10, 2, 21, 0, tzinfo=UTC)  # 3rd, 01:00 in La Réunion

    assert overseas.campaign.entry_window()[0] == datetime.datetime(2016, 10, 2, 20, 0, tzinfo=UTC)
    overseas.campaign.check_response_moments(started_at=early, submitted_at=early)
    with pytest.raises(ValidationError) as paris:  # 23:00 on the 2nd in Paris
        charente.campaign.check_response_moments(started_at=early, submitted_at=early)
    assert "du 03/10/2016 00:00 au" in paris.value.message_dict["started_at"][0]
    assert "heure de Paris" in paris.value.message_dict["started_at"][0]

    too_early = datetime.datetime(2016, 10, 2, 19, 0, tzinfo=UTC)  # 23:00 on the 2nd there
    with pytest.raises(ValidationError) as refused:
        overseas.campaign.check_response_moments(started_at=too_early, submitted_at=None)
    message = refused.value.message_dict["started_at"][0]
    assert message.startswith("Le début du questionnaire (02/10/2016 23:00)")
    assert "du 03/10/2016 00:00 au" in message
    assert message.endswith("heure locale (Indian/Reunion).")


def test_an_import_reads_times_without_offset_in_the_organisations_zone() -> None:
    assert parse_moment("10/10/2016 09:30", REUNION) == datetime.datetime(
        2016, 10, 10, 5, 30, tzinfo=UTC
    )
    assert parse_moment("10/10/2016 09:30") == datetime.datetime(2016, 10, 10, 7, 30, tzinfo=UTC)
    assert format_moment(EVENING, REUNION) == "2016-10-05T00:30:00+04:00"


def test_guadeloupes_holiday_and_clock_set_the_email_deadline(guadeloupe: Organisation) -> None:
    # Friday 24 May 2024, 23:00 in Guadeloupe: already Saturday in Paris. Monday 27 May is
    # the abolition of slavery in Guadeloupe (holidays.France(subdiv="971")), not in Paris.
    sent = datetime.datetime(2024, 5, 25, 3, 0, tzinfo=UTC)
    answered = datetime.datetime(2024, 5, 28, 15, 0, tzinfo=UTC)  # Tuesday 28, 11:00 there
    there = WorkingCalendar.for_organisation(guadeloupe)
    assert there.holiday_name(datetime.date(2024, 5, 27)) == "Abolition de l'esclavage"
    assert there.deadline(sent, 1) == datetime.date(2024, 5, 28)  # Friday + 1, 27th off
    assert WorkingCalendar().deadline(sent, 1) == datetime.date(2024, 5, 27)  # Paris rules
    assert WorkingCalendar.for_departement("971") == there

    campaign = CampaignFactory(
        organisation=guadeloupe, year=2024, status=CampaignStatus.OPEN, mystery_working_days=1
    )
    MysteryEmailFactory(
        campaign=campaign,
        sent_at=sent,
        acknowledged_at=sent,
        answered_at=answered,
        answer_content_ok=True,
        answer_form_ok=True,
    )
    (timing,) = email_timings(campaign)
    assert (timing.deadline, timing.delay, timing.within) == (datetime.date(2024, 5, 28), 1, True)


def test_the_report_bears_the_closing_day_of_the_organisation(reunion: Organisation) -> None:
    campaign = CampaignFactory(organisation=reunion, year=2016, status=CampaignStatus.CLOSED)
    campaign.closed_at = datetime.datetime(2016, 10, 31, 21, 0, tzinfo=UTC)  # Paris: 22:00

    assert report_date(campaign) == datetime.date(2016, 11, 1)
    campaign.organisation = OrganisationFactory()  # a mainland one
    assert report_date(campaign) == datetime.date(2016, 10, 31)


def test_the_mystery_import_page_and_rows_read_the_organisations_clock(
    guadeloupe: Organisation, organisation: Organisation
) -> None:
    row = Cells(2, {"appele_le": "04/10/2016 10:00"}, [], zone=GUADELOUPE)
    assert row.moment("appele_le") == datetime.datetime(2016, 10, 4, 14, 0, tzinfo=UTC)

    pages = {}
    for owner in (guadeloupe, organisation):
        campaign = CampaignFactory(organisation=owner, year=2016, status=CampaignStatus.OPEN)
        client = client_for(Role.QUALITY_MANAGER, owner)
        pages[owner.departement_code] = client.get(
            reverse("mystery:calls_import", args=[campaign.pk])
        ).content.decode()
    assert "heure locale (America/Guadeloupe)" in pages["971"]
    assert "heure de Paris" in pages["16"]
    assert "heure de Paris" not in pages["971"]

"""Indicators are counted by the database, follow question codes across channels and years,
honour every filter, and cost the same number of queries whatever the data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.indicators import Filter, clear_structure_cache, compute
from reports.models import PublishedFigure
from reports.stats import Colour
from survey.models import Campaign, Channel, Organisation, Polarity
from survey.services.corrections import void_response

from .factories import SiteFactory, UserFactory
from .helpers import MONDAY, Survey

pytestmark = pytest.mark.django_db


def test_a_favourable_rate_leaves_no_answer_out_of_its_base(survey: Survey) -> None:
    survey.file(hall_satisfaction_globale="tres_satisfaisant")
    survey.file(hall_satisfaction_globale="satisfaisant")
    survey.file(hall_satisfaction_globale="peu_satisfaisant")
    survey.file(hall_satisfaction_globale="sans_reponse")

    result = compute(survey.campaign).question("hall_satisfaction_globale")

    assert (result.answered, result.base) == (4, 3)
    assert result.favourable is not None
    assert (result.favourable.k, result.favourable.n) == (2, 3)
    assert result.favourable.colour == Colour.RED  # 66,7 % against 75 % (orange from 70 %)
    assert result.favourable.small
    assert result.share("sans_reponse").n == 4  # shown against everyone who answered


def test_the_hall_and_phone_questionnaires_add_up_by_question_code(survey: Survey) -> None:
    survey.file(profil_statut="particulier")
    survey.file(survey.phone, profil_statut="particulier")
    survey.file(survey.phone, profil_statut="professionnel")

    indicators = compute(survey.campaign)
    phone_only = compute(survey.campaign, Filter(channel=Channel.PHONE))

    assert str(indicators.question("profil_statut").share("particulier").ratio) == "2/3"
    assert str(phone_only.question("profil_statut").share("particulier").ratio) == "1/2"
    assert indicators.question("profil_statut").channels == ("hall", "phone")
    assert indicators.by_channel == {"hall": 1, "phone": 2}


def test_a_voided_questionnaire_leaves_every_indicator(survey: Survey) -> None:
    survey.file(hall_satisfaction_globale="satisfaisant")
    voided = survey.file(hall_satisfaction_globale="peu_satisfaisant")
    void_response(voided, user=UserFactory(), reason="Doublon.")

    indicators = compute(survey.campaign)

    assert indicators.total == 1
    assert str(indicators.question("hall_satisfaction_globale").favourable.ratio) == "1/1"  # type: ignore[union-attr]


def test_a_conditional_share_counts_only_those_who_were_asked(survey: Survey) -> None:
    survey.file(info_renseigne="oui", info_source=["internet"])
    survey.file(info_renseigne="oui", info_source=["internet", "mairie"])
    survey.file(info_renseigne="oui", info_source=["telephone"])
    survey.file(info_renseigne="non", info_source=None)

    indicators = compute(survey.campaign)

    assert str(indicators.question("info_renseigne").share("oui").ratio) == "3/4"
    source = indicators.question("info_source")
    assert source.base == 3  # a multiple answer is one respondent
    assert str(source.share("internet").ratio) == "2/3"


def test_a_group_of_choices_is_published_as_one_share(survey: Survey) -> None:
    survey.file(profil_motif="certificat_immatriculation")
    survey.file(profil_motif="permis_conduire")
    survey.file(profil_motif="etrangers")

    result = compute(survey.campaign).question("profil_motif")

    assert str(result.share("titres_de_circulation").ratio) == "2/3"


def test_communes_are_grouped_by_arrondissement_and_epci(survey: Survey) -> None:
    survey.file(profil_commune={"insee": "16015"})  # Angoulême, CA du Grand Angoulême
    survey.file(profil_commune={"insee": "16102"})  # Cognac, CA du Grand Cognac
    survey.file(profil_commune={"outside": "Bordeaux"})
    survey.file(profil_commune=None)

    indicators = compute(survey.campaign)

    arrondissements = {place.name: str(place.rate.ratio) for place in indicators.arrondissements}
    epcis = {place.name: str(place.rate.ratio) for place in indicators.epcis}
    assert arrondissements == {"Angoulême": "1/3", "Cognac": "1/3"}
    assert epcis == {"CA du Grand Angoulême": "1/3", "CA du Grand Cognac": "1/3"}
    assert str(indicators.outside_departement.ratio) == "1/3"


def test_filters_by_site_week_and_interviewer(survey: Survey, organisation: Organisation) -> None:
    other_site = SiteFactory(organisation=organisation, name="Sous-préfecture de Cognac")
    trainee = UserFactory()
    survey.file(at=MONDAY)
    survey.file(at=MONDAY + datetime.timedelta(days=7), site=other_site, interviewer=trainee)
    survey.file(survey.phone, at=MONDAY + datetime.timedelta(days=8))

    campaign = survey.campaign
    assert compute(campaign, Filter(site_id=other_site.pk)).total == 1
    assert compute(campaign, Filter(interviewer_id=trainee.pk)).total == 1
    second_week = compute(campaign, Filter(week=datetime.date(2016, 10, 12)))
    assert second_week.total == 2
    assert second_week.by_channel == {"hall": 1, "phone": 1}
    everything = compute(campaign)
    assert everything.by_week("hall") == [
        (datetime.date(2016, 10, 3), 1),
        (datetime.date(2016, 10, 10), 1),
    ]
    assert everything.by_day["phone"] == [(datetime.date(2016, 10, 11), 1)]


def test_a_late_evening_questionnaire_counts_on_its_paris_day(survey: Survey) -> None:
    late = datetime.datetime(2016, 10, 3, 22, 30, tzinfo=datetime.UTC)  # 00:30 on the 4th
    survey.file(at=late)

    assert compute(survey.campaign).by_day["hall"] == [(datetime.date(2016, 10, 4), 1)]


def test_the_comparison_uses_raw_answers_where_they_exist(organisation: Organisation) -> None:
    before = Survey(organisation, 2015)
    for _ in range(40):
        before.file(hall_satisfaction_globale="satisfaisant")
    now = Survey(organisation, 2016)
    for value in ["satisfaisant"] * 20 + ["peu_satisfaisant"] * 20:
        now.file(hall_satisfaction_globale=value)
    PublishedFigure.objects.create(
        organisation=organisation, year=2015, code="hall_satisfaction_globale", rate=50
    )

    previous = compute(now.campaign).question("hall_satisfaction_globale").previous

    assert previous is not None
    assert (previous.year, previous.source) == (2015, "raw")
    assert str(previous.rate.ratio) == "40/40"  # type: ignore[union-attr]
    assert previous.significant is True


def test_published_figures_stand_in_for_a_year_without_raw_answers(
    survey: Survey, organisation: Organisation
) -> None:
    survey.file(profil_statut="particulier", hall_satisfaction_globale="satisfaisant")
    PublishedFigure.objects.create(
        organisation=organisation,
        year=2015,
        code="profil_statut",
        choice_code="particulier",
        rate="80.7",
        source="rapport 2016, 4.1",
    )
    PublishedFigure.objects.create(
        organisation=organisation,
        year=2015,
        code="hall_satisfaction_globale",
        channel="hall",
        favourable=180,
        base=200,
    )
    for channel, count in (("hall", 208), ("phone", 67)):
        PublishedFigure.objects.create(
            organisation=organisation,
            year=2015,
            code=PublishedFigure.QUESTIONNAIRES,
            channel=channel,
            base=count,
        )

    indicators = compute(survey.campaign)

    share = indicators.question("profil_statut").share_previous("particulier")
    assert share is not None
    assert (share.year, share.source, share.percent) == (2015, "published", 80.7)
    assert share.significant is None  # a rate without its base cannot be tested
    overall = indicators.question("hall_satisfaction_globale").previous
    assert overall is not None
    assert overall.source == "published"
    assert str(overall.rate.ratio) == "180/200"  # type: ignore[union-attr]
    assert indicators.previous_by_channel == {
        "hall": (208, "published"),
        "phone": (67, "published"),
    }
    assert indicators.previous_total == 275


def test_no_comparison_without_an_earlier_year(survey: Survey) -> None:
    survey.file()

    indicators = compute(survey.campaign)

    assert indicators.comparison_year is None
    assert indicators.question("hall_satisfaction_globale").previous is None
    assert indicators.previous_total is None


def _queries(campaign: Campaign, flt: Filter | None = None, *, kept: bool = False) -> int:
    if not kept:  # the questionnaires' structure read afresh, as after a change
        clear_structure_cache()
    with CaptureQueriesContext(connection) as queries:
        compute(campaign, flt)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_responses_or_questions(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    small = Survey(organisation)
    small.file()
    few = _queries(small.campaign)

    big = Survey(other_organisation)
    for _ in range(25):
        big.file()
        big.file(big.phone)
    # A question more in each questionnaire of the big campaign.
    for questionnaire in (big.hall, big.phone):
        extra = questionnaire.questions.get(code="label_qualipref")
        extra.pk = None
        extra.code, extra.order = "label_marianne", 999
        extra.save()
        for choice in questionnaire.questions.get(code="label_qualipref").choices.all():
            choice.pk, choice.question = None, extra
            choice.save()

    assert _queries(big.campaign) == few
    assert _queries(big.campaign, Filter(channel="hall", week=datetime.date(2016, 10, 5))) == few
    # The comparison year, the questionnaires' revisions, their questions and choices, the
    # tallies; the structure kept from the previous computation: two fewer.
    assert few == 5
    assert _queries(big.campaign, Filter(channel="phone"), kept=True) == 3


def test_a_change_to_the_questionnaire_is_seen_at_once_despite_the_kept_structure(
    survey: Survey,
) -> None:
    survey.file(hall_satisfaction_globale="peu_satisfaisant")
    before = compute(survey.campaign).question("hall_satisfaction_globale")
    choice = survey.hall.questions.get(code="hall_satisfaction_globale").choices.get(
        code="peu_satisfaisant"
    )
    choice.label, choice.polarity = "Plutôt satisfaisant", Polarity.FAVOURABLE
    choice.save()  # bumps the questionnaire's revision

    after = compute(survey.campaign).question("hall_satisfaction_globale")
    labels = {share.code: share.label for share in after.shares}
    assert labels["peu_satisfaisant"] == "Plutôt satisfaisant"
    assert before.favourable is not None
    assert after.favourable is not None
    assert after.favourable.k == before.favourable.k + 1

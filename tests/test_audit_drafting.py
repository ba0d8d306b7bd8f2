"""The report's commentary is drafted from the figures in the seed's style, claims a rise
or a fall only when the change is significant, names small bases, follows French
typography, and gives way to the quality manager's edited text."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.ratios import Ratio
from demo.loader import load_demo
from reports.audit import drafting
from reports.audit.drafting import KEYS, SECTIONS, draft, french_typography, section_texts, versus
from reports.audit.drafting.phrasing import ratio_versus
from reports.audit.models import ActionStatus, ImprovementAction, SectionText
from reports.indicators import Previous, compute
from reports.models import PublishedFigure
from reports.stats import Rate, two_proportion_test
from survey.models import Organisation

from .helpers import Survey

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
# Words that say a figure went up or down (or better or worse).
DIRECTION = re.compile(
    r"hausse|baisse|progress|recul|amélior|dégrad|augment|diminu|perte|gain|en deçà|chute",
    re.IGNORECASE,
)


def plain(text: str) -> str:
    """The text with ordinary spaces, to compare with readable strings."""
    return text.replace(NBSP, " ")


def file_many(survey: Survey, code: str, values: list[str]) -> None:
    for value in values:
        survey.file(**{code: value})


def rate_of(k: int, n: int) -> Rate:
    return Rate.of(k, n)


# --- the sections --------------------------------------------------------------------------------


def test_the_sections_follow_the_seed_report() -> None:
    assert KEYS == (
        "1",
        "2",
        "3",
        "4",
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "4.5",
        "4.6",
        "4.7",
        "4.8",
        "5",
        "6",
    )
    titles = {section.key: str(section.title) for section in SECTIONS}
    assert titles["2"] == "Modalités d'organisation"
    assert titles["4.3"] == "Accueil physique"
    assert titles["4.6"] == f"Connaissance du label «{NBSP}Qualipref{NBSP}»"
    assert titles["6"] == "Axes d'amélioration"
    assert drafting.section("4.1").level == 2
    assert drafting.section("5").level == 1


def test_an_unknown_section_is_refused(organisation: Organisation) -> None:
    survey = Survey(organisation)
    with pytest.raises(KeyError):
        draft(survey.campaign, compute(survey.campaign), "9")


# --- typography ----------------------------------------------------------------------------------


def test_french_typography_puts_non_breaking_spaces_where_they_belong() -> None:
    text = french_typography("Objectif : 75 % ; « Qualipref » ! Vraiment ?")
    assert text == (
        f"Objectif{NBSP}: 75{NBSP}%{NBSP}; «{NBSP}Qualipref{NBSP}»{NBSP}! Vraiment{NBSP}?"
    )
    assert french_typography("https://www.charente.gouv.fr 14h30") == (
        "https://www.charente.gouv.fr 14h30"
    )
    # The report's own typography: a missing space is added, a figure gets its comma.
    assert french_typography("Note: 65.8% des usagers") == f"Note{NBSP}: 65,8{NBSP}% des usagers"


# --- the comparison clause -----------------------------------------------------------------------


def test_a_rate_published_without_base_is_only_set_beside() -> None:
    previous = Previous(2015, "published", None, published_percent=80.7)

    text = versus(65.8, previous)

    assert text == f"contre 80,7{NBSP}% en 2015"
    assert previous.significant is None
    assert not DIRECTION.search(text)


def test_a_change_that_is_not_significant_claims_no_direction() -> None:
    now, before = rate_of(21, 40), rate_of(20, 40)
    test = now.compare(before)
    assert test is not None
    assert not test.significant
    previous = Previous(2015, "raw", before, test=test)

    text = versus(now.percent, previous)

    assert text == f"contre 50{NBSP}% en 2015 (écart non significatif)"
    assert not DIRECTION.search(text)


def test_a_significant_rise_and_fall_are_said_with_their_size() -> None:
    low, high = rate_of(20, 40), rate_of(38, 40)
    rise = Previous(2015, "raw", low, test=two_proportion_test(38, 40, 20, 40))
    fall = Previous(2015, "raw", high, test=two_proportion_test(20, 40, 38, 40))

    assert versus(high.percent, rise) == (
        f"contre 50{NBSP}% en 2015, soit une hausse significative de 45 points"
    )
    assert versus(low.percent, fall) == (
        f"contre 95{NBSP}% en 2015, soit une baisse significative de 45 points"
    )


def test_a_small_base_of_the_comparison_year_is_named() -> None:
    before = rate_of(3, 12)
    previous = Previous(2015, "raw", before, test=rate_of(5, 40).compare(before))

    assert "(sur 12 réponses)" in versus(12.5, previous)


def test_mystery_totals_are_compared_with_the_same_honesty() -> None:
    same = ratio_versus(Ratio(18, 23), Ratio(19, 23), 2015)
    fall = ratio_versus(Ratio(5, 23), Ratio(22, 23), 2015)

    assert same == "contre 19 sur 23 en 2015 (écart non significatif)"
    assert fall.startswith("contre 22 sur 23 en 2015, soit une baisse significative de ")


# --- drafts from real answers --------------------------------------------------------------------


def test_a_significant_fall_is_drafted_as_a_fall(organisation: Organisation) -> None:
    before = Survey(organisation, 2015)
    file_many(before, "hall_satisfaction_globale", ["satisfaisant"] * 40)
    now = Survey(organisation, 2016)
    file_many(now, "hall_satisfaction_globale", ["satisfaisant"] * 20 + ["peu_satisfaisant"] * 20)

    text = plain(draft(now.campaign, compute(now.campaign), "4.3"))

    assert (
        "Le niveau de satisfaction globale de l'accueil en préfecture (question 19) s'élève à "
        "50 % contre 100 % en 2015, soit une baisse significative de 50 points ; "
        "l'objectif de 75 % n'est pas atteint." in text
    )


def test_a_significant_rise_of_a_detailed_question_is_listed(organisation: Organisation) -> None:
    before = Survey(organisation, 2015)
    file_many(before, "hall_signaletique", ["plutot_d_accord"] * 15 + ["plutot_pas_d_accord"] * 25)
    now = Survey(organisation, 2016)
    file_many(
        now, "hall_signaletique", ["tout_a_fait_d_accord"] * 38 + ["pas_du_tout_d_accord"] * 2
    )

    text = plain(draft(now.campaign, compute(now.campaign), "4.3"))

    assert "En hausse significative par rapport à 2015 : question n°9 « En entrant" in text
    assert "(95 % contre 37,5 %)" in text


def test_a_change_that_is_not_significant_is_drafted_without_direction(
    organisation: Organisation,
) -> None:
    before = Survey(organisation, 2015)
    file_many(
        before, "hall_satisfaction_globale", ["satisfaisant"] * 30 + ["peu_satisfaisant"] * 10
    )
    now = Survey(organisation, 2016)
    file_many(now, "hall_satisfaction_globale", ["satisfaisant"] * 27 + ["peu_satisfaisant"] * 13)
    indicators = compute(now.campaign)
    previous = indicators.question("hall_satisfaction_globale").previous
    assert previous is not None
    assert previous.significant is False  # 67,5 % against 75 %

    for key in ("4.1", "4.2", "4.3", "4.4", "4.5", "4.6"):
        assert not DIRECTION.search(draft(now.campaign, indicators, key)), key
    text = plain(draft(now.campaign, indicators, "4.3"))
    assert "s'élève à 67,5 % contre 75 % en 2015 (écart non significatif)" in text


def test_a_published_rate_without_base_never_gets_a_direction(organisation: Organisation) -> None:
    now = Survey(organisation, 2016)
    file_many(now, "hall_satisfaction_globale", ["satisfaisant"] * 40)
    PublishedFigure.objects.create(
        organisation=organisation, year=2015, code="hall_satisfaction_globale", rate=10
    )
    indicators = compute(now.campaign)
    assert indicators.question("hall_satisfaction_globale").previous.significant is None  # type: ignore[union-attr]

    text = plain(draft(now.campaign, indicators, "4.3"))

    assert "s'élève à 100 % contre 10 % en 2015 ;" in text
    assert not DIRECTION.search(text)


def test_a_small_base_is_named(organisation: Organisation) -> None:
    now = Survey(organisation, 2016)
    file_many(now, "hall_satisfaction_globale", ["satisfaisant"] * 15 + ["peu_satisfaisant"] * 6)

    text = plain(draft(now.campaign, compute(now.campaign), "4.3"))

    assert "s'élève à 71,4 % ; ce taux ne porte que sur 21 réponses" in text
    assert "l'objectif de 75 % est presque atteint" in text


def test_a_campaign_without_answers_drafts_without_failing(organisation: Organisation) -> None:
    survey = Survey(organisation)
    indicators = compute(survey.campaign)

    texts = {key: draft(survey.campaign, indicators, key) for key in KEYS}

    assert texts["4.7"] == "Aucun appel mystère n'a été passé."
    assert texts["4.8"] == "Aucun courriel mystère n'a été envoyé."
    assert "Aucune remarque" in texts["5"]
    assert texts["6"] == ""  # the report's action plan says there is none, once


# --- the demo ------------------------------------------------------------------------------------


@pytest.fixture
def demo() -> tuple[object, object]:
    campaign = load_demo().campaign
    return campaign, compute(campaign)


def test_the_demo_drafts_reproduce_the_seed_sentences(demo: tuple) -> None:  # type: ignore[type-arg]
    campaign, indicators = demo

    profile = draft(campaign, indicators, "4.1")
    assert (
        f"65,8{NBSP}% des usagers ayant répondu sont des particuliers contre 80,7{NBSP}% en 2015."
    ) in profile
    assert f"81,2{NBSP}% des usagers ont utilisé leur véhicule" in profile
    assert f"69,7{NBSP}% des usagers résident dans l'arrondissement d'Angoulême" in profile
    assert f"47,7{NBSP}% des usagers habitent une commune de la CA du Grand Angoulême" in profile

    web = plain(draft(campaign, indicators, "4.5"))
    # The 2015 figure is the hall's: the draft compares like with like.
    assert (
        "12,7 % des usagers interrogés dans le hall d'accueil savent que la préfecture est "
        "présente sur les réseaux sociaux contre 9,6 % en 2015." in web
    )
    assert "contre 11,1 % en 2015 ; ce taux ne porte que sur 21 réponses." in web
    assert "s'élève à 92 % contre 97 % en 2015" in web

    assert "s'élève à 87 % contre 90 % en 2015" in plain(draft(campaign, indicators, "4.4"))
    representativeness = plain(draft(campaign, indicators, "3"))
    assert "202 usagers ont accepté de répondre" in representativeness
    assert "contre 208 en 2015" in representativeness
    assert "du 3 au 7 octobre" not in representativeness  # the report's table and chart say it
    assert "Au total, ce sont 266 questionnaires" in representativeness
    assert "18 appels sur 23 ont abouti" in draft(campaign, indicators, "4.7")
    assert "9 courriels sur 11 ont reçu une réponse, dont 8 dans le délai de 5 jours ouvrés." in (
        draft(campaign, indicators, "4.8")
    )
    assert "114 suggestions et remarques ont été formulées" in draft(campaign, indicators, "5")


def test_the_demo_drafts_claim_no_direction(demo: tuple) -> None:  # type: ignore[type-arg]
    """Every 2015 figure of the demo is a rate published without its base: no test."""
    campaign, indicators = demo
    for key in KEYS:
        if key != "6":  # its title speaks of "amélioration"; its draft lists the actions
            assert not DIRECTION.search(draft(campaign, indicators, key)), key


def test_the_edited_text_wins_over_the_draft(demo: tuple) -> None:  # type: ignore[type-arg]
    campaign, indicators = demo
    SectionText.objects.create(campaign=campaign, key="4.1", text="Texte du responsable.")

    with CaptureQueriesContext(connection) as queries:
        texts = section_texts(campaign, indicators)

    assert list(texts) == list(KEYS)
    assert texts["4.1"] == "Texte du responsable."
    assert texts["4.8"] == draft(campaign, indicators, "4.8")
    assert len(queries) < 40


def test_the_actions_section_lists_this_years_actions_and_follows_last_years(
    demo: tuple,  # type: ignore[type-arg]
) -> None:
    campaign, indicators = demo
    ImprovementAction.objects.create(
        organisation=campaign.organisation,  # type: ignore[attr-defined]
        year=2016,
        title="Places de stationnement pour les PMR",
        description="Deux places demandées à la mairie.",
        owner="Secrétariat général",
        order=1,
    )
    ImprovementAction.objects.create(
        organisation=campaign.organisation,  # type: ignore[attr-defined]
        year=2015,
        title="Signalétique du hall",
        status=ActionStatus.DONE,
    )

    text = plain(draft(campaign, indicators, "6"))

    assert "► Places de stationnement pour les PMR (responsable : Secrétariat général)" in text
    assert "Deux places demandées à la mairie." in text
    assert "Suivi des actions décidées en 2015 :\n- Signalétique du hall : réalisée" in text

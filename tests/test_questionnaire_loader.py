"""Loading the canonical questionnaires of the 2016 report (fixtures/questionnaires)."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from survey.models import (
    Campaign,
    CampaignClosed,
    CampaignStatus,
    Choice,
    Engagement,
    Framework,
    Polarity,
    Question,
    QuestionKind,
    Questionnaire,
    Section,
)
from survey.services.frameworks import load_framework
from survey.services.questionnaire_definitions import read_json
from survey.services.questionnaires import load_questionnaires

from .factories import CampaignFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
FRAMEWORK_FILE = FIXTURES / "frameworks" / "qualipref_2.json"
SEED_FILE = FIXTURES / "questionnaires" / "qualipref_2016.json"

S, A, YN = QuestionKind.SATISFACTION, QuestionKind.AGREEMENT, QuestionKind.YES_NO
CALLED = ("tel_a_appele", ["oui"])
VISITED = ("web_a_consulte", ["oui"])

# Every question the report lists, in order: code, printed number, kind, skip condition.
# Written out here rather than read from the fixture, so that the test can disagree with it.
SEED_QUESTIONS: list[tuple[str, str, str, tuple[str, list[str]] | None]] = [
    ("profil_statut", "1", QuestionKind.SINGLE, None),
    ("profil_motif", "2", QuestionKind.SINGLE, None),
    ("profil_frequence", "3", QuestionKind.SINGLE, None),
    ("profil_transport", "4", QuestionKind.SINGLE, None),
    ("profil_commune", "5", QuestionKind.COMMUNE, None),
    ("info_renseigne", "6", YN, None),
    ("info_source", "7", QuestionKind.MULTIPLE, ("info_renseigne", ["oui"])),
    ("info_facilite", "8", S, None),
    ("hall_signaletique", "9", A, None),
    ("hall_proprete", "10", A, None),
    ("hall_badge", "11", A, None),
    ("hall_courtoisie", "12", A, None),
    ("hall_ecoute", "13", A, None),
    ("hall_confidentialite", "14", A, None),
    ("hall_conseils", "15", A, None),
    ("hall_termes_simples", "16", A, None),
    ("hall_orientation", "17", A, None),
    ("hall_pmr", "18", S, None),
    ("hall_satisfaction_globale", "19", S, None),
    ("tel_a_appele", "", YN, None),
    ("tel_coordonnees", "20", A, CALLED),
    ("tel_joignabilite_standard", "21", A, CALLED),
    ("tel_joignabilite_sart", "22", A, CALLED),
    ("tel_joignabilite_service", "23", A, CALLED),
    ("tel_courtoisie", "24", A, CALLED),
    ("tel_information_obtenue", "25", A, CALLED),
    ("tel_termes_simples", "26", A, CALLED),
    ("tel_transfert", "27", A, CALLED),
    ("tel_svi_utilise", "", YN, CALLED),
    ("tel_svi", "28", S, ("tel_svi_utilise", ["oui"])),
    ("tel_satisfaction_globale", "29", S, CALLED),
    # 29bis: one question per channel, inserted below.
    ("web_a_consulte", "", YN, None),
    ("web_adresse", "30", A, VISITED),
    ("web_acces_information", "31", A, VISITED),
    ("web_information_trouvee", "32", A, VISITED),
    ("web_telechargement", "33", A, VISITED),
    ("web_satisfaction_globale", "34", S, VISITED),
    ("web_demarche_en_ligne", "35", YN, VISITED),
    ("rs_connait", "36", YN, None),
    ("rs_a_echange", "37", YN, ("rs_connait", ["oui"])),
    ("rs_satisfaction_globale", "38", S, ("rs_a_echange", ["oui"])),
    ("remarques", "40", QuestionKind.FREE_TEXT, None),
    ("label_qualipref", "41", YN, None),
]
AFTER_Q29 = [code for code, *_ in SEED_QUESTIONS].index("tel_satisfaction_globale") + 1
CHANNEL_QUESTIONS = {
    "hall": ("tel_appel_avant_venue", "29bis", YN, None),
    "phone": ("tel_deplace_apres_appel", "29bis", YN, None),
}

FAV, UNFAV, OUT = Polarity.FAVOURABLE, Polarity.UNFAVOURABLE, Polarity.OUTSIDE
SCALES: dict[str, list[tuple[str, Polarity]]] = {
    S: [
        ("tres_satisfaisant", FAV),
        ("satisfaisant", FAV),
        ("peu_satisfaisant", UNFAV),
        ("pas_du_tout_satisfaisant", UNFAV),
    ],
    A: [
        ("tout_a_fait_d_accord", FAV),
        ("plutot_d_accord", FAV),
        ("plutot_pas_d_accord", UNFAV),
        ("pas_du_tout_d_accord", UNFAV),
    ],
    YN: [("oui", FAV), ("non", UNFAV)],
}

SECTION_ENGAGEMENTS = {
    "profil": set(),
    "information_acces": {"1", "3"},
    "accueil_physique": {"1", "2", "3", "5", "6", "7"},
    "accueil_telephonique": {"1", "2", "3", "8", "9"},
    "internet_reseaux_sociaux": {"1", "2", "3", "10", "11", "12", "16", "17"},
    "remarques": set(),
    "label": {"3"},
}


def expected_questions(channel: str) -> list[tuple[str, str, str, tuple[str, list[str]] | None]]:
    return [*SEED_QUESTIONS[:AFTER_Q29], CHANNEL_QUESTIONS[channel], *SEED_QUESTIONS[AFTER_Q29:]]


@pytest.fixture
def framework() -> Framework:
    return load_framework(FRAMEWORK_FILE)


@pytest.fixture
def definition() -> dict[str, Any]:
    data: dict[str, Any] = read_json(SEED_FILE)
    return data


@pytest.fixture
def loaded(
    campaign: Campaign, framework: Framework, definition: dict[str, Any]
) -> dict[str, Questionnaire]:
    return {q.channel: q for q in load_questionnaires(campaign, definition)}


def questions_of(questionnaire: Questionnaire) -> dict[str, Question]:
    questions = questionnaire.questions.select_related("condition_question", "section")
    return {q.code: q for q in questions.prefetch_related("choices", "engagements")}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "questionnaires": list(Questionnaire.objects.values_list().order_by("pk")),
        "sections": list(Section.objects.values_list().order_by("pk")),
        "questions": list(Question.objects.values_list().order_by("pk")),
        "choices": list(Choice.objects.values_list().order_by("pk")),
        "links": list(Question.engagements.through.objects.values_list().order_by("pk")),
        "engagements": list(Engagement.objects.values_list().order_by("pk")),
    }


# --- the seed, as loaded --------------------------------------------------------------------


def test_the_seed_gives_a_hall_and_a_phone_questionnaire(loaded: dict[str, Questionnaire]) -> None:
    assert set(loaded) == {"hall", "phone"}
    assert list(loaded["hall"].sections.values_list("code", flat=True)) == list(SECTION_ENGAGEMENTS)


@pytest.mark.parametrize("channel", ["hall", "phone"])
def test_every_seed_question_is_in_the_questionnaire_with_its_number_kind_and_condition(
    loaded: dict[str, Questionnaire], channel: str
) -> None:
    questions = list(loaded[channel].questions.select_related("condition_question"))

    assert [(q.code, q.number, q.kind) for q in questions] == [
        (code, number, kind) for code, number, kind, _ in expected_questions(channel)
    ]
    for question, (code, _, _, condition) in zip(
        questions, expected_questions(channel), strict=True
    ):
        if condition is None:
            assert question.condition_question is None, code
            assert question.condition_codes == [], code
        else:
            assert question.condition_question is not None, code
            assert (question.condition_question.code, question.condition_codes) == condition, code


def test_question_29bis_is_on_the_phone_questionnaire_only(
    loaded: dict[str, Questionnaire],
) -> None:
    phone = questions_of(loaded["phone"])
    hall = questions_of(loaded["hall"])

    assert phone["tel_deplace_apres_appel"].number == "29bis"
    assert (
        phone["tel_deplace_apres_appel"].text == "Vous vous êtes déplacé(e) après avoir téléphoné ?"
    )
    assert "tel_deplace_apres_appel" not in hall
    assert hall["tel_appel_avant_venue"].number == "29bis"
    assert "tel_appel_avant_venue" not in phone


@pytest.mark.parametrize("channel", ["hall", "phone"])
def test_scale_questions_offer_their_scale_then_only_out_of_base_choices(
    loaded: dict[str, Questionnaire], channel: str
) -> None:
    for question in questions_of(loaded[channel]).values():
        if question.kind not in SCALES:
            continue
        choices = [(c.code, c.polarity) for c in question.choices.all()]
        scale = SCALES[question.kind]

        assert choices[: len(scale)] == scale, question.code
        assert [code for code, _ in choices[len(scale) :]] in (
            ["sans_reponse"],
            ["non_concerne", "sans_reponse"],
        ), question.code
        assert all(polarity == OUT for _, polarity in choices[len(scale) :]), question.code


def test_the_pmr_question_lets_other_users_answer_not_concerned(
    loaded: dict[str, Questionnaire],
) -> None:
    pmr = questions_of(loaded["hall"])["hall_pmr"]

    assert [(c.code, c.polarity) for c in pmr.choices.all()][-2:] == [
        ("non_concerne", OUT),
        ("sans_reponse", OUT),
    ]
    assert pmr.condition_question is None


def test_the_svi_question_is_asked_only_to_callers_who_used_the_svi(
    loaded: dict[str, Questionnaire],
) -> None:
    svi = questions_of(loaded["hall"])["tel_svi"]

    assert not svi.is_asked({"tel_a_appele": {"non"}})
    assert not svi.is_asked({"tel_a_appele": {"oui"}, "tel_svi_utilise": {"non"}})
    assert svi.is_asked({"tel_a_appele": {"oui"}, "tel_svi_utilise": {"oui"}})


def test_profile_questions_keep_the_report_groupings_as_choice_codes(
    loaded: dict[str, Questionnaire],
) -> None:
    questions = questions_of(loaded["hall"])

    def codes(code: str) -> set[str]:
        return {c.code for c in questions[code].choices.all()}

    assert {"particulier", "professionnel", "association", "collectivite", "autre"} <= codes(
        "profil_statut"
    )
    assert {"certificat_immatriculation", "permis_conduire", "etrangers", "cni_passeport"} <= codes(
        "profil_motif"
    )
    assert {"premiere_visite", "moins_d_une_fois_par_an", "une_fois_par_an"} <= codes(
        "profil_frequence"
    )
    assert {"vehicule_personnel", "transports_en_commun", "a_pied_velo"} <= codes(
        "profil_transport"
    )
    assert {"internet", "telephone", "courrier", "bouche_a_oreille", "mairie"} <= codes(
        "info_source"
    )
    assert all(
        c.polarity == Polarity.NEUTRAL
        for c in questions["profil_motif"].choices.all()
        if c.code != "sans_reponse"
    )


@pytest.mark.parametrize("channel", ["hall", "phone"])
def test_each_question_measures_the_engagements_of_its_report_section(
    loaded: dict[str, Questionnaire], channel: str
) -> None:
    for question in questions_of(loaded[channel]).values():
        numbers = {e.number for e in question.engagements.all()}
        assert numbers == SECTION_ENGAGEMENTS[question.section.code], question.code


def test_satisfaction_counts_the_scale_questions_of_sections_4_2_to_4_5(
    loaded: dict[str, Questionnaire],
) -> None:
    counted = set(
        loaded["hall"]
        .questions.filter(counts_in_satisfaction=True)
        .values_list("number", flat=True)
    )

    assert counted == {str(n) for n in [8, *range(9, 20), *range(20, 30), *range(30, 35), 38]}


def test_the_free_text_and_commune_questions_have_no_choices(
    loaded: dict[str, Questionnaire],
) -> None:
    questions = questions_of(loaded["hall"])

    assert not questions["remarques"].choices.exists()
    assert not questions["profil_commune"].choices.exists()
    assert questions["remarques"].required is False


def test_the_framework_quotes_the_report_and_marks_what_it_does_not_quote(
    framework: Framework,
) -> None:
    texts = dict(framework.engagements.values_list("number", "text"))

    assert framework.name == "Qualipref 2.0"
    assert framework.year == 2015
    assert set(texts) == {str(n) for n in range(1, 18)} | {"3.2"}
    assert texts["8"] == "Un accueil téléphonique attentif et efficace"
    assert "à compléter" in texts["4"]


# --- idempotence and refusals --------------------------------------------------------------


def test_loading_twice_changes_nothing(
    campaign: Campaign,
    loaded: dict[str, Questionnaire],
    definition: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    before = snapshot()

    load_framework(FRAMEWORK_FILE)
    with django_assert_max_num_queries(10):
        again = load_questionnaires(campaign, definition)

    assert snapshot() == before
    assert {q.pk for q in again} == {q.pk for q in loaded.values()}


def test_reloading_the_framework_keeps_a_text_the_quality_manager_completed(
    framework: Framework,
) -> None:
    framework.engagements.filter(number="4").update(text="Texte officiel saisi.")

    load_framework(FRAMEWORK_FILE)

    assert framework.engagements.get(number="4").text == "Texte officiel saisi."
    assert framework.engagements.count() == 18


def test_a_questionnaire_that_differs_from_the_definition_is_refused_and_nothing_is_written(
    campaign: Campaign, framework: Framework, definition: dict[str, Any]
) -> None:
    phone_only = {**definition, "questionnaires": [definition["questionnaires"][1]]}
    load_questionnaires(campaign, phone_only)
    changed = copy.deepcopy(definition)
    changed["questionnaires"][1]["sections"][-1]["questions"][0]["code"] = "label_charte"
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        load_questionnaires(campaign, changed)

    assert "a déjà un questionnaire « phone » différent" in error.value.messages[0]
    assert "label_charte" in error.value.messages[0]
    assert snapshot() == before  # the hall questionnaire was not created either


def test_an_unknown_condition_code_is_refused_in_french_and_nothing_is_written(
    campaign: Campaign, framework: Framework, definition: dict[str, Any]
) -> None:
    bad = copy.deepcopy(definition)
    info_source = bad["questionnaires"][0]["sections"][1]["questions"][1]
    info_source["condition"] = {"question": "info_renseigne", "codes": ["peut_etre"]}

    with pytest.raises(ValidationError) as error:
        load_questionnaires(campaign, bad)

    assert error.value.messages == [
        "Questionnaire « hall », question « info_source » : codes de réponse inconnus pour "
        "la question « info_renseigne » : peut_etre."
    ]
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"condition": {"question": "rs_connait", "codes": ["oui"]}},
            "la question-condition « rs_connait » est inconnue ou n'est pas posée avant celle-ci",
        ),
        ({"engagements": ["99"]}, "engagement(s) inconnu(s) dans Qualipref 2.0 : 99"),
        ({"kind": "echelle"}, "type inconnu ('echelle')"),
        ({"conditon": {}}, "clé(s) inconnue(s) : conditon"),
        ({"choices": [{"code": "x", "label": "X"}]}, "retirez « choices »"),
    ],
)
def test_a_bad_question_is_refused_in_french_and_nothing_is_written(
    campaign: Campaign,
    framework: Framework,
    definition: dict[str, Any],
    change: dict[str, Any],
    message: str,
) -> None:
    bad = copy.deepcopy(definition)
    bad["questionnaires"][1]["sections"][1]["questions"][2].update(change)  # Q8, phone

    with pytest.raises(ValidationError) as error:
        load_questionnaires(campaign, bad)

    assert any(message in m for m in error.value.messages), error.value.messages
    assert not Questionnaire.objects.exists()


def test_engagements_need_their_framework_loaded_first(
    campaign: Campaign, definition: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match="Référentiel inconnu : « qualipref-2 »"):
        load_questionnaires(campaign, definition)

    assert not Questionnaire.objects.exists()


def test_a_closed_campaign_refuses_loading(
    organisation: Any, framework: Framework, definition: dict[str, Any]
) -> None:
    closed = cast(
        Campaign,
        CampaignFactory(organisation=organisation, year=2015, status=CampaignStatus.CLOSED),
    )

    with pytest.raises(CampaignClosed):
        load_questionnaires(closed, definition)

    assert not Questionnaire.objects.exists()


# --- the command -----------------------------------------------------------------------------


def test_the_command_loads_the_framework_and_the_seed_into_the_campaign(campaign: Campaign) -> None:
    out = io.StringIO()

    call_command("load_questionnaires", organisation="16", year="2016", stdout=out)

    assert set(campaign.questionnaires.values_list("channel", flat=True)) == {"hall", "phone"}
    assert (
        "Questionnaire « Questionnaire accueil physique » : 44 questions chargées."
        in out.getvalue()
    )

    call_command("load_questionnaires", organisation="16", year="2016", stdout=out)

    assert "déjà chargé à l'identique : inchangé" in out.getvalue()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year": "2016"}, "Indiquez l'organisation"),
        ({"organisation": "16"}, "Indiquez l'année"),
        ({"organisation": "16", "year": "deux mille"}, "L'année doit être un nombre"),
        ({"organisation": "33", "year": "2016"}, "Aucune organisation pour le département « 33 »"),
        ({"organisation": "16", "year": "2017"}, "n'a pas de campagne 2017"),
        (
            {"organisation": "16", "year": "2016", "file": Path("absent.json")},
            "Fichier introuvable",
        ),
    ],
)
def test_the_command_explains_bad_input_in_french(
    campaign: Campaign, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("load_questionnaires", **options)

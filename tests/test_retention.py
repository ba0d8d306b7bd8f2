"""Free texts past each organisation's retention are erased by ``erase_personal_data``,
their codes and counts kept; the "Données personnelles" page says so (issue 13, point 7)."""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import RemarkCategory, RemarkCode
from survey import tallies
from survey.models import Answer, AnswerTally, Campaign, Organisation, Response
from survey.selectors import ChangeKind, response_history
from survey.services.responses import QuestionnaireSpec, Submission, submit_response
from survey.services.retention import ERASED, months_before

from .factories import SiteFactory
from .helpers import open_canonical_campaign
from .helpers_answers import complete_answers

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def received(campaign: Campaign, months_ago: int, remark: str, town: str) -> Response:
    """A hall questionnaire with a remark and a commune outside the département, received
    ``months_ago`` months ago (and a day, to be past a limit of that many months)."""
    questionnaire = campaign.questionnaires.get(channel="hall")
    answers = complete_answers(QuestionnaireSpec.load(questionnaire)) | {
        "remarques": remark,
        "profil_commune": {"outside": town},
    }
    response, _ = submit_response(
        Submission(
            uuid=uuid.uuid4(),
            questionnaire=questionnaire,
            site=SiteFactory(organisation=campaign.organisation),
            answers=answers,
            started_at=datetime.datetime(campaign.year, 10, 4, 9, 0, tzinfo=datetime.UTC),
        )
    )
    moment = months_before(NOW, months_ago) - datetime.timedelta(days=1)
    Response.objects.filter(pk=response.pk).update(received_at=moment)
    return response


@pytest.fixture
def campaign(organisation: Organisation) -> Campaign:
    return open_canonical_campaign(organisation)


@pytest.fixture
def old(campaign: Campaign) -> Response:
    """Received 40 months ago, past the default 36; its remark coded, and corrected once
    (so that the history holds the text)."""
    response = received(campaign, 40, "M. Dupont, 06 12 34 56 78, attend depuis 3 h.", "Bordeaux")
    remark = response.answers.get(question__code="remarques")
    category = RemarkCategory.objects.create(organisation=campaign.organisation, label="Attente")
    RemarkCode.objects.create(answer=remark, category=category)
    remark.save()  # a history record holding the raw text
    return response


@pytest.fixture
def recent(campaign: Campaign) -> Response:
    return received(campaign, 2, "Très bon accueil de Mme Martin.", "Libourne")


def texts(response: Response) -> dict[str, str]:
    return dict(
        response.answers.exclude(text="").values_list("question__code", "text").order_by("pk")
    )


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("erase_personal_data", *args, stdout=out)
    return out.getvalue()


def snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "answers": list(
            Answer.objects.order_by("pk").values_list(
                "pk", "question_id", "choice_id", "commune_id"
            )
        ),
        "codes": list(RemarkCode.objects.values_list("answer_id", "category_id")),
        "tallies": sorted(AnswerTally.objects.values_list("question_id", "answer", "n")),
    }


def test_the_dry_run_is_the_default_says_what_would_go_and_changes_nothing(
    campaign: Campaign, old: Response, recent: Response
) -> None:
    before = texts(old), texts(recent), snapshot(campaign), Answer.history.count()

    default, explicit = run(), run("--dry-run")

    assert default == explicit
    assert "Préfecture de la Charente (conservation 36 mois" in default
    assert "1 remarque(s) et 1 commune(s) hors du département à effacer" in default
    assert "rien n'a été modifié" in default
    assert (texts(old), texts(recent), snapshot(campaign), Answer.history.count()) == before


def test_the_erasure_takes_only_the_text_past_the_retention(
    campaign: Campaign, old: Response, recent: Response
) -> None:
    kept = snapshot(campaign)
    recent_texts = texts(recent)

    out = run("--apply")

    assert "2 texte(s) effacé(s)" in out
    assert texts(old) == {"profil_commune": ERASED, "remarques": ERASED}
    assert texts(recent) == recent_texts
    assert snapshot(campaign) == kept  # rows, choices, communes, codes and tallies
    assert tallies.check(campaign) == []


def test_the_erasure_is_in_the_history_and_the_history_keeps_no_text(
    old: Response, recent: Response
) -> None:
    run("--apply")

    remark = old.answers.get(question__code="remarques")
    last = remark.history.order_by("history_date", "history_id").last()
    assert last is not None
    assert (last.history_type, last.text) == ("~", ERASED)
    assert last.history_change_reason == "Conservation de 36 mois dépassée : texte libre effacé"
    assert not Answer.history.filter(text__contains="Dupont").exists()
    assert not Answer.history.filter(text="Bordeaux").exists()
    assert ChangeKind.ERASED in [change.kind for change in response_history(old)]
    assert ChangeKind.ERASED not in [change.kind for change in response_history(recent)]


def test_the_questionnaire_page_shows_the_erasure_and_no_text(
    manager_client: Client, old: Response
) -> None:
    run("--apply")

    page = manager_client.get(reverse("survey:response_detail", args=[old.pk])).content.decode()

    assert "Effacement des textes libres" in page
    assert "Motif : Conservation de 36 mois dépassée : texte libre effacé" in page
    assert "Dupont" not in page


def test_a_second_run_erases_nothing_more(old: Response, recent: Response) -> None:
    run("--apply")
    history = Answer.history.count()

    again = run("--apply")

    assert "0 texte(s) effacé(s)" in again
    assert Answer.history.count() == history
    assert "0 remarque(s) et 0 commune(s)" in run()


def test_each_organisation_keeps_its_texts_for_its_own_retention(
    organisation: Organisation, old: Response
) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(remarks_retention_months=48)

    out = run("--apply")

    assert "conservation 48 mois" in out
    assert texts(old)["remarques"].startswith("M. Dupont")


def test_apply_and_dry_run_together_are_refused() -> None:
    with pytest.raises(CommandError, match="s'excluent"):
        run("--apply", "--dry-run")


def test_an_unknown_organisation_is_refused_in_french() -> None:
    with pytest.raises(CommandError, match="Organisations introuvables : 999"):
        run("--organisation", "999")


def utc(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (utc(2026, 3, 31, 12, 0), 1, utc(2026, 2, 28, 12, 0)),
        (utc(2026, 12, 7), 36, utc(2023, 12, 7)),
        (utc(2026, 1, 15), 13, utc(2024, 12, 15)),
        (utc(2028, 3, 31), 1, utc(2028, 2, 29)),
    ],
)
def test_months_are_calendar_months(
    moment: datetime.datetime, months: int, expected: datetime.datetime
) -> None:
    assert months_before(moment, months) == expected


# --- the page ------------------------------------------------------------------------------


def test_the_personal_data_page_is_public_and_gives_each_retention(
    client: Client, organisation: Organisation, other_organisation: Organisation
) -> None:
    Organisation.objects.filter(pk=other_organisation.pk).update(remarks_retention_months=24)

    response = client.get(reverse("personal_data"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Données personnelles</h1>" in page
    assert "cette durée est de 36 mois" in page
    assert "Préfecture de la Gironde" in page
    assert "24 mois" in page
    assert f"« {ERASED} »" in page


def test_every_page_links_the_personal_data_page_from_its_footer(
    client: Client, manager_client: Client
) -> None:
    link = f'<a class="fr-footer__bottom-link" href="{reverse("personal_data")}">'

    assert link in client.get(reverse("login")).content.decode()
    assert link in manager_client.get(reverse("reports:dashboard")).content.decode()


# --- the setting -----------------------------------------------------------------------------


def organisation_form(organisation: Organisation, months: int) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "departement_code": organisation.departement_code,
        "remarks_retention_months": months,
    }


def test_the_quality_manager_sets_the_retention_in_the_admin(
    manager_client: Client, organisation: Organisation
) -> None:
    url = reverse("admin:survey_organisation_change", args=[organisation.pk])

    refused = manager_client.post(url, organisation_form(organisation, 0))
    saved = manager_client.post(url, organisation_form(organisation, 24))

    assert refused.status_code == 200
    assert "supérieure ou égale à 1" in refused.content.decode()
    assert saved.status_code == 302
    organisation.refresh_from_db()
    assert organisation.remarks_retention_months == 24

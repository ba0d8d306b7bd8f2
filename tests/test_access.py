"""Each role reaches only its pages, and nobody sees another organisation's objects."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from survey.models import CampaignStatus, ImportJob, Organisation, Role

from .factories import (
    CampaignFactory,
    MembershipFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SiteFactory,
)
from .helpers import client_for

pytestmark = pytest.mark.django_db

ROLES = [Role.INTERVIEWER, Role.STAFF, Role.QUALITY_MANAGER]

# page -> the roles it admits
PAGES = {
    "survey:entry": {Role.INTERVIEWER, Role.QUALITY_MANAGER},
    "mystery:index": {Role.STAFF, Role.QUALITY_MANAGER},
    "reports:dashboard": {Role.QUALITY_MANAGER},
    "survey:campaign_create": {Role.QUALITY_MANAGER},
    "admin:index": {Role.QUALITY_MANAGER},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_role_reaches_only_its_pages(page: str, role: str, organisation: Organisation) -> None:
    client = client_for(role, organisation)

    response = client.get(reverse(page))

    if role in PAGES[page]:
        assert response.status_code == 200
    elif page == "admin:index":
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("page", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_the_login_page(page: str, client: Client) -> None:
    response = client.get(reverse(page))

    assert response.status_code == 302
    assert "connexion" in response["Location"] or "login" in response["Location"]


@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.INTERVIEWER, "survey:entry"),
        (Role.STAFF, "mystery:index"),
        (Role.QUALITY_MANAGER, "reports:dashboard"),
    ],
)
def test_the_home_page_sends_each_role_to_its_work(
    role: str, target: str, organisation: Organisation
) -> None:
    response = client_for(role, organisation).get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_a_user_without_organisation_is_told_so(organisation: Organisation) -> None:
    response = client_for(None, organisation).get(reverse("home"))

    assert response.status_code == 403
    assert "rattaché" in response.content.decode()


def _objects_of(organisation: Organisation) -> dict[str, Any]:
    campaign = CampaignFactory(organisation=organisation, status=CampaignStatus.OPEN)
    questionnaire = QuestionnaireFactory(campaign=campaign)
    question = QuestionFactory(section__questionnaire=questionnaire)
    site = SiteFactory(organisation=organisation)
    return {
        "campaign": campaign,
        "questionnaire": questionnaire,
        "question": question,
        "site": site,
    }


def _urls_of(objects: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, url) of every page that shows or changes one object."""
    campaign, questionnaire = objects["campaign"], objects["questionnaire"]
    return [
        ("get", reverse("survey:campaign_detail", args=[campaign.pk])),
        ("post", reverse("survey:campaign_transition", args=[campaign.pk])),
        ("post", reverse("survey:campaign_grace", args=[campaign.pk])),
        ("get", reverse("survey:questionnaire_detail", args=[questionnaire.pk])),
        ("get", reverse("survey:xlsform_export", args=[questionnaire.pk])),
        ("get", reverse("survey:xlsform_import", args=[questionnaire.pk])),
        ("get", reverse("admin:survey_campaign_change", args=[campaign.pk])),
        ("get", reverse("admin:survey_questionnaire_change", args=[questionnaire.pk])),
        ("get", reverse("admin:survey_question_change", args=[objects["question"].pk])),
        ("get", reverse("admin:survey_site_change", args=[objects["site"].pk])),
        ("get", reverse("admin:survey_organisation_change", args=[campaign.organisation_id])),
    ]


def test_a_quality_manager_of_one_organisation_gets_404_on_every_object_of_another(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    mine, theirs = _objects_of(organisation), _objects_of(other_organisation)
    client = client_for(Role.QUALITY_MANAGER, organisation)

    for method, url in _urls_of(mine):
        assert getattr(client, method)(url).status_code in {200, 302}, url
    for method, url in _urls_of(theirs):
        assert getattr(client, method)(url, {"action": "close"}).status_code == 404, url
    theirs["campaign"].refresh_from_db()
    assert theirs["campaign"].status == CampaignStatus.OPEN


def test_an_interviewer_cannot_read_another_organisations_questionnaire(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    theirs = _objects_of(other_organisation)
    client = client_for(Role.INTERVIEWER, organisation)

    url = reverse("survey:questionnaire_detail", args=[theirs["questionnaire"].pk])
    assert client.get(url).status_code == 404


def test_lists_show_only_the_users_organisation(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    CampaignFactory(organisation=organisation, title="Enquête Charente", status=CampaignStatus.OPEN)
    CampaignFactory(
        organisation=other_organisation, title="Enquête Gironde", status=CampaignStatus.OPEN
    )
    SiteFactory(organisation=organisation, name="Site de Cognac")
    SiteFactory(organisation=other_organisation, name="Site de Libourne")
    client = client_for(Role.QUALITY_MANAGER, organisation)

    for url in [reverse("reports:dashboard"), reverse("survey:entry"), reverse("mystery:index")]:
        page = client.get(url).content.decode()
        assert "Enquête Charente" in page, url
        assert "Enquête Gironde" not in page, url
    sites = client.get(reverse("admin:survey_site_changelist")).content.decode()
    assert "Site de Cognac" in sites
    assert "Site de Libourne" not in sites


def test_a_role_held_in_one_organisation_gives_nothing_in_another(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    """Interviewer here, quality manager there: the dashboard shows only 'there'."""
    client = client_for(Role.INTERVIEWER, organisation)
    MembershipFactory(
        user=client.user,  # type: ignore[attr-defined]
        organisation=other_organisation,
        role=Role.QUALITY_MANAGER,
    )
    mine = _objects_of(organisation)

    url = reverse("survey:campaign_detail", args=[mine["campaign"].pk])
    assert client.get(url).status_code == 404


def test_switching_to_an_organisation_of_ones_own_changes_the_header(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    client = client_for(Role.QUALITY_MANAGER, organisation)
    MembershipFactory(
        user=client.user,  # type: ignore[attr-defined]
        organisation=other_organisation,
        role=Role.QUALITY_MANAGER,
    )

    client.post(
        reverse("switch_organisation"),
        {"organisation": other_organisation.pk, "next": reverse("reports:dashboard")},
    )

    assert other_organisation.name in client.get(reverse("reports:dashboard")).content.decode()


def test_switching_to_a_foreign_organisation_is_refused(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    client = client_for(Role.QUALITY_MANAGER, organisation)

    response = client.post(
        reverse("switch_organisation"), {"organisation": other_organisation.pk}, follow=True
    )

    assert "pas rattaché" in response.content.decode()
    assert client.session.get("organisation_id") is None


def test_a_national_administrator_sees_every_organisation(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    theirs = _objects_of(other_organisation)
    client = client_for(None, organisation, superuser=True)

    url = reverse("survey:campaign_detail", args=[theirs["campaign"].pk])
    assert client.get(url).status_code == 200


def test_a_quality_manager_cannot_edit_national_reference_data(organisation: Organisation) -> None:
    client = client_for(Role.QUALITY_MANAGER, organisation)

    assert client.get(reverse("admin:survey_framework_changelist")).status_code == 200
    assert client.get(reverse("admin:survey_framework_add")).status_code == 403


# --- pages added for issue 13 ---------------------------------------------------------------

PUBLIC_PAGES = ["personal_data", "health"]


@pytest.mark.parametrize("role", [None, *ROLES])
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_the_public_pages_answer_everyone_alike(
    page: str, role: str | None, organisation: Organisation
) -> None:
    client = Client() if role is None else client_for(role, organisation)
    anonymous = Client().get(reverse(page))

    response = client.get(reverse(page))

    # No login asked; the health check answers 503 while no worker has been seen.
    assert response.status_code == (200 if page == "personal_data" else anonymous.status_code)
    assert response.status_code in {200, 503}
    if page == "health":
        assert response.content == anonymous.content  # no data, whoever asks


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["survey:import_job", "survey:import_job_status"])
def test_an_import_job_is_the_quality_managers_only(
    page: str, role: str, organisation: Organisation, other_organisation: Organisation
) -> None:
    questionnaire = QuestionnaireFactory(campaign=CampaignFactory(organisation=organisation))
    manager = MembershipFactory(organisation=organisation, role=Role.QUALITY_MANAGER).user
    job = ImportJob.objects.create(questionnaire=questionnaire, requested_by=manager)
    url = reverse(page, args=[job.pk])

    response = client_for(role, organisation).get(url)

    assert response.status_code == (200 if role == Role.QUALITY_MANAGER else 403)
    assert client_for(Role.QUALITY_MANAGER, other_organisation).get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["survey:xlsform_export", "survey:xlsform_import"])
def test_the_xlsform_pages_are_the_quality_managers_only(
    page: str, role: str, organisation: Organisation
) -> None:
    questionnaire = QuestionnaireFactory(campaign=CampaignFactory(organisation=organisation))
    url = reverse(page, args=[questionnaire.pk])

    response = client_for(role, organisation).get(url)

    assert response.status_code == (200 if role == Role.QUALITY_MANAGER else 403)

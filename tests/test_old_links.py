"""Links written before issue 15 (point 6) keep working: the English query-string names and
the old paths of a campaign's pages redirect permanently to the French names and the
``campagne/<pk>/`` paths."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from survey.models import Campaign
from survey.old_links import french_query, renamed_query

RENAMES = {"channel": "canal", "status": "statut", "choices": "choix"}


def _request(query: str) -> HttpRequest:
    return RequestFactory().get(f"/saisie/campagne/1/questionnaires-recueillis/?{query}")


def test_a_query_without_old_names_is_left_alone() -> None:
    assert renamed_query(_request("canal=phone&page=2"), RENAMES) is None
    assert renamed_query(_request(""), RENAMES) is None


def test_old_names_become_french_and_the_rest_stays_in_order() -> None:
    query = renamed_query(_request("question=q&choices=a,b&status=counted&page=2"), RENAMES)

    assert query == "question=q&choix=a%2Cb&statut=counted&page=2"


def test_repeated_values_are_kept_and_a_french_name_wins_over_its_old_one() -> None:
    assert renamed_query(_request("channel=hall&channel=phone"), RENAMES) == (
        "canal=hall&canal=phone"
    )
    assert renamed_query(_request("channel=hall&canal=phone"), RENAMES) == "canal=phone"


def test_the_decorator_redirects_permanently_or_lets_the_view_answer() -> None:
    @french_query(channel="canal")
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("the view")

    old = view(RequestFactory().get("/page/?channel=phone&site=3"))
    new = view(RequestFactory().get("/page/?canal=phone&site=3"))

    assert old.status_code == 301
    assert old["Location"] == "/page/?canal=phone&site=3"
    assert new.status_code == 200
    assert new.content == b"the view"


@pytest.mark.django_db
def test_the_list_of_questionnaires_sends_old_names_to_french_ones(
    manager_client: Client, campaign: Campaign
) -> None:
    url = reverse("survey:response_list", args=[campaign.pk])

    old = manager_client.get(url, {"status": "voided", "channel": "hall"})
    new = manager_client.get(old["Location"])

    assert old.status_code == 301
    assert old["Location"] == f"{url}?statut=voided&canal=hall"
    assert new.status_code == 200
    assert new.context["form"].cleaned_data["statut"] == "voided"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "name"),
    [
        ("/saisie/campagnes/{pk}/", "survey:campaign_detail"),
        ("/saisie/campagnes/{pk}/questionnaires-recueillis/", "survey:response_list"),
        ("/mystere/{pk}/", "mystery:tables"),
        ("/mystere/{pk}/appels/", "mystery:call_list"),
        ("/mystere/{pk}/courriels/nouveau/", "mystery:email_create"),
        ("/tableau-de-bord/remarques/campagne/{pk}/tableau/", "reports:remark_counts"),
    ],
)
def test_an_old_path_of_a_campaign_page_redirects_permanently(
    old: str, name: str, manager_client: Client, campaign: Campaign
) -> None:
    response = manager_client.get(old.format(pk=campaign.pk), {"page": "2"})

    assert response.status_code == 301
    assert response["Location"] == reverse(name, args=[campaign.pk]) + "?page=2"
    assert f"/campagne/{campaign.pk}/" in response["Location"]


@pytest.mark.django_db
def test_an_old_export_path_keeps_its_format(manager_client: Client, campaign: Campaign) -> None:
    response = manager_client.get(f"/mystere/{campaign.pk}/appels/export.csv")

    assert response.status_code == 301
    assert response["Location"] == f"/mystere/campagne/{campaign.pk}/appels/export.csv"


def test_every_room_puts_a_campaigns_pages_under_the_same_prefix() -> None:
    paths = [
        reverse("survey:campaign_detail", args=[7]),
        reverse("survey:response_list", args=[7]),
        reverse("mystery:call_list", args=[7]),
        reverse("reports:campaign_dashboard", args=[7]),
        reverse("reports:remarks", args=[7]),
        reverse("audit:texts", args=[7]),
    ]

    assert paths == [
        "/saisie/campagne/7/",
        "/saisie/campagne/7/questionnaires-recueillis/",
        "/mystere/campagne/7/appels/",
        "/tableau-de-bord/campagne/7/",
        "/tableau-de-bord/campagne/7/remarques/",
        "/rapport/campagne/7/textes/",
    ]

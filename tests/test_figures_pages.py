"""The quality manager types in the website's monthly figures (a grid saved all or nothing)
and the published figures of earlier years; nobody else reaches these pages, and no
manager reaches another organisation's figures."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.forms_figures import FrenchIntegerField
from reports.models import FigureChannel, PublishedFigure, WebFigure, WebMetric
from reports.web import load_demo_web_figures, monthly_series
from survey.models import (
    Answer,
    Campaign,
    CampaignStatus,
    Channel,
    Organisation,
    Question,
    QuestionKind,
    Role,
)

from .factories import (
    ChoiceFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ResponseFactory,
    yes_no_question,
)
from .helpers import client_for, text

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
WEB = reverse("reports:web_figures")
PUBLISHED = reverse("reports:published_figures")
CREATE = reverse("reports:published_figure_create")
SEED_JANUARY = {"site_visits": 23603, "social_interactions": 3145, "social_impressions": 95435}


def values(organisation: Organisation, year: int = 2016) -> dict[tuple[int, str], int]:
    return {
        (month, metric): value
        for month, metric, value in WebFigure.objects.filter(
            organisation=organisation, year=year
        ).values_list("month", "metric", "value")
    }


def grid(**cells: str) -> dict[str, str]:
    """Every cell of the grid, empty unless given ("site_visits_01": "23 603")."""
    data = {f"{metric}_{month:02d}": "" for metric in WebMetric for month in range(1, 13)}
    data.update(cells)
    return data


# --- the number field ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("23603", 23603),
        ("23 603", 23603),
        (f"23{NBSP}603", 23603),
        ("23\u202f603", 23603),
        (" 1 245 852 ", 1245852),
        ("0", 0),
        ("", None),
    ],
)
def test_numbers_are_read_with_or_without_french_thousands_separators(
    typed: str, number: int | None
) -> None:
    assert FrenchIntegerField(required=False).clean(typed) == number


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("23,5", "Saisissez un nombre entier, par exemple 23 603."),
        ("23 60 3", "Saisissez un nombre entier, par exemple 23 603."),
        ("beaucoup", "Saisissez un nombre entier, par exemple 23 603."),
        ("-3", "Saisissez un nombre positif."),
        ("99999999999", "Ce nombre est trop grand."),
    ],
)
def test_other_numbers_are_refused_in_french(typed: str, message: str) -> None:
    with pytest.raises(Exception) as error:  # noqa: PT011 - Django's ValidationError
        FrenchIntegerField(required=False).clean(typed)

    assert error.value.messages == [message]  # type: ignore[attr-defined]


# --- web and social networks: the grid -------------------------------------------------------


def test_the_quality_manager_saves_a_year_typed_with_thousands_separators(
    manager_client: Client, organisation: Organisation
) -> None:
    url = f"{WEB}?annee=2016"
    assert manager_client.get(url).status_code == 200

    response = manager_client.post(
        url,
        grid(
            site_visits_01="23 603",
            site_visits_02=f"25{NBSP}800",
            site_visits_03="26183",
            social_impressions_01="95 435",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == url
    assert values(organisation) == {
        (1, "site_visits"): 23603,
        (2, "site_visits"): 25800,
        (3, "site_visits"): 26183,
        (1, "social_impressions"): 95435,
    }
    page = manager_client.get(url).content.decode()
    assert f"23{NBSP}603" in page
    assert "Les chiffres de 2016 sont enregistrés." in html.unescape(page)


def test_one_wrong_cell_saves_nothing_and_says_which_in_french(
    manager_client: Client, organisation: Organisation
) -> None:
    WebFigure.objects.create(
        organisation=organisation, year=2016, month=1, metric="site_visits", value=1000
    )
    WebFigure.objects.create(
        organisation=organisation, year=2016, month=2, metric="site_visits", value=2000
    )

    response = manager_client.post(
        f"{WEB}?annee=2016",
        grid(
            site_visits_01="23 603",  # valid, changed
            site_visits_02="",  # valid, emptied
            social_interactions_03="3 14,5",
            social_impressions_04="-12",
        ),
    )

    page = text(response)
    assert response.status_code == 400
    assert "2 cases sont à corriger : rien n'est enregistré." in page
    assert "Interactions sur les réseaux sociaux, mars 2016" in page
    assert "Saisissez un nombre entier, par exemple 23 603." in page
    assert "Saisissez un nombre positif." in page
    assert 'aria-invalid="true"' in page
    assert 'value="3 14,5"' in page  # what was typed stays in its cell
    assert values(organisation) == {(1, "site_visits"): 1000, (2, "site_visits"): 2000}


def test_an_emptied_cell_deletes_that_months_figure_and_the_others_stay(
    manager_client: Client, organisation: Organisation
) -> None:
    load_demo_web_figures(organisation)
    data = grid()
    for month, metric in values(organisation):
        data[f"{metric}_{month:02d}"] = str(values(organisation)[(month, metric)])
    data["site_visits_01"] = ""
    data["site_visits_10"] = "30 000"

    response = manager_client.post(f"{WEB}?annee=2016", data)

    assert response.status_code == 302
    saved = values(organisation)
    assert (1, "site_visits") not in saved
    assert saved[(10, "site_visits")] == 30000
    assert saved[(1, "social_impressions")] == 95435
    assert len(saved) == 27


def test_a_grid_saved_unchanged_changes_nothing(
    manager_client: Client, organisation: Organisation
) -> None:
    load_demo_web_figures(organisation)
    page = manager_client.get(f"{WEB}?annee=2016").content.decode()
    typed = dict(re.findall(r'name="(\w+_\d\d)" id="[^"]*"\s+value="([^"]*)"', page))
    assert typed["site_visits_01"] == f"23{NBSP}603"  # shown as it is written

    response = manager_client.post(f"{WEB}?annee=2016", grid(**typed), follow=True)

    assert "Aucun chiffre n'a changé." in text(response)
    assert len(values(organisation)) == 27


def test_another_years_figures_are_left_alone(
    manager_client: Client, organisation: Organisation
) -> None:
    WebFigure.objects.create(
        organisation=organisation, year=2015, month=1, metric="site_visits", value=20000
    )

    manager_client.post(f"{WEB}?annee=2016", grid(site_visits_01="1"))

    assert values(organisation, 2015) == {(1, "site_visits"): 20000}
    assert values(organisation, 2016) == {(1, "site_visits"): 1}


def test_a_wrong_year_is_refused_and_nothing_is_saved(
    manager_client: Client, organisation: Organisation
) -> None:
    response = manager_client.post(f"{WEB}?annee=1850", grid(site_visits_01="1"))

    assert response.status_code == 400
    assert "Saisissez une année entre 2000 et 2100." in text(response)
    assert not WebFigure.objects.exists()


# --- web and social networks: the seed's months, the table and the chart -------------------


def test_the_seeds_nine_months_load_once(organisation: Organisation) -> None:
    assert load_demo_web_figures(organisation) == 27
    assert load_demo_web_figures(organisation) == 0

    series = monthly_series(organisation, 2016)
    for metric, value in SEED_JANUARY.items():
        assert series.value(metric, 1) == value
    assert series.value("site_visits", 9) == 32790
    assert series.value("social_impressions", 8) == 245852
    assert series.value("site_visits", 10) is None


def test_the_series_is_read_in_one_query(
    organisation: Organisation, django_assert_num_queries: Any
) -> None:
    load_demo_web_figures(organisation)

    with django_assert_num_queries(1):
        monthly_series(organisation, 2016)


def test_the_page_shows_the_seeds_months_in_french_with_their_chart(
    manager_client: Client, organisation: Organisation
) -> None:
    load_demo_web_figures(organisation)

    response = manager_client.get(WEB)  # the latest year entered by default

    page = response.content.decode()
    assert response.status_code == 200
    assert "Site internet et réseaux sociaux — 2016" in html.unescape(page)
    for figure in ("23", "245"):
        assert f"{figure}{NBSP}" in page
    assert f'<td class="fr-cell--right">23{NBSP}603</td>' in page
    assert f'<td class="fr-cell--right">245{NBSP}852</td>' in page
    assert f'<td class="fr-cell--right">242{NBSP}772</td>' in page  # total of the visits
    # The chart: its data embedded with json_script, plotly and the helper from /static/.
    match = re.search(
        r'<script id="web-figures-chart-data" type="application/json">(.*?)</script>', page
    )
    assert match
    chart = json.loads(match.group(1))
    assert chart["categories"][0] == "Janvier"
    assert [series["values"][0] for series in chart["series"]] == [23603, 3145, 95435]
    assert chart["series"][0]["values"][9:] == [None, None, None]
    assert 'data-series-chart="web-figures-chart-data" aria-hidden="true"' in page
    # The chart drawer, which fetches plotly.js and its stylesheet when the chart comes near
    # the viewport.
    assert (
        '<script src="/static/reports/charts.js"'
        ' data-plotly="/static/vendor/plotly/plotly-basic.min.js"'
        ' data-plotly-css="/static/vendor/plotly/plotly.css" defer></script>'
    ) in page
    assert "cdn" not in page.lower()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert all('type="application/json"' in attributes for attributes in scripts), scripts


def test_an_empty_year_shows_no_chart_and_loads_no_plotly(
    manager_client: Client, organisation: Organisation
) -> None:
    page = manager_client.get(f"{WEB}?annee=2017").content.decode()

    assert "Aucun chiffre n'est encore saisi pour 2017." in html.unescape(page)
    assert "plotly" not in page


def test_the_chart_helper_reads_json_script_and_formats_in_french() -> None:
    from django.conf import settings

    source = (settings.BASE_DIR / "static" / "reports" / "charts.js").read_text()

    assert "JSON.parse(source.textContent" in source
    assert "displaylogo: false" in source
    assert "responsive: true" in source
    assert "Intl.NumberFormat" in source
    assert "http" not in source


# --- published figures ---------------------------------------------------------------------


@pytest.fixture
def campaign_2016(organisation: Organisation) -> Campaign:
    """The 2016 campaign, open, with a yes/no question, a single-choice one and a free text."""
    questionnaire = QuestionnaireFactory(
        campaign__organisation=organisation,
        campaign__year=2016,
        campaign__status=CampaignStatus.OPEN,
        channel=Channel.HALL,
    )
    yes_no_question(
        section__questionnaire=questionnaire,
        code="connait_reseaux",
        number="36",
        text="Savez-vous que la préfecture est présente sur les réseaux sociaux ?",
    )
    profile = QuestionFactory(
        section__questionnaire=questionnaire,
        code="profil",
        number="1",
        text="Vous êtes ?",
        kind=QuestionKind.SINGLE,
    )
    ChoiceFactory(question=profile, code="particulier", label="Un particulier", order=1)
    ChoiceFactory(question=profile, code="professionnel", label="Un professionnel", order=2)
    QuestionFactory(
        section__questionnaire=questionnaire, code="remarques", kind=QuestionKind.FREE_TEXT
    )
    campaign: Campaign = questionnaire.campaign
    return campaign


def answer(campaign: Campaign, code: str, choice: str) -> None:
    """One counted questionnaire of the campaign's hall channel, answering ``code``."""
    question = Question.objects.get(questionnaire__campaign=campaign, code=code)
    response = ResponseFactory(questionnaire=question.questionnaire)
    Answer.objects.create(
        response=response, question=question, choice=question.choices.get(code=choice)
    )


def figure_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "year": "2015",
        "code": "connait_reseaux",
        "choice_code": "",
        "channel": FigureChannel.HALL,
        "favourable": "",
        "base": "",
        "rate": "9,6",
        "source": "Rapport 2015, p. 12",
    }
    data.update(overrides)
    return data


def test_the_form_offers_the_organisations_question_codes_with_their_text(
    manager_client: Client, campaign_2016: Campaign
) -> None:
    page = text(manager_client.get(CREATE))

    assert (
        '<option value="connait_reseaux">Q36 — Savez-vous que la préfecture est présente sur '
        "les réseaux sociaux ? (connait_reseaux)</option>" in page
    )
    assert '<option value="questionnaires">Nombre de questionnaires recueillis</option>' in page
    assert 'value="remarques"' not in page  # no rate of a free text
    assert '<datalist id="published-figure-choice-codes">' in page
    assert '<option value="particulier">Un particulier</option>' in page


def test_the_quality_manager_enters_a_published_rate_in_french(
    manager_client: Client, organisation: Organisation, campaign_2016: Campaign
) -> None:
    response = manager_client.post(CREATE, figure_data(rate="9,6 %"))

    assert response.status_code == 302
    assert response["Location"] == PUBLISHED
    figure = PublishedFigure.objects.get(organisation=organisation)
    assert (figure.year, figure.code, figure.choice_code, figure.channel) == (
        2015,
        "connait_reseaux",
        "",
        "hall",
    )
    assert figure.rate == Decimal("9.6")
    assert figure.favourable is None
    page = text(manager_client.get(PUBLISHED))
    assert "Q36 — Savez-vous" in page
    assert f"9,6{NBSP}%" in page


def test_counts_with_thousands_separators_and_a_choice_code(
    manager_client: Client, organisation: Organisation, campaign_2016: Campaign
) -> None:
    response = manager_client.post(
        CREATE,
        figure_data(
            code="profil",
            choice_code=" Particulier ",
            channel=FigureChannel.ALL,
            favourable="1 204",
            base="1 530",
            rate="78,7",
        ),
    )

    assert response.status_code == 302
    figure = PublishedFigure.objects.get(organisation=organisation)
    assert (figure.choice_code, figure.favourable, figure.base) == ("particulier", 1204, 1530)
    assert f"78,7{NBSP}%" in text(manager_client.get(PUBLISHED))


def test_the_number_of_questionnaires_is_entered_as_its_base(
    manager_client: Client, organisation: Organisation, campaign_2016: Campaign
) -> None:
    refused = manager_client.post(CREATE, figure_data(code="questionnaires", rate="", base=""))
    assert refused.status_code == 400
    assert "Indiquez le nombre de questionnaires." in text(refused)

    response = manager_client.post(
        CREATE, figure_data(code="questionnaires", rate="", base="1 021")
    )

    assert response.status_code == 302
    assert PublishedFigure.objects.get().base == 1021


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"code": "inconnue"},
            "Choisissez une question des campagnes de l'organisation.",
        ),
        ({"code": ""}, "Choisissez la question."),
        ({"rate": "120"}, "Le taux est un pourcentage compris entre 0 et 100."),
        ({"rate": "-1"}, "Le taux est un pourcentage compris entre 0 et 100."),
        ({"rate": "beaucoup"}, "Saisissez un pourcentage, par exemple 65,8."),
        ({"rate": ""}, "Saisissez le taux publié, ou l'effectif et la base."),
        ({"rate": "", "favourable": "40", "base": "30"}, "L'effectif (40) dépasse la base (30)."),
        ({"rate": "", "favourable": "40"}, "Indiquez la base de cet effectif."),
        ({"rate": "", "base": "30"}, "Indiquez l'effectif, ou le taux publié avec la base."),
        ({"rate": "", "favourable": "0", "base": "0"}, "La base est d'au moins 1."),
        (
            {"rate": "50", "favourable": "10", "base": "40"},
            f"Le taux (50{NBSP}%) ne correspond pas aux effectifs 10/40 (25{NBSP}%)",
        ),
        (
            {"choice_code": "peut_etre"},
            "Code inconnu pour cette question. Codes possibles : oui, non.",
        ),
        (
            {"code": "profil"},
            "Cette question n'a pas de réponse favorable : indiquez le code de la réponse",
        ),
        (
            {"code": "questionnaires", "base": "300"},
            "Le nombre de questionnaires se saisit seul, dans la base.",
        ),
        ({"year": "1990"}, "Saisissez une année à partir de 2000."),
        ({"year": "2015,5"}, "Saisissez une année, par exemple 2015."),
    ],
)
def test_a_wrong_figure_is_refused_in_french_and_nothing_is_saved(
    manager_client: Client,
    campaign_2016: Campaign,
    overrides: dict[str, str],
    message: str,
) -> None:
    response = manager_client.post(CREATE, figure_data(**overrides))

    assert response.status_code == 400
    assert message in text(response)
    assert not PublishedFigure.objects.exists()


def test_a_future_year_is_refused(manager_client: Client, campaign_2016: Campaign) -> None:
    next_year = timezone.localdate().year + 1

    response = manager_client.post(CREATE, figure_data(year=str(next_year)))

    assert response.status_code == 400
    assert f"Saisissez une année passée ({next_year - 1} au plus)." in text(response)


def test_a_year_whose_campaign_has_answers_to_that_question_is_refused(
    manager_client: Client, organisation: Organisation, campaign_2016: Campaign
) -> None:
    answer(campaign_2016, "connait_reseaux", "oui")

    for channel in (FigureChannel.HALL, FigureChannel.ALL):
        response = manager_client.post(CREATE, figure_data(year="2016", channel=channel))
        assert response.status_code == 400
        assert "La campagne 2016 de l'application contient des réponses à cette question" in text(
            response
        )
    # The phone channel has no answers in 2016, another question neither: both are taken.
    assert (
        manager_client.post(
            CREATE, figure_data(year="2016", channel=FigureChannel.PHONE)
        ).status_code
        == 302
    )
    assert (
        manager_client.post(
            CREATE,
            figure_data(year="2016", code="profil", choice_code="particulier", rate="60"),
        ).status_code
        == 302
    )
    refused = manager_client.post(
        CREATE, figure_data(year="2016", code="questionnaires", rate="", base="100")
    )
    assert "La campagne 2016 de l'application contient des questionnaires" in text(refused)
    assert PublishedFigure.objects.count() == 2


def test_the_same_figure_twice_is_refused(manager_client: Client, campaign_2016: Campaign) -> None:
    assert manager_client.post(CREATE, figure_data()).status_code == 302

    response = manager_client.post(CREATE, figure_data(rate="11"))

    assert response.status_code == 400
    assert "Ce chiffre est déjà saisi pour cette année" in text(response)
    assert PublishedFigure.objects.get().rate == Decimal("9.6")


def test_the_quality_manager_corrects_then_deletes_a_figure(
    manager_client: Client, organisation: Organisation, campaign_2016: Campaign
) -> None:
    figure = PublishedFigure.objects.create(
        organisation=organisation, year=2015, code="connait_reseaux", channel="hall", rate=9
    )
    update = reverse("reports:published_figure_update", args=[figure.pk])
    delete = reverse("reports:published_figure_delete", args=[figure.pk])

    page = text(manager_client.get(update))
    assert 'value="9,00"' in page

    refused = manager_client.post(update, figure_data(rate="101"))
    assert refused.status_code == 400
    figure.refresh_from_db()
    assert figure.rate == Decimal(9)

    assert manager_client.post(update, figure_data(favourable="12", base="125")).status_code == 302
    figure.refresh_from_db()
    assert (figure.favourable, figure.base, figure.rate) == (12, 125, Decimal("9.6"))

    assert "Supprimer le chiffre publié" in text(manager_client.get(delete))
    assert PublishedFigure.objects.exists()
    response = manager_client.post(delete)
    assert response.status_code == 302
    assert not PublishedFigure.objects.exists()


def test_a_figure_whose_question_left_the_campaigns_must_be_given_another(
    manager_client: Client, organisation: Organisation, campaign_2016: Campaign
) -> None:
    figure = PublishedFigure.objects.create(
        organisation=organisation, year=2014, code="ancienne_question", rate=50
    )
    update = reverse("reports:published_figure_update", args=[figure.pk])

    assert "ancienne_question (absente des campagnes)" in text(manager_client.get(update))
    response = manager_client.post(update, figure_data(year="2014", code="ancienne_question"))

    assert response.status_code == 400
    assert (
        "La question « ancienne_question » ne figure dans aucune campagne de l'organisation"
        in text(response)
    )


# --- access ----------------------------------------------------------------------------------


def _pages(figure: PublishedFigure) -> list[str]:
    return [
        WEB,
        PUBLISHED,
        CREATE,
        reverse("reports:published_figure_update", args=[figure.pk]),
        reverse("reports:published_figure_delete", args=[figure.pk]),
    ]


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.STAFF])
def test_interviewers_and_staff_are_refused(role: str, organisation: Organisation) -> None:
    figure = PublishedFigure.objects.create(
        organisation=organisation, year=2015, code="questionnaires", base=300
    )
    client = client_for(role, organisation)

    for url in _pages(figure):
        assert client.get(url).status_code == 403, url
        assert client.post(url, figure_data()).status_code == 403, url
    assert client.post(WEB, grid(site_visits_01="1")).status_code == 403
    assert PublishedFigure.objects.get().base == 300
    assert not WebFigure.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(
    client: Client, organisation: Organisation
) -> None:
    figure = PublishedFigure.objects.create(
        organisation=organisation, year=2015, code="questionnaires", base=300
    )

    for url in _pages(figure):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "connexion" in response["Location"] or "login" in response["Location"]


def test_a_quality_manager_of_another_organisation_gets_404_on_every_figure(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    figure = PublishedFigure.objects.create(
        organisation=organisation, year=2015, code="questionnaires", base=300
    )
    load_demo_web_figures(organisation)
    client = client_for(Role.QUALITY_MANAGER, other_organisation)

    for url in (
        reverse("reports:published_figure_update", args=[figure.pk]),
        reverse("reports:published_figure_delete", args=[figure.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, figure_data(code="questionnaires", base="1")).status_code == 404
    assert PublishedFigure.objects.get().base == 300
    # Their lists and their grid are their own organisation's: empty.
    assert "Aucun chiffre publié n'est saisi." in text(client.get(PUBLISHED))
    page = client.get(f"{WEB}?annee=2016").content.decode()
    assert f"23{NBSP}603" not in page
    client.post(f"{WEB}?annee=2016", grid(site_visits_01="5"))
    assert values(organisation)[(1, "site_visits")] == 23603
    assert values(other_organisation) == {(1, "site_visits"): 5}


def test_the_pages_are_the_dashboards(
    manager_client: Client, organisation: Organisation, campaign_2016: Campaign
) -> None:
    assert WEB == "/tableau-de-bord/chiffres/web/"
    assert PUBLISHED == "/tableau-de-bord/chiffres/publies/"
    page = manager_client.get(PUBLISHED).content.decode()
    assert 'aria-current="page">Tableau de bord</a>' in page


def test_a_published_figure_of_a_campaign_year_without_answers_is_accepted(
    manager_client: Client, organisation: Organisation, campaign_2016: Campaign
) -> None:
    """A campaign that has no answers yet does not stand in the way."""
    response = manager_client.post(CREATE, figure_data(year="2016"))

    assert response.status_code == 302
    assert PublishedFigure.objects.get().year == 2016

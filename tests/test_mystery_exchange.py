"""Exporting and importing the mystery call and e-mail logs as CSV or XLSX: a file imports
whole or not at all, and an export imports back identically."""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mystery.exchange_calls import CALL_COLUMNS, export_calls, import_calls
from mystery.exchange_emails import EMAIL_COLUMNS, EMAIL_COMPUTED, export_emails, import_emails
from mystery.exchange_rows import ImportResult
from mystery.models import (
    CallOutcome,
    EmailTheme,
    Mailbox,
    MysteryCall,
    MysteryEmail,
    MysteryService,
)
from survey.models import Campaign, CampaignStatus, Organisation, Role
from survey.spreadsheet_files import read_table
from survey.spreadsheets import ImportRefused, RowError, write_csv, write_xlsx

from .factories import (
    CampaignFactory,
    EmailThemeFactory,
    MembershipFactory,
    MysteryCallFactory,
    MysteryEmailFactory,
    MysteryServiceFactory,
    UserFactory,
)
from .helpers import client_for
from .helpers_mystery import call_row, email_row, rows_of, upload

PARIS = ZoneInfo("Europe/Paris")
EXPORTS = {"call": export_calls, "email": export_emails}
IMPORTS = {"call": import_calls, "email": import_emails}
MODELS: dict[str, Any] = {"call": MysteryCall, "email": MysteryEmail}
FORMULA = '=HYPERLINK("http://exemple.invalid";"clic")'

pytestmark = pytest.mark.django_db


# --- helpers ---------------------------------------------------------------------------


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2016, 10, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def campaign(organisation: Organisation) -> Campaign:
    return CampaignFactory(organisation=organisation, year=2016, status=CampaignStatus.OPEN)


@pytest.fixture
def agent(organisation: Organisation) -> User:
    user: User = UserFactory(username="agent1")
    MembershipFactory(user=user, organisation=organisation, role=Role.STAFF)
    return user


@pytest.fixture
def manager(organisation: Organisation) -> User:
    user: User = UserFactory(username="responsable1")
    MembershipFactory(user=user, organisation=organisation, role=Role.QUALITY_MANAGER)
    return user


@pytest.fixture
def reference(organisation: Organisation) -> dict[str, Any]:
    return {
        "accueil": MysteryServiceFactory(
            organisation=organisation, name="Accueil général", phone_number="05 45 97 61 00"
        ),
        "cartes": MysteryServiceFactory(
            organisation=organisation, name="Cartes grises", phone_number="05 45 97 62 00"
        ),
        "titres": EmailThemeFactory(organisation=organisation, name="Titres de séjour"),
        "permis": EmailThemeFactory(organisation=organisation, name="Permis de conduire"),
        "boite": Mailbox.objects.create(
            organisation=organisation, address="jean.martin@exemple.fr", label="Jean"
        ),
    }


def store_calls(campaign: Campaign, reference: dict[str, Any], agent: User) -> None:
    """Three calls using every kind of cell: a perfect one, a half-good one with missing
    greeting elements, one that did not get through; remarks a spreadsheet would misread."""
    MysteryCallFactory(
        campaign=campaign,
        service=reference["accueil"],
        called_at=at(4, 10),
        rings=2,
        observations=FORMULA + ' ; « très » bien, "vraiment"\nsur deux lignes',
        logged_by=agent,
    )
    MysteryCallFactory(
        campaign=campaign,
        service=reference["cartes"],
        number_dialled="05 45 00 00 01",
        called_at=at(5, 14, 30),
        rings=7,
        greeting_complete=False,
        greeting_missing=["service", "agent"],
        courteous=False,
        answer_content_ok=True,
        answer_form_ok=False,
        logged_by=agent,
    )
    MysteryCallFactory(
        campaign=campaign,
        service=reference["cartes"],
        called_at=at(6, 9, 15),
        outcome=CallOutcome.VOICEMAIL,
        rings=None,
        greeting_complete=None,
        courteous=None,
        answer_content_ok=None,
        answer_form_ok=None,
        observations="- rappeler",
        logged_by=agent,
    )


def store_emails(campaign: Campaign, reference: dict[str, Any], agent: User) -> None:
    """Answered in time, answered late, not answered; with and without service, mailbox."""
    MysteryEmailFactory(
        campaign=campaign,
        theme=reference["titres"],
        service=reference["accueil"],
        mailbox=reference["boite"],
        question="Quels papiers pour un renouvellement ?",
        sent_at=at(3, 9),
        acknowledged_at=at(3, 9, 5),
        answered_at=at(5, 16),
        answer_content_ok=True,
        answer_form_ok=True,
        observations="+33 au téléphone",
        logged_by=agent,
    )
    MysteryEmailFactory(
        campaign=campaign,
        theme=reference["permis"],
        sent_at=at(3, 10),
        acknowledged_at=None,
        answered_at=at(17, 11),
        answer_content_ok=False,
        answer_form_ok=True,
        logged_by=agent,
    )
    MysteryEmailFactory(
        campaign=campaign,
        theme=reference["permis"],
        sent_at=at(4, 11),
        acknowledged_at=at(4, 12),
        logged_by=agent,
    )


STORE = {"call": store_calls, "email": store_emails}


def snapshot(kind: str, campaign: Campaign) -> dict[uuid.UUID, tuple[Any, ...]]:
    """Every stored value of the campaign's logs but the database ids and timestamps."""
    model = MODELS[kind]
    fields = [f.attname for f in model._meta.concrete_fields]
    fields = [f for f in fields if f not in {"id", "uuid", "created_at", "updated_at"}]
    return {
        log.uuid: tuple(getattr(log, f) for f in fields)
        for log in model.objects.filter(campaign=campaign)
    }


def refusal(kind: str, campaign: Campaign, user: User, *rows: dict[str, str]) -> list[RowError]:
    columns = CALL_COLUMNS if kind == "call" else EMAIL_COLUMNS
    header, cells = rows_of(columns, *rows)
    with pytest.raises(ImportRefused) as refused:
        IMPORTS[kind](campaign, read_table(upload(header, cells)), user=user)
    assert not MODELS[kind].objects.filter(campaign=campaign).exists()
    return refused.value.row_errors


# --- round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["call", "email"])
def test_an_export_deleted_then_imported_gives_back_the_same_rows(
    kind: str,
    fmt: str,
    campaign: Campaign,
    reference: dict[str, Any],
    agent: User,
    manager: User,
) -> None:
    STORE[kind](campaign, reference, agent)
    before, exported = snapshot(kind, campaign), EXPORTS[kind](campaign)
    MODELS[kind].objects.filter(campaign=campaign).delete()

    result = IMPORTS[kind](campaign, read_table(upload(*exported, fmt)), user=manager)

    assert result == ImportResult(created=3, already_present=0)
    assert snapshot(kind, campaign) == before
    assert EXPORTS[kind](campaign) == exported


@pytest.mark.parametrize("kind", ["call", "email"])
def test_reimporting_an_export_creates_nothing(
    kind: str, campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    STORE[kind](campaign, reference, agent)
    before = snapshot(kind, campaign)

    result = IMPORTS[kind](campaign, read_table(upload(*EXPORTS[kind](campaign))), user=agent)

    assert result == ImportResult(created=0, already_present=3)
    assert snapshot(kind, campaign) == before


def test_the_call_export_has_the_documented_columns_and_readable_cells(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    store_calls(campaign, reference, agent)
    header, rows = export_calls(campaign)
    assert header == [
        "uuid",
        "service",
        "numero_compose",
        "appele_le",
        "resultat",
        "sonneries",
        "formule_complete",
        "elements_manquants",
        "courtoisie",
        "reponse_fond",
        "reponse_forme",
        "observations",
        "saisi_par",
    ]
    assert rows[1][1:] == [
        "Cartes grises",
        "05 45 00 00 01",
        "2016-10-05T14:30:00+02:00",
        "reached",
        "7",
        "non",
        "service|agent",
        "non",
        "oui",
        "non",
        "",
        "agent1",
    ]
    assert rows[2][4:11] == ["voicemail", "", "", "", "", "", ""]


def test_the_email_export_adds_the_deadline_and_delay_which_the_import_ignores(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    store_emails(campaign, reference, agent)
    header, rows = export_emails(campaign, today=datetime.date(2016, 10, 7))
    assert header == [*EMAIL_COLUMNS, *EMAIL_COMPUTED]
    assert header[-3:] == ["echeance", "delai_jours_ouvres", "dans_le_delai"]
    computed = [row[-3:] for row in rows]
    # Sent Monday 3 October, 5 working days: due Monday 10; the second answered on the 17th.
    assert computed == [
        ["2016-10-10", "2", "oui"],
        ["2016-10-10", "10", "non"],
        ["2016-10-11", "", ""],  # still waiting on the 7th
    ]
    assert rows[0][1:6] == [
        "Titres de séjour",
        "Accueil général",
        "jean.martin@exemple.fr",
        "Quels papiers pour un renouvellement ?",
        "2016-10-03T09:00:00+02:00",
    ]
    MysteryEmail.objects.all().delete()
    for row in rows:
        row[-3:] = ["n'importe quoi", "-1", "peut-être"]

    result = import_emails(campaign, read_table(upload(header, rows)), user=agent)

    assert result.created == 3


# --- formulas --------------------------------------------------------------------------


def test_formula_cells_are_defused_in_both_formats(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    store_calls(campaign, reference, agent)
    header, rows = export_calls(campaign)

    text = write_csv(header, rows).decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in text
    assert ";'- rappeler;" in text

    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(header, rows))).worksheets[0]
    observations = [cell for cell in sheet["L"][1:] if cell.value]
    assert [cell.data_type for cell in observations] == ["s", "s"]
    assert observations[0].value.startswith(FORMULA)


# --- refusals --------------------------------------------------------------------------


def test_one_bad_row_among_good_ones_stores_nothing_and_says_where_in_french(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    errors = refusal(
        "call",
        campaign,
        agent,
        call_row(),
        call_row(resultat="peut-être"),
        call_row(service="cartes grises"),
    )
    assert [(e.line, e.column) for e in errors] == [(3, "resultat")]
    assert "« peut-être » n'est pas un résultat" in errors[0].message
    assert str(errors[0]).startswith("ligne 3, colonne resultat : ")


def test_an_unknown_service_is_named_with_what_to_do(
    campaign: Campaign, reference: dict[str, Any], agent: User, other_organisation: Organisation
) -> None:
    MysteryServiceFactory(organisation=other_organisation, name="Service d'une autre préfecture")
    (error,) = refusal(
        "call", campaign, agent, call_row(), call_row(service="Service d'une autre préfecture")
    )
    assert (error.line, error.column) == (3, "service")
    assert "n'est pas dans le référentiel des tests mystères" in error.message
    assert "ajoutez-le au référentiel" in error.message
    assert "Accueil général, Cartes grises" in error.message


def test_unknown_themes_and_mailboxes_are_refused(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    errors = refusal(
        "email", campaign, agent, email_row(theme="Naturalisation", boite_envoi="x@exemple.fr")
    )
    assert [(e.line, e.column) for e in errors] == [(2, "theme"), (2, "boite_envoi")]


def test_a_half_filled_reached_call_and_a_graded_unreached_one_are_refused(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    errors = refusal(
        "call",
        campaign,
        agent,
        call_row(courtoisie="", sonneries=""),
        call_row(resultat="Ligne saturée", sonneries="4", elements_manquants=""),
        call_row(formule_complete="oui", elements_manquants="agent"),
    )
    assert [(e.line, e.column) for e in errors] == [
        (2, "sonneries"),
        (2, "courtoisie"),
        (3, "sonneries"),
        (3, "formule_complete"),
        (3, "courtoisie"),
        (3, "reponse_fond"),
        (3, "reponse_forme"),
        (4, "elements_manquants"),
    ]
    assert "un appel abouti (resultat reached) se note sur chaque critère" in errors[0].message
    assert "un appel qui n'a pas abouti ne se note pas" in errors[2].message


def test_an_answer_before_sending_and_quality_without_answer_are_refused(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    errors = refusal(
        "email",
        campaign,
        agent,
        email_row(reponse_le="02/10/2016 18:00", accuse_reception_le="2016-10-02"),
        email_row(reponse_le=""),
        email_row(reponse_fond=""),
    )
    assert [(e.line, e.column) for e in errors] == [
        (2, "accuse_reception_le"),
        (2, "reponse_le"),
        (3, "reponse_fond"),
        (3, "reponse_forme"),
        (4, "reponse_fond"),
    ]
    assert "cette date précède l'envoi du courriel" in errors[1].message


def test_unreadable_cells_and_the_models_own_checks_are_reported_by_column(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    errors = refusal(
        "call",
        campaign,
        agent,
        call_row(appele_le="demain", sonneries="trois", courtoisie="bof"),
        call_row(elements_manquants="bonjour|sourire", formule_complete="non"),
        call_row(numero_compose="0" * 31),
        call_row(service="", resultat=""),
    )
    assert [(e.line, e.column) for e in errors] == [
        (2, "appele_le"),
        (2, "sonneries"),
        (2, "courtoisie"),
        (3, "elements_manquants"),
        (4, "numero_compose"),  # full_clean: at most 30 characters
        (5, "service"),
        (5, "resultat"),
    ]


def test_uuids_taken_elsewhere_repeated_or_unreadable_are_refused(
    campaign: Campaign, reference: dict[str, Any], agent: User, other_organisation: Organisation
) -> None:
    elsewhere = MysteryCallFactory(campaign__organisation=other_organisation)
    twice = str(uuid.uuid4())
    errors = refusal(
        "call",
        campaign,
        agent,
        call_row(uuid=str(elsewhere.uuid)),
        call_row(uuid=twice),
        call_row(uuid=twice),
        call_row(uuid="pas-un-uuid"),
    )
    assert [(e.line, e.column) for e in errors] == [(2, "uuid"), (4, "uuid"), (5, "uuid")]
    assert "autre campagne" in errors[0].message
    assert "ligne 3" in errors[1].message


def test_unknown_or_missing_columns_refuse_the_file(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    columns = [c for c in [*CALL_COLUMNS, "commentaire"] if c != "resultat"]
    header, rows = rows_of(columns, call_row(commentaire="à rappeler"))
    with pytest.raises(ImportRefused) as refused:
        import_calls(campaign, read_table(upload(header, rows)), user=agent)
    assert [(e.line, e.column) for e in refused.value.row_errors] == [
        (1, "commentaire"),
        (1, "resultat"),
    ]


def test_a_closed_campaign_refuses_an_import(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    header, rows = rows_of(CALL_COLUMNS, call_row())
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="clôturée"):
        import_calls(campaign, read_table(upload(header, rows)), user=agent)
    assert not MysteryCall.objects.exists()


# --- what a valid file gives -----------------------------------------------------------


def test_codes_and_french_labels_are_read_whatever_their_case_and_accents(
    campaign: Campaign, reference: dict[str, Any], agent: User, manager: User
) -> None:
    header, rows = rows_of(
        CALL_COLUMNS,
        call_row(
            resultat="ABOUTI : UN AGENT A DÉCROCHÉ",
            formule_complete="Non",
            elements_manquants="Préfecture | BONJOUR",
            saisi_par="agent1",
        ),
        *(
            call_row(resultat=r, **dict.fromkeys(["sonneries", "formule_complete"], ""))
            | dict.fromkeys(["courtoisie", "reponse_fond", "reponse_forme"], "")
            for r in ("messagerie vocale", "No_Answer")
        ),
    )
    result = import_calls(campaign, read_table(upload(header, rows, "xlsx")), user=manager)
    assert result == ImportResult(created=3, already_present=0)
    calls = list(MysteryCall.objects.order_by("outcome"))
    assert [c.outcome for c in calls] == ["no_answer", "reached", "voicemail"]
    reached = calls[1]
    assert reached.greeting_missing == ["prefecture", "bonjour"]
    assert reached.number_dialled == "05 45 97 61 00"  # empty: the service's number
    assert reached.called_at == at(4, 10)
    assert reached.logged_by == User.objects.get(username="agent1")
    assert calls[0].logged_by == manager  # empty: who imports
    assert all(len(str(c.uuid)) == 36 for c in calls)
    assert reached.history.get().history_user == manager


def test_unknown_users_are_replaced_by_the_importing_one(
    campaign: Campaign, reference: dict[str, Any], manager: User
) -> None:
    header, rows = rows_of(EMAIL_COLUMNS, email_row(saisi_par="inconnu"))
    result = import_emails(campaign, read_table(upload(header, rows)), user=manager)
    assert result.unknown_users == ("inconnu",)
    assert MysteryEmail.objects.get().logged_by == manager


def test_an_inactive_service_of_the_organisation_is_still_accepted(
    campaign: Campaign, reference: dict[str, Any], agent: User
) -> None:
    MysteryService.objects.filter(pk=reference["cartes"].pk).update(is_active=False)
    EmailTheme.objects.update(is_active=False)
    header, rows = rows_of(EMAIL_COLUMNS, email_row(service="Cartes grises"))
    assert import_emails(campaign, read_table(upload(header, rows)), user=agent).created == 1


# --- pages -----------------------------------------------------------------------------


def post_file(client: Client, url: str, header: list[str], rows: list[list[str]]) -> Any:
    return client.post(url, {"file": upload(header, rows)})


@pytest.mark.parametrize("kind", ["call", "email"])
def test_the_import_page_imports_and_says_how_many(
    kind: str, campaign: Campaign, reference: dict[str, Any], staff_client: Client
) -> None:
    agent = staff_client.user  # type: ignore[attr-defined]
    STORE[kind](campaign, reference, agent)
    header, rows = EXPORTS[kind](campaign)
    MODELS[kind].objects.filter(pk=MODELS[kind].objects.first().pk).delete()
    url = reverse(f"mystery:{kind}s_import", args=[campaign.pk])
    assert staff_client.get(url).status_code == 200

    response = post_file(staff_client, url, header, rows)

    assert response.status_code == 302
    assert response["Location"] == reverse(f"mystery:{kind}_list", args=[campaign.pk])
    assert MODELS[kind].objects.count() == 3
    page = staff_client.get(response["Location"]).content.decode()
    noun = "Appels" if kind == "call" else "Courriels"
    assert f"{noun} importés : 1 ; déjà présents (ignorés) : 2." in page


def test_the_import_page_lists_the_errors_by_row_and_column_and_changes_nothing(
    campaign: Campaign, reference: dict[str, Any], manager_client: Client
) -> None:
    header, rows = rows_of(CALL_COLUMNS, call_row(), call_row(service="Standard"))
    url = reverse("mystery:calls_import", args=[campaign.pk])

    response = post_file(manager_client, url, header, rows)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="import-errors"' in page
    assert "<td>3</td><td><code>service</code></td>" in page
    assert "« Standard » n&#x27;est pas dans le référentiel" in page
    assert "rien n&#x27;a été enregistré" in page
    assert not MysteryCall.objects.exists()


def test_an_unreadable_file_is_a_form_error(campaign: Campaign, staff_client: Client) -> None:
    url = reverse("mystery:emails_import", args=[campaign.pk])
    response = staff_client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert response.status_code == 400
    assert "Format non pris en charge (.pdf)" in response.content.decode()


def test_a_closed_campaigns_import_page_says_so_and_a_post_changes_nothing(
    organisation: Organisation, reference: dict[str, Any], staff_client: Client
) -> None:
    closed = CampaignFactory(organisation=organisation, year=2015, status=CampaignStatus.CLOSED)
    url = reverse("mystery:calls_import", args=[closed.pk])
    assert "Import impossible" in staff_client.get(url).content.decode()

    response = post_file(staff_client, url, *rows_of(CALL_COLUMNS, call_row()))

    assert response.status_code == 400
    assert "clôturée" in response.content.decode()
    assert not MysteryCall.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["call", "email"])
def test_the_export_is_a_download_named_after_the_year(
    kind: str, fmt: str, campaign: Campaign, reference: dict[str, Any], staff_client: Client
) -> None:
    STORE[kind](campaign, reference, staff_client.user)  # type: ignore[attr-defined]
    response = staff_client.get(reverse(f"mystery:{kind}s_export", args=[campaign.pk, fmt]))
    assert response.status_code == 200
    name = "appels" if kind == "call" else "courriels"
    assert response["Content-Disposition"] == (f'attachment; filename="{name}-mysteres-2016.{fmt}"')
    rows = read_table(SimpleUploadedFile(f"x.{fmt}", response.content))
    assert len(rows) == 3


def test_an_unknown_export_format_is_a_404(campaign: Campaign, staff_client: Client) -> None:
    url = reverse("mystery:calls_export", args=[campaign.pk, "ods"])
    assert staff_client.get(url).status_code == 404


PAGES = [
    ("calls_export", ["csv"]),
    ("calls_import", []),
    ("emails_export", ["xlsx"]),
    ("emails_import", []),
]


@pytest.mark.parametrize(("name", "extra"), PAGES)
def test_another_organisations_campaign_is_a_404_on_every_page(
    name: str, extra: list[str], other_organisation: Organisation, organisation: Organisation
) -> None:
    foreign = CampaignFactory(organisation=other_organisation, status=CampaignStatus.OPEN)
    url = reverse(f"mystery:{name}", args=[foreign.pk, *extra])
    for role in (Role.STAFF, Role.QUALITY_MANAGER):
        client = client_for(role, organisation)
        assert client.get(url).status_code == 404
        if name.endswith("import"):
            assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize(("name", "extra"), PAGES)
def test_an_interviewer_gets_a_403_on_every_page(
    name: str, extra: list[str], campaign: Campaign, interviewer_client: Client
) -> None:
    url = reverse(f"mystery:{name}", args=[campaign.pk, *extra])
    assert interviewer_client.get(url).status_code == 403
    if name.endswith("import"):
        assert interviewer_client.post(url, {}).status_code == 403


def test_reference_names_are_read_whatever_their_accents_and_spaces(
    campaign: Campaign, reference: dict[str, Any], manager: User
) -> None:
    header, rows = rows_of(
        EMAIL_COLUMNS, email_row(theme=" titres  de SEJOUR", service="Cartes Grises")
    )

    import_emails(campaign, read_table(upload(header, rows)), user=manager)

    email = MysteryEmail.objects.get()
    assert (email.theme, email.service) == (reference["titres"], reference["cartes"])

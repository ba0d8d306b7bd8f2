"""Exporting and importing responses as CSV or XLSX: a file imports whole or not at all."""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survey.models import Answer, Organisation, Questionnaire, Response, Role, Site
from survey.services.campaign_copy import duplicate_campaign
from survey.services.exchange import ImportResult, export_rows, import_responses
from survey.services.exchange_rows import META_COLUMNS
from survey.services.responses import QuestionnaireSpec, Submission, submit_response
from survey.spreadsheet_files import read_table
from survey.spreadsheets import (
    MAX_ERRORS,
    ImportRefused,
    RowError,
    csv_pieces,
    parse_moment,
    read_every_line,
    write_csv,
    write_xlsx,
)

from .factories import MembershipFactory, UserFactory
from .helpers import WRITERS, client_for, import_url, new_rows, phone_rows, upload
from .helpers_answers import complete_answers

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture
def manager(manager_client: Client) -> User:
    return manager_client.user  # type: ignore[attr-defined,no-any-return]


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2016, 10, day, hour, minute, tzinfo=PARIS)


def store(questionnaire: Questionnaire, site: Site, answers: dict[str, Any], **kwargs: Any) -> Any:
    response, _ = submit_response(
        Submission(
            uuid=uuid.uuid4(), questionnaire=questionnaire, site=site, answers=answers, **kwargs
        )
    )
    return response


def store_varied(hall: Questionnaire, site: Site) -> None:
    """Three questionnaires that use every kind of cell: skip logic, multiple choice,
    communes in and outside the département, free text that a spreadsheet would misread."""
    spec = QuestionnaireSpec.load(hall)
    trainee, other = UserFactory(username="stagiaire1"), UserFactory(username="stagiaire2")
    for user in (trainee, other):
        MembershipFactory(user=user, organisation=site.organisation, role=Role.INTERVIEWER)
    first = complete_answers(spec)
    first["remarques"] = '=SOMME(A1) ; accueil « très » bien, "vraiment"\nsur deux lignes'
    store(hall, site, first, interviewer=trainee, started_at=at(10, 9), submitted_at=at(10, 9, 7))

    second = complete_answers(spec)
    second["info_renseigne"] = "non"
    del second["info_source"]
    second["profil_commune"] = {"outside": "Bordeaux"}
    second["remarques"] = "- attente trop longue"
    store(hall, site, second, interviewer=other, submitted_at=at(11, 14, 30))

    third = complete_answers(spec)
    third["info_source"] = ["mairie", "internet", "autre"]
    del third["remarques"]
    store(
        hall,
        site,
        third,
        interviewer=trainee,
        mode="paper",
        started_at=at(12, 12),
        submitted_at=at(13, 16),
    )


def snapshot(questionnaire: Questionnaire) -> dict[uuid.UUID, Any]:
    """What a quality manager would compare: every answer and who, where and when."""
    answers: dict[uuid.UUID, dict[str, set[str]]] = {}
    for answer in Answer.objects.filter(response__questionnaire=questionnaire).select_related(
        "response", "question", "choice"
    ):
        value = answer.choice.code if answer.choice else answer.commune_id or answer.text
        answers.setdefault(answer.response.uuid, {}).setdefault(answer.question.code, set()).add(
            value
        )
    return {
        r.uuid: (
            r.site.name,
            r.interviewer.username if r.interviewer else None,
            r.started_at,
            r.submitted_at,
            answers[r.uuid],
        )
        for r in Response.objects.filter(questionnaire=questionnaire).select_related(
            "site", "interviewer"
        )
    }


def export_file(questionnaire: Questionnaire, fmt: str) -> SimpleUploadedFile:
    header, rows = export_rows(questionnaire)
    return SimpleUploadedFile(f"export.{fmt}", WRITERS[fmt](header, rows))


# --- round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imported_into_an_empty_copy_gives_back_the_same_answers(
    fmt: str, hall: Questionnaire, site: Site, manager: User
) -> None:
    store_varied(hall, site)
    before = snapshot(hall)
    exported = export_file(hall, fmt)
    # uuids are unique across campaigns: moving responses to a copy (or to another server)
    # means the originals are gone from here.
    Response.objects.filter(questionnaire=hall).delete()
    copy = duplicate_campaign(
        hall.campaign,
        year=2017,
        title="Copie",
        # The same period: a questionnaire is accepted only by a campaign it belongs to.
        start_date=datetime.date(2016, 10, 3),
        end_date=datetime.date(2016, 10, 14),
    )
    copy.open()
    copied_hall = copy.questionnaires.get(channel="hall")

    result = import_responses(copied_hall, read_table(exported), user=manager)

    assert result == ImportResult(created=3, already_present=0)
    assert snapshot(copied_hall) == before
    assert set(Response.objects.values_list("mode", flat=True)) == {"import"}


def test_the_export_has_one_column_per_question_and_readable_cells(
    hall: Questionnaire, site: Site, django_assert_num_queries: Any
) -> None:
    store_varied(hall, site)
    voided = Response.objects.get(submitted_at=at(11, 14, 30))
    Response.objects.filter(pk=voided.pk).update(
        voided_at=at(14, 10), void_reason="Saisi deux fois"
    )

    with django_assert_num_queries(1):  # the questions
        header, lazy = export_rows(hall)
    with django_assert_num_queries(2):  # one chunk: its responses, their answers
        rows = list(lazy)

    by_uuid = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    second = by_uuid[str(voided.uuid)]
    assert header[: len(META_COLUMNS)] == list(META_COLUMNS)
    assert header[len(META_COLUMNS) :] == [q.code for q in QuestionnaireSpec.load(hall).questions]
    assert second["annule"] == "Saisi deux fois"
    assert second["profil_commune"] == "hors:Bordeaux"
    assert second["info_source"] == ""
    assert second["envoye_le"] == "2016-10-11T14:30:00+02:00"
    third = next(row for row in by_uuid.values() if row["mode"] == "paper")
    assert third["info_source"] == "internet|mairie|autre"  # in the questionnaire's order
    assert third["recueilli_le"] == "2016-10-12T12:00:00+02:00"
    assert second["enqueteur"] == "stagiaire2"


@pytest.mark.parametrize(("chunk", "queries"), [(1, 12), (2, 7), (3, 5), (5, 4), (6, 3)])
def test_the_export_reads_the_responses_by_chunks_in_order(
    chunk: int, queries: int, hall: Questionnaire, site: Site, django_assert_num_queries: Any
) -> None:
    store_varied(hall, site)
    spec = QuestionnaireSpec.load(hall)
    tied = at(11, 14, 30)  # the second one's moment: a tie across the chunks' boundary
    extra = [store(hall, site, complete_answers(spec), submitted_at=tied) for _ in range(2)]
    ordered = sorted(
        Response.objects.filter(questionnaire=hall), key=lambda r: (r.submitted_at, r.pk)
    )
    header, whole = export_rows(hall, chunk=100)
    expected = list(whole)

    # 1 query for the questions, 2 a chunk, 1 more when 5 is a multiple of the chunk
    with django_assert_num_queries(queries):
        header_again, rows = export_rows(hall, chunk=chunk)
        got = list(rows)

    assert header_again == header
    assert got == expected
    assert [row[0] for row in got] == [str(r.uuid) for r in ordered]
    assert [row[0] for row in got][2:4] == [str(r.uuid) for r in extra]
    assert len({tuple(row) for row in got}) == 5
    by_uuid = {row[0]: dict(zip(header, row, strict=True)) for row in got}
    assert by_uuid[str(ordered[4].uuid)]["info_source"] == "internet|mairie|autre"
    assert list(rows) == expected  # read again, the same


def test_an_export_without_responses_has_no_rows(
    hall: Questionnaire, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        header, rows = export_rows(hall)
        assert list(rows) == []
    assert header[: len(META_COLUMNS)] == list(META_COLUMNS)


def test_the_csv_export_opens_in_excel_without_running_a_remark_as_a_formula(
    hall: Questionnaire, site: Site
) -> None:
    store_varied(hall, site)
    header, rows = export_rows(hall)

    data = write_csv(header, rows)
    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsx(header, rows)))

    assert data.startswith(b"\xef\xbb\xbfuuid;site;canal;mode;")
    assert "'=SOMME(A1)" in data.decode("utf-8-sig")
    remark_column = header.index("remarques") + 1
    remarks = [row[remark_column - 1].value for row in workbook.active.iter_rows(min_row=2)]
    assert remarks[0].startswith("=SOMME")
    assert workbook.active.cell(2, remark_column).data_type == "s"


@pytest.mark.parametrize("piece_rows", [1, 2, 3, 7])
def test_a_streamed_csv_is_write_csv_in_pieces_of_rows(piece_rows: int) -> None:
    header = ["uuid", "remarques"]
    rows = [[f"r{i}", "=1+1" if i % 3 == 0 else f"texte ; {i}\n«»"] for i in range(7)]

    pieces = list(csv_pieces(header, rows, piece_rows=piece_rows))

    assert b"".join(pieces) == write_csv(header, rows)
    assert len(pieces) == 1 + -(-len(rows) // piece_rows)  # the header, then the rows
    assert pieces[0] == "\ufeffuuid;remarques\r\n".encode()
    assert all(not piece.startswith(b"\xef\xbb\xbf") for piece in pieces[1:])
    read = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig")), delimiter=";"))
    assert read[0] == header
    assert read[1] == ["r0", "'=1+1"]  # defused
    assert read[2] == ["r1", "texte ; 1\n«»"]
    assert len(read) == 1 + len(rows)


def test_a_streamed_csv_without_rows_is_its_header() -> None:
    assert list(csv_pieces(["a", "b"], [])) == ["\ufeffa;b\r\n".encode()]


def test_the_csv_download_streams_the_rows_as_it_reads_them(
    hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    store_varied(hall, site)
    expected = write_csv(*export_rows(hall))

    response = manager_client.get(reverse("survey:export", args=[hall.pk, "csv"]))
    with CaptureQueriesContext(connection) as reading:
        pieces = list(response.streaming_content)  # type: ignore[attr-defined]

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(pieces) == expected
    assert len(pieces) == 2  # the header, then the piece of the three responses
    # The rows are read while the response streams, not before: the one chunk's 2 queries
    # (the responses, then their answers).
    assert len(reading.captured_queries) == 2


def test_every_line_is_read_and_each_error_told() -> None:
    errors: list[RowError] = []
    read: list[int] = []

    def reader(line: int, cell: Mapping[str, str]) -> None:
        read.append(line)
        if cell["x"] == "faux":
            errors.append(RowError(line, "x", "faux"))

    lines = [(2, {"x": "vrai"}), (3, {"x": "faux"}), (4, {"x": "vrai"}), (5, {"x": "faux"})]
    with pytest.raises(ImportRefused) as refused:
        read_every_line(lines, reader, errors)

    assert read == [2, 3, 4, 5]
    assert [error.line for error in refused.value.row_errors] == [3, 5]
    assert not refused.value.truncated
    read_every_line(lines[:1], reader, [])  # nothing wrong: no refusal


def test_the_reading_stops_at_the_most_errors_told() -> None:
    errors: list[RowError] = []
    read: list[int] = []

    def reader(line: int, cell: Mapping[str, str]) -> None:
        read.append(line)
        errors.append(RowError(line, "", "faux"))

    lines = [(line, {}) for line in range(2, MAX_ERRORS + 12)]
    with pytest.raises(ImportRefused) as refused:
        read_every_line(lines, reader, errors)

    assert len(read) == MAX_ERRORS
    assert len(refused.value.row_errors) == MAX_ERRORS
    assert refused.value.truncated


def test_an_xlsx_has_its_sheet_title_a_bold_frozen_header_and_text_cells() -> None:
    data = write_xlsx(["uuid", "site"], [["a", " Angoulême "], ["", "=1"]], sheet_title="Tél.")

    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Tél."]
    assert book.sheetnames == ["Tél."]
    assert sheet.freeze_panes == "A2"
    assert [cell.font.b for cell in sheet[1]] == [True, True]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["a", " Angoulême "],  # spaces at a text's ends are kept
        [None, "=1"],  # an empty cell is left out; "=1" stays a text
    ]
    assert sheet["B3"].data_type == "s"


# --- what an import refuses --------------------------------------------------------------


def test_one_bad_row_among_good_ones_imports_nothing_and_says_where(
    hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    rows = new_rows(hall, 3, site)
    rows[1]["hall_courtoisie"] = "peu"  # line 3 of the file

    response = manager_client.post(import_url(hall), {"file": upload(rows)})

    assert response.status_code == 200
    errors = response.context["refused"].row_errors
    assert [(e.line, e.column) for e in errors] == [(3, "hall_courtoisie")]
    assert str(errors[0]).startswith(
        "ligne 3, colonne hall_courtoisie : « peu » n'est pas un choix de Q12. Choix possibles : "
        "tout_a_fait_d_accord"
    )
    assert "rien n&#x27;a été enregistré" in response.content.decode()
    assert "<code>hall_courtoisie</code>" in response.content.decode()
    assert Response.objects.count() == 0


def test_an_answer_to_a_question_that_the_skip_logic_does_not_ask_is_refused(
    hall: Questionnaire, site: Site, manager: User
) -> None:
    rows = new_rows(hall, 2, site)
    rows[0]["info_renseigne"] = "non"  # Q7 info_source is asked only if Q6 = oui

    with pytest.raises(ImportRefused) as refused:
        import_responses(hall, rows, user=manager)

    assert [(e.line, e.column) for e in refused.value.row_errors] == [(2, "info_source")]
    assert "n'est posée que si" in refused.value.row_errors[0].message
    assert Response.objects.count() == 0


def test_every_row_error_is_listed_at_once(hall: Questionnaire, site: Site, manager: User) -> None:
    rows = new_rows(hall, 3, site)
    rows[0].update(site="Sous-préfecture inconnue", recueilli_le="hier")
    rows[1]["hall_satisfaction_globale"] = ""
    rows[2].update(annule="Doublon", canal="phone", uuid="pas-un-uuid")

    with pytest.raises(ImportRefused) as refused:
        import_responses(hall, rows, user=manager)

    assert [(e.line, e.column) for e in refused.value.row_errors] == [
        (2, "site"),
        (2, "recueilli_le"),
        (3, "hall_satisfaction_globale"),
        (4, "uuid"),
        (4, "canal"),
        (4, "annule"),
    ]
    assert refused.value.row_errors[2].message == "Q19 : réponse obligatoire."


def test_a_column_that_is_no_question_of_the_questionnaire_is_refused(
    hall: Questionnaire, site: Site, manager: User
) -> None:
    rows = new_rows(hall, 1, site)
    rows[0]["tel_deplace_apres_appel"] = "oui"  # a question of the phone questionnaire

    with pytest.raises(ImportRefused) as refused:
        import_responses(hall, rows, user=manager)

    assert [(e.line, e.column) for e in refused.value.row_errors] == [
        (1, "tel_deplace_apres_appel")
    ]


def test_the_same_uuid_twice_in_a_file_or_taken_by_another_questionnaire_is_refused(
    hall: Questionnaire, site: Site, manager: User
) -> None:
    phone = hall.campaign.questionnaires.get(channel="phone")
    taken = store(phone, site, complete_answers(QuestionnaireSpec.load(phone)))
    rows = new_rows(hall, 3, site)
    twice = str(uuid.uuid4())
    rows[0]["uuid"] = rows[1]["uuid"] = twice
    rows[2]["uuid"] = str(taken.uuid)

    with pytest.raises(ImportRefused) as refused:
        import_responses(hall, rows, user=manager)

    assert [str(e) for e in refused.value.row_errors] == [
        "ligne 3, colonne uuid : le même identifiant figure déjà ligne 2.",
        "ligne 4, colonne uuid : Cet identifiant est déjà pris par un autre questionnaire.",
    ]


# --- what an import stores ---------------------------------------------------------------


def test_reimporting_an_export_creates_nothing(
    hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    store_varied(hall, site)
    rows_before = Answer.objects.count()

    response = manager_client.post(
        import_url(hall), {"file": export_file(hall, "xlsx")}, follow=True
    )

    assert "Questionnaires importés : 0 ; déjà présents (ignorés) : 3." in [
        str(m) for m in response.context["messages"]
    ]
    assert (Response.objects.count(), Answer.objects.count()) == (3, rows_before)


def test_a_valid_file_is_stored_as_an_import_with_generated_uuids(
    hall: Questionnaire, site: Site, manager_client: Client, organisation: Organisation
) -> None:
    trainee = UserFactory(username="stagiaire9")
    MembershipFactory(user=trainee, organisation=organisation, role=Role.INTERVIEWER)
    outsider = UserFactory(username="ailleurs")
    rows = new_rows(hall, 3, site)
    rows[0].update(enqueteur="stagiaire9", recueilli_le="10/10/2016 09:30", canal="hall")
    rows[1].update(enqueteur="ailleurs", envoye_le="2016-10-11T15:00:00+02:00")
    rows[2].update(profil_commune="hors: Cognac-la-Forêt", site="préfecture d'angoulême")

    response = manager_client.post(import_url(hall), {"file": upload(rows, "xlsx")})

    assert response.status_code == 302
    assert response["Location"] == reverse("survey:campaign_detail", args=[hall.campaign.pk])
    stored = list(Response.objects.order_by("submitted_at"))
    assert len(stored) == 3
    assert all(r.mode == "import" and r.site == site and r.uuid for r in stored)
    first, third, second = stored  # by submission time
    assert first.started_at == at(10, 9, 30)
    assert first.submitted_at == first.started_at  # no envoye_le: the collection time
    assert third.started_at == at(10, 12)  # a date alone is noon
    assert second.submitted_at == at(11, 15)
    assert first.interviewer == trainee
    assert second.interviewer == manager_client.user  # type: ignore[attr-defined]
    assert second.interviewer != outsider
    assert third.answers.get(question__code="profil_commune").text == "Cognac-la-Forêt"
    assert first.history.get().history_user == manager_client.user  # type: ignore[attr-defined]


def test_an_import_warns_of_interviewers_who_are_not_members(
    hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    rows = new_rows(hall, 1, site)
    rows[0]["enqueteur"] = "inconnu"

    response = manager_client.post(import_url(hall), {"file": upload(rows)}, follow=True)

    assert any("(inconnu)" in str(m) for m in response.context["messages"])


def test_a_comma_separated_windows_file_is_read(
    hall: Questionnaire, site: Site, manager: User
) -> None:
    rows = new_rows(hall, 2, site)
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(row[c] for c in header) for row in rows]
    data = "\r\n".join(lines).encode("cp1252")

    table = read_table(SimpleUploadedFile("saisie.CSV", data))
    result = import_responses(hall, table, user=manager)

    assert table[0]["site"] == "Préfecture d'Angoulême"
    assert result.created == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2016-10-10", at(10, 12)),
        ("2016-10-10T09:30", at(10, 9, 30)),
        ("2016-10-10 09:30:00+00:00", at(10, 11, 30)),
        ("10/10/2016", at(10, 12)),
        ("10/10/2016 09:30", at(10, 9, 30)),
        ("2016-13-40", None),
        ("demain", None),
    ],
)
def test_dates_are_iso_or_french_and_a_day_alone_is_noon_in_paris(
    raw: str, expected: datetime.datetime | None
) -> None:
    assert parse_moment(raw) == expected


def test_an_import_costs_one_query_per_row_at_most(
    hall: Questionnaire, site: Site, manager: User, django_assert_max_num_queries: Any
) -> None:
    rows = new_rows(hall, 50, site)

    # build_answers reads the commune of each row; the 2,000 answers take one INSERT on
    # PostgreSQL, a dozen on SQLite (999 parameters a query).
    with django_assert_max_num_queries(50 + 25):
        import_responses(hall, rows, user=manager)

    assert Response.objects.count() == 50


# --- unreadable files, closed campaigns, access ------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("reponses.xlsx", b"ceci n'est pas un classeur", "Fichier illisible"),
        ("reponses.csv", b"uuid;site\x00\x01\x02", "Fichier illisible"),
        ("reponses.pdf", b"%PDF-1.4", "Format non pris en charge (.pdf)"),
        ("reponses.csv", b"", "Le fichier est vide."),
    ],
)
def test_an_unreadable_file_gets_a_french_error(
    name: str, content: bytes, message: str, hall: Questionnaire, manager_client: Client
) -> None:
    response = manager_client.post(
        import_url(hall), {"file": SimpleUploadedFile(name, content or b" ")}
    )

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["file"])
    assert Response.objects.count() == 0


def test_read_table_refuses_a_file_with_two_columns_of_the_same_name() -> None:
    with pytest.raises(ValidationError, match="Colonnes en double : site"):
        read_table(SimpleUploadedFile("x.csv", b"uuid;site;Site\r\n;a;b\r\n"))


def test_a_closed_campaign_refuses_an_import(
    hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    rows = new_rows(hall, 1, site)
    hall.campaign.close()

    page = manager_client.get(import_url(hall))
    response = manager_client.post(import_url(hall), {"file": upload(rows)})

    assert "clôturée" in page.content.decode()
    assert 'type="file"' not in page.content.decode()
    assert "clôturée" in " ".join(response.context["form"].non_field_errors())
    assert Response.objects.count() == 0


def test_the_import_page_lists_the_expected_values(
    hall: Questionnaire, manager_client: Client
) -> None:
    page = manager_client.get(import_url(hall)).content.decode()

    assert 'type="file"' in page
    assert "<code>tout_a_fait_d_accord</code>" in page
    assert "hors:Bordeaux" in page
    assert reverse("survey:export", args=[hall.pk, "xlsx"]) in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_is_a_download(fmt: str, hall: Questionnaire, manager_client: Client) -> None:
    response = manager_client.get(reverse("survey:export", args=[hall.pk, fmt]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="questionnaires-2016-hall.{fmt}"'
    )


def test_an_unknown_export_format_is_a_404(hall: Questionnaire, manager_client: Client) -> None:
    assert manager_client.get(reverse("survey:export", args=[hall.pk, "ods"])).status_code == 404


def test_an_interviewer_may_neither_export_nor_import(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    assert interviewer_client.get(reverse("survey:export", args=[hall.pk, "csv"])).status_code == (
        403
    )
    assert interviewer_client.get(import_url(hall)).status_code == 403


def test_another_organisations_questionnaire_is_a_404(
    hall: Questionnaire, site: Site, other_organisation: Organisation
) -> None:
    stranger = client_for(Role.QUALITY_MANAGER, other_organisation)

    assert stranger.get(reverse("survey:export", args=[hall.pk, "csv"])).status_code == 404
    assert stranger.get(import_url(hall)).status_code == 404
    rows = new_rows(hall, 1, site)
    assert stranger.post(import_url(hall), {"file": upload(rows)}).status_code == 404
    assert Response.objects.count() == 0


# --- communes typed by hand (issue 14, point 11) -----------------------------------------


@pytest.mark.parametrize(
    "typed", ["Hors Charente", "hors département", "Hors 16", "HORS du département"]
)
def test_a_commune_typed_as_outside_without_the_hors_form_is_refused_naming_it(
    typed: str, hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    rows = new_rows(hall, 2, site)
    rows[1]["profil_commune"] = typed

    response = manager_client.post(import_url(hall), {"file": upload(rows)})

    errors = response.context["refused"].row_errors
    assert [(e.line, e.column) for e in errors] == [(3, "profil_commune")]
    assert errors[0].message == (
        f"« {typed} » : une commune hors du département s'écrit « hors: », deux-points "
        "compris, suivi du nom de la commune (par exemple hors:Bordeaux) ; une commune du "
        "département, par son code INSEE (par exemple 16015)."
    )
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Cognac", "« Cognac » n'est pas un code INSEE : écrivez le code INSEE d'une commune"),
        ("hors:", "« hors: » : écrivez le nom de la commune après « hors: », par exemple"),
        ("Hors : ", "« Hors : » : écrivez le nom de la commune après « hors: »"),
    ],
)
def test_a_commune_that_is_neither_a_code_nor_the_hors_form_is_refused_naming_both(
    typed: str, message: str, hall: Questionnaire, site: Site, manager: User
) -> None:
    rows = new_rows(hall, 1, site)
    rows[0]["profil_commune"] = typed

    with pytest.raises(ImportRefused) as refused:
        import_responses(hall, rows, user=manager)

    assert [(e.line, e.column) for e in refused.value.row_errors] == [(2, "profil_commune")]
    assert refused.value.row_errors[0].message.startswith(message)
    assert "hors:Bordeaux" in refused.value.row_errors[0].message
    assert Response.objects.count() == 0


def test_the_hors_form_is_read_with_spaces_around_its_colon_and_codes_without_their_zero(
    hall: Questionnaire, site: Site, manager: User
) -> None:
    rows = new_rows(hall, 2, site)
    rows[0]["profil_commune"] = "Hors : Bordeaux"
    rows[1]["profil_commune"] = "HORS :Saint-Émilion"

    import_responses(hall, rows, user=manager)

    assert sorted(
        Answer.objects.filter(question__code="profil_commune").values_list("text", flat=True)
    ) == ["Bordeaux", "Saint-Émilion"]


# --- choices named by their labels (issue 14, point 12) ----------------------------------


def as_typed(label: str) -> str:
    """A label as a hand might type it: no accents, another case, spaces around and inside."""
    bare = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return "  " + bare.upper().replace(" ", "  ") + " "


def labelled(hall: Questionnaire, row: dict[str, str], typed: Any = str) -> dict[str, str]:
    """``row`` with every choice cell written with the choices' labels instead of codes."""
    spec = QuestionnaireSpec.load(hall)
    out = dict(row)
    for question in spec.questions:
        cell = row.get(question.code, "")
        if question.has_choices and cell:
            choices = spec.choices[question.pk]
            out[question.code] = " | ".join(typed(choices[c].label) for c in cell.split("|"))
    return out


def answers_of(hall: Questionnaire) -> list[dict[str, set[str]]]:
    return sorted((value[4] for value in snapshot(hall).values()), key=repr)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("typed", [str, as_typed], ids=["labels", "labels-as-typed"])
def test_a_file_with_choice_labels_imports_the_same_answers_as_with_codes(
    fmt: str, typed: Any, hall: Questionnaire, site: Site, manager: User
) -> None:
    spec = QuestionnaireSpec.load(hall)
    rows = new_rows(hall, 3, site)
    rows[1]["info_source"] = "internet|mairie|autre"  # a multiple choice of three
    rows[2]["hall_satisfaction_globale"] = "peu_satisfaisant"
    import_responses(hall, read_table(upload(rows, fmt)), user=manager)
    with_codes = answers_of(hall)
    Response.objects.all().delete()
    with_labels = [labelled(hall, row, typed) for row in rows]
    assert with_labels[2]["hall_satisfaction_globale"] == typed("Peu satisfaisant")
    assert with_labels[1]["info_source"].count("|") == 2
    assert all(spec.by_code["info_source"].has_choices for _ in with_labels)

    result = import_responses(hall, read_table(upload(with_labels, fmt)), user=manager)

    assert result.created == 3
    assert answers_of(hall) == with_codes


def test_an_unknown_choice_is_refused_naming_the_codes_and_labels_accepted(
    hall: Questionnaire, site: Site, manager: User
) -> None:
    rows = new_rows(hall, 2, site)
    rows[0]["profil_statut"] = "Un retraité"
    rows[1]["info_source"] = "Internet | le bouche à oreille"

    with pytest.raises(ImportRefused) as refused:
        import_responses(hall, rows, user=manager)

    first, second = refused.value.row_errors
    assert (first.line, first.column) == (2, "profil_statut")
    assert first.message == (
        "« Un retraité » n'est pas un choix de Q1. Choix possibles : particulier (Un "
        "particulier), professionnel (Un professionnel (garagiste, auto-école…)), association "
        "(Une association), collectivite (Un élu ou un agent d'une collectivité), autre, "
        "sans_reponse."  # a label that only says its code is not repeated
    )
    assert (second.line, second.column) == (3, "info_source")
    assert second.message.startswith("« le bouche à oreille » n'est pas un choix de Q7.")
    assert Response.objects.count() == 0


def test_a_label_that_names_two_choices_is_refused_as_ambiguous(
    hall: Questionnaire, site: Site, manager: User
) -> None:
    # Two choices labelled alike (once the accents are left out): a label cannot tell them.
    question = hall.questions.get(code="profil_statut")
    question.choices.filter(code="autre").update(label="UNE ASSOCIATIÔN")
    rows = new_rows(hall, 2, site)
    rows[0]["profil_statut"] = "une association"
    rows[1]["profil_statut"] = "autre"  # the code still names one

    with pytest.raises(ImportRefused) as refused:
        import_responses(hall, rows, user=manager)

    assert [str(e) for e in refused.value.row_errors] == [
        "ligne 2, colonne profil_statut : « une association » peut désigner plusieurs choix "
        "(association (Une association), autre (UNE ASSOCIATIÔN)) : écrivez le code du "
        "choix voulu."
    ]
    assert Response.objects.count() == 0


# --- a file dropped on the wrong page (issue 14, point 13) -------------------------------


PHONE_ON_HALL = (
    "Ce fichier est celui du questionnaire « Questionnaire téléphonique » ({evidence}), pas "
    "de « Questionnaire accueil physique » : importez-le depuis la page d'import du "
    "questionnaire « Questionnaire téléphonique »."
)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_phone_questionnaires_export_on_the_hall_page_is_refused_once_naming_it(
    fmt: str, hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    phone = hall.campaign.questionnaires.get(channel="phone")
    for _ in range(3):
        store(phone, site, complete_answers(QuestionnaireSpec.load(phone)))

    response = manager_client.post(import_url(hall), {"file": export_file(phone, fmt)})

    assert response.status_code == 200
    assert response.context["refused"] is None  # not column by column, nor row by row
    assert response.context["form"].non_field_errors() == [
        PHONE_ON_HALL.format(evidence="colonne tel_deplace_apres_appel ; canal phone")
    ]
    link = f'href="{import_url(phone)}">Importer dans « Questionnaire téléphonique »</a>'
    assert link in response.content.decode()
    assert not Response.objects.filter(questionnaire=hall).exists()
    assert Response.objects.count() == 3


def test_a_phone_file_without_canal_is_told_by_its_own_column(
    hall: Questionnaire, site: Site, manager: User
) -> None:
    phone = hall.campaign.questionnaires.get(channel="phone")

    with pytest.raises(ValidationError) as refused:
        import_responses(hall, phone_rows(phone, 2, site), user=manager)

    assert refused.value.messages == [
        PHONE_ON_HALL.format(evidence="colonne tel_deplace_apres_appel")
    ]
    assert Response.objects.count() == 0


def test_a_hall_file_with_a_stray_column_is_still_refused_column_by_column(
    hall: Questionnaire, site: Site, manager: User
) -> None:
    rows = new_rows(hall, 1, site)
    rows[0]["hall_courtoisie_bis"] = "oui"  # a question of no questionnaire

    with pytest.raises(ImportRefused) as refused:
        import_responses(hall, rows, user=manager)

    assert [(e.line, e.column) for e in refused.value.row_errors] == [(1, "hall_courtoisie_bis")]


def test_a_mystery_call_log_on_a_responses_page_is_refused_naming_its_page(
    hall: Questionnaire, manager_client: Client
) -> None:
    from mystery.exchange_calls import CALL_COLUMNS

    rows = [dict.fromkeys(CALL_COLUMNS, "") | {"service": "Cartes grises", "resultat": "reached"}]

    response = manager_client.post(import_url(hall), {"file": upload(rows)})

    assert response.context["form"].non_field_errors() == [
        "Ce fichier est le journal des appels mystères (colonnes uuid, service, "
        "numero_compose, appele_le, resultat…), pas un fichier de questionnaires : "
        "importez-le depuis la page « Importer des appels mystères » de la campagne."
    ]
    page = response.content.decode()
    assert reverse("mystery:calls_import", args=[hall.campaign.pk]) in page
    assert Response.objects.count() == 0

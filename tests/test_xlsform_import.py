"""XLSForm in (issue 16, part 4): the subset is read back, anything else is refused with
its sheet, row and column, and the round trip gives the same structure."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from survey.models import CampaignStatus, Channel, Organisation, Questionnaire, Role
from survey.services.xlsform_import import import_xlsform
from survey.spreadsheets import ImportRefused
from survey.xlsform import export_xlsform

from .factories import CampaignFactory, QuestionnaireFactory
from .helpers import client_for, open_canonical_campaign

pytestmark = pytest.mark.django_db


def structure(questionnaire: Questionnaire) -> list[Any]:
    """Everything the round trip must keep, in order."""
    sections = [(s.code, s.title, s.order) for s in questionnaire.sections.order_by("order")]
    questions = [
        (
            q.section.code,
            q.code,
            q.number,
            q.order,
            q.text,
            q.help_text,
            q.kind,
            q.required,
            q.condition_question.code if q.condition_question else None,
            q.condition_codes,
            q.counts_in_satisfaction,
            q.choice_groups,
            sorted(f"{e.framework.code}:{e.number}" for e in q.engagements.all()),
            [(c.code, c.label, c.order, c.polarity) for c in q.choices.all()],
        )
        for q in questionnaire.questions.order_by("order").select_related(
            "section", "condition_question"
        )
    ]
    return [questionnaire.title, questionnaire.introduction, sections, questions]


def _draft(organisation: Organisation, channel: str) -> Questionnaire:
    campaign = CampaignFactory(organisation=organisation, year=2027, status=CampaignStatus.DRAFT)
    return QuestionnaireFactory(campaign=campaign, channel=channel, title="Vide")


@pytest.mark.parametrize("channel", [Channel.HALL, Channel.PHONE])
def test_export_then_import_gives_the_same_structure(
    channel: str, organisation: Organisation
) -> None:
    source = open_canonical_campaign(organisation).questionnaires.get(channel=channel)
    target = _draft(organisation, channel)
    revision = target.revision

    imported = import_xlsform(questionnaire=target, source=io.BytesIO(export_xlsform(source)))

    assert structure(imported) == structure(source)
    assert imported.revision > revision
    # And again, over what the first import wrote: the same once more.
    again = import_xlsform(questionnaire=imported, source=io.BytesIO(export_xlsform(source)))
    assert structure(again) == structure(source)


def _edited(content: bytes, sheet: str, edits: dict[tuple[int, str], str]) -> io.BytesIO:
    """The workbook with some cells of ``sheet`` changed, by (line, column title)."""
    workbook = load_workbook(io.BytesIO(content))
    worksheet = workbook[sheet]
    header = [cell.value for cell in worksheet[1]]
    for (line, column), value in edits.items():
        if column not in header:
            header.append(column)
            worksheet.cell(row=1, column=len(header), value=column)
        worksheet.cell(row=line, column=header.index(column) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _line_of(content: bytes, name: str) -> int:
    rows = list(load_workbook(io.BytesIO(content))["survey"].values)
    return next(i for i, row in enumerate(rows, start=1) if row[1] == name)


def test_everything_outside_the_subset_is_listed_and_nothing_is_written(
    organisation: Organisation,
) -> None:
    source = open_canonical_campaign(organisation).questionnaires.get(channel=Channel.HALL)
    content = export_xlsform(source)
    target = _draft(organisation, Channel.HALL)
    before = structure(target)
    facilite, source_line = _line_of(content, "info_facilite"), _line_of(content, "info_source")
    edits = {
        (facilite, "type"): "calculate",
        (source_line, "relevant"): "${info_renseigne} != 'oui'",
        (_line_of(content, "hall_proprete"), "constraint"): ". > 3",
        (_line_of(content, "hall_badge"), "type"): "select_one nulle_part",
        (_line_of(content, "hall_courtoisie"), "name"): "hall_proprete",
        (_line_of(content, "hall_ecoute"), "type"): "begin repeat",
        (_line_of(content, "remarques"), "qualiprefs::counts_in_satisfaction"): "yes",
    }

    with pytest.raises(ImportRefused) as refused:
        import_xlsform(questionnaire=target, source=_edited(content, "survey", edits))

    messages = [str(error) for error in refused.value.row_errors]
    assert any(f"ligne {facilite}, colonne type (feuille « survey »)" in m for m in messages)
    assert any("calculate" in m for m in messages)
    assert any(f"ligne {source_line}, colonne relevant" in m for m in messages)
    assert any("colonne constraint (feuille « survey ») : Colonne non prise" in m for m in messages)
    assert any("Liste de choix inconnue : nulle_part" in m for m in messages)
    assert any("Code de question en double" in m for m in messages)
    assert any("begin repeat" in m for m in messages)
    assert any("compte dans le taux" in m for m in messages)
    target.refresh_from_db()
    assert structure(target) == before


def test_a_bad_polarity_and_a_missing_sheet_are_refused(organisation: Organisation) -> None:
    source = open_canonical_campaign(organisation).questionnaires.get(channel=Channel.HALL)
    content = export_xlsform(source)
    target = _draft(organisation, Channel.HALL)

    with pytest.raises(ImportRefused) as refused:
        import_xlsform(
            questionnaire=target,
            source=_edited(content, "choices", {(2, "qualiprefs_polarity"): "tiède"}),
        )
    assert "ligne 2, colonne qualiprefs_polarity (feuille « choices ») : Polarité inconnue." in [
        str(e) for e in refused.value.row_errors
    ]
    with pytest.raises(ImportRefused) as refused:
        import_xlsform(
            questionnaire=target, source=_edited(content, "choices", {(3, "label"): "x" * 201})
        )
    assert [str(e) for e in refused.value.row_errors] == [
        "ligne 3, colonne label (feuille « choices ») : Libellé trop long (200 caractères au plus)."
    ]

    workbook = Workbook()
    workbook.active.title = "survey"  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with pytest.raises(ImportRefused) as refused:
        import_xlsform(questionnaire=target, source=buffer)
    assert any("choices" in str(e) for e in refused.value.row_errors)


def test_only_a_campaign_in_preparation_takes_an_xlsform(organisation: Organisation) -> None:
    source = open_canonical_campaign(organisation).questionnaires.get(channel=Channel.HALL)

    with pytest.raises(ValidationError, match="en préparation"):
        import_xlsform(questionnaire=source, source=io.BytesIO(export_xlsform(source)))


def test_the_quality_manager_imports_through_the_page(organisation: Organisation) -> None:
    source = open_canonical_campaign(organisation).questionnaires.get(channel=Channel.HALL)
    content = export_xlsform(source)
    target = _draft(organisation, Channel.HALL)
    url = reverse("survey:xlsform_import", args=[target.pk])
    client = client_for(Role.QUALITY_MANAGER, organisation)
    detail = client.get(reverse("survey:questionnaire_detail", args=[target.pk]))
    assert url in detail.content.decode()

    bad = _edited(content, "survey", {(_line_of(content, "info_facilite"), "type"): "integer"})
    bad.name = "form.xlsx"  # type: ignore[attr-defined]
    refused = client.post(url, {"file": bad})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "rien n&#x27;a été enregistré" in page or "rien n'a été enregistré" in page
    assert "Type non pris en charge : integer." in page
    assert target.questions.count() == 0

    upload = SimpleUploadedFile("form.xlsx", content)
    response = client.post(url, {"file": upload})

    assert response.status_code == 302
    assert structure(Questionnaire.objects.get(pk=target.pk))[2:] == structure(source)[2:]


def test_a_file_that_is_no_workbook_is_refused_unread(organisation: Organisation) -> None:
    target = _draft(organisation, Channel.HALL)

    with pytest.raises(ValidationError, match="illisible"):
        import_xlsform(questionnaire=target, source=io.BytesIO(b"type;name\ntext;a\n"))

"""XLSForm out (issue 16, part 4): pyxform converts the export of both canonical
questionnaires, with their conditions, choice lists, groups and extra columns."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from survey.models import Channel, Organisation, Question, QuestionKind, Questionnaire, Role
from survey.xlsform import export_xlsform, form_id, relevant

from .factories import CampaignFactory, QuestionnaireFactory
from .helpers import client_for, open_canonical_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def canonical(organisation: Organisation) -> dict[str, Questionnaire]:
    campaign = open_canonical_campaign(organisation)
    return {q.channel: q for q in campaign.questionnaires.all()}


def _sheet(content: bytes, name: str) -> list[dict[str, str]]:
    rows = list(load_workbook(io.BytesIO(content), read_only=True)[name].values)
    header = [str(cell) for cell in rows[0]]
    return [
        {key: "" if value is None else str(value) for key, value in zip(header, row, strict=False)}
        for row in rows[1:]
    ]


def _row(content: bytes, name: str) -> dict[str, str]:
    return next(row for row in _sheet(content, "survey") if row["name"] == name)


@pytest.mark.parametrize("channel", [Channel.HALL, Channel.PHONE])
def test_pyxform_converts_the_export_of_each_canonical_questionnaire(
    channel: str, canonical: dict[str, Questionnaire]
) -> None:
    questionnaire = canonical[channel]

    result = convert(xlsform=io.BytesIO(export_xlsform(questionnaire)), file_type=".xlsx")

    xform = result.xform
    assert f'id="{form_id(questionnaire)}"' in xform
    assert f'version="{questionnaire.revision}"' in xform
    # Every question is in the XForm, in its section's group.
    for question in questionnaire.questions.select_related("section"):
        assert f"/{question.section.code}/{question.code}" in xform, question.code
    # A condition, as a bind of its question; a scale's choice list, polarity included.
    conditional = questionnaire.questions.exclude(condition_question=None).first()
    assert conditional is not None
    condition = conditional.condition_question
    assert condition is not None
    root = f"/data/{condition.section.code}/{condition.code}"
    expected = " or ".join(f"{root} = '{code}'" for code in conditional.condition_codes)
    path = f"/data/{conditional.section.code}/{conditional.code}"
    bind = next(b for b in xform.split("<bind ") if f'nodeset="{path}"' in b)
    assert " ".join(bind.split('relevant="')[1].split('"')[0].split()) == expected
    assert (
        "<item><name>oui</name><label>Oui</label>"
        "<qualiprefs_polarity>favourable</qualiprefs_polarity></item>"
    ) in xform


def test_the_rows_say_the_conditions_kinds_and_extras(
    canonical: dict[str, Questionnaire],
) -> None:
    questionnaire = canonical[Channel.HALL]
    content = export_xlsform(questionnaire)
    conditional = questionnaire.questions.exclude(condition_question=None).first()
    assert conditional is not None
    multiple = questionnaire.questions.get(code="info_source")
    on_multiple = questionnaire.questions.filter(condition_question=multiple).first()

    row = _row(content, conditional.code)
    expected = " or ".join(
        f"${{{conditional.condition_question.code}}} = '{code}'"  # type: ignore[union-attr]
        for code in conditional.condition_codes
    )
    assert row["relevant"] == expected
    info_source = _row(content, "info_source")
    assert info_source["type"] == "select_multiple info_source"
    assert info_source["qualiprefs::kind"] == "multiple"
    assert info_source["qualiprefs::engagements"] == "qualipref-2:1 qualipref-2:3"
    assert '"internet"' in info_source["qualiprefs::choice_groups"]
    if on_multiple is not None:
        assert _row(content, on_multiple.code)["relevant"].startswith("selected(${info_source}, '")
    satisfaction = _row(content, "info_facilite")
    assert satisfaction["type"] == "select_one info_facilite"
    assert satisfaction["qualiprefs::kind"] == "satisfaction"
    assert satisfaction["qualiprefs::counts_in_satisfaction"] in {"yes", "no"}
    # Sections are groups, opened and closed.
    survey = _sheet(content, "survey")
    assert survey[0]["type"] == "begin group"
    assert survey[0]["name"] == questionnaire.sections.order_by("order").first().code  # type: ignore[union-attr]
    assert survey[-1]["type"] == "end group"
    assert sum(r["type"] == "begin group" for r in survey) == questionnaire.sections.count()
    # Choices carry their polarity; settings the id and the revision.
    choices = [c for c in _sheet(content, "choices") if c["list_name"] == "info_facilite"]
    assert {c["qualiprefs_polarity"] for c in choices} >= {"favourable", "unfavourable"}
    settings = _sheet(content, "settings")[0]
    assert settings["form_id"] == "qualiprefs_2016_hall"
    assert settings["version"] == str(questionnaire.revision)


def test_a_condition_on_a_multiple_choice_uses_selected() -> None:
    multiple = Question(code="info_source", kind=QuestionKind.MULTIPLE)
    single = Question(code="profil_statut", kind=QuestionKind.SINGLE)

    on_multiple = Question(condition_question=multiple, condition_codes=["internet", "mairie"])
    on_single = Question(condition_question=single, condition_codes=["particulier"])

    assert relevant(on_multiple) == (
        "selected(${info_source}, 'internet') or selected(${info_source}, 'mairie')"
    )
    assert relevant(on_single) == "${profil_statut} = 'particulier'"
    assert relevant(Question()) == ""


def test_the_commune_question_is_text_marked_as_a_commune(
    canonical: dict[str, Questionnaire],
) -> None:
    questionnaire = canonical[Channel.HALL]
    commune = questionnaire.questions.filter(kind="commune").first()
    if commune is None:
        pytest.skip("no commune question in the canonical questionnaire")

    row = _row(export_xlsform(questionnaire), commune.code)

    assert (row["type"], row["qualiprefs::kind"]) == ("text", "commune")


def test_the_download_is_the_quality_managers_of_its_organisation_only(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    questionnaire = QuestionnaireFactory(campaign=CampaignFactory(organisation=organisation))
    url = reverse("survey:xlsform_export", args=[questionnaire.pk])

    response = client_for(Role.QUALITY_MANAGER, organisation).get(url)

    assert response.status_code == 200
    assert "xlsform-" in response["Content-Disposition"]
    convert(xlsform=io.BytesIO(response.content), file_type=".xlsx")
    assert client_for(Role.INTERVIEWER, organisation).get(url).status_code == 403
    assert client_for(Role.STAFF, organisation).get(url).status_code == 403
    assert client_for(Role.QUALITY_MANAGER, other_organisation).get(url).status_code == 404


def test_the_questionnaire_page_links_the_download_for_the_quality_manager_only(
    organisation: Organisation,
) -> None:
    questionnaire = QuestionnaireFactory(campaign=CampaignFactory(organisation=organisation))
    page = reverse("survey:questionnaire_detail", args=[questionnaire.pk])
    link = reverse("survey:xlsform_export", args=[questionnaire.pk])

    assert link in client_for(Role.QUALITY_MANAGER, organisation).get(page).content.decode()
    assert link not in client_for(Role.INTERVIEWER, organisation).get(page).content.decode()

"""The evidence pack of a closed campaign and the background production of the report's
files (reports.audit.evidence, reports.audit.jobs, reports.audit.views_files).

The demo (Charente 2016) is loaded and closed once for the module, its pack built once
(about 5 s) and once more by the test that checks the same data give the same bytes. Jobs
run in the request (the immediate task backend, tests/conftest.py).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse as django_reverse
from django.utils import timezone
from openpyxl.utils import get_column_letter

from demo.loader import DemoResult, load_demo
from reports.audit import evidence, jobs
from reports.audit import matrix as matrix_module
from reports.audit.models import ReportFile
from reports.indicators import compute
from reports.remarks import tally
from survey import workbook
from survey.models import Campaign, Organisation, Response, Role
from survey.moments import PARIS
from survey.services.exchange import export_rows
from survey.spreadsheets import CsvText, write_csv

from .helpers import client_for, open_canonical_campaign

pytestmark = pytest.mark.django_db

FIGURES = json.loads(
    (Path(settings.BASE_DIR) / "fixtures" / "demo" / "charente_2016_figures.json").read_text()
)


def reverse(name: str, *args: Any) -> str:
    return django_reverse(name, args=args)


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo()
        if not result.campaign.is_closed:
            result.campaign.close()
        yield result
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def campaign(demo: DemoResult) -> Campaign:
    return Campaign.objects.select_related("organisation").get(pk=demo.campaign.pk)


@pytest.fixture(scope="module")
def pack(campaign: Campaign, django_db_blocker: Any) -> bytes:
    with django_db_blocker.unblock():
        return evidence.build_pack(campaign)


@pytest.fixture(scope="module")
def entries(pack: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(pack))
    return {name: archive.read(name) for name in archive.namelist()}


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


# --- the pack ------------------------------------------------------------------------------------


def test_the_pack_holds_every_file(entries: dict[str, bytes]) -> None:
    assert sorted(entries) == [
        "MANIFEST.csv",
        "calculs/matrice-indicateurs-2016.xlsx",
        "donnees/campagne-2016.json",
        "mysteres/appels-mysteres-2016.csv",
        "mysteres/appels-mysteres-2016.xlsx",
        "mysteres/courriels-mysteres-2016.csv",
        "mysteres/courriels-mysteres-2016.xlsx",
        "rapport/rapport-enquete-prefecture-de-la-charente-2016.pdf",
        "remarques/remarques-codees-2016.csv",
        "reponses/questionnaires-2016-hall.csv",
        "reponses/questionnaires-2016-hall.xlsx",
        "reponses/questionnaires-2016-phone.csv",
        "reponses/questionnaires-2016-phone.xlsx",
    ]
    assert entries["rapport/rapport-enquete-prefecture-de-la-charente-2016.pdf"][:5] == b"%PDF-"


def test_the_entries_are_sorted_and_dated_at_the_closing(pack: bytes, campaign: Campaign) -> None:
    infos = zipfile.ZipFile(io.BytesIO(pack)).infolist()
    moment = evidence.pack_moment(campaign).timetuple()[:6]

    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {moment}


def test_the_manifest_gives_the_size_and_sha256_of_every_file(entries: dict[str, bytes]) -> None:
    header, *rows = _csv(entries["MANIFEST.csv"])

    assert header == ["fichier", "octets", "sha256"]
    assert {name for name, _, _ in rows} == set(entries) - {"MANIFEST.csv"}
    for name, size, digest in rows:
        assert int(size) == len(entries[name])
        assert digest == hashlib.sha256(entries[name]).hexdigest()


def test_the_raw_answers_are_the_questionnaires_export(
    entries: dict[str, bytes], campaign: Campaign
) -> None:
    for questionnaire in campaign.questionnaires.all():
        header, lazy = export_rows(questionnaire)
        rows = list(lazy)
        name = f"reponses/questionnaires-2016-{questionnaire.channel}"

        assert entries[f"{name}.csv"] == write_csv(header, rows)
        book = openpyxl.load_workbook(io.BytesIO(entries[f"{name}.xlsx"]))
        assert book.sheetnames == ["Réponses"]
        cells = list(book["Réponses"].iter_rows(values_only=True))
        assert list(cells[0]) == header
        assert [[value or "" for value in row] for row in cells[1:]] == rows


def test_the_raw_answers_csv_is_written_row_by_row_as_write_csv_writes_it() -> None:
    header = ["uuid", "remarques"]
    rows = [[f"r{i}", "=1+1" if i % 7 == 0 else f"texte ; {i}\n«»"] for i in range(1_234)]
    csv_text = CsvText(header)

    passed = list(evidence._copied(iter(rows), csv_text))

    written = csv_text.take()

    assert passed == rows
    assert written == write_csv(header, rows)
    assert written.count(b"'=1+1") == len(range(0, 1_234, 7))  # defused


def test_the_mystery_logs_are_there(entries: dict[str, bytes]) -> None:
    calls = _csv(entries["mysteres/appels-mysteres-2016.csv"])

    assert len(calls) - 1 == 23  # the demo's calls, as the report counts them
    assert len(_csv(entries["mysteres/courriels-mysteres-2016.csv"])) > 1
    book = openpyxl.load_workbook(io.BytesIO(entries["mysteres/appels-mysteres-2016.xlsx"]))
    assert book.sheetnames == ["Appels mystères"]
    assert book["Appels mystères"].max_row == len(calls)


# --- the calculation matrix --------------------------------------------------------------------

MATRIX = "calculs/matrice-indicateurs-2016.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) absent : formules non recalculées"
)


@dataclass
class Matrix:
    indicators: list[dict[str, Any]]  # by column title
    answers: list[dict[str, Any]]
    answer_columns: list[str]
    communes: list[dict[str, Any]]

    def indicator(self, question: str, indicator: str, nature: str = "") -> dict[str, Any]:
        (row,) = [
            r
            for r in self.indicators
            if r["code_question"] == question
            and r["indicateur"] == indicator
            and r["nature"] == (nature or r["nature"])
        ]
        return row

    def letter(self, column: str) -> str:
        return get_column_letter(self.answer_columns.index(column) + 1)


def _records(sheet: Any) -> tuple[list[str], list[dict[str, Any]]]:
    header, *rows = list(sheet.iter_rows(values_only=True))
    return list(header), [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def matrix(entries: dict[str, bytes]) -> Matrix:
    book = openpyxl.load_workbook(io.BytesIO(entries[MATRIX]))
    assert book.sheetnames == ["Notice", "Indicateurs", "Réponses", "Communes"]
    _, indicators = _records(book["Indicateurs"])
    columns, answers = _records(book["Réponses"])
    _, communes = _records(book["Communes"])
    return Matrix(indicators, answers, columns, communes)


def test_the_matrix_gives_the_overall_hall_satisfaction_with_the_formulas_that_recount_it(
    matrix: Matrix,
) -> None:
    published = next(
        f
        for f in FIGURES["figures"]
        if f["question"] == "hall_satisfaction_globale" and f["choice"] == "favourable"
    )
    row = matrix.indicator("hall_satisfaction_globale", "favourable")
    cells = f"'Réponses'!${matrix.letter('hall_satisfaction_globale')}$2:$"
    cells += f"{matrix.letter('hall_satisfaction_globale')}$267"  # 266 questionnaires

    assert (row["numerateur_k"], row["base_n"]) == (published["k"], published["n"]) == (199, 216)
    assert row["taux_pct"] == pytest.approx(100 * 199 / 216, abs=1e-3)
    assert row["ic95_bas_pct"] < row["taux_pct"] < row["ic95_haut_pct"]
    assert row["excel_k"] == (
        f'=COUNTIF({cells},"tres_satisfaisant")+COUNTIF({cells},"satisfaisant")'
    )
    assert row["excel_n"].startswith(f'=COUNTIF({cells},"tres_satisfaisant")+')
    assert row["excel_n"].count("COUNTIF") == 4  # the four choices inside the base
    assert "sans_reponse" not in row["excel_n"]
    assert row["concordance"] == '=IF(AND(J{0}=H{0},K{0}=I{0}),"oui","NON")'.format(
        matrix.indicators.index(row) + 2
    )


SATISFACTION_IN_BASE = {
    "tres_satisfaisant",
    "satisfaisant",
    "peu_satisfaisant",
    "pas_du_tout_satisfaisant",
}


def test_the_answers_sheet_recounts_the_application_s_figures(matrix: Matrix) -> None:
    answers = [r["hall_satisfaction_globale"] for r in matrix.answers]
    ticked = [r["info_source:internet"] for r in matrix.answers]
    internet = matrix.indicator("info_source", "internet", "choix")
    group = matrix.indicator("info_source", "internet", "regroupement")

    assert len(matrix.answers) == 266  # every questionnaire counted, one row each
    assert answers.count("tres_satisfaisant") + answers.count("satisfaisant") == 199
    assert sum(a in SATISFACTION_IN_BASE for a in answers) == 216  # "sans réponse" left out
    assert sum(t or 0 for t in ticked) == internet["numerateur_k"] == 42
    assert set(ticked) == {None, 0, 1}  # not answered, not ticked, ticked
    col = matrix.letter("info_source:internet")
    assert internet["excel_k"] == f"=SUM('Réponses'!${col}$2:${col}$267)"
    assert group["excel_k"].startswith(f"=MIN(SUM('Réponses'!${col}$2:${col}$267),SUMPRODUCT(")


def test_the_communes_are_grouped_by_arrondissement_and_by_epci(
    matrix: Matrix, campaign: Campaign
) -> None:
    indicators = compute(campaign)
    arrondissement = indicators.arrondissements[0]
    epci = indicators.epcis[0]
    code = arrondissement.code.removeprefix("arrondissement_")
    row = matrix.indicator("profil_commune", arrondissement.code)
    given = [r for r in matrix.answers if r["profil_commune"]]

    assert (row["numerateur_k"], row["base_n"]) == (arrondissement.rate.k, arrondissement.rate.n)
    assert row["libelle"] == arrondissement.name
    assert sum(r["profil_commune:arrondissement"] == code for r in given) == arrondissement.rate.k
    assert len(given) == arrondissement.rate.n
    assert matrix.indicator("profil_commune", epci.code)["numerateur_k"] == epci.rate.k
    outside = matrix.indicator("profil_commune", "hors_departement")
    assert outside["numerateur_k"] == indicators.outside_departement.k
    assert {c["code_insee"] for c in matrix.communes} == {
        r["profil_commune"] for r in given if not r["profil_commune"].startswith("hors:")
    }


def test_every_question_s_choices_have_a_row(matrix: Matrix, campaign: Campaign) -> None:
    indicators = compute(campaign)
    expected = sum(
        len(q.shares) + (q.favourable is not None) for q in indicators.questions.values()
    )
    places = len(indicators.arrondissements) + len(indicators.epcis) + 1
    channels = len(indicators.by_channel)

    assert len(matrix.indicators) == channels + expected + places > 200


@needs_libreoffice
def test_libreoffice_recomputes_every_k_and_n(entries: dict[str, bytes], tmp_path: Path) -> None:
    rows = _recalculated(entries[MATRIX], tmp_path)

    assert len(rows) > 200
    assert [r for r in rows if r["concordance"] != "oui"] == []
    assert all(r["excel_k"] == r["numerateur_k"] for r in rows)


@needs_libreoffice
def test_beyond_a_sheet_s_rows_the_answers_go_on_and_the_formulas_add_the_sheets_up(
    campaign: Campaign, tmp_path: Path
) -> None:
    sheets = matrix_module.calculation_matrix(campaign, sheet_rows=101)
    data = workbook.write_workbook(sheets, evidence.pack_moment(campaign))
    book = openpyxl.load_workbook(io.BytesIO(data))

    assert book.sheetnames[2:] == ["Réponses", "Réponses (2)", "Réponses (3)", "Communes"]
    assert [book[t].max_row for t in book.sheetnames[2:5]] == [101, 101, 67]
    rows = _recalculated(data, tmp_path)
    assert [r for r in rows if r["concordance"] != "oui"] == []


def _recalculated(data: bytes, folder: Path) -> list[dict[str, str]]:
    """The "Indicateurs" sheet as LibreOffice computes it (its own profile, so that it
    runs beside another LibreOffice)."""
    assert SOFFICE is not None
    source = folder / "matrice.xlsx"
    source.write_bytes(data)
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(folder / 'profil').as_uri()}",
            "--headless",
            "--convert-to",
            every_sheet,
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (folder / "matrice-Indicateurs.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_a_voided_questionnaire_is_left_out_of_the_answers(campaign: Campaign) -> None:
    voided = Response.objects.filter(campaign=campaign).order_by("pk")[3]
    Response.objects.filter(pk=voided.pk).update(voided_at=timezone.now())

    sheets = matrix_module.calculation_matrix(campaign)
    (answers,) = [s for s in sheets if s.title == "Réponses"]
    uuids = [row[0] for row in answers.rows]

    assert len(uuids) == 265
    assert str(voided.uuid) not in uuids


MOMENT = datetime.datetime.combine(datetime.date(2016, 10, 28), datetime.time(), tzinfo=PARIS)


def test_a_text_starting_with_equals_stays_a_text_and_formulas_stay_formulas() -> None:
    sheet = workbook.Sheet("Feuille", ["a", "b", "c"], [["=1+1", workbook.Formula("1+1"), 2.5]])
    data = workbook.write_workbook([sheet], MOMENT)
    cells = openpyxl.load_workbook(io.BytesIO(data))["Feuille"]

    assert (cells["A2"].value, cells["A2"].data_type) == ("=1+1", "s")
    assert (cells["B2"].value, cells["B2"].data_type) == ("=1+1", "f")
    assert cells["C2"].value == 2.5
    assert workbook.write_workbook([sheet], MOMENT) == data


def test_a_workbook_is_dated_its_moment_in_paris_and_in_utc() -> None:
    data = workbook.write_workbook([workbook.Sheet("Feuille", ["a"], [["x"]])], MOMENT)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        dates = {info.date_time for info in archive.infolist()}
        core = archive.read("docProps/core.xml").decode()
    assert dates == {(2016, 10, 28, 0, 0, 0)}  # Paris wall-clock time, as ZIP keeps it
    assert ">2016-10-27T22:00:00Z</dcterms:created>" in core  # the same instant in UTC
    with pytest.raises(ValueError, match="aware"):
        workbook.write_workbook([], MOMENT.replace(tzinfo=None))


def test_the_coded_remarks_give_their_questionnaire_and_codes(
    entries: dict[str, bytes], campaign: Campaign
) -> None:
    header, *rows = _csv(entries["remarques/remarques-codees-2016.csv"])
    counts = tally(campaign)

    assert header == ["uuid_questionnaire", "remarque", "codes", "id_categories"]
    assert len(rows) == counts.total
    assert sum(1 for r in rows if r[2]) == counts.coded


def test_the_same_data_give_the_same_bytes(pack: bytes, campaign: Campaign) -> None:
    assert evidence.build_pack(campaign) == pack


def test_an_open_campaign_gets_no_pack(other_organisation: Organisation) -> None:
    campaign = open_canonical_campaign(other_organisation)

    with pytest.raises(ValidationError, match="campagne clôturée"):
        evidence.build_pack(campaign)
    with pytest.raises(ValidationError):
        jobs.request_file(campaign, ReportFile.Kind.EVIDENCE)
    assert not ReportFile.objects.filter(campaign=campaign).exists()


# --- the jobs and the pages -------------------------------------------------------------------


@pytest.fixture
def manager(campaign: Campaign) -> Client:
    return client_for(Role.QUALITY_MANAGER, campaign.organisation)


def test_the_pack_is_produced_once_with_its_progress_and_kept(
    manager: Client, campaign: Campaign, pack: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = evidence.build_pack
    seen: list[tuple[int, str]] = []

    def spy(campaign: Campaign, progress: Callable[[int, str], None]) -> bytes:
        def recorded(percent: int, step: str) -> None:
            progress(percent, step)
            file = ReportFile.objects.get(campaign=campaign, kind="evidence")
            seen.append((file.progress, file.status))

        return real(campaign, recorded)

    monkeypatch.setattr(evidence, "build_pack", spy)
    url = reverse("audit:files", campaign.pk)

    first = manager.post(url, {"kind": "evidence"})
    second = manager.post(url, {"kind": "evidence"}, follow=True)

    assert first.status_code == 302
    file = ReportFile.objects.get(campaign=campaign, kind="evidence")  # only one
    assert file.status == ReportFile.Status.DONE
    assert file.progress == 100
    assert file.requested_by == manager.user  # type: ignore[attr-defined]
    assert file.content is not None
    assert bytes(file.content) == pack
    assert file.sha256 == hashlib.sha256(pack).hexdigest()
    assert file.filename == "dossier-preuves-prefecture-de-la-charente-2016.zip"
    progress = [p for p, _ in seen]
    assert progress == sorted(progress)
    assert progress[0] < 50 < progress[-1]
    assert {s for _, s in seen} == {ReportFile.Status.RUNNING}
    assert "déjà produit" in second.content.decode()

    status = manager.get(reverse("audit:file_status", file.pk)).json()
    assert status["done"]
    assert status["progress"] == 100
    download = manager.get(status["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "dossier-preuves-prefecture-de-la-charente-2016.zip" in download["Content-Disposition"]
    assert download.content == pack


def test_the_report_pdf_is_produced_in_a_job(manager: Client, campaign: Campaign) -> None:
    manager.post(reverse("audit:files", campaign.pk), {"kind": "report"})
    file = ReportFile.objects.get(campaign=campaign, kind="report")

    assert file.status == ReportFile.Status.DONE
    assert file.content is not None
    assert bytes(file.content)[:5] == b"%PDF-"
    page = manager.get(reverse("audit:files", campaign.pk)).content.decode()
    assert reverse("audit:file_download", file.pk) in page
    assert "Produire" in page


def test_a_failed_job_records_its_error(
    campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(campaign: Campaign) -> bytes:
        raise RuntimeError("imprimante en panne")

    monkeypatch.setattr(evidence, "render_pdf", broken)

    file, started = jobs.request_file(campaign, ReportFile.Kind.EVIDENCE)

    assert started
    assert file.status == ReportFile.Status.FAILED
    assert file.error == "La production a échoué : imprimante en panne"
    assert file.finished_at is not None
    assert not file.content


def test_a_job_under_way_is_not_started_twice_and_a_stale_one_fails(
    campaign: Campaign, manager: Client
) -> None:
    running = ReportFile.objects.create(
        campaign=campaign, kind="evidence", status=ReportFile.Status.RUNNING, progress=40
    )

    file, started = jobs.request_file(campaign, ReportFile.Kind.EVIDENCE)
    assert (file.pk, started) == (running.pk, False)
    page = manager.get(reverse("audit:files", campaign.pk)).content.decode()
    assert 'http-equiv="refresh"' in page
    assert "Rafraîchir" in page
    assert manager.get(reverse("audit:file_status", running.pk)).json()["progress"] == 40

    ReportFile.objects.filter(pk=running.pk).update(
        requested_at=running.requested_at - jobs.timeout() * 2
    )
    status = manager.get(reverse("audit:file_status", running.pk)).json()
    assert status["status"] == "failed"
    assert "interrompue" in status["error"]


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.STAFF])
def test_other_roles_are_refused(campaign: Campaign, role: str) -> None:
    file = ReportFile.objects.create(campaign=campaign, kind="report", status="done", content=b"x")
    client = client_for(role, campaign.organisation)

    assert client.get(reverse("audit:files", campaign.pk)).status_code == 403
    assert client.post(reverse("audit:files", campaign.pk), {"kind": "report"}).status_code == 403
    assert client.get(reverse("audit:file_status", file.pk)).status_code == 403
    assert client.get(reverse("audit:file_download", file.pk)).status_code == 403
    assert not ReportFile.objects.exclude(pk=file.pk).exists()


def test_another_organisation_s_files_do_not_exist(
    campaign: Campaign, other_organisation: Organisation
) -> None:
    file = ReportFile.objects.create(campaign=campaign, kind="report", status="done", content=b"x")
    client = client_for(Role.QUALITY_MANAGER, other_organisation)

    assert client.get(reverse("audit:files", campaign.pk)).status_code == 404
    assert client.post(reverse("audit:files", campaign.pk), {"kind": "report"}).status_code == 404
    assert client.get(reverse("audit:file_status", file.pk)).status_code == 404
    assert client.get(reverse("audit:file_download", file.pk)).status_code == 404

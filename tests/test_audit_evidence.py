"""The evidence pack of a closed campaign and the background production of the report's
files (audit.evidence, audit.jobs, audit.views_files).

The demo (Charente 2016) is loaded and closed once for the module, its pack built once
(about 5 s) and once more by the test that checks the same data give the same bytes. Jobs
run in the request (``AUDIT_JOBS_SYNC``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse as django_reverse

from audit import evidence, jobs
from audit.models import ReportFile
from reports.remarks import tally
from survey.demo import DemoResult, load_demo
from survey.models import Campaign, Organisation, Role
from survey.services.exchange import export_rows
from survey.spreadsheets import write_csv

from .conftest import client_for, open_canonical_campaign

pytestmark = pytest.mark.django_db

FIGURES = json.loads(
    (Path(settings.BASE_DIR) / "fixtures" / "demo" / "charente_2016_figures.json").read_text()
)


def reverse(name: str, *args: Any) -> str:
    return django_reverse(name, args=args)


@pytest.fixture(autouse=True)
def _sync_jobs(settings: Any) -> None:
    settings.AUDIT_JOBS_SYNC = True


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
        header, rows = export_rows(questionnaire)
        name = f"reponses/questionnaires-2016-{questionnaire.channel}"

        assert entries[f"{name}.csv"] == write_csv(header, rows)
        sheet = openpyxl.load_workbook(io.BytesIO(entries[f"{name}.xlsx"])).active
        assert sheet is not None
        assert sheet.max_row == len(rows) + 1


def test_the_mystery_logs_are_there(entries: dict[str, bytes]) -> None:
    calls = _csv(entries["mysteres/appels-mysteres-2016.csv"])

    assert len(calls) - 1 == 23  # the demo's calls, as the report counts them
    assert len(_csv(entries["mysteres/courriels-mysteres-2016.csv"])) > 1


def _matrix(entries: dict[str, bytes]) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(entries["calculs/matrice-indicateurs-2016.xlsx"]))
    header, *rows = list(book["Indicateurs"].iter_rows(values_only=True))
    counted = list(book["Réponses comptées"].iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows], counted


def test_the_matrix_has_the_overall_hall_satisfaction_with_the_demo_s_k_and_n(
    entries: dict[str, bytes],
) -> None:
    published = next(
        f
        for f in FIGURES["figures"]
        if f["question"] == "hall_satisfaction_globale" and f["choice"] == "favourable"
    )
    indicators, counted = _matrix(entries)
    row = next(
        r
        for r in indicators
        if r["code_question"] == "hall_satisfaction_globale" and r["indicateur"] == "favourable"
    )

    assert (row["numerateur_k"], row["base_n"]) == (published["k"], published["n"]) == (199, 216)
    assert row["taux_pct"] == pytest.approx(100 * 199 / 216, abs=1e-3)
    assert row["ic95_bas_pct"] < row["taux_pct"] < row["ic95_haut_pct"]
    assert row["reponses_listees"] == 199
    listed = [c for c in counted if c[0] == "hall_satisfaction_globale" and c[1] == "favourable"]
    assert len(listed) == 199
    assert {c[2] for c in listed} == {"tres_satisfaisant", "satisfaisant"}


def test_every_numerator_is_listed_answer_by_answer(entries: dict[str, bytes]) -> None:
    indicators, _ = _matrix(entries)

    assert len(indicators) > 100
    assert all(r["reponses_listees"] == r["numerateur_k"] for r in indicators)


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

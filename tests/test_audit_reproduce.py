"""A closed campaign's report reproduced byte for byte from its evidence pack
(reports.audit.snapshot, reports.audit.reproduce, manage.py reproduce_report).

The demo (Charente 2016) is loaded once for the module, with commentary edited, actions of
2016 and 2015, a voided questionnaire and one whose start is unknown, then closed; its pack
is built once (a few seconds) by ``build_pack``, snapshot included. Each
reproduction restores the pack into a scratch SQLite database in a child process (about
5 s, whatever the database of the tests).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from pypdf import PdfReader

from demo.loader import load_demo
from mystery import tables
from mystery.models import CallOutcome, EmailTheme, MysteryCall, MysteryEmail, MysteryService
from reports.audit import evidence, snapshot
from reports.audit.pdf import render_pdf
from survey import tallies
from survey.models import Campaign, Organisation, Response, Site
from survey.services.corrections import void_response
from survey.services.responses import QuestionnaireSpec, Submission, submit_response
from survey.spreadsheet_files import read_table
from survey.spreadsheets import write_csv

from .helpers import edit_demo_report, open_canonical_campaign
from .helpers_answers import complete_answers

pytestmark = pytest.mark.django_db

HALL_ANSWERS = "reponses/questionnaires-2016-hall.csv"
MONDAY = datetime.datetime(2016, 10, 3, 8, 0, tzinfo=datetime.UTC)


def file(campaign: Campaign, channel: str = "hall", **answers: str) -> Response:
    """A questionnaire filled in with a first choice everywhere, but for ``answers``."""
    questionnaire = campaign.questionnaires.get(channel=channel)
    site, _ = Site.objects.get_or_create(organisation=campaign.organisation, name="Préfecture")
    values = complete_answers(QuestionnaireSpec.load(questionnaire)) | answers
    response, _ = submit_response(
        Submission(
            uuid=uuid.uuid4(),
            questionnaire=questionnaire,
            site=site,
            answers=values,
            started_at=MONDAY.replace(year=campaign.year),  # within the campaign's period
        )
    )
    return response


@pytest.fixture(scope="module")
def campaign(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Campaign]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo = load_demo().campaign
        manager = edit_demo_report(
            demo, introduction="Introduction rédigée par la responsable qualité."
        )
        responses = list(Response.objects.filter(campaign=demo).order_by("submitted_at", "pk"))
        void_response(responses[0], user=manager, reason="Doublon")
        # A questionnaire whose start is unknown is dated by its receipt.
        Response.objects.filter(pk=responses[1].pk).update(
            started_at=None, received_at=datetime.datetime(2016, 10, 5, 9, 0, tzinfo=datetime.UTC)
        )
        tallies.rebuild(demo)
        demo.close()
        yield Campaign.objects.select_related("organisation").get(pk=demo.pk)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def files(campaign: Campaign, django_db_blocker: Any) -> dict[str, bytes]:
    """The files of the pack ``build_pack`` makes, its manifest aside."""
    with django_db_blocker.unblock():
        pack = evidence.build_pack(campaign)
    archive = zipfile.ZipFile(io.BytesIO(pack))
    found = {name: archive.read(name) for name in archive.namelist()}
    del found[evidence.MANIFEST]
    return found


def packed(files: dict[str, bytes], campaign: Campaign) -> bytes:
    """A pack of ``files`` with their manifest, as build_pack assembles it."""
    return evidence.zip_files(
        {**files, evidence.MANIFEST: evidence.manifest(files)}, evidence.pack_moment(campaign)
    )


def run(pack: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "dossier-preuves.zip"
    path.write_bytes(pack)
    out, err = io.StringIO(), io.StringIO()
    call_command("reproduce_report", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- the snapshot --------------------------------------------------------------------------------


def test_the_snapshot_is_the_same_bytes_for_the_same_data(
    campaign: Campaign, files: dict[str, bytes]
) -> None:
    assert snapshot.dump(campaign) == files["donnees/campagne-2016.json"]


def test_the_snapshot_holds_the_setup_and_no_account_nor_address(files: dict[str, bytes]) -> None:
    raw = files["donnees/campagne-2016.json"]
    data = json.loads(raw)
    assert data["organisation"]["departement_code"] == "16"
    assert data["campaign"]["status"] == "closed"
    assert {q["channel"] for q in data["questionnaires"]} == {"hall", "phone"}
    assert data["section_texts"] == [
        {"key": "1", "text": "Introduction rédigée par la responsable qualité."}
    ]
    assert sorted(a["year"] for a in data["improvement_actions"]) == [2015, 2016]
    assert {f["year"] for f in data["published_figures"]} == {2015}
    assert len(data["responses"]["voided_at"]) == 1
    assert len(data["responses"]["received_at"]) == 1
    assert not _keys(data) & {"username", "password", "email", "edited_by_id", "interviewer_id"}
    text = raw.decode()
    for private in ('"stagiaire', '"responsable"', "pbkdf2", "@"):
        assert private not in text


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


# --- the reproduction --------------------------------------------------------------------------


def test_the_demo_s_report_is_reproduced_byte_for_byte_from_its_pack(
    campaign: Campaign, files: dict[str, bytes], tmp_path: Path
) -> None:
    out, err = run(packed(files, campaign), tmp_path)

    pdf = files["rapport/rapport-enquete-prefecture-de-la-charente-2016.pdf"]
    assert f"SHA-256 reproduit          : {hashlib.sha256(pdf).hexdigest()}" in out
    assert "Manifeste : les 12 empreintes SHA-256 concordent." in out
    assert "Reproduction conforme" in out
    assert not err


def _one_answer_changed(files: dict[str, bytes]) -> dict[str, bytes]:
    """The hall's CSV with one favourable overall satisfaction made unfavourable."""
    rows = read_table(_named(files[HALL_ANSWERS], HALL_ANSWERS))
    header = list(rows[0])
    for row in rows:
        if not row["annule"] and row["hall_satisfaction_globale"] == "tres_satisfaisant":
            row["hall_satisfaction_globale"] = "pas_du_tout_satisfaisant"
            break
    else:
        raise AssertionError("no favourable answer to change")
    return {**files, HALL_ANSWERS: write_csv(header, [list(r.values()) for r in rows])}


def _named(data: bytes, name: str) -> Any:
    from django.core.files.base import ContentFile

    return ContentFile(data, name=name)


def test_one_answer_changed_in_the_pack_gives_another_report(
    campaign: Campaign, files: dict[str, bytes], tmp_path: Path
) -> None:
    # The manifest is made again, as a forger would: only the reproduction can tell.
    forged = packed(_one_answer_changed(files), campaign)

    with pytest.raises(CommandError, match="le rapport reproduit diffère de rapport/"):
        run(forged, tmp_path)


def test_an_answer_changed_without_its_manifest_is_named(
    campaign: Campaign, files: dict[str, bytes]
) -> None:
    from reports.audit.reproduce import read_pack

    changed = _one_answer_changed(files)
    pack = evidence.zip_files(
        {**changed, evidence.MANIFEST: evidence.manifest(files)}, evidence.pack_moment(campaign)
    )

    assert read_pack(pack).problems == [
        f"{HALL_ANSWERS} : son empreinte SHA-256 diffère de celle du manifeste."
    ]


def test_a_report_compared_with_the_previous_campaign_s_answers_is_reproduced(
    other_organisation: Organisation, tmp_path: Path
) -> None:
    organisation = other_organisation  # the demo's Charente is loaded for the module
    service = MysteryService.objects.create(organisation=organisation, name="Standard", order=1)
    before = open_canonical_campaign(organisation, 2015)
    for value in ["satisfaisant"] * 12 + ["peu_satisfaisant"] * 3:
        file(before, hall_satisfaction_globale=value)
    file(before, "phone")
    MysteryCall.objects.create(
        campaign=before,
        service=service,
        called_at=MONDAY - datetime.timedelta(days=365),
        outcome=CallOutcome.NO_ANSWER,
    )
    before.close()
    now = open_canonical_campaign(organisation, 2016)
    for value in ["satisfaisant"] * 5 + ["peu_satisfaisant"] * 5:
        file(now, hall_satisfaction_globale=value)
    MysteryCall.objects.create(
        campaign=now, service=service, called_at=MONDAY, outcome=CallOutcome.SATURATED
    )
    now.close()
    campaign = Campaign.objects.select_related("organisation").get(pk=now.pk)
    archive = zipfile.ZipFile(io.BytesIO(evidence.build_pack(campaign)))
    files = {name: archive.read(name) for name in archive.namelist()}
    del files[evidence.MANIFEST]
    assert json.loads(files["donnees/campagne-2016.json"])["previous_campaign"]["tallies"]["rows"]

    pdf = files["rapport/rapport-enquete-prefecture-de-la-gironde-2016.pdf"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "en 2015" in text  # the report compares with the previous campaign's answers

    out, _ = run(packed(files, campaign), tmp_path)

    assert "Reproduction conforme" in out


# --- an e-mail still waiting at the closing -------------------------------------------------------


@pytest.fixture
def waiting_email(other_organisation: Organisation) -> Campaign:
    """A campaign closed the day its last e-mail was sent, unanswered: the e-mail still
    waits at the closing, its deadline is a week later."""
    campaign = open_canonical_campaign(other_organisation, 2016)
    file(campaign)
    theme = EmailTheme.objects.create(organisation=other_organisation, name="Permis", order=1)
    MysteryEmail.objects.create(
        campaign=campaign,
        theme=theme,
        sent_at=datetime.datetime(2016, 10, 14, 9, 0, tzinfo=datetime.UTC),
    )
    campaign.close()
    Campaign.objects.filter(pk=campaign.pk).update(
        closed_at=datetime.datetime(2016, 10, 14, 16, 0, tzinfo=datetime.UTC)
    )
    return Campaign.objects.select_related("organisation").get(pk=campaign.pk)


def _printed_on(campaign: Campaign, day: datetime.date, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The report as printed on ``day`` (the clock of the e-mails' delays)."""
    real = tables.timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> datetime.date:
        return real(value, timezone) if value is not None else day

    with monkeypatch.context() as patch:
        patch.setattr(tables.timezone, "localdate", localdate)
        return render_pdf(campaign)


def test_the_report_of_a_closed_campaign_does_not_depend_on_the_day_it_is_printed(
    waiting_email: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_closing = _printed_on(waiting_email, datetime.date(2016, 10, 14), monkeypatch)
    a_year_later = _printed_on(waiting_email, datetime.date(2017, 10, 14), monkeypatch)

    assert a_year_later == at_closing


def test_a_waiting_e_mail_of_a_closed_campaign_is_judged_at_the_closing(
    waiting_email: Campaign,
) -> None:
    """Sent on the closing day, unanswered: within its delay then, whenever it is read."""
    (timing,) = tables.email_timings(waiting_email)

    assert timing.waiting
    assert tables.email_timings(waiting_email, today=datetime.date(2017, 10, 14))[0].overdue


def test_the_restore_refuses_a_database_that_is_not_new(tmp_path: Path) -> None:
    database = tmp_path / "base.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE kept (id integer)")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "reports.audit.reproduce",
            str(tmp_path / "x.zip"),
            "--out",
            "x.pdf",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert child.returncode == 2
    assert "doit être neuve" in child.stderr
    with sqlite3.connect(database) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert [name for (name,) in tables] == ["kept"]


# --- files that are no pack ----------------------------------------------------------------------


def test_a_file_that_is_no_zip_is_refused_in_french(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="n'est pas une archive ZIP lisible"):
        run(b"%PDF-1.7 not a pack", tmp_path)


def test_a_zip_without_manifest_is_refused_in_french(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "rien")

    with pytest.raises(CommandError, match=r"ne contient pas de manifeste \(MANIFEST.csv\)"):
        run(buffer.getvalue(), tmp_path)


def test_a_pack_without_the_campaign_s_data_cannot_be_reproduced(
    campaign: Campaign, files: dict[str, bytes], tmp_path: Path
) -> None:
    older = {k: v for k, v in files.items() if not k.startswith("donnees/")}

    with pytest.raises(CommandError, match="ne peut pas être reproduit"):
        run(packed(older, campaign), tmp_path)


def test_a_missing_file_is_refused_in_french(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Impossible de lire"):
        call_command("reproduce_report", str(tmp_path / "absent.zip"))

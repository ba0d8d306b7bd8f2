"""Large imports of responses as background tasks.

The request does only what costs milliseconds whatever the file: its size
(``IMPORT_MAX_BYTES``), its format, and for an XLSX its archive's directory (a bomb that
declares its size is refused there; ``spreadsheet_files.check_table``). Those checks give the
bytes the reader would parse: the file's size, or what the XLSX declares it unpacks to.
From ``IMPORT_BACKGROUND_MIN_BYTES`` (512 KiB) on, the file is not read in the request: its
bytes are stored in an ImportJob and a task (``run_import``) reads them with
``read_table`` (whose limits then refuse a file built to sit under every check of the
request, with their French reason on the job's page) and hands the rows to
``exchange.import_responses``, the same all-or-nothing service as a small file, in a
`db_worker`. The page of the job follows its progress and shows the outcome: the counts,
or the errors row by row. The file is erased at the end.

Why bytes and not rows: counting rows needs the parsing, which is what took the time (a
file of 0.37 MB unpacking to 35 MB, just under every limit, took 37 s to read). Why keep
small files in the request: under 512 KiB to parse (some 850 rows of CSV, 170 of XLSX,
whose XML is wordier; about the 1,000 rows the previous threshold let in), a file reads in
a fraction of a second, and its import keeps the simple page it had, errors listed on the
import page itself, with no job to follow; the usual files and the existing tests keep
that path.

The import service is one transaction: its progress is told at its edges (file read, rows
checked and stored, done), and a worker killed in the middle leaves nothing stored; the job
is then marked failed after the timeout (background/jobs.py), as is one no worker took.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override
from django_tasks import task

from background import jobs as background_jobs
from survey.models import ImportJob, Questionnaire
from survey.spreadsheet_files import check_table, read_table
from survey.spreadsheets import ImportRefused

from . import exchange, exchange_files

logger = logging.getLogger(__name__)

DEFAULT_BACKGROUND_MIN_BYTES = 512 * 1024


def in_background(upload: UploadedFile) -> bool:
    """Whether this upload is read and imported by a task rather than in the request, by
    the bytes the reader would parse; raises the ValidationError of a file refused by the
    cheap checks (format, an XLSX archive's directory)."""
    threshold = getattr(settings, "IMPORT_BACKGROUND_MIN_BYTES", DEFAULT_BACKGROUND_MIN_BYTES)
    return check_table(upload) >= threshold


def queue_import(questionnaire: Questionnaire, upload: UploadedFile, *, user: User) -> ImportJob:
    """Store the file in a new ImportJob and queue its task (with the immediate backend, run
    it here). Raises the campaign's ValidationError at once if it accepts no response."""
    questionnaire.campaign.check_accepts_responses()
    upload.seek(0)
    job = ImportJob.objects.create(
        questionnaire=questionnaire,
        requested_by=user,
        # The end of the name is kept: read_table tells the format by its extension.
        filename=(upload.name or "")[-200:],
        upload=upload.read(),
        step=_("En attente de démarrage"),
    )
    background_jobs.record_task(job, run_import.enqueue(job.pk).id)
    return job


@task()
def run_import(pk: int) -> None:
    """The task: read and import the file of ImportJob ``pk`` (``run``)."""
    run(pk)


def run(pk: int) -> None:
    """Import the pending ImportJob ``pk`` here and now; it ends done or failed, never
    raises. Does nothing if the job is not pending (taken, over): a task delivered twice
    imports once (and a second import of the same rows would find them present anyway)."""
    with override("fr"):
        job = ImportJob.objects.select_related("questionnaire__campaign", "requested_by").get(pk=pk)
        if not background_jobs.start(ImportJob, pk, _("Démarrage")):
            logger.info("ImportJob %s is already taken or over: nothing to do", pk)
            return
        progress = background_jobs.Progress(ImportJob, pk)
        try:
            if job.upload is None:  # queued before the file was kept (migration 0012)
                raise ValidationError(_("Le fichier n'est plus disponible : relancez l'import."))
            progress(5, _("Lecture du fichier"))
            rows = read_table(io.BytesIO(job.upload), name=job.filename)
            job.row_count = len(rows)
            progress(
                10,
                ngettext(
                    "Vérification et enregistrement de %(count)s ligne",
                    "Vérification et enregistrement de %(count)s lignes",
                    job.row_count,
                )
                % {"count": job.row_count},
            )
            result = exchange.import_responses(job.questionnaire, rows, user=job.requested_by)
        except background_jobs.Abandoned:
            logger.warning("ImportJob %s was marked failed while under way: abandoned", pk)
            return
        except ImportRefused as refused:
            progress.fail(
                _("Le fichier a des erreurs : rien n'a été enregistré."),
                upload=None,
                row_errors=[
                    {"line": e.line, "column": e.column, "message": e.message}
                    for e in refused.row_errors
                ],
                truncated=refused.truncated,
                row_count=job.row_count,
            )
            return
        except exchange_files.WrongFile as error:  # another questionnaire's file, a mystery log
            progress.fail(
                _("%(reason)s Rien n'a été enregistré.") % {"reason": " ".join(error.messages)},
                upload=None,
                row_count=job.row_count,
                elsewhere=error.link(),
            )
            return
        except ValidationError as error:  # a limit of the reader, the campaign closed…
            progress.fail(
                _("%(reason)s Rien n'a été enregistré.") % {"reason": " ".join(error.messages)},
                upload=None,
                row_count=job.row_count,
            )
            return
        except Exception as exc:  # a failed job says why, the worker goes on
            logger.exception("ImportJob %s failed", pk)
            progress.fail(
                _("L'import a échoué : %(error)s. Rien n'a été enregistré.")
                % {"error": str(exc) or exc.__class__.__name__},
                upload=None,
            )
            return
        progress.finish(
            _("Terminé"),
            upload=None,
            row_count=job.row_count,
            created=result.created,
            already_present=result.already_present,
            unknown_interviewers=list(result.unknown_interviewers),
        )


def expire_stale(jobs: QuerySet[ImportJob] | None = None) -> int:
    """Fail the imports whose worker died or that no worker took (a worker's sweep), and
    erase their files."""
    jobs = ImportJob.objects.all() if jobs is None else jobs
    stale = list(jobs.filter(status__in=background_jobs.UNDER_WAY).values_list("pk", flat=True))
    expired = background_jobs.expire_stale(jobs)
    if expired:
        ImportJob.objects.filter(pk__in=stale, status=ImportJob.Status.FAILED).update(upload=None)
    return expired


def errors_of(job: ImportJob) -> dict[str, Any]:
    """The refused rows as the import form's error table reads them."""
    return {"row_errors": job.row_errors, "truncated": job.truncated}

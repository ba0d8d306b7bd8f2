"""Large imports of responses as background tasks.

A file of ``IMPORT_BACKGROUND_MIN_ROWS`` (1,000) rows or more is not imported inside the
request: its rows, as the upload form read them, are stored in an ImportJob and a task
(``run_import``) hands them to ``exchange.import_responses``, the same all-or-nothing
service as a small file, in a `db_worker`. The page of the job follows its progress and
shows the outcome: the counts, or the errors row by row. The rows are erased at the end.

The import service is one transaction: its progress is told at its edges (rows waiting,
checked and stored, done), and a worker killed in the middle leaves nothing stored; the
job is then marked failed after the timeout (background/jobs.py), as is one no worker took.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override
from django_tasks import task

from background import jobs as background_jobs
from survey.models import ImportJob, Questionnaire
from survey.spreadsheets import ImportRefused, Row

from . import exchange

logger = logging.getLogger(__name__)

DEFAULT_BACKGROUND_MIN_ROWS = 1_000


def in_background(rows: Sequence[Row]) -> bool:
    """Whether a file of these rows is imported by a task rather than in the request."""
    threshold = getattr(settings, "IMPORT_BACKGROUND_MIN_ROWS", DEFAULT_BACKGROUND_MIN_ROWS)
    return len(rows) >= threshold


def queue_import(
    questionnaire: Questionnaire, rows: Sequence[Row], *, user: User, filename: str = ""
) -> ImportJob:
    """Store the rows in a new ImportJob and queue its task (with the immediate backend, run
    it here). Raises the campaign's ValidationError at once if it accepts no response."""
    questionnaire.campaign.check_accepts_responses()
    job = ImportJob.objects.create(
        questionnaire=questionnaire,
        requested_by=user,
        filename=filename[:200],
        row_count=len(rows),
        rows=list(rows),
        step=_("En attente de démarrage"),
    )
    background_jobs.record_task(job, run_import.enqueue(job.pk).id)
    return job


@task()
def run_import(pk: int) -> None:
    """The task: import the rows of ImportJob ``pk`` (``run``)."""
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
            progress(
                10,
                ngettext(
                    "Vérification et enregistrement de %(count)s ligne",
                    "Vérification et enregistrement de %(count)s lignes",
                    job.row_count,
                )
                % {"count": job.row_count},
            )
            result = exchange.import_responses(
                job.questionnaire, job.rows or [], user=job.requested_by
            )
        except background_jobs.Abandoned:
            logger.warning("ImportJob %s was marked failed while under way: abandoned", pk)
            return
        except ImportRefused as refused:
            progress.fail(
                _("Le fichier a des erreurs : rien n'a été enregistré."),
                rows=None,
                row_errors=[
                    {"line": e.line, "column": e.column, "message": e.message}
                    for e in refused.row_errors
                ],
                truncated=refused.truncated,
            )
            return
        except ValidationError as error:  # the campaign closed meanwhile…
            progress.fail(" ".join(error.messages), rows=None)
            return
        except Exception as exc:  # a failed job says why, the worker goes on
            logger.exception("ImportJob %s failed", pk)
            progress.fail(
                _("L'import a échoué : %(error)s. Rien n'a été enregistré.")
                % {"error": str(exc) or exc.__class__.__name__},
                rows=None,
            )
            return
        progress.finish(
            _("Terminé"),
            rows=None,
            created=result.created,
            already_present=result.already_present,
            unknown_interviewers=list(result.unknown_interviewers),
        )


def expire_stale(jobs: QuerySet[ImportJob] | None = None) -> int:
    """Fail the imports whose worker died or that no worker took (a worker's sweep), and
    erase their rows."""
    jobs = ImportJob.objects.all() if jobs is None else jobs
    stale = list(jobs.filter(status__in=background_jobs.UNDER_WAY).values_list("pk", flat=True))
    expired = background_jobs.expire_stale(jobs)
    if expired:
        ImportJob.objects.filter(pk__in=stale, status=ImportJob.Status.FAILED).update(rows=None)
    return expired


def errors_of(job: ImportJob) -> dict[str, Any]:
    """The refused rows as the import form's error table reads them."""
    return {"row_errors": job.row_errors, "truncated": job.truncated}

"""Producing a ReportFile (the PDF report, the evidence pack) in the background.

``request_file(campaign, kind, user)`` returns the ReportFile to follow, and queues its
production unless one is already under way (one job per campaign and kind) or, for the
evidence pack, already made (the pack is made once and kept unchanged).

The production is a task (``produce_report_file``, Django's tasks API through django-tasks):
with the database backend (production, `make run`) it waits in the queue table until one of
the `manage.py db_worker` processes, on any machine, claims it; with the immediate backend
(the tests) it runs inside the request. It writes ``progress`` and ``step`` to the database
as it goes, then the content with its SHA-256 (``done``), or a French error (``failed``).
The user may leave the page and come back.

Idempotent: only the first run of a job moves it from pending to running (a conditional
UPDATE); any other run of it (the same task delivered twice, a second worker) does nothing.

A worker may die in the middle of a job (killed, its machine lost): the job is then found
under way with no sign of life (its start, a step) for more than
``AUDIT_JOB_TIMEOUT_MINUTES`` (15), by the next request about it or by any worker's
heartbeat sweep, and marked failed with a French message; it may be asked again. A job never
claimed in that time (no worker running) is marked failed the same way. A long job that
goes on reporting its steps is left alone. A job so marked that comes back to life after all
(a step slower than the timeout) stops writing: its result would contradict what the page
has shown.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from background import jobs as background_jobs
from survey.models import Campaign

from . import evidence, pdf
from .models import ReportFile

logger = logging.getLogger(__name__)

Kind = ReportFile.Kind
Status = ReportFile.Status
UNDER_WAY = background_jobs.UNDER_WAY
timeout = background_jobs.timeout


def expire_stale(campaign: Campaign | None = None) -> int:
    """Mark failed the jobs under way (of ``campaign``, or all: a worker's sweep) that gave
    no sign of life for longer than the timeout: their worker died, or none took them.
    Returns how many."""
    files = ReportFile.objects.all() if campaign is None else campaign.report_files.all()
    return background_jobs.expire_stale(files)


def latest(campaign: Campaign, kind: str) -> ReportFile | None:
    """The file of ``kind`` to show: the evidence pack once made, else the latest request."""
    files = ReportFile.objects.filter(campaign=campaign, kind=kind).defer("content")
    if kind == Kind.EVIDENCE:
        done = files.filter(status=Status.DONE).order_by("requested_at", "pk").first()
        if done is not None:
            return done
    return files.order_by("-requested_at", "-pk").first()


def request_file(campaign: Campaign, kind: str, user: Any = None) -> tuple[ReportFile, bool]:
    """The ReportFile of ``kind`` for ``campaign``, and whether this call queued it.

    Raises ValidationError (French) if the evidence pack is asked for an open campaign.
    """
    if kind == Kind.EVIDENCE:
        evidence.check_closed(campaign)
    with transaction.atomic():
        # One request at a time per campaign: the second one sees the first one's job.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        expire_stale(campaign)
        files = ReportFile.objects.filter(campaign=campaign, kind=kind).defer("content")
        under_way = files.filter(status__in=UNDER_WAY).order_by("-requested_at").first()
        if under_way is not None:
            return under_way, False
        if kind == Kind.EVIDENCE:
            done = files.filter(status=Status.DONE).order_by("requested_at", "pk").first()
            if done is not None:
                return done, False
        file = ReportFile.objects.create(
            campaign=campaign,
            kind=kind,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            step=_("En attente de démarrage"),
        )
    # Queued once the file is committed: a worker claiming the task at once finds it. The
    # immediate backend runs the job here. Should this process die in between, the file
    # waits unclaimed and is marked failed after the timeout.
    background_jobs.record_task(file, produce_report_file.enqueue(file.pk).id)
    return file, True


@task()
def produce_report_file(pk: int) -> None:
    """The task: produce the ReportFile ``pk`` (``run``)."""
    run(pk)


def _builder(kind: str) -> Callable[[Campaign, Callable[[int, str], None]], bytes]:
    if kind == Kind.EVIDENCE:
        return evidence.build_pack

    def report(campaign: Campaign, progress: Callable[[int, str], None]) -> bytes:
        progress(10, _("Impression du rapport PDF"))
        return pdf.render_pdf(campaign)

    return report


def _filename(file: ReportFile) -> str:
    if file.kind == Kind.EVIDENCE:
        return evidence.pack_filename(file.campaign)
    return pdf.filename(file.campaign)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or exc.__class__.__name__


def run(pk: int) -> None:
    """Produce the pending ReportFile ``pk`` here and now; it ends done or failed, never
    raises. Does nothing if the job is not pending (taken, over)."""
    with override("fr"):
        file = ReportFile.objects.select_related("campaign__organisation").get(pk=pk)
        if not background_jobs.start(ReportFile, pk, _("Démarrage")):
            logger.info("ReportFile %s is already taken or over: nothing to do", pk)
            return
        # Every later write is conditional: a job marked failed meanwhile stays so.
        progress = background_jobs.Progress(ReportFile, pk)

        try:
            content = _builder(file.kind)(file.campaign, progress)
        except background_jobs.Abandoned:
            logger.warning("ReportFile %s was marked failed while under way: abandoned", pk)
            return
        except Exception as exc:  # a failed job says why, the process goes on
            logger.exception("Production of ReportFile %s failed", pk)
            progress.fail(_("La production a échoué : %(error)s") % {"error": _reason(exc)})
            return
        progress.finish(
            _("Terminé"),
            content=content,
            filename=_filename(file),
            sha256=hashlib.sha256(content).hexdigest(),
        )

"""Producing a ReportFile (the PDF report, the evidence pack) in the background.

``request_file(campaign, kind, user)`` returns the ReportFile to follow, and starts its
production unless one is already under way (one job per campaign and kind) or, for the
evidence pack, already made (the pack is made once and kept unchanged).

The production runs in a daemon thread of the web process, started once the request's
transaction commits: it writes ``progress`` and ``step`` to the database as it goes, then
the content with its SHA-256 (``done``), or a French error (``failed``). The user may
leave the page and come back. The thread dies with its process (a restart, a deploy): a
job found pending or running with no sign of life (its start, a step) for more than
``AUDIT_JOB_TIMEOUT_MINUTES`` (15) is marked failed on the next request, and may be asked
again; a long job that goes on reporting its steps is left alone. A job so marked that
comes back to life after all (a step slower than the timeout) stops writing: its result
would contradict what the page has shown.

With the setting ``AUDIT_JOBS_SYNC = True`` (the tests), or ``sync=True``, the job runs in
the request itself.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from survey.models import Campaign

from .models import ReportFile

logger = logging.getLogger(__name__)

Kind = ReportFile.Kind
Status = ReportFile.Status
UNDER_WAY = (Status.PENDING, Status.RUNNING)
DEFAULT_TIMEOUT_MINUTES = 15


def timeout() -> datetime.timedelta:
    return datetime.timedelta(
        minutes=getattr(settings, "AUDIT_JOB_TIMEOUT_MINUTES", DEFAULT_TIMEOUT_MINUTES)
    )


def expire_stale(campaign: Campaign) -> int:
    """Mark failed the campaign's jobs under way that gave no sign of life for longer
    than the timeout (their process died). Returns how many."""
    limit = timezone.now() - timeout()
    silent = Q(progressed_at__lt=limit) | Q(progressed_at__isnull=True, requested_at__lt=limit)
    return ReportFile.objects.filter(silent, campaign=campaign, status__in=UNDER_WAY).update(
        status=Status.FAILED,
        error=_(
            "La production a été interrompue (elle n'a pas abouti en %(minutes)s minutes) : "
            "relancez-la."
        )
        % {"minutes": int(timeout().total_seconds() // 60)},
        finished_at=timezone.now(),
    )


def latest(campaign: Campaign, kind: str) -> ReportFile | None:
    """The file of ``kind`` to show: the evidence pack once made, else the latest request."""
    files = ReportFile.objects.filter(campaign=campaign, kind=kind).defer("content")
    if kind == Kind.EVIDENCE:
        done = files.filter(status=Status.DONE).order_by("requested_at", "pk").first()
        if done is not None:
            return done
    return files.order_by("-requested_at", "-pk").first()


def request_file(
    campaign: Campaign, kind: str, user: Any = None, *, sync: bool | None = None
) -> tuple[ReportFile, bool]:
    """The ReportFile of ``kind`` for ``campaign``, and whether this call started it.

    Raises ValidationError (French) if the evidence pack is asked for an open campaign.
    """
    from .evidence import check_closed

    if kind == Kind.EVIDENCE:
        check_closed(campaign)
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
        if sync is None:
            sync = getattr(settings, "AUDIT_JOBS_SYNC", False)
        if not sync:
            transaction.on_commit(lambda: start_thread(file.pk))
    if sync:
        run(file.pk)
        file.refresh_from_db()
    return file, True


def start_thread(pk: int) -> threading.Thread:
    thread = threading.Thread(
        target=_run_in_thread, args=(pk,), name=f"report-file-{pk}", daemon=True
    )
    thread.start()
    return thread


def _run_in_thread(pk: int) -> None:
    close_old_connections()
    try:
        run(pk)
    finally:
        connection.close()


def _builder(kind: str) -> Callable[[Campaign, Callable[[int, str], None]], bytes]:
    from . import evidence, pdf

    if kind == Kind.EVIDENCE:
        return evidence.build_pack

    def report(campaign: Campaign, progress: Callable[[int, str], None]) -> bytes:
        progress(10, _("Impression du rapport PDF"))
        return pdf.render_pdf(campaign)

    return report


def _filename(file: ReportFile) -> str:
    from . import evidence, pdf

    if file.kind == Kind.EVIDENCE:
        return evidence.pack_filename(file.campaign)
    return pdf.filename(file.campaign)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or exc.__class__.__name__


class _Abandoned(Exception):
    """The job was marked failed while it ran (``expire_stale``): stop here."""


def run(pk: int) -> None:
    """Produce the ReportFile ``pk`` here and now; it ends done or failed, never raises."""
    with override("fr"):
        file = ReportFile.objects.select_related("campaign__organisation").get(pk=pk)
        # Every write is conditional: a job marked failed meanwhile (expire_stale) stays so.
        updates = ReportFile.objects.filter(pk=pk, status__in=UNDER_WAY)
        started = updates.update(
            status=Status.RUNNING,
            progress=0,
            step=_("Démarrage"),
            error="",
            progressed_at=timezone.now(),
        )
        if not started:
            return

        def progress(percent: int, step: str) -> None:
            alive = updates.update(
                progress=max(0, min(100, percent)), step=step[:200], progressed_at=timezone.now()
            )
            if not alive:
                raise _Abandoned

        try:
            content = _builder(file.kind)(file.campaign, progress)
        except _Abandoned:
            logger.warning("ReportFile %s was marked failed while under way: abandoned", pk)
            return
        except Exception as exc:  # a failed job says why, the process goes on
            logger.exception("Production of ReportFile %s failed", pk)
            updates.update(
                status=Status.FAILED,
                error=_("La production a échoué : %(error)s") % {"error": _reason(exc)},
                finished_at=timezone.now(),
            )
            return
        updates.update(
            status=Status.DONE,
            progress=100,
            step=_("Terminé"),
            content=content,
            filename=_filename(file),
            sha256=hashlib.sha256(content).hexdigest(),
            finished_at=timezone.now(),
        )

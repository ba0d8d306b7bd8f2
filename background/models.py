from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A `db_worker` process alive: it writes ``seen_at`` every WORKER_HEARTBEAT_SECONDS and
    deletes its row when it stops cleanly (background/heartbeat.py). A row left behind by a
    killed process simply grows old, and is deleted a day later."""

    worker_id = models.CharField(_("identifiant du processus"), max_length=64, unique=True)
    hostname = models.CharField(_("machine"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("numéro de processus"))
    started_at = models.DateTimeField(_("démarré le"))
    seen_at = models.DateTimeField(_("vu le"), db_index=True)

    class Meta:
        ordering = ["-seen_at"]
        verbose_name = _("processus de fond")
        verbose_name_plural = _("processus de fond")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id})"


class BackgroundJob(models.Model):
    """What the user follows of a task: its state, its progress, and why it failed.

    A task carries only the job's pk; the job's row is the truth the pages show, and
    background/jobs.py moves it (pending -> running -> done or failed) with conditional
    UPDATEs. Concrete jobs: audit.ReportFile, survey.ImportJob.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    # %(minutes)s: the messages of a job that no worker took, or whose worker died.
    never_taken_message: Any = ""
    interrupted_message: Any = ""

    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    step = models.CharField(_("étape"), max_length=200, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    # The job's last sign of life (its start, each step): a job silent for longer than the
    # timeout has lost its process (background/jobs.py), however long it has been running.
    progressed_at = models.DateTimeField(_("dernière avancée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # The id of its task in the queue (django-tasks), to fail the queue's row too when the
    # worker died.
    task_id = models.CharField(_("tâche"), max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def under_way(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

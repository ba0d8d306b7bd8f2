from __future__ import annotations

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

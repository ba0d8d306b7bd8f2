"""The page of a large import run in the background (survey/services/imports.py): its
progress while under way (polled through ``import_job_status``, JSON, by
static/reports/audit/files.js; without JavaScript the page refreshes itself), then its outcome.
Quality manager only (403 for the other roles); another organisation's import is a 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from background import jobs as background_jobs

from . import access
from .models import ImportJob
from .services import imports


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = access.get_scoped_or_404(
        ImportJob.objects.select_related("questionnaire__campaign").defer("upload"),
        request.user,
        access.MANAGEMENT,
        pk=pk,
    )
    if job.under_way and imports.expire_stale(ImportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


@access.role_required(access.MANAGEMENT)
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    response = render(
        request,
        "survey/exchange/import_job.html",
        {
            "job": job,
            "questionnaire": job.questionnaire,
            "campaign": job.questionnaire.campaign,
            "refused": imports.errors_of(job) if job.row_errors else None,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@access.role_required(access.MANAGEMENT)
@require_GET
def import_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    response = JsonResponse(background_jobs.state(_job(request, pk)))
    response["Cache-Control"] = "private, no-store"
    return response

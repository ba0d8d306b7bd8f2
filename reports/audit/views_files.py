"""The files produced from a campaign's report: the PDF and the evidence pack.

``files`` lists both with their state and a "Produire" button (POST) each; the production
runs in the background (``reports.audit.jobs``): the page follows it through ``file_status`` (JSON,
polled by static/reports/audit/files.js; without JavaScript the page refreshes itself while a job is
under way), and ``file_download`` serves the stored file. Quality manager only (403 for the
other roles); a campaign or file of another organisation does not exist (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from background import jobs as background_jobs
from survey import access
from survey.models import Campaign

from . import jobs
from .models import ReportFile

CONTENT_TYPES: dict[str, str] = {
    ReportFile.Kind.REPORT: "application/pdf",
    ReportFile.Kind.EVIDENCE: "application/zip",
}


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return access.get_scoped_or_404(
        Campaign.objects.select_related("organisation"), request.user, access.MANAGEMENT, pk=pk
    )


def _file(request: HttpRequest, pk: int) -> ReportFile:
    return access.get_scoped_or_404(
        ReportFile.objects.select_related("campaign").defer("content"),
        request.user,
        access.MANAGEMENT,
        pk=pk,
    )


@access.role_required(access.MANAGEMENT)
@require_http_methods(["GET", "POST"])
def files(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in ReportFile.Kind.values:
            raise Http404(_("Type de fichier inconnu"))
        try:
            file, started = jobs.request_file(campaign, kind, request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if started:
                messages.info(
                    request, _("Production lancée : %(kind)s.") % {"kind": file.get_kind_display()}
                )
            elif file.status == ReportFile.Status.DONE:
                messages.info(
                    request,
                    _(
                        "Le dossier de preuves de cette campagne clôturée est déjà produit : "
                        "il est conservé tel quel."
                    ),
                )
            else:
                messages.info(request, _("Cette production est déjà en cours."))
        return redirect("audit:files", pk=campaign.pk)
    jobs.expire_stale(campaign)
    latest = {kind: jobs.latest(campaign, kind) for kind in ReportFile.Kind.values}
    rows = [
        {"kind": kind, "label": label, "file": latest[kind]}
        for kind, label in ReportFile.Kind.choices
    ]
    under_way = any(f is not None and f.status in jobs.UNDER_WAY for f in latest.values())
    response = render(
        request,
        "reports/audit/files/index.html",
        {"campaign": campaign, "rows": rows, "under_way": under_way},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@access.role_required(access.MANAGEMENT)
@require_GET
def file_status(request: HttpRequest, pk: int) -> JsonResponse:
    file = _file(request, pk)
    if file.status in jobs.UNDER_WAY and jobs.expire_stale(file.campaign):
        file.refresh_from_db()
    response = JsonResponse(
        {
            **background_jobs.state(file),
            "download": reverse("audit:file_download", args=[file.pk])
            if file.status == ReportFile.Status.DONE
            else "",
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@access.role_required(access.MANAGEMENT)
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    file = access.get_scoped_or_404(
        ReportFile.objects.all(), request.user, access.MANAGEMENT, pk=pk
    )
    if file.status != ReportFile.Status.DONE or file.content is None:
        raise Http404(_("Ce fichier n'est pas encore produit."))
    response = HttpResponse(
        bytes(file.content), content_type=CONTENT_TYPES.get(file.kind, "application/octet-stream")
    )
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    response["Cache-Control"] = "private, no-store"
    if file.sha256:
        response["X-Content-SHA256"] = file.sha256
    return response

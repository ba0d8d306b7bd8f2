"""The audit report of a campaign: the PDF to download, and its preview as a web page.

For the quality manager only (an interviewer or an agent gets 403); a campaign of another
organisation does not exist for the user (404). Both pages print the same document
(``reports.audit.document.build``): the preview is the PDF's HTML, shown by the browser.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static

from survey import access
from survey.models import Campaign

from .pdf import STYLESHEET, filename, render_html, render_pdf


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return access.get_scoped_or_404(
        Campaign.objects.select_related("organisation"), request.user, access.MANAGEMENT, pk=pk
    )


@access.role_required(access.MANAGEMENT)
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as a PDF, downloaded."""
    campaign = _campaign(request, pk)
    response = HttpResponse(render_pdf(campaign), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(campaign)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@access.role_required(access.MANAGEMENT)
def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The same document as an HTML page."""
    campaign = _campaign(request, pk)
    response = HttpResponse(render_html(campaign, stylesheet_url=static(STYLESHEET)))
    response["Cache-Control"] = "private, no-store"
    return response

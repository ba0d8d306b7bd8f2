"""The quality manager's exports and imports of responses (CSV, XLSX), and of a
questionnaire's structure as an XLSForm."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import access
from .forms_exchange import ImportForm, XLSFormImportForm
from .models import CampaignStatus, Choice, Questionnaire
from .services import exchange, exchange_files, imports
from .services.xlsform_import import import_xlsform
from .spreadsheets import ImportRefused, csv_pieces, write_xlsx
from .xlsform import export_xlsform
from .xlsform import filename as xlsform_filename

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@access.role_required(access.MANAGEMENT)
@require_GET
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """Every response of a questionnaire, voided ones included. Costs 4 queries up to
    ``exchange.EXPORT_CHUNK`` responses, 2 more for each further chunk of them: the rows
    are read a chunk at a time, never all held at once.

    The CSV streams: its bytes go out as the rows are read, a few hundred at a time (22,800
    responses: 16.6 MB sent, 26 MiB held at most, where the whole file took 95 MiB). The
    XLSX is a ZIP archive, built whole by ``survey.workbook`` (0.9 s for those 22,800
    responses, where openpyxl took 11 s): the response holds the compressed file, a third
    of the CSV's size.
    """
    questionnaire = access.get_scoped_or_404(
        Questionnaire.objects.select_related("campaign"), request.user, access.MANAGEMENT, pk=pk
    )
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Format d'export inconnu"))
    header, rows = exchange.export_rows(questionnaire)
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(csv_pieces(header, rows), content_type=CSV_TYPE)
    else:
        response = HttpResponse(write_xlsx(header, rows), content_type=XLSX_TYPE)
    filename = f"questionnaires-{questionnaire.campaign.year}-{questionnaire.channel}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@access.role_required(access.MANAGEMENT)
@require_GET
def xlsform_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire's structure as an XLSForm workbook (``survey.xlsform``), for ODK,
    KoboToolbox or Enketo. A few queries, whatever the number of questions."""
    questionnaire = access.get_scoped_or_404(
        Questionnaire.objects.select_related("campaign"), request.user, access.MANAGEMENT, pk=pk
    )
    response = HttpResponse(export_xlsform(questionnaire), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, xlsform_filename(questionnaire)
    )
    return response


@access.role_required(access.MANAGEMENT)
def xlsform_import(request: HttpRequest, pk: int) -> HttpResponse:
    """An XLSForm replaces the questionnaire's structure, while its campaign is in
    preparation; every refused thing is listed with its sheet, row and column."""
    questionnaire = access.get_scoped_or_404(
        Questionnaire.objects.select_related("campaign"), request.user, access.MANAGEMENT, pk=pk
    )
    campaign = questionnaire.campaign
    refused: ImportRefused | None = None
    if request.method == "POST":
        form = XLSFormImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                import_xlsform(questionnaire=questionnaire, source=form.cleaned_data["file"])
            except ImportRefused as error:
                refused = error
                form.add_error(
                    None, _("Corrigez les erreurs listées ci-dessous : rien n'a été enregistré.")
                )
            except ValidationError as error:  # not in preparation, unreadable file…
                form.add_error(None, error)
            else:
                messages.success(request, _("Le questionnaire a été importé."))
                return redirect("survey:questionnaire_detail", pk=questionnaire.pk)
    else:
        form = XLSFormImportForm()
    closed_reason = (
        ""
        if campaign.status == CampaignStatus.DRAFT
        else _("Seul le questionnaire d'une campagne en préparation peut être importé.")
    )
    return render(
        request,
        "survey/exchange/xlsform_import.html",
        {
            "questionnaire": questionnaire,
            "campaign": campaign,
            "form": form,
            "refused": refused,
            "closed_reason": closed_reason,
        },
    )


@access.role_required(access.MANAGEMENT)
def import_file(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_scoped_or_404(
        Questionnaire.objects.select_related("campaign"), request.user, access.MANAGEMENT, pk=pk
    )
    campaign = questionnaire.campaign
    refused: ImportRefused | None = None
    elsewhere: dict[str, Any] | None = None  # the page a file meant for another belongs to
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        form.background = True
        if form.is_valid():
            user = request.user
            assert isinstance(user, User)  # role_required logged them in
            try:
                if form.deferred is not None:
                    # A large file: read and imported by a task, followed on the job's page.
                    job = imports.queue_import(questionnaire, form.deferred, user=user)
                    return redirect("survey:import_job", pk=job.pk)
                result = exchange.import_responses(
                    questionnaire, form.cleaned_data["file"], user=user
                )
            except ImportRefused as error:
                refused = error
                form.add_error(
                    None, _("Corrigez les erreurs listées ci-dessous : rien n'a été enregistré.")
                )
            except exchange_files.WrongFile as error:  # another questionnaire's, a mystery log
                elsewhere = error.link()
                form.add_error(None, error)
            except ValidationError as error:  # the campaign is closed, the file is empty…
                form.add_error(None, error)
            else:
                _report(request, result)
                return redirect("survey:campaign_detail", pk=campaign.pk)
    else:
        form = ImportForm()
    try:
        campaign.check_accepts_responses()
        closed_reason = ""
    except ValidationError as error:
        closed_reason = " ".join(error.messages)
    questions = questionnaire.questions.order_by("order").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("order"))
    )
    return render(
        request,
        "survey/exchange/import.html",
        {
            "questionnaire": questionnaire,
            "campaign": campaign,
            "questions": questions,
            "form": form,
            "refused": refused,
            "elsewhere": elsewhere,
            "closed_reason": closed_reason,
        },
    )


def _report(request: HttpRequest, result: exchange.ImportResult) -> None:
    messages.success(
        request,
        _("Questionnaires importés : %(created)s ; déjà présents (ignorés) : %(present)s.")
        % {"created": result.created, "present": result.already_present},
    )
    if result.unknown_interviewers:
        messages.warning(
            request,
            _(
                "Enquêteurs inconnus dans l'organisation (%(names)s) : leurs questionnaires "
                "vous sont attribués."
            )
            % {"names": ", ".join(result.unknown_interviewers)},
        )

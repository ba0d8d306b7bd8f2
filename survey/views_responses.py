"""The quality manager's pages on filled questionnaires: list, read, correct, void, restore.

Their forms live in ``survey.forms_responses``; they validate formats and turn the fields
into the values ``build_answers`` reads, which alone decides what is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from . import access
from .forms_responses import REASON_FIELD, CorrectionForm, ReasonForm, ResponseFilterForm
from .models import Answer, Campaign, Choice, Question, Response
from .old_links import french_query
from .selectors import answer_values, answers_by_section, current_answers, response_history
from .services import corrections
from .services.responses import QuestionnaireSpec

PAGE_SIZE = 50


def _manager(request: HttpRequest) -> AbstractBaseUser:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # role_required has logged them in
    return user


def _scoped_response(request: HttpRequest, pk: int) -> Response:
    return access.get_scoped_or_404(
        Response.objects.select_related(
            "campaign", "questionnaire", "site", "interviewer", "voided_by"
        ),
        request.user,
        access.MANAGEMENT,
        pk=pk,
    )


@french_query(channel="canal", status="statut", choices="choix")
@access.role_required(access.MANAGEMENT)
def response_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's questionnaires, newest first, voided ones included and marked."""
    campaign = access.get_scoped_or_404(
        Campaign.objects.select_related("organisation"), request.user, access.MANAGEMENT, pk=pk
    )
    form = ResponseFilterForm(request.GET or None, campaign=campaign)
    corrected = Answer.history.filter(response_id=OuterRef("pk"))
    responses = form.filter(
        campaign.responses.select_related("site", "interviewer")
        .annotate(corrected=Exists(corrected))
        .order_by("-submitted_at", "-pk")
    )
    counts = campaign.responses.aggregate(
        total=Count("pk"), voided=Count("pk", filter=Q(voided_at__isnull=False))
    )
    counts["counted"] = counts["total"] - counts["voided"]
    page = Paginator(responses, PAGE_SIZE).get_page(request.GET.get("page"))
    behind = None
    if form.is_valid() and form.cleaned_data["question"]:
        behind = _answers_behind(campaign, form.cleaned_data["question"], form.answer_codes)
    return render(
        request,
        "survey/responses/response_list.html",
        {
            "campaign": campaign,
            "form": form,
            "page": page,
            "counts": counts,
            "behind": behind,
            "matching": page.paginator.count,
        },
    )


def _answers_behind(campaign: Campaign, code: str, choice_codes: list[str]) -> dict[str, Any]:
    """What the dashboard's link asked for, in words: the question and the answers."""
    question = (
        Question.objects.filter(questionnaire__campaign=campaign, code=code)
        .order_by("questionnaire__channel")
        .first()
    )
    labels = list(
        dict.fromkeys(
            Choice.objects.filter(
                question__questionnaire__campaign=campaign,
                question__code=code,
                code__in=choice_codes,
            )
            .order_by("order")
            .values_list("label", flat=True)
        )
    )
    return {"question": question, "code": code, "labels": labels}


@access.role_required(access.MANAGEMENT)
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = _scoped_response(request, pk)
    spec = QuestionnaireSpec.load(response.questionnaire)
    return render(
        request,
        "survey/responses/response_detail.html",
        {
            "response": response,
            "campaign": response.campaign,
            "sections": answers_by_section(spec, current_answers(response)),
            "history": response_history(response),
        },
    )


@access.role_required(access.MANAGEMENT)
def response_correct(request: HttpRequest, pk: int) -> HttpResponse:
    response = _scoped_response(request, pk)
    if request.method != "POST":
        try:
            corrections.check_correctable(response)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("survey:response_detail", pk=response.pk)
    spec = QuestionnaireSpec.load(response.questionnaire)
    form = CorrectionForm(
        request.POST or None,
        spec=spec,
        section_titles=dict(response.questionnaire.sections.values_list("pk", "title")),
        current=answer_values(spec, current_answers(response)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            corrections.correct_response(
                response,
                form.answers(),
                user=_manager(request),
                reason=form.cleaned_data[REASON_FIELD],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, gettext("La correction est enregistrée."))
            return redirect("survey:response_detail", pk=response.pk)
    return render(
        request,
        "survey/responses/response_correct.html",
        {"response": response, "campaign": response.campaign, "form": form},
    )


def _confirm_with_reason(
    request: HttpRequest,
    pk: int,
    *,
    action: Callable[..., object],
    required_message: str,
    submit_label: str,
    done_message: str,
    restore: bool,
) -> HttpResponse:
    """A confirmation page asking for a reason (GET); runs ``action`` with it (POST)."""
    response = _scoped_response(request, pk)
    form = ReasonForm(
        request.POST or None, required_message=required_message, submit_label=submit_label
    )
    if request.method == "POST" and form.is_valid():
        try:
            action(response, user=_manager(request), reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, done_message)
            return redirect("survey:response_detail", pk=response.pk)
    return render(
        request,
        "survey/responses/response_void.html",
        {"response": response, "campaign": response.campaign, "form": form, "restore": restore},
    )


@access.role_required(access.MANAGEMENT)
def response_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Voids the questionnaire: it leaves every indicator."""
    return _confirm_with_reason(
        request,
        pk,
        action=corrections.void_response,
        required_message=gettext("Indiquez le motif de l'annulation."),
        submit_label=gettext("Annuler ce questionnaire"),
        done_message=gettext(
            "Le questionnaire est annulé : il ne compte plus dans les indicateurs."
        ),
        restore=False,
    )


@access.role_required(access.MANAGEMENT)
def response_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Brings a voided questionnaire back."""
    return _confirm_with_reason(
        request,
        pk,
        action=corrections.restore_response,
        required_message=gettext("Indiquez le motif du rétablissement."),
        submit_label=gettext("Rétablir ce questionnaire"),
        done_message=gettext("Le questionnaire est rétabli : il compte de nouveau."),
        restore=True,
    )

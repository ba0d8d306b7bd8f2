"""The figures the quality manager types in for the report: the website's and social
networks' monthly figures, and the published figures of earlier years.

The forms only validate (``reports.forms_figures``, ``reports.forms_published``);
``reports.services.figures`` writes. Every view admits the quality manager only
(``access.role_required``) and works in the organisation of the request
(``access.work_organisation``); a published figure is read through
``access.get_scoped_or_404``, so another organisation's gives a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from survey import access
from survey.models import Organisation

from .figures import french_percent
from .forms_figures import WebFiguresForm, YearForm
from .forms_published import PublishedFigureForm
from .models import PublishedFigure
from .selectors import QuestionCatalogue
from .services.figures import delete_published_figure, save_published_figure, save_web_figures
from .web import french_integer, monthly_series, years_entered


def _organisation(request: HttpRequest) -> Organisation:
    organisation = access.work_organisation(request, access.MANAGEMENT)
    if organisation is None:  # a national administrator, with no organisation yet
        raise Http404(gettext("Aucune organisation"))
    return organisation


# --- website and social networks ---------------------------------------------------------


@access.role_required(access.MANAGEMENT)
def web_figures(request: HttpRequest) -> HttpResponse:
    """The grid of a year's monthly figures, the table of them and their chart."""
    organisation = _organisation(request)
    years = years_entered(organisation)
    year = years[0] if years else timezone.localdate().year  # the latest year entered
    year_form = YearForm(request.GET if "annee" in request.GET else None, initial={"annee": year})
    if year_form.is_bound and year_form.is_valid():
        year = year_form.cleaned_data["annee"]
    series = monthly_series(organisation, year)
    accepted = not year_form.is_bound or year_form.is_valid()
    posted = request.method == "POST" and accepted
    form = WebFiguresForm(request.POST if posted else None, series=series)
    if posted and form.is_valid():
        result = save_web_figures(organisation=organisation, year=year, values=form.values())
        if result.changed:
            messages.success(
                request,
                gettext("Les chiffres de %(year)s sont enregistrés.") % {"year": year},
            )
        else:
            messages.info(request, gettext("Aucun chiffre n'a changé."))
        return redirect(f"{reverse('reports:web_figures')}?annee={year}")
    return render(
        request,
        "reports/figures/web.html",
        {
            "organisation": organisation,
            "year": year,
            "years": sorted({*years, year}, reverse=True),
            "year_form": year_form,
            "form": form,
            "series": series,
            "chart": series.chart(),
        },
        status=400 if form.errors or not accepted else 200,
    )


# --- published figures of earlier years --------------------------------------------------


@access.role_required(access.MANAGEMENT)
def published_figures(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    figures = list(PublishedFigure.objects.filter(organisation=organisation))
    labels = QuestionCatalogue.of(organisation).labels if figures else {}
    rows = [
        {
            "figure": figure,
            "question": (
                gettext("Nombre de questionnaires recueillis")
                if figure.code == PublishedFigure.QUESTIONNAIRES
                else labels.get(figure.code, "")
            ),
            "favourable": french_integer(figure.favourable),
            "base": french_integer(figure.base),
            "rate": french_percent(float(figure.rate)) if figure.rate is not None else "—",
            "percent": (
                "—"
                if figure.code == PublishedFigure.QUESTIONNAIRES
                else french_percent(figure.percent)
            ),
        }
        for figure in figures
    ]
    return render(
        request,
        "reports/figures/published_list.html",
        {"organisation": organisation, "rows": rows},
    )


def _scoped_figure(request: HttpRequest, pk: int) -> PublishedFigure:
    return access.get_scoped_or_404(
        PublishedFigure.objects.select_related("organisation"),
        request.user,
        access.MANAGEMENT,
        pk=pk,
    )


def _edit(
    request: HttpRequest, organisation: Organisation, figure: PublishedFigure | None
) -> HttpResponse:
    form = PublishedFigureForm(request.POST or None, instance=figure, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_published_figure(figure=form.save(commit=False))
        except ValidationError as error:  # entered meanwhile by someone else
            form.add_error(None, error)
        else:
            messages.success(
                request, gettext("Le chiffre « %(figure)s » est enregistré.") % {"figure": saved}
            )
            return redirect("reports:published_figures")
    return render(
        request,
        "reports/figures/published_form.html",
        {"organisation": organisation, "form": form, "figure": figure},
        status=400 if form.is_bound and form.errors else 200,
    )


@access.role_required(access.MANAGEMENT)
def published_figure_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, _organisation(request), None)


@access.role_required(access.MANAGEMENT)
def published_figure_update(request: HttpRequest, pk: int) -> HttpResponse:
    figure = _scoped_figure(request, pk)
    return _edit(request, figure.organisation, figure)


@access.role_required(access.MANAGEMENT)
def published_figure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    figure = _scoped_figure(request, pk)
    if request.method == "POST":
        label = str(figure)
        delete_published_figure(figure=figure)
        messages.success(
            request, gettext("Le chiffre « %(figure)s » est supprimé.") % {"figure": label}
        )
        return redirect("reports:published_figures")
    return render(
        request,
        "reports/figures/published_delete.html",
        {"organisation": figure.organisation, "figure": figure},
    )

"""Exports and imports of responses. Included by survey/urls.py (namespace ``survey``)."""

from __future__ import annotations

from django.urls import path

from . import views_exchange, views_imports

urlpatterns = [
    path("questionnaires/<int:pk>/export.<str:fmt>", views_exchange.export, name="export"),
    path("questionnaires/<int:pk>/import/", views_exchange.import_file, name="import"),
    # The questionnaire itself (not its responses) as an XLSForm (issue 16, part 4).
    path(
        "questionnaires/<int:pk>/xlsform.xlsx",
        views_exchange.xlsform_export,
        name="xlsform_export",
    ),
    path(
        "questionnaires/<int:pk>/xlsform/import/",
        views_exchange.xlsform_import,
        name="xlsform_import",
    ),
    # A large import, run in the background (issue 13, point 3).
    path("imports/<int:pk>/", views_imports.import_job, name="import_job"),
    path("imports/<int:pk>/etat/", views_imports.import_job_status, name="import_job_status"),
]

"""The audit report's pages, under /rapport/: the commentary of a campaign's report, the
improvement actions of the organisation, the report itself (``reports.audit.urls_report``) and the
files produced in the background, the PDF and the evidence pack (``reports.audit.urls_files``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from . import urls_report, views_actions, views_texts

app_name = "audit"
urlpatterns: list[URLPattern | URLResolver] = [
    path("campagne/<int:pk>/textes/", views_texts.texts, name="texts"),
    path("actions/", views_actions.action_list, name="actions"),
    path("actions/nouvelle/", views_actions.action_create, name="action_create"),
    path("actions/<int:pk>/", views_actions.action_update, name="action_update"),
    path("actions/<int:pk>/supprimer/", views_actions.action_delete, name="action_delete"),
    path("actions/<int:pk>/etat/", views_actions.action_status, name="action_status"),
    *urls_report.urlpatterns,
    path("", include("reports.audit.urls_files")),
]

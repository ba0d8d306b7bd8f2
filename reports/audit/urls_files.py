"""The files produced from a report (PDF, evidence pack), included by ``reports.audit.urls``."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views_files

urlpatterns: list[URLPattern] = [
    path("campagne/<int:pk>/fichiers/", views_files.files, name="files"),
    path("fichiers/<int:pk>/etat/", views_files.file_status, name="file_status"),
    path("fichiers/<int:pk>/telecharger/", views_files.file_download, name="file_download"),
]

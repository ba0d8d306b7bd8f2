"""Entry pages (the interviewer's side). Included by survey/urls.py under /saisie/."""

from __future__ import annotations

from django.urls import path

from . import views_entry, views_offline

urlpatterns = [
    path("", views_entry.entry, name="entry"),
    path("sw.js", views_offline.service_worker, name="entry_sw"),
    path("manifest.webmanifest", views_offline.web_manifest, name="entry_manifest"),
    path("remplir/<int:pk>/", views_entry.entry_form, name="entry_form"),
    path("papier/<int:pk>/", views_entry.entry_paper, name="entry_paper"),
    path("appareils/", views_entry.entry_devices, name="entry_devices"),
    path("appareils/etat/", views_entry.device_report, name="entry_device_report"),
]

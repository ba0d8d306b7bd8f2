"""Entry pages (the interviewer's side). Included by survey/urls.py under /saisie/."""

from __future__ import annotations

from django.urls import path

from . import views_entry

urlpatterns = [
    path("", views_entry.entry, name="entry"),
]

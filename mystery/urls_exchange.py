"""Exports and imports of the mystery logs. Included by mystery/urls.py (namespace
``mystery``); ``<pk>`` is the campaign's."""

from __future__ import annotations

from django.urls import path

from survey.old_links import moved

from . import views_exchange

urlpatterns = [
    path(
        "campagne/<int:pk>/appels/export.<str:fmt>",
        views_exchange.calls_export,
        name="calls_export",
    ),
    path("campagne/<int:pk>/appels/import/", views_exchange.calls_import, name="calls_import"),
    path(
        "campagne/<int:pk>/courriels/export.<str:fmt>",
        views_exchange.emails_export,
        name="emails_export",
    ),
    path("campagne/<int:pk>/courriels/import/", views_exchange.emails_import, name="emails_import"),
    moved("<int:pk>/appels/export.<str:fmt>", "mystery:calls_export"),
    moved("<int:pk>/appels/import/", "mystery:calls_import"),
    moved("<int:pk>/courriels/export.<str:fmt>", "mystery:emails_export"),
    moved("<int:pk>/courriels/import/", "mystery:emails_import"),
]

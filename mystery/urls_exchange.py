"""Exports and imports of the mystery logs. Included by mystery/urls.py (namespace
``mystery``); ``<pk>`` is the campaign's."""

from __future__ import annotations

from django.urls import path

from . import views_exchange

urlpatterns = [
    path("<int:pk>/appels/export.<str:fmt>", views_exchange.calls_export, name="calls_export"),
    path("<int:pk>/appels/import/", views_exchange.calls_import, name="calls_import"),
    path("<int:pk>/courriels/export.<str:fmt>", views_exchange.emails_export, name="emails_export"),
    path("<int:pk>/courriels/import/", views_exchange.emails_import, name="emails_import"),
]

"""Exports and imports of responses. Included by survey/urls.py (namespace ``survey``)."""

from __future__ import annotations

from django.urls import path

from . import views_exchange

urlpatterns = [
    path("questionnaires/<int:pk>/export.<str:fmt>", views_exchange.export, name="export"),
    path("questionnaires/<int:pk>/import/", views_exchange.import_file, name="import"),
]

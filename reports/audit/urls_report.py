"""The report's PDF and its preview. Included by ``reports.audit.urls`` (namespace ``audit``):
``audit:report_pdf`` and ``audit:report_preview``, each with the campaign's pk."""

from __future__ import annotations

from django.urls import path

from . import views_report

urlpatterns = [
    path("campagne/<int:pk>/rapport.pdf", views_report.report_pdf, name="report_pdf"),
    path("campagne/<int:pk>/apercu/", views_report.report_preview, name="report_preview"),
]

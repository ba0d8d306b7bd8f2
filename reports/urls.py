from __future__ import annotations

from django.urls import include, path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("campagne/<int:pk>/", views.campaign_dashboard, name="campaign_dashboard"),
    path("", include("reports.urls_remarks")),
    path("chiffres/", include("reports.urls_figures")),
]

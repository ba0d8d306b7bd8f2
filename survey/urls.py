from __future__ import annotations

from django.urls import path

from . import views

app_name = "survey"
urlpatterns = [
    path("", views.entry, name="entry"),
]

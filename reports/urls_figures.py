"""URLs of the figures pages, under /tableau-de-bord/chiffres/."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views_figures

urlpatterns: list[URLPattern] = [
    path("web/", views_figures.web_figures, name="web_figures"),
    path("publies/", views_figures.published_figures, name="published_figures"),
    path(
        "publies/nouveau/",
        views_figures.published_figure_create,
        name="published_figure_create",
    ),
    path(
        "publies/<int:pk>/",
        views_figures.published_figure_update,
        name="published_figure_update",
    ),
    path(
        "publies/<int:pk>/supprimer/",
        views_figures.published_figure_delete,
        name="published_figure_delete",
    ),
]

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's composition and its ``load_demo`` command; no models."""

    name = "demo"
    verbose_name = "Démonstration"

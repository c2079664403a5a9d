from django.apps import AppConfig


class PaperhubConfig(AppConfig):
    """The project package is also a small app: it holds what every part shares (API tokens)."""

    name = "paperhub"
    verbose_name = "PaperHub"

    def ready(self):
        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)

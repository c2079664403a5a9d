from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)

from django.apps import AppConfig


class MediaLinksConfig(AppConfig):
    name = "media_links"
    verbose_name = "Videos"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)

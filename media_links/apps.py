from django.apps import AppConfig


class MediaLinksConfig(AppConfig):
    name = "media_links"
    verbose_name = "Videos"

    def ready(self):
        from paperhub.moderation import approved_paper_count
        from papers.extensions import PageSection, register_count, register_section

        from . import signals  # noqa: F401  (connects the receivers)
        from .models import Video
        from .selectors import videos_for_paper_page

        # Not cached: a video's card offers "Remove" to the member who added it.
        register_section(
            PageSection(
                name="videos",
                template="media_links/_paper_section.html",
                load=videos_for_paper_page,
                order=500,
                cached=False,
            )
        )
        register_count(
            approved_paper_count(
                Video, name="videos", attribute="video_count", label="Approved videos.", nouns=("video", "videos")
            )
        )

from django.apps import AppConfig


class ReviewImportsConfig(AppConfig):
    name = "review_imports"
    verbose_name = "Reviews imported from OpenReview"

    def ready(self):
        from papers.extensions import PageSection, RecordField, register_demo, register_record_field, register_section

        from . import selectors

        # The published forums, the same for every visitor: cached with the page (imports touch the paper).
        register_section(
            PageSection(
                name="openreview",
                template="review_imports/_paper_section.html",
                load=selectors.forums_for_paper_page,
                order=390,  # just before the Peer Reviews people pasted
            )
        )
        # Not cached: the import field is for signed-in members, and an import still running or waiting for
        # moderation is shown only to who asked for it and to staff. Anonymous visitors cost it no query.
        register_section(
            PageSection(
                name="openreview_import",
                template="review_imports/_import_section.html",
                load=selectors.ImportsOfPaper,
                order=401,  # at the foot of the Peer Reviews section, where people look to add one
                cached=False,
            )
        )
        register_record_field(
            RecordField(
                name="openreview",
                load=_record,
                help_text="Published OpenReview forums of the paper: venue, decision and each review with its scores.",
            )
        )
        register_demo("openreview", _load_demo)


def _record(paper, request) -> list[dict]:
    from .api.serializers import forums_for_record

    return forums_for_record(paper=paper, request=request)


def _load_demo() -> list[str]:
    from .demo import demo_forums_load

    return demo_forums_load()

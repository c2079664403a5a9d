import datetime as dt

from django.apps import AppConfig


class FullTextConfig(AppConfig):
    name = "fulltext"
    verbose_name = "Full text"

    def ready(self):
        from django.conf import settings
        from django.urls import reverse

        from papers import enrichments
        from papers.extensions import PageSection, register_demo, register_section
        from papers.models import EnrichmentState as State

        from . import selectors

        register_section(
            PageSection(
                name="fulltext", template="fulltext/_paper_section.html", load=selectors.full_text_for_page, order=200
            )
        )
        register_demo("fulltext", _load_demo)
        days = dt.timedelta(days=1)
        enrichments.register(
            enrichments.EnrichmentKind(
                name="fulltext",
                label="Full text",
                task="fulltext.tasks.fulltext_fetch",
                input_of=lambda paper: paper.pmcid,
                missing="no PubMed Central copy is known, so there is no open-access text to fetch",
                recheck_after={
                    State.NONE: days * settings.FULLTEXT_RECHECK_NONE_DAYS,
                    State.FAILED: days,
                    State.DONE: days * settings.FULLTEXT_RECHECK_DONE_DAYS,
                },
                api_field="full_text",
                url=lambda paper: reverse("api:paper-fulltext", kwargs={"doi": paper.doi}),
            )
        )
        enrichments.register(
            enrichments.EnrichmentKind(
                name="summary",
                label="Summary",
                task="fulltext.tasks.summary_fetch_batch",
                input_of=lambda paper: paper.doi,
                recheck_after={State.NONE: days * settings.SUMMARY_RECHECK_NONE_DAYS, State.FAILED: days},
                batched=True,
            )
        )


def _load_demo() -> list[str]:
    from .demo import demo_full_texts_load  # the converter and clients load only when the demo does

    return demo_full_texts_load()

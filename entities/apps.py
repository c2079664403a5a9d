import datetime as dt

from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "entities"
    verbose_name = "Named entities"

    def ready(self):
        from django.conf import settings

        from papers import enrichments
        from papers.extensions import PageSection, register_demo, register_section
        from papers.models import EnrichmentState as State

        from . import filters, selectors, services, signals  # noqa: F401  (signals connects the receivers)

        register_section(
            PageSection(
                name="entities", template="entities/_paper_section.html", load=selectors.entities_for_page, order=150
            )
        )
        filters.register()  # entity=<type>:<identifier> on /search and GET /api/v1/papers/
        register_demo("entities", _load_demo)
        enrichments.register(
            enrichments.EnrichmentKind(
                name=services.KIND,
                label="Entities",
                task="entities.tasks.entities_request",
                input_of=services.entities_input,
                missing="not in PubMed (no PMID), so PubTator3 has no annotations",
                recheck_after={
                    State.NONE: dt.timedelta(days=settings.ENTITIES_RECHECK_NONE_DAYS),
                    State.FAILED: dt.timedelta(days=1),
                },
            )
        )


def _load_demo() -> list[str]:
    from .demo import demo_annotations_load  # PubTator parsing loads only when the demo does

    return demo_annotations_load()

from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
        from .extensions import PageSection, register_section

        # Papers' own sections of the paper page; other apps slot theirs in between (papers.extensions).
        for name, order in (("abstract", 100), ("summary", 300), ("taxonomy", 600), ("references", 700)):
            register_section(
                PageSection(name=name, template=f"papers/_section_{name}.html", load=_nothing, order=order)
            )
        _register_enrichments()


def _register_enrichments() -> None:
    """Topics (OpenAlex) and PubMed ids (NCBI) come after the metadata, fetched in batches across papers."""
    import datetime as dt

    from django.conf import settings

    from . import enrichments

    days = dt.timedelta(days=1)
    for name, label, task in (
        ("topics", "Topics", "papers.tasks.topics_fetch_batch"),
        ("pubmed_ids", "PubMed ids", "papers.tasks.pubmed_ids_fetch_batch"),
    ):
        enrichments.register(
            enrichments.EnrichmentKind(
                name=name,
                label=label,
                task=task,
                input_of=lambda paper: paper.doi if paper.has_metadata else "",
                missing="no metadata yet",
                recheck_after={
                    enrichments.State.DONE: days * settings.PAPERHUB_REFRESH_AFTER_DAYS,
                    enrichments.State.NONE: days * settings.PAPERHUB_REFRESH_AFTER_DAYS,
                    enrichments.State.FAILED: days,
                },
                batched=True,
            )
        )


def _nothing(paper):
    return None  # papers' sections read the page's shared loaders (PaperPageParts), loaded once for the page

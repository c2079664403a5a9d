from django.core.management.base import BaseCommand

from papers.demo import demo_papers_load, demo_reference_lookups_load
from papers.extensions import demo_loaders


class Command(BaseCommand):
    help = "Load the demo papers from recorded Crossref, OpenAlex and Europe PMC responses. Safe to run again."

    def handle(self, *args, **options):
        result = demo_papers_load()
        for doi in result.created:
            self.stdout.write(f"added    /doi/{doi}")
        for doi in result.enriched:
            self.stdout.write(f"enriched /doi/{doi} (OpenAlex topics and ids)")
        lookups = demo_reference_lookups_load()  # references known only by their DOI, from recorded records
        self.stdout.write(
            f"references {lookups.answered} cited DOIs answered from recorded Crossref records "
            f"({lookups.references} references filled); {lookups.waiting} wait for the worker's lookup (online)"
        )
        for name, loader in demo_loaders():  # what other apps add to the demo papers (full texts …)
            for line in loader():
                self.stdout.write(f"{name:<8} {line}")
        self.stdout.write(
            self.style.SUCCESS(f"Demo: {len(result.created)} added, {len(result.unchanged)} already present.")
        )

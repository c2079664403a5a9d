from django.core.management.base import BaseCommand

from papers.demo import demo_papers_load


class Command(BaseCommand):
    help = "Load the demo papers from recorded Crossref, OpenAlex and Europe PMC responses. Safe to run again."

    def handle(self, *args, **options):
        result = demo_papers_load()
        for doi in result.created:
            self.stdout.write(f"added    /doi/{doi}")
        for doi in result.enriched:
            self.stdout.write(f"enriched /doi/{doi} (OpenAlex topics and ids)")
        self.stdout.write(
            self.style.SUCCESS(f"Demo: {len(result.created)} added, {len(result.unchanged)} already present.")
        )

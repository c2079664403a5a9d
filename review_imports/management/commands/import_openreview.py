"""Staff: import a paper's reviews from an OpenReview forum, now, in this terminal."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from paperhub.http import UpstreamError
from papers.doi import InvalidDOI, normalize_doi
from papers.models import Paper

from ... import services


class Command(BaseCommand):
    help = (
        "Import the public reviews of an OpenReview forum onto a paper: import_openreview DOI URL. Runs here, not "
        "in a worker, and publishes when the forum's submission matches the paper (else it waits for staff)."
    )

    def add_arguments(self, parser):
        parser.add_argument("doi", help="The paper's DOI (it must be on PaperHub with its metadata).")
        parser.add_argument("url", help="https://openreview.net/forum?id=… or the forum id.")

    def handle(self, *args, doi, url, **options):
        try:
            paper = Paper.objects.get(doi=normalize_doi(doi))
        except InvalidDOI as exc:
            raise CommandError(str(exc)) from None
        except Paper.DoesNotExist:
            raise CommandError(
                f"{doi} is not on PaperHub; add it first (manage.py import_dois, or on the site)."
            ) from None
        try:
            # No user: the command line is staff. No task either: this process does the work.
            asked = services.forum_import_request(paper=paper, link=url, user=None, queue=False)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.message_dict.get("url", exc.messages))) from None
        forum_import = asked.forum_import
        try:
            result = services.forum_import_run(forum_import=forum_import)
        except UpstreamError as exc:
            services.forum_import_failed(import_id=forum_import.id, reason=str(exc), status=exc.status)
            raise CommandError(str(exc)) from None
        forum_import.refresh_from_db()
        self.stdout.write(
            f"{forum_import.forum_url} on {paper.doi}: {result.created} new, {result.updated} updated, "
            f"{result.gone} gone; {forum_import.venue or 'venue unknown'}"
            + (f", decision {forum_import.decision}" if forum_import.decision else "")
        )
        if forum_import.is_published:
            self.stdout.write(
                self.style.SUCCESS(f"Published on {paper.get_absolute_url()}#forum-{forum_import.forum_id}")
            )
        else:
            self.stdout.write(self.style.WARNING("Waiting for staff: the forum may be another paper's."))
            self.stdout.write(forum_import.match_report)

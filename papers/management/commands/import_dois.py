import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from tqdm import tqdm

from papers.identifiers import InvalidIdentifier, parse_identifier
from papers.models import IdentifierLookup, Paper
from papers.services import identifier_request_import, papers_request_import

# DOIs added per transaction: one statement of each kind per chunk, and a transaction of bounded size.
CHUNK = 2000


class Command(BaseCommand):
    help = "Add papers from a file with one DOI, arXiv id, PMID or PMCID per line ('-' reads standard input)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the file, or - for standard input")
        parser.add_argument("--wait", action="store_true", help="follow the background imports to the end")
        parser.add_argument("--timeout", type=float, default=600, help="seconds --wait waits at most (600)")
        parser.add_argument(
            "--stall-timeout",
            type=float,
            default=300,
            help="seconds --wait goes on while no paper changes at all, e.g. with no worker running (300)",
        )

    def handle(self, *args, file, wait, timeout, stall_timeout, **options):
        lines = self._read(file)
        queued, present, invalid = [], [], []
        paper_ids: set[int] = set()
        lookup_ids: set[int] = set()
        dois, others = [], []  # (line text, identifier): DOIs are added in bulk, PMIDs and PMCIDs one by one
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            try:
                identifier = parse_identifier(text)
            except InvalidIdentifier as exc:
                invalid.append(f"line {number}: {exc}")
                continue
            (dois if identifier.is_doi else others).append((text, identifier))

        progress = tqdm(total=len(dois) + len(others), desc="Adding", unit="id", file=self.stderr, disable=None)
        results = []
        for start in range(0, len(dois), CHUNK):
            chunk = dois[start : start + CHUNK]
            requests = papers_request_import(dois=[identifier.value for _, identifier in chunk])
            results += [(text, result) for (text, _), result in zip(chunk, requests, strict=True)]
            progress.update(len(chunk))
        for text, _ in others:
            results.append((text, identifier_request_import(text=text)))
            progress.update(1)
        for text, result in results:
            (queued if result.created or result.lookup else present).append(text)
            if result.paper:
                paper_ids.add(result.paper.id)
            else:
                lookup_ids.add(result.lookup.id)
        progress.close()

        self.stdout.write(f"{len(queued)} queued, {len(present)} already present, {len(invalid)} invalid")
        for message in invalid:
            self.stdout.write(self.style.ERROR(f"  invalid {message}"))
        failed = self._wait(paper_ids, lookup_ids, timeout, stall_timeout) if wait else []
        if invalid or failed:
            raise CommandError(f"{len(invalid)} invalid, {len(failed)} failed or unfinished")

    def _read(self, file: str) -> list[str]:
        if file == "-":
            return sys.stdin.read().splitlines()
        try:
            with open(file, encoding="utf-8") as handle:
                return handle.read().splitlines()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None

    def _wait(self, paper_ids: set[int], lookup_ids: set[int], timeout: float, stall_timeout: float) -> list[str]:
        """Poll the database until every paper is ready or failed; return the failures with their reasons.

        Gives up early when nothing has changed for `stall_timeout` seconds: no claim, no retry noted, no paper
        finished. Work that moves, however slowly (retries back off for minutes), is waited for.
        """
        started = last_moved = time.monotonic()
        busy = [Paper.FetchState.PENDING, Paper.FetchState.FETCHING]
        failed: list[str] = []
        progress_mark = None
        with tqdm(
            total=len(paper_ids) + len(lookup_ids), desc="Fetching", unit="paper", file=self.stderr, disable=None
        ) as bar:
            while True:
                for lookup in IdentifierLookup.objects.filter(id__in=lookup_ids).exclude(state="pending"):
                    lookup_ids.discard(lookup.id)
                    if lookup.paper_id:
                        paper_ids.add(lookup.paper_id)
                    else:
                        failed.append(f"{lookup}: {lookup.error}")
                papers = Paper.objects.filter(id__in=paper_ids)
                finished = papers.exclude(fetch_state__in=busy).count()
                bar.n = finished + len(failed)
                bar.refresh()
                if finished == len(paper_ids) and not lookup_ids:
                    break
                mark = (
                    finished,
                    len(lookup_ids),
                    len(paper_ids),
                    papers.aggregate(Max("updated_at"))["updated_at__max"],
                )
                now = time.monotonic()
                if mark != progress_mark:
                    progress_mark, last_moved = mark, now
                if now - started > timeout:
                    self.stderr.write(f"Stopped waiting after {timeout:.0f} s (--timeout).")
                    break
                if now - last_moved > stall_timeout:
                    self.stderr.write(
                        f"Nothing moved for {stall_timeout:.0f} s (--stall-timeout): is a worker running? "
                        "`make run` starts one beside the site; elsewhere start `celery -A paperhub worker`. "
                        "The papers stay queued and are imported once a worker takes them."
                    )
                    break
                time.sleep(0.5)

        rows = list(Paper.objects.filter(id__in=paper_ids).values_list("doi", "fetch_state", "fetch_error"))
        ready = [doi for doi, state, _ in rows if state == Paper.FetchState.READY]
        failed += [f"{doi}: {error or 'no reason recorded'}" for doi, state, error in rows if state == "failed"]
        unfinished = [f"{doi}: still {state}" for doi, state, _ in rows if state in busy]
        unfinished += [f"lookup {i}: still looking up" for i in lookup_ids]
        self.stdout.write(f"{len(ready)} ready, {len(failed)} failed, {len(unfinished)} unfinished")
        for message in failed + unfinished:
            self.stdout.write(self.style.ERROR(f"  {message}"))
        return failed + unfinished

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fulltext import jats
from fulltext.services import fulltext_import_file


class Command(BaseCommand):
    help = (
        "Load JATS XML files (a journal's own articles, or files from any open-access source): each file's paper is "
        "found or created by its DOI, with its metadata, full text, summary and the journal's reviews."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="paths of JATS XML files")

    def handle(self, *args, files, **options):
        loaded, failed = [], []
        limit = settings.FULLTEXT_MAX_XML_BYTES
        progress = tqdm(files, desc="Loading", unit="file", file=self.stderr, disable=None)
        for name in progress:
            path = Path(name)
            try:
                size = path.stat().st_size
                if size > limit:  # refused before reading a byte of it
                    raise jats.JatsError(f"The file is {size:,} bytes; the limit is {limit:,} (FULLTEXT_MAX_XML_BYTES)")
                result = fulltext_import_file(data=path.read_bytes())
            except OSError as exc:
                failed.append(f"{name}: cannot be read ({exc.strerror or exc})")
            except jats.JatsError as exc:
                failed.append(f"{name}: {exc}")
            else:
                what = "created" if result.created else "updated"
                loaded.append(
                    f"{name}: {result.paper.doi} {what}, {len(result.body.sections)} sections, "
                    f"{len(result.body.references)} references, {len(result.body.reviews)} journal reviews"
                    + (f", summary ({result.body.summary.source})" if result.body.summary else "")
                )
            progress.set_postfix(loaded=len(loaded), failed=len(failed))
        progress.close()
        for line in loaded:
            self.stdout.write(f"  {line}")
        for line in failed:
            self.stdout.write(self.style.ERROR(f"  failed {line}"))
        self.stdout.write(f"{len(loaded)} loaded, {len(failed)} failed")
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} files failed")

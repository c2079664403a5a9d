"""Writes to papers: every function is safe to run again with the same input (same rows, no duplicates)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from paperhub.http import UpstreamNotFound
from paperhub.text import strip_bidi_controls_in

from . import doi as doi_lib
from . import enrichments, versions
from .clients import crossref, datacite, ncbi, openalex
from .identifiers import parse_identifier
from .models import (
    PAPER_HEAVY_FIELDS,
    Author,
    Authorship,
    Domain,
    Enrichment,
    Field,
    Funding,
    IdentifierLookup,
    Paper,
    PaperRelation,
    PaperTopic,
    PaperUpdate,
    Reference,
    ReferenceLookup,
    Subfield,
    Topic,
)
from .normalize import (
    AuthorRecord,
    FundingRecord,
    RelationRecord,
    TopicRecord,
    WorkRecord,
    cited_work,
    merge_funding,
)
from .selectors import SHOWN_TO_OTHER_VERSIONS, PaperVersion

# Paper columns a WorkRecord fills; an empty value in the record never erases a known one.
_PAPER_FIELDS = (
    "title",
    "title_html",
    "abstract",
    "published_date",
    "published_precision",
    "work_type",
    "container_title",
    "volume",
    "issue",
    "pages",
    "publisher",
    "language",
    "license_url",
    "oa_url",
    "pmid",
    "pmcid",
    "arxiv_id",
)


@dataclass
class _Held:
    """What the paper already holds, read with its lock in one query: the reads of empty tables are skipped."""

    authorships: bool = True
    fundings: bool = True
    references: bool = True
    relations: bool = True
    enrichments: bool = True
    cited_unlinked: bool = True  # other papers' references name its DOI without pointing at it
    named_by_others: bool = True  # other papers' relations name its DOI


def _paper_lock_for_save(doi: str) -> tuple[Paper, _Held]:
    """The paper's row, locked for the rest of the transaction (created when missing), and what it holds."""
    sql, params = _lock_for_save_sql()
    params = [doi if value == _DOI_PARAMETER else value for value in params]
    paper = next(iter(list(Paper.objects.raw(sql, params))), None)
    if paper is None:  # not requested first (a JATS file, the demo): created here, and then it holds nothing
        paper, created = Paper.objects.select_for_update().get_or_create(doi=doi)
        return paper, _Held(*([not created] * 5))
    held = _Held(**{name: getattr(paper, f"held_{name}") for name in _Held.__dataclass_fields__})
    for name in _Held.__dataclass_fields__:
        delattr(paper, f"held_{name}")
    return paper, held


_DOI_PARAMETER = "10.0/doi-parameter"


@functools.cache
def _lock_for_save_sql() -> tuple[str, tuple]:
    """The locked read's SQL, compiled once: compiling its seven subqueries cost more CPU than running them."""
    flags = {
        "held_authorships": Exists(Authorship.objects.filter(paper=OuterRef("pk"))),
        "held_fundings": Exists(Funding.objects.filter(paper=OuterRef("pk"))),
        "held_references": Exists(Reference.objects.filter(paper=OuterRef("pk"))),
        "held_relations": Exists(PaperRelation.objects.filter(paper=OuterRef("pk"))),
        "held_enrichments": Exists(Enrichment.objects.filter(paper=OuterRef("pk"))),
        "held_cited_unlinked": Exists(
            Reference.objects.filter(doi=OuterRef("doi"))
            .exclude(paper=OuterRef("pk"))
            .exclude(cited_paper=OuterRef("pk"))
        ),
        "held_named_by_others": Exists(
            PaperRelation.objects.filter(other_doi=OuterRef("doi")).exclude(paper=OuterRef("pk"))
        ),
    }
    query = Paper.objects.select_for_update().annotate(**flags).filter(doi=_DOI_PARAMETER).order_by()
    sql, params = query.query.sql_with_params()
    if params.count(_DOI_PARAMETER) != 1:  # its other parameters are constants (the subqueries' SELECT 1)
        raise RuntimeError(f"the locked read takes the DOI once: {params}")
    return sql, params


@transaction.atomic
def paper_save_record(*, record: WorkRecord) -> Paper:
    """Create or update the paper `record` describes, with its authors, references, updates and topics.

    Reviews and videos are never touched. The paper ends `ready`. Set-based, so the number of queries does not grow
    with the authors or references: 12 for a first import (13 adding reference lookups), 10 for a refresh that
    changes nothing (tests/papers/test_ingest_queries.py).
    """
    strip_bidi_controls_in(record)  # upstream text is shown beside ours: no line-reversing controls
    paper, held = _paper_lock_for_save(doi_lib.normalize_doi(record.doi))
    shown_before = _shown_to_other_versions(paper)
    for name in _PAPER_FIELDS:
        value = getattr(record, name)
        if value not in ("", None):
            max_length = _PAPER_MAX_LENGTHS[name]
            setattr(paper, name, value[:max_length] if max_length and isinstance(value, str) else value)
    if record.published_date is None and not paper.published_date:
        paper.published_precision = ""
    paper.fetch_state = Paper.FetchState.READY
    paper.fetch_error = ""
    paper.fetched_at = timezone.now()
    paper.metadata_source = record.source
    if record.review_dois is not None:
        paper.review_dois = record.review_dois[:200]
    if record.openalex_cited_by_count is not None:
        paper.openalex_cited_by_count = record.openalex_cited_by_count
        paper.openalex_cited_by_count_at = paper.fetched_at

    _replace_authorships(
        paper, {Authorship.Role.AUTHOR: record.authors, Authorship.Role.EDITOR: record.editors}, held=held.authorships
    )
    if record.funding:
        _replace_funding(paper, record.funding, held=held.fundings)
    touched = set()  # other papers whose pages change
    if record.references:
        touched |= _replace_reference_rows(paper, record.references, held=held.references)
    for update in record.updates:
        PaperUpdate.objects.update_or_create(
            paper=paper,
            kind=update.kind,
            notice_doi=update.notice_doi,
            defaults={"label": update.label, "date": update.date},
        )
    # A notice names the papers it corrects or retracts: mark those already here.
    for target in record.update_targets:
        for target_paper in Paper.objects.filter(doi=target.notice_doi).exclude(id=paper.id):
            PaperUpdate.objects.update_or_create(
                paper=target_paper,
                kind=target.kind,
                notice_doi=paper.doi,
                defaults={"label": target.label, "date": target.date},
            )
    if record.topics:
        paper_set_topics(paper=paper, topics=record.topics, touch=False)
    if held.cited_unlinked:
        touched |= _link_citing_references(paper)
    shown_changed = _shown_to_other_versions(paper) != shown_before
    own, incoming = [], []
    if held.relations or held.named_by_others:
        for row in PaperRelation.objects.filter(Q(paper=paper) | Q(other_doi=paper.doi)):
            (own if row.paper_id == paper.id else incoming).append(row)
    touched |= _replace_relations(paper, record.relations, shown_changed=shown_changed, rows=own)
    touched |= _link_incoming_relations(paper, incoming, shown_changed=shown_changed)
    papers_touch(paper_ids=touched - {paper.id})
    # Full text, summary …: each queued on commit when what it needs (a PMCID …) is there and new. The paper is
    # saved below, so the kinds queued need not touch it.
    enrichments.enrichments_queue(paper=paper, known={} if not held.enrichments else None, touch=False)
    paper.save()  # last, once: its post_save marks it changed, and its search trigger sees the new authors
    return paper


_PAPER_MAX_LENGTHS = {name: Paper._meta.get_field(name).max_length for name in _PAPER_FIELDS}


def _replace_authorships(paper: Paper, people: dict[str, list[AuthorRecord]], *, held: bool = True) -> None:
    """Make the paper's authorships in each role of `people` that lists someone (its authors, its editors) match
    that list, keeping rows (and ids) whose position is unchanged; a role listing no one is left as it is."""
    people = {role: records for role, records in people.items() if records}
    if not people:
        return
    existing: dict[str, dict[int, Authorship]] = {role: {} for role in people}
    if held:
        for row in Authorship.objects.filter(paper=paper, role__in=list(people)).select_related("author").order_by():
            existing[row.role][row.position] = row
    wanted = [
        (role, position, data, existing[role].get(position))
        for role, records in people.items()
        for position, data in enumerate(records, start=1)
    ]
    author_ids = _author_ids_for([(data, row.author if row else None) for _, _, data, row in wanted])
    to_create, to_update = [], []
    for (role, position, data, row), author_id in zip(wanted, author_ids, strict=True):
        if row is None:
            to_create.append(
                Authorship(
                    paper=paper, author_id=author_id, role=role, position=position, affiliations=data.affiliations
                )
            )
        elif row.author_id != author_id or row.affiliations != data.affiliations:
            row.author_id, row.affiliations = author_id, data.affiliations
            to_update.append(row)
    Authorship.objects.bulk_update(to_update, ["author", "affiliations"])
    Authorship.objects.bulk_create(to_create)
    gone = [row.id for role, rows in existing.items() for position, row in rows.items() if position > len(people[role])]
    if gone:
        Authorship.objects.filter(id__in=gone).delete()
    # An author without an ORCID iD belongs to one authorship only: drop those no longer used.
    dropped = {row.author_id for rows in existing.values() for row in rows.values()} - set(author_ids)
    if dropped:
        Author.objects.filter(id__in=dropped, orcid__isnull=True, authorships__isnull=True).delete()


def _author_names(data: AuthorRecord) -> dict:
    return {
        "given_name": data.given_name[:200],
        "family_name": data.family_name[:200],
        "literal_name": data.literal_name[:500] or ("" if data.given_name or data.family_name else "Anonymous"),
    }


def _author_ids_for(wanted: list[tuple[AuthorRecord, Author | None]]) -> list[int]:
    """The Author id for each (record, author at that position now): one row per ORCID iD (found, else created;
    its names kept current), else the current name-only author (renamed if need be), else a new one.

    The new rows are written in one INSERT; ORCID iDs already here (or added meanwhile by another import) are
    skipped by it and read in one query. A paper's own authors need neither.
    """
    ids: list[int | None] = [None] * len(wanted)
    known: dict[str, Author] = {}  # ORCID iD -> its row, as read
    new: list[tuple[int, dict, str | None]] = []  # (index, names, orcid) of rows to create
    for index, (data, current) in enumerate(wanted):
        names = _author_names(data)
        if data.orcid:
            if current is not None and current.orcid == data.orcid:
                known[data.orcid] = current
            elif all(orcid != data.orcid for _, _, orcid in new):
                new.append((index, names, data.orcid))
        elif current is not None and current.orcid is None:
            if any(getattr(current, key) != value for key, value in names.items()):
                Author.objects.filter(id=current.id).update(**names)
                for key, value in names.items():
                    setattr(current, key, value)
            ids[index] = current.id
        else:
            new.append((index, names, None))
    if new:
        created = _authors_insert([(names, orcid) for _, names, orcid in new])
        skipped = [orcid for (_, _, orcid), author_id in zip(new, created, strict=True) if author_id is None]
        for (index, _, orcid), author_id in zip(new, created, strict=True):
            if author_id is not None:
                ids[index] = author_id
                if orcid:
                    known[orcid] = Author(id=author_id, orcid=orcid, **_author_names(wanted[index][0]))
        if skipped:
            known.update((row.orcid, row) for row in Author.objects.filter(orcid__in=skipped))
    for index, (data, _) in enumerate(wanted):
        if data.orcid:
            author = known[data.orcid]
            names = _author_names(data)
            changed = [key for key, value in names.items() if getattr(author, key) != value]
            if changed:  # renamed upstream: saved (its post_save marks its papers changed)
                for key in changed:
                    setattr(author, key, names[key])
                author.save(update_fields=changed)
            ids[index] = author.id
    return ids


def _authors_insert(rows: list[tuple[dict, str | None]]) -> list[int | None]:
    """Insert authors (names, ORCID iD or None) in one statement; the new ids in order, None for an ORCID iD
    that is already here (ON CONFLICT DO NOTHING: no lock on that shared row, no error when another import
    added it meanwhile). Django's bulk_create cannot return ids while ignoring conflicts, hence the SQL; like
    bulk_create it relies on PostgreSQL returning the inserted rows in the order given."""
    if connection.vendor != "postgresql":  # SQLite (`make run`, embedded): one row at a time
        ids = []
        for names, orcid in rows:
            if orcid is None:
                ids.append(Author.objects.create(**names).id)
            else:
                author, created = Author.objects.get_or_create(orcid=orcid, defaults=names)
                ids.append(author.id if created else None)
        return ids
    columns = ("given_name", "family_name", "literal_name")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Author._meta.db_table} (given_name, family_name, literal_name, orcid) "
            "SELECT * FROM UNNEST(%s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[]) "
            "ON CONFLICT (orcid) DO NOTHING RETURNING id, orcid",
            [*([names[column] for names, _ in rows] for column in columns), [orcid for _, orcid in rows]],
        )
        returned = cursor.fetchall()
    ids, at = [], 0
    for _, orcid in rows:
        # ORCID iDs are distinct within `rows` and name-only rows never conflict: a row missing from RETURNING
        # is an ORCID iD whose returned successor (if any) carries another value.
        if at < len(returned) and returned[at][1] == orcid:
            ids.append(returned[at][0])
            at += 1
        else:
            ids.append(None)
    return ids


def _reconcile(existing: dict, wanted: dict, build) -> tuple[list, list]:
    """The rows to create and to update so that each key of `wanted` has a row with those field values.

    `existing` maps keys to the rows stored now; a row whose values are unchanged is left out (no write), and
    `build(key, values)` makes a missing one. Deleting rows no longer wanted is the caller's part.
    """
    to_create, to_update = [], []
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            to_create.append(build(key, values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    return to_create, to_update


def _replace_funding(paper: Paper, funding: list[FundingRecord], *, held: bool = True) -> None:
    """Make the paper's funders match `funding` (merged by funder already), in its order; one row per funder.

    `held=False`: the paper has no funders yet (its row is locked), so they need not be read."""
    existing = {row.key: row for row in Funding.objects.filter(paper=paper).order_by()} if held else {}
    wanted = {}
    for item in funding:
        key = item.key[:300]
        if key and key not in wanted and item.funder_name:
            wanted[key] = item
    gone = [row.id for key, row in existing.items() if key not in wanted]
    if gone:
        Funding.objects.filter(id__in=gone).delete()
    rows = {
        key: {
            "position": position,
            "funder_name": item.funder_name[:500],
            "funder_doi": item.funder_doi,
            "funder_openalex_id": item.funder_openalex_id[:20],
            "awards": item.awards,
        }
        for position, (key, item) in enumerate(wanted.items(), start=1)
    }
    to_create, to_update = _reconcile(existing, rows, lambda key, values: Funding(paper=paper, key=key, **values))
    Funding.objects.bulk_update(to_update, ["position", "funder_name", "funder_doi", "funder_openalex_id", "awards"])
    Funding.objects.bulk_create(to_create)


def _known_funding(paper: Paper) -> list[FundingRecord]:
    return [
        FundingRecord(row.funder_name, row.funder_doi, row.funder_openalex_id, list(row.awards))
        for row in Funding.objects.filter(paper=paper).order_by("position")
    ]


def _author_for(data: AuthorRecord, *, current: Author | None) -> Author:
    names = {
        "given_name": data.given_name[:200],
        "family_name": data.family_name[:200],
        "literal_name": data.literal_name[:500] or ("" if data.given_name or data.family_name else "Anonymous"),
    }
    if data.orcid:
        return _get_or_create_current(Author, {"orcid": data.orcid}, names)
    if current is not None and current.orcid is None:
        if any(getattr(current, key) != value for key, value in names.items()):
            Author.objects.filter(id=current.id).update(**names)
            for key, value in names.items():
                setattr(current, key, value)
        return current
    return Author.objects.create(**names)


def _get_or_create_current(model, lookup: dict, values: dict):
    """The row `lookup` finds, created with `values` or updated to them, and written only if something changed.

    Not update_or_create: that locks and saves shared rows (a domain, a topic, a prolific author) on every import,
    which queued concurrent imports behind one another, and its post_save marked every paper of the row changed.
    """
    row, created = model.objects.get_or_create(**lookup, defaults=values)
    # Foreign keys are compared by id, so that checking costs no query.
    current = {name: getattr(row, model._meta.get_field(name).attname) for name in values}
    changed = [name for name, value in values.items() if current[name] != getattr(value, "pk", value)]
    if not created and changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
    return row


_REFERENCE_FIELDS = (
    "raw",
    "authors",
    "title",
    "title_html",
    "journal",
    "year",
    "volume",
    "pages",
    "doi",
    "pmid",
    "lookup_fields",
)


def _replace_reference_rows(paper: Paper, references, *, held: bool = True) -> set[int]:
    """Make the reference list match `references`, in its order, keeping rows whose position is unchanged; each
    row points at its cited paper when that is here. Returns the cited papers whose "cited by" changed.

    `held=False`: the paper has no references yet (its row is locked), so they need not be read."""
    existing = {r.position: r for r in Reference.objects.filter(paper=paper).order_by()} if held else {}
    rows = {}
    for position, ref in enumerate(references, start=1):
        values = {name: getattr(ref, name) for name in _REFERENCE_FIELDS if name != "lookup_fields"}
        values["lookup_fields"] = []
        if values["doi"] == paper.doi:
            values["doi"] = ""  # a paper does not cite itself; the database forbids it too
        rows[position] = values
    cited = {values["doi"] for values in rows.values() if values["doi"]}
    here = dict(Paper.objects.filter(doi__in=cited).order_by().values_list("doi", "id")) if cited else {}
    for values in rows.values():
        values["cited_paper_id"] = here.get(values["doi"])
    # A reference known only by its DOI reads as one with what Crossref said about that DOI, asked once for every
    # paper citing it: the answer already here fills it now, the others are queued for a batch.
    bare = {values["doi"] for values in rows.values() if _known_only_by_doi(values)}
    lookups = {row.doi: row for row in ReferenceLookup.objects.filter(doi__in=bare).order_by()} if bare else {}
    for values in rows.values():
        found = lookups.get(values["doi"])
        if found is not None and found.state == ReferenceLookup.State.FOUND and _known_only_by_doi(values):
            _fill_from_lookup(values, found)
    linked_before = {position: row.cited_paper_id for position, row in existing.items()}
    to_create, to_update = _reconcile(
        existing, rows, lambda position, values: Reference(paper=paper, position=position, **values)
    )
    changed = {row.cited_paper_id for row in to_create}
    for row in to_update:
        if row.cited_paper_id != linked_before[row.position]:
            changed |= {row.cited_paper_id, linked_before[row.position]}
    Reference.objects.bulk_update(to_update, [*_REFERENCE_FIELDS, "cited_paper_id"])
    Reference.objects.bulk_create(to_create)
    gone = [row.id for position, row in existing.items() if position > len(references)]
    if gone:
        Reference.objects.filter(id__in=gone).delete()
    reference_lookups_queue(dois=bare, known=lookups)
    changed.discard(None)
    return changed


def _link_citing_references(paper: Paper) -> set[int]:
    """Point other papers' references to this paper's DOI at it; the papers whose lists now link here."""
    rows = list(
        Reference.objects.filter(doi=paper.doi)
        .exclude(paper=paper)
        .exclude(cited_paper=paper)
        .values_list("id", "paper_id")
    )
    if rows:
        Reference.objects.filter(id__in=[row_id for row_id, _ in rows]).update(cited_paper=paper)
    return {paper_id for _, paper_id in rows}


# ---------------------------------------------------------------- references known only by their DOI

# What a cited DOI's Crossref record gives a reference that lacks it (title and title_html go together).
LOOKUP_FIELDS = ("title", "title_html", "authors", "journal", "year", "volume", "pages")
_LOOKUP_FAILED_RECHECK = dt.timedelta(days=1)
_LOOKUP_SWEEP_LIMIT = 10_000


def _known_only_by_doi(values: dict) -> bool:
    """A reference (its field values) with a DOI but neither a title nor a printed citation, or one already filled
    from its DOI's record (which follows that record)."""
    return bool(values["doi"]) and (bool(values["lookup_fields"]) or not (values["title"] or values["raw"]))


def _fill_from_lookup(values: dict, lookup) -> bool:
    """Fill `values` (a reference's fields and its lookup_fields) from `lookup` (a ReferenceLookup or a
    ReferenceRecord): fields the deposit left empty, and those an earlier lookup filled; True if any changed.

    What the citing paper's deposit gave (an author, a year without a title) is kept as deposited.
    """
    filled = set(values.get("lookup_fields") or [])
    changed = False
    for name in LOOKUP_FIELDS:
        if name not in filled and values.get(name):
            continue  # the deposit's own
        wanted = getattr(lookup, name)
        if values.get(name) != wanted:
            values[name], changed = wanted, True
        if wanted:
            filled.add(name)
        else:
            filled.discard(name)
    ordered = [name for name in LOOKUP_FIELDS if name in filled]
    if values.get("lookup_fields") != ordered:
        values["lookup_fields"], changed = ordered, True
    return changed


def reference_lookups_queue(*, dois: Iterable[str], known: dict | None = None) -> int:
    """Make sure each cited DOI has a lookup row, new ones queued, and a batch asks Crossref soon (on commit).

    `known` maps DOIs to their rows when the caller has read them already. Returns how many rows were added.
    """
    dois = {doi for doi in dois if doi}
    if not dois:
        return 0
    if known is None:
        known = {row.doi: row for row in ReferenceLookup.objects.filter(doi__in=dois)}
    new = sorted(dois - set(known))
    ReferenceLookup.objects.bulk_create([ReferenceLookup(doi=doi) for doi in new], ignore_conflicts=True)
    waiting = (ReferenceLookup.State.QUEUED, ReferenceLookup.State.RETRYING)
    if new or any(known[doi].state in waiting for doi in dois & set(known)):
        _queue_reference_lookups()
    return len(new)


def _queue_reference_lookups() -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.reference_lookups_request.delay())


def reference_lookups_claim_batch(*, limit: int | None = None) -> list[str]:
    """Mark the oldest queued (or retrying) lookups running and return their DOIs: as many as one Crossref list
    request holds, up to `limit` (REFERENCES_LOOKUP_BATCH_SIZE). Rows another worker holds are skipped (SKIP
    LOCKED), so two workers never take the same DOI; rows left running by a dead worker are taken again after
    PAPERHUB_STUCK_AFTER_MINUTES. A DOI with a comma goes alone (crossref.can_list)."""
    limit = limit or settings.REFERENCES_LOOKUP_BATCH_SIZE
    stuck = timezone.now() - dt.timedelta(minutes=settings.PAPERHUB_STUCK_AFTER_MINUTES)
    waiting = [ReferenceLookup.State.QUEUED, ReferenceLookup.State.RETRYING]
    with transaction.atomic():
        rows = list(
            ReferenceLookup.objects.select_for_update(skip_locked=True)
            .filter(Q(state__in=waiting) | Q(state=ReferenceLookup.State.RUNNING, updated_at__lt=stuck))
            .order_by("updated_at", "id")
            .values_list("id", "doi")[:limit]
        )
        if not rows:
            return []
        if not crossref.can_list(rows[0][1]):
            batch = rows[:1]
        else:
            listable = [row for row in rows if crossref.can_list(row[1])]
            batch = listable[: crossref.dois_per_request([doi for _, doi in listable])]
        ReferenceLookup.objects.filter(id__in=[row_id for row_id, _ in batch]).update(
            state=ReferenceLookup.State.RUNNING, updated_at=timezone.now()
        )
    return [doi for _, doi in batch]


def reference_lookups_more_queued() -> bool:
    """Queued DOIs left for another batch; those retrying wait for their own task's retry (its backoff)."""
    return ReferenceLookup.objects.filter(state=ReferenceLookup.State.QUEUED).exists()


def reference_lookups_fetch(*, dois: list[str]) -> LookupOutcome:
    """Ask Crossref about `dois` in one request and store the answer (see reference_lookups_store)."""
    if len(dois) == 1 and not crossref.can_list(dois[0]):
        try:
            works = [crossref.get_work(dois[0])]
        except UpstreamNotFound:
            works = []
    else:
        works = crossref.get_works(dois)
    return reference_lookups_store(dois=dois, works=works)


@dataclass
class LookupOutcome:
    found: int = 0
    unknown: int = 0
    references: int = 0  # reference rows that changed


@transaction.atomic
def reference_lookups_store(*, dois: Iterable[str], works: list[WorkRecord]) -> LookupOutcome:
    """Record what Crossref answered about `dois` (`works`, its records of some of them) and copy it onto every
    reference citing them, in bulk. A DOI without a record is recorded as unknown and asked again only after
    REFERENCES_LOOKUP_UNKNOWN_DAYS; a found one after REFERENCES_LOOKUP_REFRESH_DAYS. Safe to run again."""
    asked = {doi_lib.normalize_doi(doi) for doi in dois}
    records = {record.doi: record for record in map(cited_work, works) if record.doi in asked}
    strip_bidi_controls_in(list(records.values()))
    now = timezone.now()
    # Rows are normally there (claimed); a caller with its own answers (the demo) may name DOIs that are not.
    ReferenceLookup.objects.bulk_create([ReferenceLookup(doi=doi) for doi in sorted(asked)], ignore_conflicts=True)
    rows = {row.doi: row for row in ReferenceLookup.objects.select_for_update().filter(doi__in=asked)}
    for doi, row in rows.items():
        record = records.get(doi)
        if record is not None:
            for name in LOOKUP_FIELDS:
                max_length = ReferenceLookup._meta.get_field(name).max_length
                value = getattr(record, name)
                setattr(row, name, value[:max_length] if max_length else value)
            row.state, row.detail = ReferenceLookup.State.FOUND, "Found in Crossref."
            row.next_check_at = now + dt.timedelta(days=settings.REFERENCES_LOOKUP_REFRESH_DAYS)
        else:
            row.state, row.detail = ReferenceLookup.State.UNKNOWN, "Crossref does not know this DOI."
            row.next_check_at = now + dt.timedelta(days=settings.REFERENCES_LOOKUP_UNKNOWN_DAYS)
        row.upstream_status, row.checked_at, row.updated_at = 200, now, now
    ReferenceLookup.objects.bulk_update(
        rows.values(),
        [*LOOKUP_FIELDS, "state", "detail", "next_check_at", "upstream_status", "checked_at", "updated_at"],
        batch_size=1000,
    )
    found = {doi: row for doi, row in rows.items() if row.state == ReferenceLookup.State.FOUND}
    changed = _references_fill(found)
    return LookupOutcome(found=len(found), unknown=len(rows) - len(found), references=changed)


def _references_fill(lookups: dict[str, ReferenceLookup]) -> int:
    """Copy found records onto the references citing them (known only by their DOI, or filled before)."""
    if not lookups:
        return 0
    candidates = (
        Reference.objects.filter(doi__in=list(lookups))
        .filter(Q(title="", raw="") | ~Q(lookup_fields=[]))
        .only("id", "paper_id", "doi", "raw", "lookup_fields", *LOOKUP_FIELDS)
    )
    changed = []
    for reference in candidates:
        values = {name: getattr(reference, name) for name in (*LOOKUP_FIELDS, "lookup_fields")}
        if _fill_from_lookup(values, lookups[reference.doi]):
            for name, value in values.items():
                setattr(reference, name, value)
            changed.append(reference)
    Reference.objects.bulk_update(changed, [*LOOKUP_FIELDS, "lookup_fields"], batch_size=1000)
    papers_touch(paper_ids={reference.paper_id for reference in changed})
    return len(changed)


def reference_lookups_note_retry(*, dois: list[str], reason: str) -> None:
    ReferenceLookup.objects.filter(doi__in=dois).update(
        state=ReferenceLookup.State.RETRYING, detail=reason[:2000], updated_at=timezone.now()
    )


def reference_lookups_mark_failed(*, dois: list[str], reason: str) -> None:
    """A lookup that cannot succeed now (garbage from Crossref, too many outages): said in words, tried again by
    beat the next day. The references keep what they had, their DOI link first of all."""
    now = timezone.now()
    ReferenceLookup.objects.filter(doi__in=dois).update(
        state=ReferenceLookup.State.FAILED,
        detail=reason[:2000],
        checked_at=now,
        next_check_at=now + _LOOKUP_FAILED_RECHECK,
        updated_at=now,
    )


def reference_lookups_sweep(*, limit: int = _LOOKUP_SWEEP_LIMIT) -> int:
    """Beat's pass: queue cited DOIs that have no lookup yet (references stored before lookups existed), those
    due again and still cited, and those a dead worker left running; a batch then starts. Returns how many."""
    now = timezone.now()
    never = list(
        Reference.objects.filter(title="", raw="")
        .exclude(doi="")
        .exclude(doi__in=ReferenceLookup.objects.values("doi"))
        .order_by()  # DISTINCT over the DOI alone, not the default ordering's columns too
        .values_list("doi", flat=True)
        .distinct()[:limit]
    )
    added = reference_lookups_queue(dois=never, known={})
    stuck = now - dt.timedelta(minutes=settings.PAPERHUB_STUCK_AFTER_MINUTES)
    again = list(
        ReferenceLookup.objects.filter(
            Q(
                state__in=[ReferenceLookup.State.FOUND, ReferenceLookup.State.UNKNOWN, ReferenceLookup.State.FAILED],
                next_check_at__lte=now,
            )
            | Q(state__in=[ReferenceLookup.State.RUNNING, ReferenceLookup.State.RETRYING], updated_at__lt=stuck)
        )
        .filter(Exists(Reference.objects.filter(doi=OuterRef("doi"))))
        .values_list("id", flat=True)[:limit]
    )
    ReferenceLookup.objects.filter(id__in=again).update(state=ReferenceLookup.State.QUEUED, updated_at=now)
    if again:
        _queue_reference_lookups()
    return added + len(again)


def paper_set_topics(*, paper: Paper, topics: Iterable[TopicRecord], touch: bool = True) -> None:
    """Make the paper's topics match `topics`, creating the domain > field > subfield > topic nodes they name.

    `touch=False`: the caller saves the paper itself afterwards, which marks it changed."""
    _papers_set_topics({paper.id: list(topics)})
    if touch:
        papers_touch(paper_ids=[paper.id])


@transaction.atomic
def paper_fill_references(*, paper: Paper, references: list) -> bool:
    """Give a paper without a reference list this one (from its full text); True if it was used."""
    if Reference.objects.filter(paper=paper).exists() or not references:
        return False
    strip_bidi_controls_in(references)
    touched = _replace_reference_rows(paper, references, held=False) | _link_citing_references(paper)
    papers_touch(paper_ids=touched | {paper.id})
    return True


def references_set_cited_in(*, paper: Paper, cited_in: dict[int, list[str]]) -> None:
    """Record where the paper's full text cites each reference (position -> anchor ids), for links back."""
    rows = list(Reference.objects.filter(paper=paper).only("id", "position", "cited_in"))
    changed = []
    for row in rows:
        wanted = cited_in.get(row.position, [])
        if row.cited_in != wanted:
            row.cited_in = wanted
            changed.append(row)
    Reference.objects.bulk_update(changed, ["cited_in"])
    if changed:
        papers_touch(paper_ids=[paper.id])


def paper_set_summary(*, paper_id: int, text: str, source: str) -> bool:
    """Store the summary and its source (shown under it); True if that changed anything."""
    text = text.strip()
    changed = (
        Paper.objects.filter(id=paper_id)
        .exclude(summary=text, summary_source=source)
        .update(summary=text, summary_source=source[:60], updated_at=timezone.now())
    )
    if changed:
        versions.papers_changed(paper_ids=[paper_id])
    return bool(changed)


def paper_enrich(*, paper: Paper) -> Paper:
    """Topics (OpenAlex) and PubMed ids (NCBI) for a paper whose metadata came from elsewhere (a JATS file): both
    kinds are queued, and fetched in batches with other papers'."""
    enrichments.enrichments_queue(paper=paper, only=(TOPICS, PUBMED_IDS))
    return paper


# ---------------------------------------------------------------- topics and PubMed ids, in batches across papers

TOPICS, PUBMED_IDS = "topics", "pubmed_ids"


def topics_fetch_batch(*, paper_ids: list[int]) -> int:
    """Topics, funders, citation count and ids from OpenAlex for many papers: one call per 100 DOIs, and the
    taxonomy, topics and outcomes written for the whole batch at once."""
    papers = list(Paper.objects.filter(id__in=paper_ids))
    found = openalex.get_works([paper.doi for paper in papers])
    described = {paper.id: found[paper.doi.lower()] for paper in papers if paper.doi.lower() in found}
    with transaction.atomic():
        changed = set()
        for paper in papers:
            if paper.id in described and _apply_enrichment_fields(paper, described[paper.id]):
                changed.add(paper.id)
        changed |= _papers_set_topics({paper_id: record.topics for paper_id, record in described.items()})
        enrichments.enrichments_settle(
            kind=TOPICS, paper_ids=list(described), state=enrichments.State.DONE, source="OpenAlex", status=200
        )
        missing = [paper.id for paper in papers if paper.id not in described]
        enrichments.enrichments_settle(
            kind=TOPICS,
            paper_ids=missing,
            state=enrichments.State.NONE,
            source="OpenAlex",
            detail="not in OpenAlex",
            status=200,
        )
        papers_touch(paper_ids=changed | set(missing))
    return len(papers)


def _apply_enrichment_fields(paper: Paper, record: WorkRecord) -> bool:
    """The ids the paper lacks and the citation count in one UPDATE, the funders merged; whether anything was
    written (the caller marks the paper changed, once for a batch)."""
    strip_bidi_controls_in(record)
    new_ids = [
        name for name in ("oa_url", "pmid", "pmcid", "arxiv_id") if getattr(record, name) and not getattr(paper, name)
    ]
    for name in new_ids:
        setattr(paper, name, getattr(record, name))
    fields = list(new_ids)
    if record.openalex_cited_by_count is not None:  # with the date read, even when unchanged
        paper.openalex_cited_by_count = record.openalex_cited_by_count
        paper.openalex_cited_by_count_at = timezone.now()
        fields += ["openalex_cited_by_count", "openalex_cited_by_count_at"]
    if fields:
        Paper.objects.filter(id=paper.id).update(**{name: getattr(paper, name) for name in fields})
    if {"pmid", "pmcid"} & set(new_ids):
        enrichments.enrichments_queue(paper=paper)  # a PMCID that just arrived brings its full text
    if record.funding:
        known = _known_funding(paper)
        merged = merge_funding(known, record.funding)
        if merged != known:
            _replace_funding(paper, merged)
    return bool(fields) or bool(record.funding)


def _papers_set_topics(topics_of: dict[int, list[TopicRecord]]) -> set[int]:
    """Make each paper's topics match its list, the taxonomy nodes resolved once for all; the papers changed."""
    topic_ids = _taxonomy_resolve([data for topics in topics_of.values() for data in topics])
    wanted = {
        paper_id: {topic_ids[data.topic_id]: data for data in topics if data.topic_id in topic_ids}
        for paper_id, topics in topics_of.items()
    }
    current: dict[int, dict[int, PaperTopic]] = {}
    for row in PaperTopic.objects.filter(paper_id__in=list(wanted)):
        current.setdefault(row.paper_id, {})[row.topic_id] = row
    changed, gone, demoted, added, updated = set(), [], [], [], []
    for paper_id, topics in wanted.items():
        rows = current.get(paper_id, {})
        before = (len(gone), len(demoted), len(added), len(updated))
        for topic_id, row in rows.items():
            if topic_id not in topics:
                gone.append(row.id)
            elif row.is_primary and not topics[topic_id].is_primary:
                demoted.append(row.id)
        for topic_id, data in topics.items():
            row = rows.get(topic_id)
            if row is None:
                added.append(
                    PaperTopic(paper_id=paper_id, topic_id=topic_id, score=data.score, is_primary=data.is_primary)
                )
            elif (row.score, row.is_primary) != (data.score, data.is_primary):
                row.score, row.is_primary = data.score, data.is_primary
                updated.append(row)
        if (len(gone), len(demoted), len(added), len(updated)) != before:
            changed.add(paper_id)
    if gone:
        PaperTopic.objects.filter(id__in=gone).delete()
    # Clear old primaries first: the database allows one primary topic per paper at any moment.
    if demoted:
        PaperTopic.objects.filter(id__in=demoted).update(is_primary=False)
    if updated:
        PaperTopic.objects.bulk_update(sorted(updated, key=lambda row: row.is_primary), ["score", "is_primary"])
    if added:
        PaperTopic.objects.bulk_create(added)
    return changed


def _taxonomy_resolve(topics: list[TopicRecord]) -> dict[str, int]:
    """The domain > field > subfield > topic rows the records name, created or renamed where needed, level by
    level with a few set-based queries; {topic openalex id: Topic id}."""
    parents: dict[str, int] = {}
    for model, id_of, name_of, parent_of, parent_name in (
        (Domain, "domain_id", "domain_name", None, None),
        (Field, "field_id", "field_name", "domain_id", "domain"),
        (Subfield, "subfield_id", "subfield_name", "field_id", "field"),
        (Topic, "topic_id", "topic_name", "subfield_id", "subfield"),
    ):
        wanted = {}
        for data in topics:
            values = {"name": getattr(data, name_of)}
            if parent_of:
                values[f"{parent_name}_id"] = parents[getattr(data, parent_of)]
            wanted[getattr(data, id_of)] = values
        rows = {row.openalex_id: row for row in model.objects.filter(openalex_id__in=list(wanted))}
        missing = [model(openalex_id=key, **values) for key, values in wanted.items() if key not in rows]
        if missing:
            model.objects.bulk_create(missing, ignore_conflicts=True)  # a concurrent batch may create one too
            rows = {row.openalex_id: row for row in model.objects.filter(openalex_id__in=list(wanted))}
        stale = []
        for key, values in wanted.items():
            row = rows[key]
            if any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                stale.append(row)
        for row in stale:
            row.save(update_fields=list(wanted[row.openalex_id]))  # renamed upstream: its signals mark its papers
        parents = {key: row.id for key, row in rows.items()}
    return parents


def pubmed_ids_fetch_batch(*, paper_ids: list[int]) -> int:
    """PMID and PMCID of many papers and of their references with a DOI, through NCBI's ID converter: the DOIs
    of the whole batch, each asked once, 200 a call."""
    papers = list(Paper.objects.filter(id__in=paper_ids))
    references = list(
        Reference.objects.filter(paper_id__in=paper_ids, pmid="").exclude(doi="").only("id", "paper_id", "doi")
    )
    dois = list(dict.fromkeys([paper.doi for paper in papers] + [reference.doi for reference in references]))
    by_doi = {ids.doi: ids for ids in ncbi.convert_ids(dois) if ids.doi}
    filled = []
    for reference in references:
        found = by_doi.get(reference.doi)
        if found and found.pmid:
            reference.pmid = found.pmid
            filled.append(reference)
    with transaction.atomic():
        Reference.objects.bulk_update(filled, ["pmid"], batch_size=500)
        papers_touch(paper_ids={reference.paper_id for reference in filled})  # their reference lists link PubMed
        for paper in papers:
            found = by_doi.get(paper.doi)
            if found and ((found.pmid and not paper.pmid) or (found.pmcid and not paper.pmcid)):
                record = WorkRecord(doi=paper.doi, source="ncbi", pmid=found.pmid, pmcid=found.pmcid)
                paper_apply_enrichment(paper=paper, record=record)  # a new PMCID queues the full text
        enrichments.enrichments_settle(
            kind=PUBMED_IDS, paper_ids=[paper.id for paper in papers], state=enrichments.State.DONE, source="NCBI"
        )
    return len(papers)


def paper_apply_enrichment(*, paper: Paper, record: WorkRecord) -> Paper:
    """Add what an enrichment source (OpenAlex, NCBI) knows beyond the main metadata: ids and funders, never
    overwriting, its citation count (current) and its topics; the paper is marked changed."""
    changed = _apply_enrichment_fields(paper, record)
    if record.topics:
        _papers_set_topics({paper.id: record.topics})
    if changed or record.topics:
        papers_touch(paper_ids=[paper.id])
    return paper


def paper_link_citations(*, paper: Paper) -> None:
    """Point references at papers on PaperHub, both ways: what this paper cites and what cites it."""
    cited = dict(Paper.objects.filter(doi__in=paper.references.exclude(doi="").values("doi")).values_list("doi", "id"))
    changed = set()
    for doi, cited_id in cited.items():
        if paper.references.filter(doi=doi).exclude(cited_paper_id=cited_id).update(cited_paper_id=cited_id):
            changed.add(cited_id)  # its "cited by" count grew
    citing = Reference.objects.filter(doi=paper.doi).exclude(paper=paper).exclude(cited_paper=paper)
    citing_papers = set(citing.values_list("paper_id", flat=True))
    if citing.update(cited_paper=paper):
        changed |= citing_papers | {paper.id}  # their reference lists now link here
    papers_touch(paper_ids=changed)


def _shown_to_other_versions(paper: Paper) -> tuple:
    return (*(getattr(paper, name) for name in SHOWN_TO_OTHER_VERSIONS), paper.has_metadata)


def _replace_relations(
    paper: Paper, relations: list[RelationRecord] | None, *, shown_changed: bool, rows: list[PaperRelation]
) -> set[int]:
    """Make the paper's relations (`rows`, as read) match `relations` (None: the source said nothing, keep them),
    one row per kind and DOI, each pointing at its other version when that is here. Returns the other versions on
    PaperHub whose pages change: those a row was added or removed for, and all of them when `shown_changed`."""
    if relations is None:
        if not shown_changed:
            return set()
        return {row.other_paper_id for row in rows if row.other_paper_id is not None}
    existing = {(row.kind, row.other_doi): row for row in rows}
    wanted = {}
    for relation in relations:
        doi = _canonical_doi_or_empty(relation.doi)
        # Normalizers only pass clean DOIs; this guards other callers (a relation to itself, an unknown kind).
        if doi and doi != paper.doi and relation.kind in PaperRelation.Kind.values:
            wanted[(relation.kind, doi)] = None
    here = dict(Paper.objects.filter(doi__in={doi for _, doi in wanted}).values_list("doi", "id")) if wanted else {}
    for kind, doi in wanted:
        wanted[(kind, doi)] = here.get(doi)
    gone = [row for key, row in existing.items() if key not in wanted]
    to_create = [
        PaperRelation(paper=paper, kind=kind, other_doi=doi, other_paper_id=other_id)
        for (kind, doi), other_id in wanted.items()
        if (kind, doi) not in existing
    ]
    # A row left unlinked (its other version arrived in a transaction running beside this paper's last import).
    to_update = [row for key, row in existing.items() if key in wanted and row.other_paper_id != wanted[key]]
    affected = {row.other_paper_id for row in gone} | {row.other_paper_id for row in to_create}
    for row in to_update:
        affected |= {row.other_paper_id, wanted[(row.kind, row.other_doi)]}
        row.other_paper_id = wanted[(row.kind, row.other_doi)]
    if gone:
        PaperRelation.objects.filter(id__in=[row.id for row in gone]).delete()
    PaperRelation.objects.bulk_create(to_create)
    PaperRelation.objects.bulk_update(to_update, ["other_paper"])
    if shown_changed:
        affected |= set(here.values())
    affected.discard(None)
    return affected


def _canonical_doi_or_empty(value: str) -> str:
    try:
        return doi_lib.normalize_doi(value) if value else ""
    except doi_lib.InvalidDOI:
        return ""


def paper_link_relations(*, paper: Paper, shown_changed: bool = False, also: Iterable[int] = ()) -> None:
    """Point the relations other papers' records name to this one at it (it has just arrived, or is saved again),
    and mark changed the pages that now link here: those rows' papers (all of them when what they show of this
    paper changed, `shown_changed`) and the papers in `also`."""
    rows = list(PaperRelation.objects.filter(other_doi=paper.doi).exclude(paper=paper))
    changed = _link_incoming_relations(paper, rows, shown_changed=shown_changed)
    papers_touch(paper_ids=(changed | set(also)) - {paper.id})


def _link_incoming_relations(paper: Paper, rows: list[PaperRelation], *, shown_changed: bool) -> set[int]:
    """Point `rows` (other papers' relations naming this paper's DOI) at it; the papers whose pages change."""
    unlinked = [row.id for row in rows if row.other_paper_id != paper.id]
    if unlinked:
        PaperRelation.objects.filter(id__in=unlinked).update(other_paper=paper)
    return {row.paper_id for row in rows if shown_changed or row.other_paper_id != paper.id}


def paper_relations_forget(*, paper: Paper) -> None:
    """Before a paper with metadata is deleted: the pages of its other versions stop showing it."""
    incoming = PaperRelation.objects.filter(other_doi=paper.doi).values_list("paper_id", flat=True)
    outgoing = PaperRelation.objects.filter(paper=paper, other_paper__isnull=False).values_list(
        "other_paper_id", flat=True
    )
    papers_touch(paper_ids={*incoming, *outgoing} - {paper.id})


def paper_set_body_text(*, paper_id: int, text: str) -> None:
    """Store the words of the paper's full text for search, bounded; nothing is written when they are unchanged.

    Whitespace is folded (search reads words, and an unchanged text then compares equal) and the text is cut at a
    word boundary after PAPERHUB_SEARCH_BODY_MAX_CHARS characters. The comparison happens in the database, so the
    stored text is never read back. A write moves `updated_at`: cached search results follow it.
    """
    body = bounded_body_text(text, limit=settings.PAPERHUB_SEARCH_BODY_MAX_CHARS)
    if Paper.objects.filter(id=paper_id).exclude(body_text=body).update(body_text=body, updated_at=timezone.now()):
        versions.papers_changed(paper_ids=[paper_id])


def bounded_body_text(text: str, *, limit: int) -> str:
    words = " ".join(text.replace("\x00", " ").split())  # PostgreSQL text cannot hold NUL
    if len(words) <= limit:
        return words
    if words[limit] == " ":
        return words[:limit]
    cut = words[:limit].rsplit(" ", 1)[0]
    return cut if " " in words[:limit] else words[:limit]  # one word longer than the limit: cut inside it


def papers_touch(*, paper_ids, citing: bool = False) -> None:
    """Mark papers as changed: their cached page fragments and API ETags follow `updated_at`.

    `citing` marks the papers whose reference lists cite them too: a change to what those rows show of the cited
    paper (its review and video counts) must reach their cached pages.
    """
    ids = list(paper_ids)
    if ids and citing:
        # The papers and those citing them, with their DOIs, in one query: papers_changed then needs none.
        cited_by = Reference.objects.filter(cited_paper_id__in=ids).values("paper_id")
        rows = list(Paper.objects.filter(Q(id__in=ids) | Q(id__in=cited_by)).values_list("id", "doi"))
        ids, dois = [row[0] for row in rows], [row[1] for row in rows]
        Paper.objects.filter(id__in=ids).update(updated_at=timezone.now())
        versions.papers_changed(dois=dois)
        return
    if ids:
        Paper.objects.filter(id__in=ids).update(updated_at=timezone.now())
        versions.papers_changed(paper_ids=ids)


# ---------------------------------------------------------------- requests to add papers


@dataclass
class ImportRequest:
    """What adding an identifier led to: a paper (new or already here), or a PMID/PMCID lookup under way."""

    paper: Paper | None = None
    lookup: IdentifierLookup | None = None
    created: bool = False

    @property
    def url(self) -> str:
        return self.paper.get_absolute_url() if self.paper else self.lookup.get_absolute_url()


def paper_request_import(*, doi: str) -> tuple[Paper, bool]:
    """Find the paper with this DOI, or create it `pending` and queue its import once the row is committed."""
    paper, created = Paper.objects.get_or_create(doi=doi_lib.normalize_doi(doi))
    if created:
        _queue_import(paper.id)
    return paper, created


def papers_request_import(*, dois: Iterable[str]) -> list[ImportRequest]:
    """paper_request_import for many DOIs in a fixed number of queries, whatever their number: one ImportRequest
    per DOI given, in order, `created` for the first mention of each DOI that was not here.

    The new papers are inserted in one statement and their imports sent together once the transaction commits.
    A DOI another process adds between our look and our insert is skipped by the insert but counted as ours:
    its import is then queued twice, which the import's conditional claim makes harmless.
    """
    wanted = [doi_lib.normalize_doi(doi) for doi in dois]
    distinct = list(dict.fromkeys(wanted))
    with transaction.atomic():
        here = set(Paper.objects.filter(doi__in=distinct).values_list("doi", flat=True))
        new = [doi for doi in distinct if doi not in here]
        created = set(new)
        # Plain rows, no save(): the post_save receivers' work is done below for all of them at once.
        Paper.objects.bulk_create([Paper(doi=doi) for doi in new], ignore_conflicts=True)
        papers = {paper.doi: paper for paper in Paper.objects.filter(doi__in=distinct).only("id", "doi")}
        if new:
            _papers_arrived({doi: papers[doi].id for doi in new if doi in papers})
            _queue_imports([papers[doi].id for doi in new if doi in papers])
    requests, seen = [], set()
    for doi in wanted:
        requests.append(ImportRequest(paper=papers.get(doi), created=doi in created and doi not in seen))
        seen.add(doi)
    return requests


def _papers_arrived(ids_by_doi: dict[str, int]) -> None:
    """What papers.signals does for one saved paper, for many placeholders at once: the relations other papers
    name to them point at them (paper_link_relations), and their versions move (papers_changed)."""
    rows = [
        relation
        for relation in PaperRelation.objects.filter(other_doi__in=list(ids_by_doi)).only(
            "id", "paper_id", "other_doi", "other_paper_id"
        )
        if relation.paper_id != ids_by_doi[relation.other_doi]
    ]
    unlinked = [relation for relation in rows if relation.other_paper_id != ids_by_doi[relation.other_doi]]
    for relation in unlinked:
        relation.other_paper_id = ids_by_doi[relation.other_doi]
    PaperRelation.objects.bulk_update(unlinked, ["other_paper"])
    papers_touch(paper_ids={relation.paper_id for relation in unlinked} - set(ids_by_doi.values()))
    versions.papers_changed(dois=list(ids_by_doi))


def identifier_request_import(*, text: str) -> ImportRequest:
    """Add whatever identifier a person pasted; raises InvalidIdentifier with a readable message."""
    identifier = parse_identifier(text)
    if identifier.is_doi:
        paper, created = paper_request_import(doi=identifier.value)
        return ImportRequest(paper=paper, created=created)
    known = Paper.objects.filter(**{identifier.scheme: identifier.value}).first()
    if known:
        return ImportRequest(paper=known)
    lookup, created = IdentifierLookup.objects.get_or_create(scheme=identifier.scheme, value=identifier.value)
    if lookup.state == IdentifierLookup.State.RESOLVED and lookup.paper_id:
        return ImportRequest(paper=lookup.paper)
    if created or lookup.state == IdentifierLookup.State.FAILED:
        IdentifierLookup.objects.filter(id=lookup.id).update(state=IdentifierLookup.State.PENDING, error="")
        lookup.state = IdentifierLookup.State.PENDING
        _queue_lookup(lookup.id)
    return ImportRequest(lookup=lookup, created=created)


def paper_request_refresh(*, paper: Paper) -> None:
    """Fetch the paper's metadata again (a staff retry, or the periodic refresh)."""
    _queue_import(paper.id, force=True)


def _queue_import(paper_id: int, *, force: bool = False) -> None:
    from . import tasks  # tasks import services: import here to keep the modules' import order simple

    # Workers must never see an uncommitted row, so the task is sent only after the transaction commits.
    transaction.on_commit(lambda: tasks.paper_import.delay(paper_id, force=force))


def _queue_imports(paper_ids: list[int]) -> None:
    from . import tasks

    # After the commit, as _queue_import, but in a few messages for them all (see the task).
    transaction.on_commit(lambda: tasks.papers_queue_imports_send(paper_ids))


def _queue_lookup(lookup_id: int) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.identifier_lookup_resolve.delay(lookup_id))


# ---------------------------------------------------------------- the import itself (run by tasks)

_IMPORTABLE = [Paper.FetchState.PENDING, Paper.FetchState.FETCHING, Paper.FetchState.FAILED]
# DOI prefixes registered with DataCite, asked there first instead of after a Crossref 404.
DATACITE_PREFIXES = ("10.48550/", "10.5281/", "10.5061/", "10.6084/", "10.17605/")


def paper_claim_for_import(*, paper_id: int, force: bool = False) -> Paper | None:
    """Mark the paper `fetching` with one conditional UPDATE; None when it is gone or already done.

    `fetching` is claimable too: a task redelivered after a worker died finds its paper in that state.
    """
    states = [*_IMPORTABLE, Paper.FetchState.READY] if force else _IMPORTABLE
    if connection.vendor != "postgresql":  # SQLite (`make run`, embedded): the plain UPDATE, then a read
        claimed = Paper.objects.filter(id=paper_id, fetch_state__in=states).update(
            fetch_state=Paper.FetchState.FETCHING, updated_at=timezone.now()
        )
        paper = Paper.objects.filter(id=paper_id).first() if claimed else None
        if paper is not None:
            versions.papers_changed(dois=[paper.doi])
        return paper
    # UPDATE … RETURNING claims and reads the row in one query (Django's update() returns only a count); what it
    # returns is the paper's new version too, so papers_changed need not read it back.
    claimed = Paper.objects.raw(
        f"UPDATE {Paper._meta.db_table} SET fetch_state = %s, updated_at = %s "
        f"WHERE id = %s AND fetch_state = ANY(%s) RETURNING {_CLAIM_COLUMNS}",
        [Paper.FetchState.FETCHING, timezone.now(), paper_id, list(states)],
    )
    paper = next(iter(list(claimed)), None)
    if paper is not None:
        version = PaperVersion(paper.id, paper.updated_at, paper.fetch_state)
        versions.papers_changed(versions={paper.doi: version})
    return paper


# Every column but the heavy ones, which Paper.objects never loads either.
_CLAIM_COLUMNS = ", ".join(
    f'"{field.column}"' for field in Paper._meta.concrete_fields if field.name not in PAPER_HEAVY_FIELDS
)


def paper_import(*, paper: Paper) -> Paper:
    """Fetch metadata (Crossref, else DataCite) and store it; the paper is `ready`. Topics (OpenAlex), PubMed
    ids (NCBI) and the other enrichments are queued by paper_save_record and fetched in batches across papers,
    so that each upstream answers many papers per call. Raises the clients' errors.
    """
    record = fetch_metadata(paper.doi)
    with transaction.atomic():
        return paper_save_record(record=record)


def fetch_metadata(doi: str) -> WorkRecord:
    """Crossref for Crossref DOIs, DataCite for DataCite ones; each is the other's fallback on a 404."""
    order = (
        [datacite.get_doi, crossref.get_work]
        if doi.startswith(DATACITE_PREFIXES)
        else [crossref.get_work, datacite.get_doi]
    )
    for fetch in order:
        try:
            return fetch(doi)
        except UpstreamNotFound:
            continue
    raise UpstreamNotFound("Crossref and DataCite", f"neither knows the DOI {doi}")


def paper_mark_failed(*, paper_id: int, reason: str) -> None:
    Paper.objects.filter(id=paper_id).update(
        fetch_state=Paper.FetchState.FAILED, fetch_error=reason[:2000], updated_at=timezone.now()
    )
    versions.papers_changed(paper_ids=[paper_id])


def paper_note(*, paper_id: int, note: str) -> None:
    """A remark shown on the page beside ready metadata (an enrichment that could not be fetched)."""
    Paper.objects.filter(id=paper_id).update(fetch_error=note[:2000], updated_at=timezone.now())
    versions.papers_changed(paper_ids=[paper_id])


def paper_note_retry(*, paper_id: int, reason: str) -> None:
    if Paper.objects.filter(id=paper_id, fetch_state=Paper.FetchState.FETCHING).update(
        fetch_error=reason[:2000], updated_at=timezone.now()
    ):
        versions.papers_changed(paper_ids=[paper_id])


def identifier_lookup_resolve(*, lookup: IdentifierLookup) -> IdentifierLookup:
    """Map a PMID or PMCID to its DOI through NCBI, then add that DOI."""
    found = [ids for ids in ncbi.convert_ids([lookup.value]) if getattr(ids, lookup.scheme) == lookup.value]
    doi = next((ids.doi for ids in found if ids.doi), "")
    if not doi:
        lookup.state = IdentifierLookup.State.FAILED
        lookup.error = f"NCBI knows no DOI for {lookup.get_scheme_display()} {lookup.value}."
        lookup.save(update_fields=["state", "error", "updated_at"])
        return lookup
    with transaction.atomic():
        paper, _ = paper_request_import(doi=doi)
        lookup.state, lookup.paper, lookup.error = IdentifierLookup.State.RESOLVED, paper, ""
        lookup.save(update_fields=["state", "paper", "error", "updated_at"])
    return lookup


def identifier_lookup_mark_failed(*, lookup_id: int, reason: str) -> None:
    IdentifierLookup.objects.filter(id=lookup_id).update(
        state=IdentifierLookup.State.FAILED, error=reason[:2000], updated_at=timezone.now()
    )


def papers_requeue_stuck(*, older_than: dt.timedelta) -> list[int]:
    """Queue again papers left `pending` or `fetching` too long (a lost message, a broker outage)."""
    cutoff = timezone.now() - older_than
    ids = list(
        Paper.objects.filter(
            fetch_state__in=[Paper.FetchState.PENDING, Paper.FetchState.FETCHING], updated_at__lt=cutoff
        ).values_list("id", flat=True)[:1000]
    )
    for paper_id in ids:
        _queue_import(paper_id)
    return ids


def identifier_lookups_requeue_stuck(*, older_than: dt.timedelta) -> list[int]:
    """Queue again PMID/PMCID lookups left `pending` too long, as papers_requeue_stuck does for papers."""
    cutoff = timezone.now() - older_than
    ids = list(
        IdentifierLookup.objects.filter(state=IdentifierLookup.State.PENDING, updated_at__lt=cutoff).values_list(
            "id", flat=True
        )[:1000]
    )
    for lookup_id in ids:
        _queue_lookup(lookup_id)
    return ids


def papers_refresh_stale(*, older_than: dt.timedelta, limit: int = 500) -> list[int]:
    cutoff = timezone.now() - older_than
    ids = list(
        Paper.objects.filter(fetch_state=Paper.FetchState.READY, fetched_at__lt=cutoff)
        .order_by("fetched_at")
        .values_list("id", flat=True)[:limit]
    )
    for paper_id in ids:
        _queue_import(paper_id, force=True)
    return ids


def papers_remove_unresolved(*, older_than: dt.timedelta, limit: int = 500) -> list[str]:
    """Delete papers whose metadata never arrived and that nothing changed for `older_than`; their DOIs.

    A paper another app holds content for (a review, a video …) stays for staff to look at, whatever the app:
    those are found through the model's reverse relations, so papers needs to know none of them.
    """
    cutoff = timezone.now() - older_than
    candidates = Paper.objects.unresolved().filter(updated_at__lt=cutoff)
    for held in _held_by_other_apps():
        candidates = candidates.exclude(held)
    with transaction.atomic():
        # Locked, so that a worker claiming one of them waits and then finds it gone.
        rows = list(candidates.select_for_update().order_by("id").values_list("id", "doi")[:limit])
        Paper.objects.filter(id__in=[paper_id for paper_id, _ in rows]).delete()
    return [doi for _, doi in rows]


def _held_by_other_apps():
    for relation in Paper._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label != Paper._meta.app_label:
            yield Exists(model._base_manager.filter(**{relation.field.name: OuterRef("pk")}))

"""Writes to papers: every function is safe to run again with the same input (same rows, no duplicates)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from . import doi as doi_lib
from .models import Author, Authorship, Domain, Field, Paper, PaperTopic, PaperUpdate, Reference, Subfield, Topic
from .normalize import AuthorRecord, TopicRecord, WorkRecord

# Paper columns a WorkRecord fills; an empty value in the record never erases a known one.
_PAPER_FIELDS = (
    "title",
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


@transaction.atomic
def paper_save_record(*, record: WorkRecord) -> Paper:
    """Create or update the paper `record` describes, with its authors, references, updates and topics.

    Reviews and videos are never touched. The paper ends `ready`.
    """
    paper, _ = Paper.objects.select_for_update().get_or_create(doi=doi_lib.normalize_doi(record.doi))
    for name in _PAPER_FIELDS:
        value = getattr(record, name)
        if value not in ("", None):
            max_length = Paper._meta.get_field(name).max_length
            setattr(paper, name, value[:max_length] if max_length and isinstance(value, str) else value)
    if record.published_date is None and not paper.published_date:
        paper.published_precision = ""
    paper.fetch_state = Paper.FetchState.READY
    paper.fetch_error = ""
    paper.fetched_at = timezone.now()
    paper.metadata_source = record.source
    paper.save()

    if record.authors:
        _replace_authorships(paper, record.authors)
    if record.references:
        _replace_references(paper, record)
    for update in record.updates:
        PaperUpdate.objects.update_or_create(
            paper=paper,
            kind=update.kind,
            notice_doi=update.notice_doi,
            defaults={"label": update.label, "date": update.date},
        )
    if record.topics:
        paper_set_topics(paper=paper, topics=record.topics)
    paper_link_citations(paper=paper)
    return paper


def _replace_authorships(paper: Paper, authors: list[AuthorRecord]) -> None:
    """Make the paper's authorships match `authors`, keeping rows (and ids) whose position is unchanged."""
    existing = {a.position: a for a in Authorship.objects.filter(paper=paper).select_related("author")}
    to_create, to_update = [], []
    for position, data in enumerate(authors, start=1):
        author = _author_for(data, current=existing[position].author if position in existing else None)
        row = existing.get(position)
        if row is None:
            to_create.append(Authorship(paper=paper, author=author, position=position, affiliations=data.affiliations))
        elif row.author_id != author.id or row.affiliations != data.affiliations:
            row.author, row.affiliations = author, data.affiliations
            to_update.append(row)
    Authorship.objects.bulk_update(to_update, ["author", "affiliations"])
    Authorship.objects.bulk_create(to_create)
    Authorship.objects.filter(paper=paper, position__gt=len(authors)).delete()
    # An author without an ORCID iD belongs to one authorship only: drop those no longer used.
    Author.objects.filter(
        id__in=[row.author_id for row in existing.values()], orcid__isnull=True, authorships__isnull=True
    ).delete()


def _author_for(data: AuthorRecord, *, current: Author | None) -> Author:
    names = {
        "given_name": data.given_name[:200],
        "family_name": data.family_name[:200],
        "literal_name": data.literal_name[:500] or ("" if data.given_name or data.family_name else "Anonymous"),
    }
    if data.orcid:
        author, _ = Author.objects.update_or_create(orcid=data.orcid, defaults=names)
        return author
    if current is not None and current.orcid is None:
        if any(getattr(current, key) != value for key, value in names.items()):
            Author.objects.filter(id=current.id).update(**names)
            for key, value in names.items():
                setattr(current, key, value)
        return current
    return Author.objects.create(**names)


_REFERENCE_FIELDS = ("raw", "authors", "title", "journal", "year", "volume", "pages", "doi", "pmid")


def _replace_references(paper: Paper, record: WorkRecord) -> None:
    """Make the reference list match the record's, in its order, keeping rows whose position is unchanged."""
    existing = {r.position: r for r in Reference.objects.filter(paper=paper)}
    to_create, to_update = [], []
    for position, ref in enumerate(record.references, start=1):
        values = {name: getattr(ref, name) for name in _REFERENCE_FIELDS}
        if values["doi"] == paper.doi:
            values["doi"] = ""  # a paper does not cite itself; the database forbids it too
        row = existing.get(position)
        if row is None:
            to_create.append(Reference(paper=paper, position=position, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    Reference.objects.bulk_update(to_update, _REFERENCE_FIELDS)
    Reference.objects.bulk_create(to_create)
    Reference.objects.filter(paper=paper, position__gt=len(record.references)).delete()


def paper_set_topics(*, paper: Paper, topics: Iterable[TopicRecord]) -> None:
    """Make the paper's topics match `topics`, creating the domain > field > subfield > topic nodes they name."""
    wanted = {}
    for data in topics:
        domain, _ = Domain.objects.update_or_create(openalex_id=data.domain_id, defaults={"name": data.domain_name})
        field, _ = Field.objects.update_or_create(
            openalex_id=data.field_id, defaults={"name": data.field_name, "domain": domain}
        )
        subfield, _ = Subfield.objects.update_or_create(
            openalex_id=data.subfield_id, defaults={"name": data.subfield_name, "field": field}
        )
        topic, _ = Topic.objects.update_or_create(
            openalex_id=data.topic_id, defaults={"name": data.topic_name, "subfield": subfield}
        )
        wanted[topic.id] = data
    PaperTopic.objects.filter(paper=paper).exclude(topic_id__in=wanted).delete()
    # Clear the old primary first: the database allows one primary topic per paper at any moment.
    PaperTopic.objects.filter(paper=paper, is_primary=True).exclude(
        topic_id__in=[tid for tid, d in wanted.items() if d.is_primary]
    ).update(is_primary=False)
    for topic_id, data in sorted(wanted.items(), key=lambda item: item[1].is_primary):
        PaperTopic.objects.update_or_create(
            paper=paper, topic_id=topic_id, defaults={"score": data.score, "is_primary": data.is_primary}
        )


def paper_apply_enrichment(*, paper: Paper, record: WorkRecord) -> Paper:
    """Add what an enrichment source (OpenAlex) knows beyond the main metadata: topics and ids, never overwriting."""
    changed = [
        name for name in ("oa_url", "pmid", "pmcid", "arxiv_id") if getattr(record, name) and not getattr(paper, name)
    ]
    for name in changed:
        setattr(paper, name, getattr(record, name))
    if changed:
        paper.save(update_fields=[*changed, "updated_at"])
    if record.topics:
        paper_set_topics(paper=paper, topics=record.topics)
    return paper


def paper_link_citations(*, paper: Paper) -> None:
    """Point references at papers on PaperHub, both ways: what this paper cites and what cites it."""
    cited = dict(Paper.objects.filter(doi__in=paper.references.exclude(doi="").values("doi")).values_list("doi", "id"))
    for doi, cited_id in cited.items():
        paper.references.filter(doi=doi).exclude(cited_paper_id=cited_id).update(cited_paper_id=cited_id)
    Reference.objects.filter(doi=paper.doi).exclude(paper=paper).exclude(cited_paper=paper).update(cited_paper=paper)

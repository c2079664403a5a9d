"""Ways into the papers besides search: the topic tree, topic pages, author pages. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from .models import Author, Authorship, Domain, Field, Paper, Subfield, Topic, without_heavy_paper_fields

LEVELS = {"domains": Domain, "fields": Field, "subfields": Subfield, "topics": Topic}
# How to reach papers from each level, through PaperTopic.
_PAPER_PATH = {
    Domain: "paper_topics__topic__subfield__field__domain",
    Field: "paper_topics__topic__subfield__field",
    Subfield: "paper_topics__topic__subfield",
    Topic: "paper_topics__topic",
}


def taxonomy_tree() -> list[Domain]:
    """Every domain > field > subfield > topic with the number of papers under each, in four queries."""
    domains = list(
        Domain.objects.annotate(
            paper_count=Count("fields__subfields__topics__paper_topics__paper", distinct=True)
        ).order_by("name")
    )
    fields = list(
        Field.objects.annotate(paper_count=Count("subfields__topics__paper_topics__paper", distinct=True)).order_by(
            "name"
        )
    )
    subfields = list(
        Subfield.objects.annotate(paper_count=Count("topics__paper_topics__paper", distinct=True)).order_by("name")
    )
    topics = list(Topic.objects.annotate(paper_count=Count("paper_topics__paper", distinct=True)).order_by("name"))
    _attach(subfields, topics, "subfield_id", "child_nodes")
    _attach(fields, subfields, "field_id", "child_nodes")
    _attach(domains, fields, "domain_id", "child_nodes")
    return domains


def _attach(parents, children, key, attr):
    by_parent: dict[int, list] = {}
    for child in children:
        by_parent.setdefault(getattr(child, key), []).append(child)
    for parent in parents:
        setattr(parent, attr, by_parent.get(parent.id, []))


@dataclass
class Crumb:
    label: str
    url: str


def node_breadcrumb(node) -> list[Crumb]:
    """Domain > field > subfield > topic, down to `node`."""
    parents = {Topic: "subfield", Subfield: "field", Field: "domain"}
    chain = [node]
    while type(chain[-1]) in parents:
        chain.append(getattr(chain[-1], parents[type(chain[-1])]))
    return [Crumb(n.name, taxonomy_url(n)) for n in reversed(chain)]


def taxonomy_url(node) -> str:
    from django.urls import reverse

    level = {Domain: "domains", Field: "fields", Subfield: "subfields", Topic: "topics"}[type(node)]
    return reverse("papers:taxon", kwargs={"level": level, "openalex_id": node.openalex_id})


def papers_under(node) -> QuerySet[Paper]:
    return Paper.objects.listed().filter(**{_PAPER_PATH[type(node)]: node}).distinct()


def author_papers(*, orcid: str) -> tuple[Author | None, list[Authorship]]:
    author = Author.objects.filter(orcid=orcid).first()
    if author is None:
        return None, []
    authorships = list(
        without_heavy_paper_fields(Authorship.objects.filter(author=author).select_related("paper")).order_by(
            "-paper__published_date"
        )
    )
    return author, authorships

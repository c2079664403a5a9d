"""What machines read from a paper page: Highwire Press citation_* tags and schema.org JSON-LD.

Google Scholar's inclusion guidelines name the Highwire tags; Zotero reads both.
"""

from __future__ import annotations

from .models import Paper


def highwire_tags(paper: Paper, *, page_url: str) -> list[tuple[str, str]]:
    """(name, content) pairs in Google Scholar's order: title, authors, date, then venue and ids."""
    tags: list[tuple[str, str]] = [("citation_title", paper.title or paper.doi)]
    for authorship in paper.author_rows:
        tags.append(("citation_author", authorship.author.citation_name))
        if authorship.author.orcid:
            tags.append(("citation_author_orcid", authorship.author.orcid_url))
        for affiliation in authorship.affiliations:
            tags.append(("citation_author_institution", affiliation))
    optional = [
        ("citation_publication_date", paper.published_citation_date),
        (
            "citation_journal_title" if paper.work_type != "proceedings-article" else "citation_conference_title",
            paper.container_title,
        ),
        ("citation_publisher", paper.publisher),
        ("citation_volume", paper.volume),
        ("citation_issue", paper.issue),
        ("citation_firstpage", paper.first_page),
        ("citation_lastpage", paper.last_page),
        ("citation_doi", paper.doi),
        ("citation_pmid", paper.pmid),
        ("citation_arxiv_id", paper.arxiv_id),
        ("citation_language", paper.language),
        ("citation_abstract_html_url", page_url),
        ("citation_pdf_url", paper.oa_url if paper.oa_url.lower().endswith(".pdf") else ""),
    ]
    tags.extend((name, value) for name, value in optional if value)
    return tags


def scholarly_article_jsonld(paper: Paper, *, page_url: str) -> dict:
    """schema.org ScholarlyArticle, as a dict ready for json.dumps."""
    authors = []
    for authorship in paper.author_rows:
        author = authorship.author
        person: dict = (
            {"@type": "Organization", "name": author.literal_name}
            if author.literal_name and not author.orcid
            else {"@type": "Person", "name": author.display_name}
        )
        if author.given_name:
            person["givenName"] = author.given_name
        if author.family_name:
            person["familyName"] = author.family_name
        if author.orcid:
            person["@id"] = author.orcid_url
            person["sameAs"] = author.orcid_url
        if authorship.affiliations:
            person["affiliation"] = [{"@type": "Organization", "name": a} for a in authorship.affiliations]
        authors.append(person)

    identifiers = [{"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi}]
    identifiers += [
        {"@type": "PropertyValue", "propertyID": name, "value": value}
        for name, value in (("PMID", paper.pmid), ("PMCID", paper.pmcid), ("arXiv", paper.arxiv_id))
        if value
    ]
    data: dict = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "@id": paper.doi_url,
        "url": page_url,
        "sameAs": [paper.doi_url] + [u for u in (paper.pubmed_url, paper.pmc_url, paper.arxiv_url) if u],
        "headline": (paper.title or paper.doi)[:110],
        "name": paper.title or paper.doi,
        "identifier": identifiers,
        "author": authors,
    }
    optional = {
        "datePublished": paper.published_iso,
        "abstract": "\n\n".join(paper.abstract_paragraphs),
        "license": paper.license_url,
        "inLanguage": paper.language,
        "pagination": paper.pages,
        "publisher": {"@type": "Organization", "name": paper.publisher} if paper.publisher else None,
        "isPartOf": _container(paper),
        "about": [
            {"@type": "DefinedTerm", "name": pt.topic.name, "inDefinedTermSet": "https://openalex.org/topics"}
            for pt in paper.paper_topics.all()
        ],
    }
    data.update({key: value for key, value in optional.items() if value})
    return data


def _container(paper: Paper) -> dict | None:
    if not paper.container_title:
        return None
    periodical: dict = {"@type": "Periodical", "name": paper.container_title}
    if paper.work_type == "proceedings-article":
        periodical["@type"] = "Book"
    if paper.issue:
        periodical = {"@type": "PublicationIssue", "issueNumber": paper.issue, "isPartOf": periodical}
        if paper.volume:
            periodical["isPartOf"] = {
                "@type": "PublicationVolume",
                "volumeNumber": paper.volume,
                "isPartOf": periodical["isPartOf"],
            }
    elif paper.volume:
        periodical = {"@type": "PublicationVolume", "volumeNumber": paper.volume, "isPartOf": periodical}
    return periodical

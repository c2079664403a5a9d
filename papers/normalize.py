"""Pure mapping of upstream payloads (Crossref, OpenAlex, JATS XML) into PaperHub's dataclasses.

No database and no network here: the services decide what to store, the clients what to fetch.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from xml.etree.ElementTree import Element, tostring

import defusedxml.ElementTree as DefusedET

from . import doi as doi_lib
from . import markup


@dataclass
class AuthorRecord:
    given_name: str = ""
    family_name: str = ""
    literal_name: str = ""
    orcid: str | None = None
    affiliations: list[str] = field(default_factory=list)


@dataclass
class ReferenceRecord:
    raw: str = ""
    authors: str = ""
    title: str = ""  # plain text
    title_html: str = ""  # cleaned fragment (papers.markup)
    journal: str = ""
    year: str = ""
    volume: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""


@dataclass
class FundingRecord:
    """A funder and the award numbers it gave. `key` (funding_key) identifies it when sources are merged."""

    funder_name: str
    funder_doi: str = ""
    funder_openalex_id: str = ""
    awards: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.funder_doi or self.funder_openalex_id or _fold_name(self.funder_name)


@dataclass
class UpdateRecord:
    kind: str
    notice_doi: str = ""
    label: str = ""
    date: dt.date | None = None


@dataclass
class RelationRecord:
    """Another version of the work, as its record names it: `kind` is one of papers.models.RelationKind's values,
    read from the described work's side ("preprint_of": this work is a preprint of `doi`)."""

    kind: str
    doi: str


@dataclass
class TopicRecord:
    topic_id: str
    topic_name: str
    subfield_id: str
    subfield_name: str
    field_id: str
    field_name: str
    domain_id: str
    domain_name: str
    score: float
    is_primary: bool = False


@dataclass
class WorkRecord:
    """Everything the paper page shows, as one upstream described it."""

    doi: str
    source: str
    title: str = ""  # plain text
    title_html: str = ""  # cleaned fragment (papers.markup)
    abstract: str = ""
    published_date: dt.date | None = None
    published_precision: str = ""
    work_type: str = ""
    container_title: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    language: str = ""
    license_url: str = ""
    oa_url: str = ""
    pmid: str = ""
    pmcid: str = ""
    arxiv_id: str = ""
    authors: list[AuthorRecord] = field(default_factory=list)
    editors: list[AuthorRecord] = field(default_factory=list)
    funding: list[FundingRecord] = field(default_factory=list)
    # OpenAlex's count of citing works (None: not read from OpenAlex this time).
    openalex_cited_by_count: int | None = None
    references: list[ReferenceRecord] = field(default_factory=list)
    updates: list[UpdateRecord] = field(default_factory=list)
    # For a notice (a correction or retraction): the papers it updates, as UpdateRecords naming their DOIs.
    update_targets: list[UpdateRecord] = field(default_factory=list)
    topics: list[TopicRecord] = field(default_factory=list)
    # Its other versions (preprint, published version …); None: this source says nothing about them (OpenAlex,
    # JATS), so the stored ones stay. An empty list from Crossref or DataCite means it names none.
    relations: list[RelationRecord] | None = None
    # The reviews registered of it (Crossref's `has-review`, which Crossref also shows when only the review asserts
    # `is-review-of`: "asserted-by": "object"); None: this source does not say (every source but Crossref).
    review_dois: list[str] | None = None


@dataclass
class PeerReviewRecord:
    """A Crossref work of type `peer-review`: a referee report, editor's report, authors' reply … with its own DOI."""

    doi: str
    reviewed_dois: list[str]  # its relation `is-review-of` DOIs, normalised
    review_type: str = ""  # Crossref's `review.type` as sent: referee-report, editor-report, author-comment …
    stage: str = ""  # `review.stage` as sent: pre-publication or post-publication
    title: str = ""  # plain text
    contributors: list[AuthorRecord] = field(default_factory=list)
    date: dt.date | None = None
    date_precision: str = ""
    publisher: str = ""
    container_title: str = ""
    license_url: str = ""


@dataclass
class PeerReviewList:
    """One page of Crossref's answer to "the reviews of this DOI"."""

    records: list[PeerReviewRecord]
    total: int  # Crossref's `total-results`
    listed: int  # the items on this page, reviews or not

    @property
    def complete(self) -> bool:
        """Whether this page held every result (a larger `total-results` means more pages)."""
        return self.total <= self.listed


class UnusableRecord(ValueError):
    """The payload parsed but lacks what every paper needs (a DOI, for instance)."""


# ---------------------------------------------------------------- markup to text

_BLOCK_TAGS = {"p", "jats:p", "title", "jats:title", "sec", "jats:sec", "div", "br", "li", "jats:list-item"}
_TITLE_TAGS = {"title", "jats:title"}


class _TextBlocks(HTMLParser):
    """Collects the text of HTML or JATS markup as blocks, one per paragraph or heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, list[str]]] = [("p", [])]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK_TAGS:
            self.blocks.append(("title" if tag in _TITLE_TAGS else "p", []))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.blocks.append(("p", []))

    def handle_data(self, data: str) -> None:
        self.blocks[-1][1].append(data)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def markup_blocks(markup: str) -> list[tuple[str, str]]:
    parser = _TextBlocks()
    parser.feed(markup or "")
    parser.close()
    return [(kind, _squash("".join(parts))) for kind, parts in parser.blocks if _squash("".join(parts))]


def markup_to_text(markup: str) -> str:
    """One line of plain text: tags dropped (their text kept, sub/superscripts included), entities decoded."""
    return _squash(" ".join(text for _, text in markup_blocks(markup))) if markup else ""


def markup_to_paragraphs(markup: str) -> str:
    """Plain-text paragraphs separated by blank lines, without a leading "Abstract" heading."""
    blocks = markup_blocks(markup)
    if blocks and blocks[0][0] == "title" and blocks[0][1].rstrip(":.").lower() == "abstract":
        blocks = blocks[1:]
    return "\n\n".join(text for _, text in blocks)


# ---------------------------------------------------------------- small helpers


def _first(values: Any) -> str:
    if isinstance(values, list):
        return str(values[0]) if values else ""
    return str(values or "")


def _clean_doi(value: str) -> str:
    try:
        return doi_lib.normalize_doi(value) if value else ""
    except doi_lib.InvalidDOI:
        return ""


def _clean_orcid(value: str | None) -> str | None:
    try:
        return doi_lib.normalize_orcid(value) if value else None
    except doi_lib.InvalidORCID:
        return None


def _fold_name(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.casefold()))


def _award_key(award: str) -> str:
    return re.sub(r"[\W_]", "", award.upper())


def _merge_awards(awards: list[str], more: list[str]) -> list[str]:
    """`awards` then those of `more` not already there: "CNS 1938709" is "CNS-1938709", and a bare "1637458" is
    the "CCF 1637458" already listed (funders print their programme's letters, OpenAlex often drops them)."""
    merged = list(awards)
    keys = [_award_key(a) for a in merged]
    for award in more:
        key = _award_key(award)
        if not key:
            continue
        if any(k == key or (k.endswith(key) and k[: -len(key)].isalpha()) for k in keys):
            continue
        for i, k in enumerate(keys):
            if key.endswith(k) and key[: -len(k)].isalpha():  # the fuller form replaces the bare number
                merged[i], keys[i] = award, key
                break
        else:
            merged.append(award)
            keys.append(key)
    return merged


def _same_funder(a: FundingRecord, b: FundingRecord) -> bool:
    """One funder named by two sources. Ids decide when both have the same kind; else the names, folded, where
    one may hold the other whole: Crossref's "NSF (National Science Foundation)" is OpenAlex's "National Science
    Foundation". A name of one or two words must match exactly ("EMBO" is not "EMBO longterm fellowships")."""
    if a.funder_doi and b.funder_doi:
        return a.funder_doi == b.funder_doi
    if a.funder_openalex_id and b.funder_openalex_id:
        return a.funder_openalex_id == b.funder_openalex_id
    x, y = _fold_name(a.funder_name), _fold_name(b.funder_name)
    if x == y:
        return bool(x)
    short, long = sorted((x, y), key=len)
    return len(short.split()) >= 3 and f" {short} " in f" {long} "


def merge_funding(funding: list[FundingRecord], more: list[FundingRecord]) -> list[FundingRecord]:
    """`funding` with `more` folded in: a funder already there gets the ids and awards it lacked, others are added."""
    merged = [FundingRecord(f.funder_name, f.funder_doi, f.funder_openalex_id, list(f.awards)) for f in funding]
    for item in more:
        same = next((f for f in merged if _same_funder(f, item)), None)
        if same is None:
            merged.append(FundingRecord(item.funder_name, item.funder_doi, item.funder_openalex_id, list(item.awards)))
            continue
        same.funder_doi = same.funder_doi or item.funder_doi
        same.funder_openalex_id = same.funder_openalex_id or item.funder_openalex_id
        same.funder_name = same.funder_name or item.funder_name
        same.awards = _merge_awards(same.awards, item.awards)
    return merged


def _split_awards(values: list) -> list[str]:
    """Award numbers as a list: publishers often put several in one Crossref string, comma-separated."""
    return _merge_awards([], [part.strip() for v in values if isinstance(v, str) for part in v.split(",")])


def date_with_precision(parts: list[Any] | None) -> tuple[dt.date | None, str]:
    """Crossref-style [year, month, day] (month and day optional) to a date and its precision."""
    numbers = []
    for part in parts or []:
        try:
            numbers.append(int(part))
        except (TypeError, ValueError):
            break
    if not numbers:
        return None, ""
    year, month, day = (numbers + [1, 1])[:3]
    precision = ("year", "month", "day")[min(len(numbers), 3) - 1]
    try:
        return dt.date(year, month, day), precision
    except ValueError:
        try:
            return dt.date(year, 1, 1), "year"
        except ValueError:
            return None, ""


# ---------------------------------------------------------------- Crossref

_CROSSREF_DATE_FIELDS = ("issued", "published", "published-print", "published-online", "created")

# Crossref's update types, folded into the kinds the page distinguishes.
_UPDATE_KINDS = {
    "correction": "correction",
    "erratum": "correction",
    "corrigendum": "correction",
    "clarification": "correction",
    "retraction": "retraction",
    "partial_retraction": "retraction",
    "removal": "retraction",
    "withdrawal": "withdrawal",
    "expression_of_concern": "expression_of_concern",
    "addendum": "addendum",
}


def crossref_work(payload: dict) -> WorkRecord:
    """Map Crossref's `GET /works/{doi}` body (the whole envelope or its `message`)."""
    message = payload.get("message", payload) if isinstance(payload, dict) else None
    if not isinstance(message, dict):
        raise UnusableRecord("Crossref's answer has no work in it.")
    work_doi = _clean_doi(message.get("DOI", ""))
    if not work_doi:
        raise UnusableRecord("Crossref's record has no valid DOI.")

    published_date, precision = None, ""
    for name in _CROSSREF_DATE_FIELDS:
        parts = (message.get(name) or {}).get("date-parts") or [[]]
        published_date, precision = date_with_precision(parts[0])
        if published_date:
            break

    licenses = message.get("license") or []
    vor = [lic for lic in licenses if lic.get("content-version") == "vor"] or licenses
    title = markup.title(_first(message.get("title")))
    subtitle = markup.title(_first(message.get("subtitle")))
    if subtitle and subtitle.text.lower() not in title.text.lower():
        title = markup.join(title, subtitle)

    return WorkRecord(
        doi=work_doi,
        source="crossref",
        title=title.text,
        title_html=title.html,
        abstract=markup_to_paragraphs(message.get("abstract", "")),
        published_date=published_date,
        published_precision=precision,
        work_type=message.get("type", ""),
        container_title=markup.plain(_first(message.get("container-title"))),
        volume=str(message.get("volume", "")),
        issue=str(message.get("issue", "")),
        pages=str(message.get("page") or message.get("article-number") or ""),
        publisher=message.get("publisher", ""),
        language=message.get("language", ""),
        license_url=(vor[0].get("URL", "") if vor else ""),
        authors=[_crossref_author(a) for a in message.get("author") or []],
        editors=[_crossref_author(a) for a in message.get("editor") or [] if isinstance(a, dict)],
        funding=merge_funding([], [f for f in map(_crossref_funder, message.get("funder") or []) if f]),
        references=[_crossref_reference(r) for r in message.get("reference") or []],
        updates=[_crossref_update(u) for u in message.get("updated-by") or [] if isinstance(u, dict)],
        update_targets=[_crossref_update(u) for u in message.get("update-to") or [] if isinstance(u, dict)],
        relations=crossref_relations(message.get("relation"), own_doi=work_doi),
        review_dois=crossref_review_dois(message.get("relation"), own_doi=work_doi),
    )


def crossref_review_dois(relation: Any, *, own_doi: str) -> list[str]:
    """The DOIs of Crossref's `has-review` relations, cleaned, each once, in the order given."""
    found: list[RelationRecord] = []
    items = relation.get("has-review") if isinstance(relation, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and str(item.get("id-type", "")).lower() == "doi":
            _add_relation(found, "has_review", item.get("id"), own_doi)
    return [r.doi for r in found]


# Crossref's relation types that name another version of the same work, in RelationKind's words. The others
# (eLife's is-supplemented-by a Dryad dataset, has-review for its decision letter, is-review-of, cites,
# is-component-of …) are not versions and are left out.
_CROSSREF_RELATION_KINDS = {
    "is-preprint-of": "preprint_of",
    "has-preprint": "has_preprint",
    "is-version-of": "version_of",
    "has-version": "has_version",
}


def crossref_relations(relation: Any, *, own_doi: str) -> list[RelationRecord]:
    """Crossref's `relation` object ({"is-preprint-of": [{"id-type": "doi", "id": …}], …}): the versions it
    names by DOI. Other identifier types, DOIs that cannot be one and the work's own DOI are dropped."""
    if not isinstance(relation, dict):
        return []
    found: list[RelationRecord] = []
    for name, kind in _CROSSREF_RELATION_KINDS.items():
        items = relation.get(name)
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or str(item.get("id-type", "")).lower() != "doi":
                continue
            _add_relation(found, kind, item.get("id"), own_doi)
    return found


def _add_relation(found: list[RelationRecord], kind: str, value: Any, own_doi: str) -> None:
    other = _clean_doi(value) if isinstance(value, str) else ""
    if other and other != own_doi and not any(r.kind == kind and r.doi == other for r in found):
        found.append(RelationRecord(kind=kind, doi=other))


def crossref_work_list(payload: Any) -> list[WorkRecord]:
    """Map Crossref's `GET /works?filter=…` body (message-type work-list): one WorkRecord per usable item.

    An item without a valid DOI is left out (there is nothing to match it to); an answer that is not a work list
    at all raises UnusableRecord, so that nobody reads "not in Crossref" into a broken answer.
    """
    if not isinstance(payload, dict) or payload.get("message-type", "work-list") != "work-list":
        raise UnusableRecord("Crossref's answer is not a list of works.")
    message = payload.get("message")
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise UnusableRecord("Crossref's list of works has no items.")
    works = []
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            works.append(crossref_work(item))
        except UnusableRecord:
            continue
    return works


# A cited work's authors as reference lists print them: "Silva CR, Airoldi C, Collins KE"; longer lists are cut to
# the first three and "et al.", as Vancouver style does beyond six.
_CITED_AUTHORS_SHOWN = 6


def cited_work(work: WorkRecord) -> ReferenceRecord:
    """What a reference to `work` shows, taken from the work's own record: authors, title, container, year,
    volume and pages (the DOI is the work's)."""
    names = [_cited_author_name(a) for a in work.authors]
    names = [n for n in names if n]
    if len(names) > _CITED_AUTHORS_SHOWN:
        names = [*names[:3], "et al."]
    return ReferenceRecord(
        authors=", ".join(names),
        title=work.title,
        title_html=work.title_html,
        journal=work.container_title,
        year=str(work.published_date.year) if work.published_date else "",
        volume=work.volume[:50],
        pages=work.pages[:50],
        doi=work.doi,
    )


def _cited_author_name(author: AuthorRecord) -> str:
    """Family name and initials ("Silva CR" for César R. Silva), or a group's name as given."""
    if not author.family_name:
        return author.literal_name or author.given_name
    initials = "".join(part[0].upper() for part in re.split(r"[\s.\-]+", author.given_name) if part)
    return f"{author.family_name} {initials}".strip()


def _crossref_author(data: dict) -> AuthorRecord:
    given = markup_to_text(data.get("given", ""))
    family = markup_to_text(data.get("family", ""))
    if data.get("suffix"):
        family = f"{family} {data['suffix']}".strip()
    literal = "" if (given or family) else markup_to_text(data.get("name", ""))
    return AuthorRecord(
        given_name=given,
        family_name=family,
        literal_name=literal,
        orcid=_clean_orcid(data.get("ORCID")),
        affiliations=[markup_to_text(a["name"]) for a in data.get("affiliation") or [] if a.get("name")],
    )


def _crossref_funder(data: Any) -> FundingRecord | None:
    if not isinstance(data, dict):
        return None
    name = markup_to_text(data.get("name") or "")
    funder_doi = _clean_doi(data.get("DOI") or "")
    if not (name or funder_doi):
        return None
    numbers = [
        n for info in data.get("award-info") or [] if isinstance(info, dict) for n in info.get("award-number") or []
    ]
    return FundingRecord(
        funder_name=name or funder_doi,
        funder_doi=funder_doi,
        awards=_merge_awards(_split_awards(data.get("award") or []), _split_awards(numbers)),
    )


def _crossref_reference(data: dict) -> ReferenceRecord:
    first_page = str(data.get("first-page", ""))
    title = markup.title(data.get("article-title") or data.get("volume-title") or "")
    return ReferenceRecord(
        raw=markup.plain(data.get("unstructured", "")),
        authors=_squash(data.get("author", "")),
        title=title.text,
        title_html=title.html,
        journal=markup.plain(data.get("journal-title") or data.get("series-title") or ""),
        year=str(data.get("year", ""))[:20],
        volume=str(data.get("volume", ""))[:50],
        pages=first_page[:50],
        doi=_clean_doi(data.get("DOI", "")),
    )


def _crossref_update(data: dict) -> UpdateRecord:
    date, _ = date_with_precision(((data.get("updated") or {}).get("date-parts") or [[]])[0])
    return UpdateRecord(
        kind=_UPDATE_KINDS.get(data.get("type", ""), "other"),
        notice_doi=_clean_doi(data.get("DOI", "")),
        label=data.get("label", "")[:100],
        date=date,
    )


# ---------------------------------------------------------------- Crossref peer reviews


def crossref_peer_reviews(payload: Any, *, reviewed_doi: str) -> PeerReviewList:
    """Map Crossref's `GET /works?filter=…` list (message-type work-list) to the peer reviews of `reviewed_doi`.

    Only works of type `peer-review` whose `relation.is-review-of` names `reviewed_doi` (compared as DOIs, without
    case) are kept, whatever the filter let through; an item without a valid DOI is skipped, a DOI listed twice
    is one review. An answer that is not a work list raises UnusableRecord.
    """
    if not isinstance(payload, dict) or payload.get("message-type") != "work-list":
        raise UnusableRecord("Crossref's answer is not a list of works.")
    message = payload.get("message")
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise UnusableRecord("Crossref's list of works has no items.")
    wanted = _clean_doi(reviewed_doi)
    records: dict[str, PeerReviewRecord] = {}
    for item in items:
        record = crossref_peer_review(item) if isinstance(item, dict) else None
        if record and wanted in record.reviewed_dois and record.doi not in records:
            records[record.doi] = record
    total = message.get("total-results")
    listed = len(items)
    return PeerReviewList(
        records=list(records.values()), total=total if isinstance(total, int) else listed, listed=listed
    )


def crossref_peer_review(message: dict) -> PeerReviewRecord | None:
    """One `peer-review` work (a list item, or the `message` of `GET /works/{doi}`); None for any other work."""
    doi = _clean_doi(str(message.get("DOI") or ""))
    if message.get("type") != "peer-review" or not doi:
        return None
    relations = message.get("relation") if isinstance(message.get("relation"), dict) else {}
    reviewed = relations.get("is-review-of") or []
    if isinstance(reviewed, dict):  # a lone relation object is read as a list of one
        reviewed = [reviewed]
    reviewed_dois = [
        _clean_doi(str(r.get("id") or ""))
        for r in reviewed
        if isinstance(r, dict) and str(r.get("id-type", "doi")).lower() == "doi"
    ]
    review = message.get("review") if isinstance(message.get("review"), dict) else {}
    date, precision = None, ""
    for name in _CROSSREF_DATE_FIELDS:
        value = message.get(name)
        parts = value.get("date-parts") if isinstance(value, dict) else None
        first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
        date, precision = date_with_precision(first)
        if date:
            break
    people = [a for a in message.get("author") or [] if isinstance(a, dict)]
    licenses = [lic for lic in message.get("license") or [] if isinstance(lic, dict)]
    return PeerReviewRecord(
        doi=doi,
        reviewed_dois=[d for d in reviewed_dois if d],
        review_type=str(review.get("type") or "").strip().lower(),
        stage=str(review.get("stage") or "").strip().lower(),
        title=markup.title(_first(message.get("title"))).text,
        contributors=[_crossref_author(a) for a in people],
        date=date,
        date_precision=precision,
        publisher=markup.plain(str(message.get("publisher") or "")),
        container_title=markup.plain(_first(message.get("container-title"))),
        license_url=str(licenses[0].get("URL") or "") if licenses else "",
    )


# ---------------------------------------------------------------- OpenAlex


def _openalex_short_id(url: str | None) -> str:
    """https://openalex.org/T11478 -> T11478; https://openalex.org/fields/17 -> 17."""
    return (url or "").rstrip("/").rsplit("/", 1)[-1]


def openalex_topics(payload: dict) -> list[TopicRecord]:
    primary_id = _openalex_short_id((payload.get("primary_topic") or {}).get("id"))
    topics = []
    for topic in payload.get("topics") or []:
        try:
            topics.append(
                TopicRecord(
                    topic_id=_openalex_short_id(topic["id"]),
                    topic_name=topic["display_name"],
                    subfield_id=_openalex_short_id(topic["subfield"]["id"]),
                    subfield_name=topic["subfield"]["display_name"],
                    field_id=_openalex_short_id(topic["field"]["id"]),
                    field_name=topic["field"]["display_name"],
                    domain_id=_openalex_short_id(topic["domain"]["id"]),
                    domain_name=topic["domain"]["display_name"],
                    score=max(0.0, min(1.0, float(topic.get("score") or 0))),
                    is_primary=_openalex_short_id(topic["id"]) == primary_id,
                )
            )
        except (KeyError, TypeError, ValueError):
            continue  # an incomplete topic is skipped; the others still count
    return topics


def openalex_funding(payload: dict) -> list[FundingRecord]:
    """OpenAlex's `awards` (one per grant, naming its funder) grouped by funder, then the `funders` with none."""
    funding: list[FundingRecord] = []
    for award in payload.get("awards") or []:
        if not isinstance(award, dict) or not award.get("funder_id"):
            continue
        number = str(award.get("funder_award_id") or "")
        funding = merge_funding(
            funding,
            [
                FundingRecord(
                    funder_name=_squash(award.get("funder_display_name") or ""),
                    funder_openalex_id=_openalex_short_id(award["funder_id"]),
                    awards=_split_awards([number]),
                )
            ],
        )
    for funder in payload.get("funders") or []:
        if isinstance(funder, dict) and funder.get("id") and funder.get("display_name"):
            funding = merge_funding(
                funding,
                [FundingRecord(_squash(funder["display_name"]), funder_openalex_id=_openalex_short_id(funder["id"]))],
            )
    return [f for f in funding if f.funder_name]


def _abstract_from_inverted_index(index: dict | None) -> str:
    if not index:
        return ""
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions:
            slots[position] = word
    return _squash(" ".join(slots[i] for i in sorted(slots)))


def openalex_work(payload: dict) -> WorkRecord:
    """Map OpenAlex's `GET /works/...` body. OpenAlex has no reference list with DOIs, only its own ids."""
    work_doi = _clean_doi(payload.get("doi") or "")
    if not work_doi:
        raise UnusableRecord("OpenAlex's record has no valid DOI.")
    ids = payload.get("ids") or {}
    location = payload.get("primary_location") or {}
    source = location.get("source") or {}
    biblio = payload.get("biblio") or {}
    pages = "-".join(p for p in dict.fromkeys([biblio.get("first_page"), biblio.get("last_page")]) if p)
    published_date, precision = None, ""
    if payload.get("publication_date"):
        published_date, precision = date_with_precision(payload["publication_date"].split("-"))
    title = markup.title(payload.get("title") or payload.get("display_name") or "")
    return WorkRecord(
        doi=work_doi,
        source="openalex",
        title=title.text,
        title_html=title.html,
        abstract=_abstract_from_inverted_index(payload.get("abstract_inverted_index")),
        published_date=published_date,
        published_precision=precision,
        work_type=location.get("raw_type") or payload.get("type") or "",
        container_title=markup.plain(source.get("display_name") or ""),
        volume=biblio.get("volume") or "",
        issue=biblio.get("issue") or "",
        pages=pages,
        publisher=source.get("host_organization_name") or "",
        language=payload.get("language") or "",
        oa_url=(payload.get("open_access") or {}).get("oa_url") or "",
        pmid=_openalex_short_id(ids.get("pmid")),
        pmcid=_openalex_short_id(ids.get("pmcid")),
        authors=[
            AuthorRecord(
                literal_name=_squash((a.get("author") or {}).get("display_name") or a.get("raw_author_name") or ""),
                orcid=_clean_orcid((a.get("author") or {}).get("orcid")),
                affiliations=[markup_to_text(s) for s in a.get("raw_affiliation_strings") or []],
            )
            for a in payload.get("authorships") or []
        ],
        topics=openalex_topics(payload),
        funding=openalex_funding(payload),
        openalex_cited_by_count=_count(payload.get("cited_by_count")),
    )


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# ---------------------------------------------------------------- JATS XML (Europe PMC full text)

_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_PUB_DATE_PREFERENCE = ("epub", "ppub", "collection", "pub")


def _text(element: Element | None) -> str:
    return _squash("".join(element.itertext())) if element is not None else ""


def jats_article(xml_text: str) -> WorkRecord:
    """Map a JATS `<article>` (Europe PMC's fullTextXML): front matter and the reference list."""
    start = xml_text.find("<article")
    if start < 0:
        raise UnusableRecord("The XML has no <article> element.")
    # The DOCTYPE names an external DTD; the article itself needs none of it.
    root = DefusedET.fromstring(xml_text[start:])
    meta = root.find("front/article-meta")
    if meta is None:
        raise UnusableRecord("The JATS article has no article-meta.")
    ids = {el.get("pub-id-type"): _text(el) for el in meta.findall("article-id")}
    work_doi = _clean_doi(ids.get("doi", ""))
    if not work_doi:
        raise UnusableRecord("The JATS article has no valid DOI.")

    affiliations = {aff.get("id"): _jats_affiliation(aff) for aff in meta.iter("aff")}
    authors = [_jats_contrib(c, affiliations) for c in meta.findall("contrib-group/contrib[@contrib-type='author']")]
    # The article's own editors only: a sub-article's (a decision letter's) are in its front-stub, not here.
    editors = [_jats_contrib(c, affiliations) for c in meta.findall("contrib-group/contrib[@contrib-type='editor']")]

    dates = {d.get("pub-type") or d.get("date-type"): d for d in meta.findall("pub-date")}
    published_date, precision = None, ""
    for kind in _PUB_DATE_PREFERENCE:
        if kind in dates:
            d = dates[kind]
            parts = [_text(d.find(p)) for p in ("year", "month", "day") if d.find(p) is not None]
            published_date, precision = date_with_precision(parts)
            break

    first, last = _text(meta.find("fpage")), _text(meta.find("lpage"))
    license_el = meta.find("permissions/license")
    abstract = meta.find("abstract")
    pmcid = ids.get("pmcid") or ids.get("pmc") or ""
    title = markup.title(_inner_markup(meta.find("title-group/article-title")))
    return WorkRecord(
        doi=work_doi,
        source="jats",
        title=title.text,
        title_html=title.html,
        abstract="\n\n".join(_text(p) for p in abstract.iter("p")) if abstract is not None else "",
        published_date=published_date,
        published_precision=precision,
        work_type="journal-article" if root.get("article-type") == "research-article" else "",
        container_title=_text(root.find("front/journal-meta/journal-title-group/journal-title")),
        volume=_text(meta.find("volume")),
        issue=_text(meta.find("issue")),
        pages="-".join(p for p in (first, last) if p),
        publisher=_text(root.find("front/journal-meta/publisher/publisher-name")),
        license_url=(license_el.get(_XLINK_HREF, "") if license_el is not None else ""),
        pmid=ids.get("pmid", ""),
        pmcid=(f"PMC{pmcid}" if pmcid and not pmcid.upper().startswith("PMC") else pmcid.upper()),
        authors=authors,
        editors=editors,
        funding=merge_funding([], [f for f in map(_jats_award_group, meta.findall("funding-group/award-group")) if f]),
        references=[jats_reference(ref) for ref in root.findall("back/ref-list/ref")],
    )


def _jats_contrib(contrib: Element, affiliations: dict) -> AuthorRecord:
    orcid = next((_text(c) for c in contrib.findall("contrib-id") if c.get("contrib-id-type") == "orcid"), None)
    rids = [x.get("rid") for x in contrib.findall("xref[@ref-type='aff']")]
    own = [_jats_affiliation(aff) for aff in contrib.findall("aff")]  # an editor's affiliation sits inside
    return AuthorRecord(
        given_name=_text(contrib.find("name/given-names")),
        family_name=_text(contrib.find("name/surname")),
        literal_name=_text(contrib.find("collab")),
        orcid=_clean_orcid(orcid),
        affiliations=[affiliations[r] for r in dict.fromkeys(rids) if affiliations.get(r)] + [a for a in own if a],
    )


def _jats_award_group(group: Element) -> FundingRecord | None:
    """`<award-group>`: its funding-source (institution, FundRef institution-id) and award-ids."""
    source = group.find("funding-source")
    if source is None:
        return None
    wrap = source.find("institution-wrap")
    name = _text(wrap.find("institution")) if wrap is not None else _text(source)
    ids = wrap.findall("institution-id") if wrap is not None else []
    funder_doi = next(
        (
            _clean_doi(_text(i))
            for i in ids
            if (i.get("institution-id-type") or "").lower() in ("fundref", "doi") and _clean_doi(_text(i))
        ),
        "",
    )
    if not (name or funder_doi):
        return None
    return FundingRecord(
        funder_name=name or funder_doi,
        funder_doi=funder_doi,
        awards=_split_awards([_text(a) for a in group.findall("award-id")]),
    )


def _inner_markup(element: Element | None) -> str:
    """An element's content as markup (`<italic>`, `<sup>`, MathML kept), for papers.markup to clean."""
    if element is None:
        return ""
    children = "".join(tostring(child, encoding="unicode") for child in element)  # each with its tail
    return html.escape(element.text or "", quote=False) + children


def _jats_affiliation(aff: Element) -> str:
    # Labels and superscript numbers mark affiliations; they are not part of their names.
    parts = [aff.text or ""]
    for child in aff:
        if child.tag not in ("label", "sup"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return _squash("".join(parts))


def jats_reference(ref: Element) -> ReferenceRecord:
    citation = ref.find("element-citation")
    if citation is None:
        citation = ref.find("mixed-citation")
    if citation is None:
        citation = ref.find("citation")
    if citation is None:
        return ReferenceRecord(raw=_text(ref))
    names = []
    for name in citation.iter("name"):
        names.append(_squash(f"{_text(name.find('surname'))} {_text(name.find('given-names'))}"))
    if citation.find(".//etal") is not None:
        names.append("et al.")
    pub_ids = {p.get("pub-id-type"): _text(p) for p in citation.findall("pub-id")}
    first, last = _text(citation.find("fpage")), _text(citation.find("lpage"))
    title_element = citation.find("article-title")
    if title_element is None or not _text(title_element):
        title_element = citation.find("chapter-title")
    title = markup.title(_inner_markup(title_element))
    return ReferenceRecord(
        raw=_text(citation) if citation.tag == "mixed-citation" else "",
        authors=", ".join(names),
        title=title.text,
        title_html=title.html,
        journal=_text(citation.find("source")),
        year=_text(citation.find("year"))[:20],
        volume=_text(citation.find("volume"))[:50],
        pages="-".join(p for p in (first, last) if p)[:50],
        doi=_clean_doi(pub_ids.get("doi", "")),
        pmid=pub_ids.get("pmid", "") if pub_ids.get("pmid", "").isdigit() else "",
    )


# ---------------------------------------------------------------- DataCite

# DataCite's resourceTypeGeneral, in Crossref's vocabulary where one fits.
_DATACITE_TYPES = {
    "Preprint": "posted-content",
    "JournalArticle": "journal-article",
    "Dataset": "dataset",
    "Book": "book",
    "BookChapter": "book-chapter",
    "ConferencePaper": "proceedings-article",
    "ConferenceProceeding": "proceedings",
    "Dissertation": "dissertation",
    "Report": "report",
    "Software": "software",
    "Text": "other",
}
_DATACITE_DATE_PREFERENCE = ("Issued", "Published", "Available", "Submitted", "Created")


def datacite_work(payload: dict) -> WorkRecord:
    """Map DataCite's `GET /dois/{doi}` body (JSON:API: data.attributes)."""
    data = payload.get("data") if isinstance(payload, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict):
        raise UnusableRecord("DataCite's answer has no record in it.")
    work_doi = _clean_doi(attributes.get("doi") or data.get("id") or "")
    if not work_doi:
        raise UnusableRecord("DataCite's record has no valid DOI.")

    titles = [t for t in attributes.get("titles") or [] if isinstance(t, dict) and t.get("title")]
    main_titles = [t for t in titles if not t.get("titleType")] or titles
    dates = {d.get("dateType"): d.get("date", "") for d in attributes.get("dates") or [] if isinstance(d, dict)}
    published_date, precision = None, ""
    for kind in _DATACITE_DATE_PREFERENCE:
        if dates.get(kind):
            published_date, precision = date_with_precision(re.split(r"[-T]", dates[kind])[:3])
            if published_date:
                break
    if not published_date and attributes.get("publicationYear"):
        published_date, precision = date_with_precision([attributes["publicationYear"]])

    abstracts = [
        d.get("description", "")
        for d in attributes.get("descriptions") or []
        if isinstance(d, dict) and d.get("descriptionType") == "Abstract"
    ]
    container = attributes.get("container") or {}
    publisher = attributes.get("publisher") or ""
    if isinstance(publisher, dict):
        publisher = publisher.get("name", "")
    rights = [r.get("rightsUri", "") for r in attributes.get("rightsList") or [] if isinstance(r, dict)]
    title = markup.title(main_titles[0]["title"]) if main_titles else markup.title("")
    arxiv_id = next(
        (
            i.get("identifier", "")
            for i in attributes.get("identifiers") or []
            if isinstance(i, dict) and i.get("identifierType") == "arXiv"
        ),
        "",
    )
    references = [
        ReferenceRecord(doi=_clean_doi(r.get("relatedIdentifier", "")))
        for r in attributes.get("relatedIdentifiers") or []
        if isinstance(r, dict) and r.get("relationType") == "References" and r.get("relatedIdentifierType") == "DOI"
    ]
    work_type = _DATACITE_TYPES.get((attributes.get("types") or {}).get("resourceTypeGeneral", ""), "other")
    return WorkRecord(
        doi=work_doi,
        source="datacite",
        title=title.text,
        title_html=title.html,
        abstract=markup_to_paragraphs(abstracts[0]) if abstracts else "",
        published_date=published_date,
        published_precision=precision,
        work_type=work_type,
        container_title=markup.plain(container.get("title", "")),
        volume=str(container.get("volume", "")),
        issue=str(container.get("issue", "")),
        pages="-".join(p for p in (container.get("firstPage"), container.get("lastPage")) if p),
        publisher=markup_to_text(publisher),
        language=attributes.get("language") or "",
        license_url=next((r for r in rights if r), ""),
        arxiv_id=arxiv_id,
        authors=[_datacite_creator(c) for c in attributes.get("creators") or [] if isinstance(c, dict)],
        references=[r for r in references if r.doi],
        relations=datacite_relations(attributes.get("relatedIdentifiers"), own_doi=work_doi, work_type=work_type),
    )


# DataCite's relationTypes that name another version (schema 4.7, appendix 1). DataCite has no preprint relation
# (no IsPreprintOf or HasPreprint): a preprint names its journal article with IsVersionOf, and says what that is in
# the related identifier's resourceTypeGeneral.
_DATACITE_RELATION_KINDS = {"IsVersionOf": "version_of", "HasVersion": "has_version"}


def datacite_relations(related: Any, *, own_doi: str, work_type: str) -> list[RelationRecord]:
    """DataCite's `relatedIdentifiers`: the versions named by DOI. A preprint's IsVersionOf a JournalArticle is
    its published version ("preprint_of"), an article's HasVersion a Preprint its preprint ("has_preprint")."""
    found: list[RelationRecord] = []
    for item in related if isinstance(related, list) else []:
        if not isinstance(item, dict) or str(item.get("relatedIdentifierType", "")).upper() != "DOI":
            continue
        kind = _DATACITE_RELATION_KINDS.get(item.get("relationType", ""))
        if kind is None:
            continue
        other_type = item.get("resourceTypeGeneral", "")
        if kind == "version_of" and work_type == "posted-content" and other_type == "JournalArticle":
            kind = "preprint_of"
        elif kind == "has_version" and work_type == "journal-article" and other_type == "Preprint":
            kind = "has_preprint"
        _add_relation(found, kind, item.get("relatedIdentifier"), own_doi)
    return found


def _datacite_creator(creator: dict) -> AuthorRecord:
    orcid = next(
        (
            n.get("nameIdentifier")
            for n in creator.get("nameIdentifiers") or []
            if isinstance(n, dict) and (n.get("nameIdentifierScheme") or "").upper() == "ORCID"
        ),
        None,
    )
    affiliations = [
        markup_to_text(a if isinstance(a, str) else a.get("name", "")) for a in creator.get("affiliation") or []
    ]
    given, family = markup_to_text(creator.get("givenName", "")), markup_to_text(creator.get("familyName", ""))
    literal = ""
    if not (given or family):
        literal = markup_to_text(creator.get("name", ""))
    return AuthorRecord(
        given_name=given,
        family_name=family,
        literal_name=literal,
        orcid=_clean_orcid(orcid),
        affiliations=[a for a in affiliations if a],
    )

"""Pure: PubTator3 BioC-JSON -> dataclasses, each annotation resolved to a canonical record and its link.

PubTator3's export (`/publications/export/biocjson`) answers `{"PubTator3": [documents]}`; in early 2024 it
answered one bare document. `parse` takes either (or a list of documents) and raises PubtatorFormatError for
anything else. No database, no network: `entities.services` turns the results into rows.

Entity types are the string values of entities.models.EntityType, spelled out here so that this module imports
without Django's app registry (tests check the two agree).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

GENE, CHEMICAL, DISEASE, SPECIES, VARIANT, CELL_LINE, OTHER = (
    "gene",
    "chemical",
    "disease",
    "species",
    "variant",
    "cellline",
    "other",
)

# PubTator's infons.type (lower-cased) -> our type. tmVar has used several names for mutations over the years.
_TYPES = {
    "gene": GENE,
    "chemical": CHEMICAL,
    "disease": DISEASE,
    "species": SPECIES,
    "cellline": CELL_LINE,
    "variant": VARIANT,
    "mutation": VARIANT,
    "dnamutation": VARIANT,
    "proteinmutation": VARIANT,
    "snp": VARIANT,
    "dnaacidchange": VARIANT,
    "proteinacidchange": VARIANT,
    "acidchange": VARIANT,
}

# NCBI Taxonomy ids of the organisms papers name most; PubTator's `name` infon for species is the id itself.
SPECIES_NAMES = {
    "9606": "Human (Homo sapiens)",
    "10090": "Mouse (Mus musculus)",
    "10116": "Rat (Rattus norvegicus)",
    "7955": "Zebrafish (Danio rerio)",
    "7227": "Fruit fly (Drosophila melanogaster)",
    "4932": "Baker's yeast (Saccharomyces cerevisiae)",
    "559292": "Baker's yeast (Saccharomyces cerevisiae S288C)",
    "4896": "Fission yeast (Schizosaccharomyces pombe)",
    "562": "Escherichia coli",
    "511145": "Escherichia coli K-12 MG1655",
    "3702": "Thale cress (Arabidopsis thaliana)",
    "6239": "Caenorhabditis elegans",
    "9031": "Chicken (Gallus gallus)",
    "8355": "African clawed frog (Xenopus laevis)",
    "9913": "Cattle (Bos taurus)",
    "9823": "Pig (Sus scrofa)",
    "9615": "Dog (Canis lupus familiaris)",
    "9986": "Rabbit (Oryctolagus cuniculus)",
    "9544": "Rhesus macaque (Macaca mulatta)",
    "10029": "Chinese hamster (Cricetulus griseus)",
    "39947": "Rice (Oryza sativa japonica)",
    "1773": "Mycobacterium tuberculosis",
    "1280": "Staphylococcus aureus",
    "287": "Pseudomonas aeruginosa",
    "5833": "Plasmodium falciparum",
    "11676": "HIV-1",
    "2697049": "SARS-CoV-2",
}

_MESH = re.compile(r"(?:MESH:)?([CD]\d{6,9})", re.IGNORECASE)
_OMIM = re.compile(r"OMIM:(\d{6})", re.IGNORECASE)
_CVCL = re.compile(r"CVCL[:_]([A-Z0-9]{4})", re.IGNORECASE)
_DOI_IN_JOURNAL = re.compile(r"\bdoi:\s*(10\.\d{4,9}/\S+?)\.?(?=\s|$)", re.IGNORECASE)
_PMCID = re.compile(r"(?:PMC)?\d+", re.IGNORECASE)
_UNNORMALIZED = {"", "-", "none", "null"}


class PubtatorFormatError(ValueError):
    """The data is not PubTator3 BioC-JSON as we know it; the message says what was wrong."""


@dataclass(frozen=True)
class Annotation:
    """One mention as PubTator3 annotated it; `identifier` raw ("" when absent), offsets in PubTator's text."""

    id: str
    type: str
    identifier: str
    text: str
    locations: tuple[tuple[int, int], ...]  # (offset, length), document-wide offsets
    valid: bool
    infons: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Passage:
    section_type: str  # TITLE, ABSTRACT, INTRO, METHODS, RESULTS, DISCUSS, FIG, TABLE, REF … (upper case)
    kind: str  # infons.type as given: title, abstract, paragraph, title_1, fig_caption, front …
    offset: int
    text: str
    annotations: tuple[Annotation, ...]

    @property
    def is_title(self) -> bool:
        return self.section_type == "TITLE"


@dataclass(frozen=True)
class Document:
    pmid: str
    pmcid: str  # "PMC3446384", or ""
    passages: tuple[Passage, ...]
    title: str
    journal_line: str  # the title passage's `journal` infon: "Cancer Res. 2010 Jun 15;70(12):4880-90. doi: …"
    journal: str
    year: str
    authors: tuple[str, ...]
    doi: str  # lower-cased, "" when PubTator gives none

    @property
    def annotations(self) -> list[Annotation]:
        return [a for p in self.passages for a in p.annotations]


@dataclass(frozen=True)
class Resolved:
    """The canonical record an annotation names. `name_hint` is the record's own name where PubTator gives one."""

    type: str  # an EntityType value
    identifier: str
    url: str
    name_hint: str = ""
    source_type: str = ""  # PubTator's type, for type "other" only


@dataclass(frozen=True)
class EntityCount:
    type: str
    identifier: str
    url: str
    name: str
    mentions: int
    source_type: str = ""


class Unlinked(NamedTuple):
    """Mentions PubTator recognised but could not normalize, grouped by type and text (case-insensitively)."""

    type: str
    text: str
    mentions: int


# -- parsing


def parse(data: bytes | str | dict | list) -> list[Document]:
    """Documents from an export answer: JSON text or already-parsed JSON, in either shape PubTator has used."""
    if isinstance(data, bytes | str):
        data = _loads(data)
    return [_document(raw) for raw in _raw_documents(data)]


def _loads(data: bytes | str) -> Any:
    """JSON text; several JSON values one after another (one bare document each) come back as a list."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        values, at, decoder = [], 0, json.JSONDecoder()
        while (at := _skip_space(text, at)) < len(text):
            value, at = decoder.raw_decode(text, at)
            values.append(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PubtatorFormatError(f"not valid JSON ({exc})") from None
    if not values:
        raise PubtatorFormatError("not valid JSON (empty)")
    return values[0] if len(values) == 1 else values


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _raw_documents(data: Any) -> list[dict]:
    if isinstance(data, list):
        return [doc for item in data for doc in _raw_documents(item)]
    if not isinstance(data, dict):
        raise PubtatorFormatError(f"expected a JSON object or list, got {type(data).__name__}")
    if "PubTator3" in data:
        documents = data["PubTator3"]
        if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
            raise PubtatorFormatError('"PubTator3" is not a list of documents')
        return documents
    if "passages" in data:
        return [data]
    raise PubtatorFormatError('neither a document (no "passages") nor a {"PubTator3": [...]} answer')


def _document(raw: dict) -> Document:
    passages = raw.get("passages")
    if not isinstance(passages, list):
        raise PubtatorFormatError('a document\'s "passages" is not a list')
    parsed = tuple(_passage(p) for p in passages)
    title_raw = next((p for p, q in zip(passages, parsed, strict=True) if q.is_title), passages[0] if passages else {})
    infons = title_raw.get("infons") or {}
    candidates = (_str(raw.get("pmid")), _str(raw.get("_id")).split("|")[0], _str(infons.get("article-id_pmid")))
    pmid = next((c for c in candidates if c.isdigit()), "")
    # Abstract documents say "pmcid": null yet name the PMCID in the title's infons ("PMC3040717").
    pmcid = next((c for c in (_str(raw.get("pmcid")), _str(infons.get("article-id_pmc"))) if _PMCID.fullmatch(c)), "")
    pmcid = f"PMC{pmcid.upper().removeprefix('PMC')}" if pmcid else ""
    journal_line = _str(infons.get("journal"))
    match = _DOI_IN_JOURNAL.search(journal_line)
    doi = (match.group(1) if match else _str(infons.get("article-id_doi"))).lower()
    authors = _authors(raw, infons)
    year = _str(infons.get("year")) or _str(raw.get("date"))[:4]
    title = next((p.text for p in parsed if p.is_title), "")
    journal = _str(raw.get("journal")) or journal_line.split(".")[0].strip()
    return Document(pmid, pmcid, parsed, title, journal_line, journal, year, authors, doi)


def _authors(raw: dict, infons: dict) -> tuple[str, ...]:
    listed = raw.get("authors")
    if isinstance(listed, list) and listed:
        return tuple(_str(a) for a in listed if _str(a))
    if isinstance(infons.get("authors"), str):
        return tuple(a.strip() for a in infons["authors"].split(",") if a.strip())
    # Full-text documents: name_0, name_1 … as "surname:Paris;given-names:Luisa".
    names = []
    for key in sorted((k for k in infons if re.fullmatch(r"name_\d+", k)), key=lambda k: int(k[5:])):
        parts = dict(part.split(":", 1) for part in _str(infons[key]).split(";") if ":" in part)
        names.append(" ".join(filter(None, (parts.get("given-names", ""), parts.get("surname", "")))))
    return tuple(n for n in names if n)


def _passage(raw: Any) -> Passage:
    if not isinstance(raw, dict):
        raise PubtatorFormatError("a passage is not an object")
    infons = raw.get("infons") or {}
    text, offset = raw.get("text", ""), raw.get("offset")
    if not isinstance(infons, dict) or not isinstance(text, str) or not _is_int(offset):
        raise PubtatorFormatError("a passage lacks its text, offset or infons")
    annotations = raw.get("annotations") or []
    if not isinstance(annotations, list):
        raise PubtatorFormatError('a passage\'s "annotations" is not a list')
    kind = _str(infons.get("type"))
    section = (_str(infons.get("section_type")) or kind).upper()
    return Passage(section, kind, offset, text, tuple(_annotation(a) for a in annotations))


def _annotation(raw: Any) -> Annotation:
    if not isinstance(raw, dict) or not isinstance(raw.get("infons"), dict) or not isinstance(raw.get("text"), str):
        raise PubtatorFormatError("an annotation lacks its infons or text")
    locations = raw.get("locations")
    if not isinstance(locations, list) or not all(
        isinstance(loc, dict) and _is_int(loc.get("offset")) and _is_int(loc.get("length")) for loc in locations
    ):
        raise PubtatorFormatError("an annotation's locations are not [{offset, length}]")
    infons = raw["infons"]
    identifier = _str(infons.get("identifier")).strip()
    if identifier.lower() in _UNNORMALIZED:
        identifier = ""
    valid = infons.get("valid")
    return Annotation(
        id=_str(raw.get("id")),
        type=_str(infons.get("type")),
        identifier=identifier,
        text=raw["text"],
        locations=tuple((loc["offset"], loc["length"]) for loc in locations),
        valid=bool(identifier) if valid is None else bool(valid),
        infons=infons,
    )


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# -- resolving


def entity_type(pubtator_type: str) -> str:
    """Our EntityType value for a PubTator type; "other" for types we do not know."""
    return _TYPES.get(pubtator_type.lower(), OTHER)


def resolve(annotation: Annotation) -> list[Resolved]:
    """The records an annotation names: one per id ("3445;3439" gives two), none when PubTator normalized nothing."""
    if not annotation.identifier:
        return []
    kind = entity_type(annotation.type)
    if kind == VARIANT:
        variant = _variant(annotation)
        return [variant] if variant else []
    resolved = []
    parts = [p.strip() for p in re.split(r"[;|,]", annotation.identifier) if p.strip() not in _UNNORMALIZED]
    names = _str(annotation.infons.get("name")).split(";") if len(parts) > 1 else [annotation.infons.get("name")]
    for index, part in enumerate(parts):
        name = _str(names[index]) if len(names) == len(parts) else ""
        record = _resolve_one(kind, part, name, annotation.type)
        if record and record not in resolved:
            resolved.append(record)
    return resolved


def _resolve_one(kind: str, identifier: str, name: str, source_type: str) -> Resolved | None:
    if kind == GENE:
        if not identifier.isdigit():
            return None
        hint = name if name and name != identifier else ""
        return Resolved(GENE, identifier, f"https://www.ncbi.nlm.nih.gov/gene/{identifier}", hint)
    if kind in (CHEMICAL, DISEASE):
        if mesh := _MESH.fullmatch(identifier):
            ui = mesh.group(1).upper()
            return Resolved(kind, f"MESH:{ui}", f"https://meshb.nlm.nih.gov/record/ui?ui={ui}")
        if omim := _OMIM.fullmatch(identifier):
            return Resolved(kind, f"OMIM:{omim.group(1)}", f"https://omim.org/entry/{omim.group(1)}")
        return Resolved(kind, identifier, "")  # another vocabulary: kept, unlinked
    if kind == SPECIES:
        if not identifier.isdigit():
            return None
        url = f"https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id={identifier}"
        return Resolved(SPECIES, identifier, url, SPECIES_NAMES.get(identifier, ""))
    if kind == CELL_LINE:
        cvcl = _CVCL.fullmatch(identifier)
        if not cvcl:
            return None
        accession = f"CVCL_{cvcl.group(1).upper()}"
        return Resolved(CELL_LINE, accession, f"https://www.cellosaurus.org/{accession}")
    return Resolved(OTHER, identifier, "", source_type=source_type)


def _variant(annotation: Annotation) -> Resolved | None:
    """dbSNP rs id, else ClinGen allele id, else "<gene>:<HGVS>" linked to the gene; tmVar's identifier as fallback."""
    infons, identifier = annotation.infons, annotation.identifier
    fields = dict(part.split(":", 1) for part in identifier.split(";") if ":" in part)
    hgvs = _str(infons.get("hgvs")) or fields.get("HGVS", "")
    hint = _str(infons.get("name")) or hgvs
    rsid = _str(infons.get("rsid"))
    if not re.fullmatch(r"rs\d+", rsid):
        if fields.get("RS#", "").isdigit():
            rsid = f"rs{fields['RS#']}"
        else:
            rsid = identifier if re.fullmatch(r"rs\d+", identifier) else ""
    if rsid:
        return Resolved(VARIANT, rsid, f"https://www.ncbi.nlm.nih.gov/snp/{rsid}", hint)
    caid = _str(infons.get("clingen_id"))
    if not re.fullmatch(r"CA\d+", caid):
        caid = f"CA{fields['CA#']}" if fields.get("CA#", "").isdigit() else ""
    if caid:
        url = f"https://reg.clinicalgenome.org/redmine/projects/registry/genboree_registry/by_caid?caid={caid}"
        return Resolved(VARIANT, caid, url, hint)
    gene = _str(infons.get("gene_id")) or fields.get("CorrespondingGene", "")
    if hgvs and gene.isdigit():
        return Resolved(VARIANT, f"{gene}:{hgvs}", f"https://www.ncbi.nlm.nih.gov/gene/{gene}", hint)
    if not annotation.valid:
        return None
    return Resolved(VARIANT, identifier, "", hint)


# -- aggregating


def aggregate(documents: list[Document]) -> tuple[list[EntityCount], list[Unlinked]]:
    """Entities the documents mention, most mentioned first, and the mentions that name nothing.

    A mention is one annotation (however many locations it has). An entity's name is its record's (a gene's
    symbol, a common species name) when PubTator or SPECIES_NAMES gives one, else its most frequent mention text.
    """
    counts: Counter[tuple[str, str]] = Counter()
    records: dict[tuple[str, str], Resolved] = {}
    hints: dict[tuple[str, str], Counter[str]] = {}
    texts: dict[tuple[str, str], Counter[str]] = {}
    unlinked: Counter[tuple[str, str]] = Counter()
    unlinked_texts: dict[tuple[str, str], Counter[str]] = {}
    for document in documents:
        for annotation in document.annotations:
            text = " ".join(annotation.text.split())
            resolved = resolve(annotation)
            if not resolved:
                key = (entity_type(annotation.type), text.casefold())
                unlinked[key] += 1
                unlinked_texts.setdefault(key, Counter())[text] += 1
                continue
            for record in resolved:
                key = (record.type, record.identifier)
                counts[key] += 1
                records.setdefault(key, record)
                if record.name_hint:
                    hints.setdefault(key, Counter())[record.name_hint] += 1
                texts.setdefault(key, Counter())[text] += 1
    entities = []
    for key, mentions in counts.items():
        record = records[key]
        name = _most_common(hints.get(key)) or _most_common(texts[key]) or record.identifier
        entities.append(EntityCount(record.type, record.identifier, record.url, name, mentions, record.source_type))
    entities.sort(key=lambda e: (-e.mentions, e.type, e.name.casefold()))
    groups = [Unlinked(kind, _most_common(unlinked_texts[(kind, folded)]), n) for (kind, folded), n in unlinked.items()]
    groups.sort(key=lambda u: (-u.mentions, u.type, u.text.casefold()))
    return entities, groups


def _most_common(counter: Counter[str] | None) -> str:
    """The most frequent value; on a tie, the first seen (Counter keeps insertion order)."""
    if not counter:
        return ""
    return max(counter.items(), key=lambda item: item[1])[0]

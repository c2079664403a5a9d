"""Pure: OpenReview notes (API v1 or v2, as the API answered them) -> dataclasses PaperHub can store as reviews.

The two API versions differ in shape, not meaning:
  v1 (api.openreview.net, up to 2023): `invitation` is a string, content values are plain ("rating": "3: Clear
      rejection"), dates are `cdate`/`tcdate`/`tmdate`.
  v2 (api2.openreview.net): `invitations` is a list (its own plus e.g. ".../-/Edit"), content values are wrapped
      ({"value": 4}), the venue is `domain`, dates are `cdate`/`mdate`, and notes carry a `license`.
A note's kind comes from its invitation's last part (".../-/Official_Review", ".../Paper1004/Official_Review"),
the same across venues; field names are never listed per venue: every text field becomes a Markdown section under
its own name, in the note's own order. Text is carried as the authors wrote it (Markdown, maybe HTML): the rendering
layer cleans it, nothing here interprets it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

DEFAULT_LICENSE = "CC BY 4.0"  # OpenReview's terms: public reviews and comments are CC BY 4.0


class NoteKind(StrEnum):
    REVIEW = "review"
    META_REVIEW = "meta_review"
    DECISION = "decision"
    COMMENT = "comment"  # official and public comments, rebuttals, author responses


# Invitation names (the part after the last "/") -> kind. Names seen across OpenReview venues; unknown ones are
# ignored (submissions, revisions, withdrawals, ethics flags, edits).
KINDS = {
    "Official_Review": NoteKind.REVIEW,
    "Review": NoteKind.REVIEW,
    "Meta_Review": NoteKind.META_REVIEW,
    "Metareview": NoteKind.META_REVIEW,
    "Decision": NoteKind.DECISION,
    "Acceptance_Decision": NoteKind.DECISION,  # ICLR 2018's name for it
    "Official_Comment": NoteKind.COMMENT,
    "Public_Comment": NoteKind.COMMENT,
    "Comment": NoteKind.COMMENT,
    "Rebuttal": NoteKind.COMMENT,
    "Author_Response": NoteKind.COMMENT,
    "Authors_Response": NoteKind.COMMENT,
    "Author_Rebuttal": NoteKind.COMMENT,
}
WITHDRAWAL_NAMES = {"Withdrawal", "Withdraw", "Withdrawn_Submission", "Desk_Rejection", "Desk_Rejected_Submission"}
# Fields that hold a score even when its text does not start with a number (e.g. a bare "Reject").
SCORE_NAMES = {"rating", "confidence", "recommendation", "soundness", "presentation", "contribution"}
# Fields that are about the note, not text to show.
NOT_TEXT = {"title", "pdf", "paperhash", "authorids", "_bibtex", "venueid", "decision"}
SCORE_RE = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*:\s*(.*?)\s*")  # "8: accept, good paper"


@dataclass(frozen=True)
class Score:
    field: str  # the content field as the note names it: "rating", "soundness"
    value: int | float | None  # None when the field holds a label only ("Reject")
    label: str = ""  # "accept, good paper"; "" for a bare number

    @property
    def name(self) -> str:
        return humanise(self.field)


@dataclass(frozen=True)
class ImportedNote:
    note_id: str
    forum_id: str
    replyto: str  # the note this one answers (the forum id for top-level notes); threads comments
    kind: NoteKind
    invitation: str  # the invitation that named the kind
    venue: str  # "ICLR 2018"
    venue_id: str  # "ICLR.cc/2018/Conference"
    year: int | None
    signature: str  # readable: "AnonReviewer1", "Reviewer 2how", "Area Chair1", "Authors", "Anonymous"
    signature_id: str  # as OpenReview signs: the last part of signatures[0], "Reviewer_2how"
    created: datetime | None
    modified: datetime | None
    license: str
    title: str
    markdown: str  # the note's text fields as "## Field" sections, in the note's order
    scores: tuple[Score, ...]
    decision: str  # a decision's value ("Accept (Talk)"), or a meta-review's recommendation
    content: dict[str, Any]  # the note's content, unwrapped (v2 {"value": x} -> x), for whatever comes later
    api_version: int


@dataclass(frozen=True)
class Submission:
    forum_id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    venue: str  # readable venue of its venue id: "ICLR 2025 Workshop MLMP"
    venue_id: str
    venue_label: str  # what OpenReview shows ("ICLR 2025 Workshop MLMP Oral"), "" when absent
    pdate: datetime | None  # publication date, when the venue set one
    keywords: tuple[str, ...]
    bibtex: str
    bibtex_fields: dict[str, str]
    arxiv_id: str
    doi: str
    withdrawn: bool
    deleted: bool
    license: str


@dataclass(frozen=True)
class ImportedForum:
    forum_id: str
    api_version: int
    submission: Submission | None  # None when the listing held no note whose id is the forum's
    notes: tuple[ImportedNote, ...]  # importable notes, in the listing's order
    dropped_non_public: int  # notes whose readers do not include "everyone"
    dropped_deleted: int  # notes with a `ddate`
    ignored: int  # public notes of kinds we do not import (revisions, withdrawals, edits)
    withdrawn: bool
    deleted: bool

    def of_kind(self, kind: NoteKind) -> list[ImportedNote]:
        return [note for note in self.notes if note.kind == kind]


# -- small readers


def api_version(note: dict) -> int:
    return 2 if isinstance(note.get("invitations"), list) or "domain" in note else 1


def unwrap(value: Any) -> Any:
    """v2's {"value": x} -> x; v1's plain values unchanged."""
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def content_of(note: dict) -> dict[str, Any]:
    return {key: unwrap(value) for key, value in (note.get("content") or {}).items()}


def invitations(note: dict) -> list[str]:
    found = note.get("invitations")
    if isinstance(found, list):
        return [i for i in found if isinstance(i, str)]
    return [note["invitation"]] if isinstance(note.get("invitation"), str) else []


def invitation_name(invitation: str) -> str:
    return invitation.rstrip("/").rsplit("/", 1)[-1]


def from_ms(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def humanise(name: str) -> str:
    """A content field's name as a heading: "details_of_ethics_concerns" -> "Details of ethics concerns"."""
    text = re.sub(r"\s+", " ", name.replace("_", " ")).strip()
    return text[:1].upper() + text[1:]


def venue_id_of(note: dict) -> str:
    """The venue id ("ICLR.cc/2018/Conference"): v2's `domain`, else the invitation's, its /PaperN/ part left out."""
    if isinstance(note.get("domain"), str) and note["domain"]:
        return note["domain"]
    for invitation in invitations(note):
        group = invitation.split("/-/", 1)[0]
        parts = [p for p in group.split("/") if not re.fullmatch(r"(Paper|Submission)\d+", p)]
        if parts:
            return "/".join(parts)
    return ""


def venue_name(venue_id: str) -> tuple[str, int | None]:
    """A venue id, readable: "ICLR.cc/2018/Conference" -> ("ICLR 2018", 2018), ".../2025/Workshop/MLMP" too."""
    parts = [p for p in venue_id.split("/") if p]
    if not parts:
        return "", None
    words = [re.sub(r"\.(cc|org|net|com|io|ai|info|edu)$", "", parts[0], flags=re.IGNORECASE)]
    year = None
    for part in parts[1:]:
        if part == "Conference":
            continue
        if year is None and re.fullmatch(r"(19|20)\d\d", part):
            year = int(part)
        words.append(part.replace("_", " "))
    return " ".join(words), year


def readable_signature(signature_id: str) -> str:
    if signature_id.startswith("~"):  # a profile id: "~Fang_Sun3" -> "Fang Sun"
        return re.sub(r"\d+$", "", signature_id[1:]).replace("_", " ").strip()
    if signature_id == "(anonymous)":
        return "Anonymous"
    return signature_id.replace("_", " ")


def parse_score(field_name: str, value: Any) -> Score | None:
    """A score from 8, {"value": 8}, "8: accept, good paper" or (for a score field) a bare label; else None."""
    value = unwrap(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Score(field_name, value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "\n" not in text and len(text) <= 300:
        match = SCORE_RE.fullmatch(text)
        if match:
            number = float(match.group(1))
            return Score(field_name, int(number) if number.is_integer() else number, match.group(2))
    if field_name.lower() in SCORE_NAMES and text and "\n" not in text:
        return Score(field_name, None, text)
    return None


def _section(field_name: str, value: Any) -> str:
    if isinstance(value, list):
        items = [str(item).strip() for item in value if str(item).strip()]
        body = "\n".join(f"- {item}" for item in items)
    elif isinstance(value, str):
        body = value.strip()
    else:
        return ""
    return f"## {humanise(field_name)}\n\n{body}" if body else ""


def is_public(note: dict) -> bool:
    return "everyone" in (note.get("readers") or [])


def kind_of(note: dict) -> tuple[NoteKind | None, str]:
    for invitation in invitations(note):
        kind = KINDS.get(invitation_name(invitation))
        if kind is not None:
            return kind, invitation
    return None, ""


# -- mapping


def map_note(note: dict, *, forum_id: str) -> ImportedNote | None:
    """The note as an ImportedNote, or None when its kind is not imported. Does not check readers or ddate."""
    kind, invitation = kind_of(note)
    if kind is None:
        return None
    content = content_of(note)
    venue_id = venue_id_of(note)
    venue, year = venue_name(venue_id)
    signatures = note.get("signatures") or [""]
    signature_id = invitation_name(signatures[0]) if signatures[0] != "(anonymous)" else "(anonymous)"
    scores, sections = [], []
    for name, value in content.items():
        if name in NOT_TEXT:
            continue
        score = parse_score(name, value)
        if score is not None:
            scores.append(score)
        elif section := _section(name, value):
            sections.append(section)
    decision_field = {NoteKind.DECISION: "decision", NoteKind.META_REVIEW: "recommendation"}.get(kind)
    decision = content.get(decision_field) if decision_field else ""
    return ImportedNote(
        note_id=note.get("id", ""),
        forum_id=note.get("forum") or forum_id,
        replyto=note.get("replyto") or "",
        kind=kind,
        invitation=invitation,
        venue=venue,
        venue_id=venue_id,
        year=year,
        signature=readable_signature(signature_id),
        signature_id=signature_id,
        created=from_ms(note.get("cdate") or note.get("tcdate")),
        modified=from_ms(note.get("mdate") or note.get("tmdate")),
        license=note.get("license") or DEFAULT_LICENSE,
        title=str(content.get("title") or "").strip(),
        markdown="\n\n".join(sections),
        scores=tuple(scores),
        decision=decision.strip() if isinstance(decision, str) else "",
        content=content,
        api_version=api_version(note),
    )


BIBTEX_FIELD_RE = re.compile(r"(\w+)\s*=\s*[{\"]((?:[^{}]|\{[^{}]*\})*)[}\"]", re.DOTALL)
DOI_RE = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>{}]+")
ARXIV_RE = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)


def bibtex_fields(bibtex: str) -> dict[str, str]:
    """The fields of a BibTeX entry as OpenReview writes them (one per line, braced), braces kept inside values."""
    return {name.lower(): re.sub(r"\s+", " ", value).strip() for name, value in BIBTEX_FIELD_RE.findall(bibtex)}


def map_submission(note: dict, *, withdrawn: bool = False) -> Submission:
    content = content_of(note)
    venue_id = str(content.get("venueid") or "") or venue_id_of(note)
    venue, _ = venue_name(re.sub(r"/(Withdrawn|Desk_Rejected|Rejected)_Submission$", "", venue_id))
    bibtex = str(content.get("_bibtex") or "")
    fields = bibtex_fields(bibtex)
    texts = " ".join(str(v) for v in content.values() if isinstance(v, str))
    doi_match = DOI_RE.search(fields.get("doi", "")) or DOI_RE.search(texts)
    arxiv_match = ARXIV_RE.search(texts)
    arxiv_id = arxiv_match.group(1) if arxiv_match else ""
    if not arxiv_id and fields.get("archiveprefix", "").lower() == "arxiv":
        arxiv_id = fields.get("eprint", "")
    withdrawn = withdrawn or any(invitation_name(i) in WITHDRAWAL_NAMES for i in invitations(note))
    withdrawn = withdrawn or venue_id.endswith("Withdrawn_Submission")
    return Submission(
        forum_id=note.get("forum") or note.get("id", ""),
        title=str(content.get("title") or "").strip(),
        authors=tuple(str(a) for a in content.get("authors") or []),
        abstract=str(content.get("abstract") or "").strip(),
        venue=venue,
        venue_id=venue_id,
        venue_label=str(content.get("venue") or ""),
        pdate=from_ms(note.get("pdate")),
        keywords=tuple(str(k) for k in content.get("keywords") or []),
        bibtex=bibtex,
        bibtex_fields=fields,
        arxiv_id=arxiv_id,
        doi=doi_match.group(0).rstrip(".,;") if doi_match else "",
        withdrawn=withdrawn,
        deleted=bool(note.get("ddate")),
        license=note.get("license") or DEFAULT_LICENSE,
    )


def map_forum(notes: list[dict], *, forum_id: str, version: int | None = None) -> ImportedForum:
    """A forum's listing (every note, any order) -> its submission and importable public notes, with counts."""
    submission_note = next((n for n in notes if n.get("id") == forum_id), None)
    withdrawn = False
    imported: list[ImportedNote] = []
    non_public = deleted = ignored = 0
    for note in notes:
        if note is submission_note:
            continue
        if any(invitation_name(i) in WITHDRAWAL_NAMES for i in invitations(note)):
            withdrawn = True
        if note.get("ddate"):
            deleted += 1
            continue
        if not is_public(note):
            non_public += 1
            continue
        mapped = map_note(note, forum_id=forum_id)
        if mapped is None:
            ignored += 1
        else:
            imported.append(mapped)
    submission = map_submission(submission_note, withdrawn=withdrawn) if submission_note else None
    if version is None:
        version = api_version(notes[0]) if notes else 2
    return ImportedForum(
        forum_id=forum_id,
        api_version=version,
        submission=submission,
        notes=tuple(imported),
        dropped_non_public=non_public,
        dropped_deleted=deleted,
        ignored=ignored,
        withdrawn=withdrawn or bool(submission and submission.withdrawn),
        deleted=bool(submission and submission.deleted),
    )


# -- matching a forum to a paper


def normalise_title(title: str) -> str:
    """Lower case, no accents, markup, TeX commands, punctuation or extra spaces: for comparing titles only."""
    text = re.sub(r"<[^>]+>", " ", title or "")  # HTML / JATS tags
    text = re.sub(r"\\[a-zA-Z]+\s*", " ", text)  # TeX commands (\emph, \textit); their braced words stay
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]|_", "", text.casefold())  # "DoMi{NO}", "Multi-scale" -> "domino", "multiscale"
    return re.sub(r"\s+", " ", text).strip()


def title_matches(submission_title: str, paper_title: str, *, threshold: float = 0.9) -> bool:
    """Whether an OpenReview submission and a paper have the same title, allowing small differences."""
    a, b = normalise_title(submission_title), normalise_title(paper_title)
    if not a or not b:
        return False
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return True
    if difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() < threshold:
        return False
    # Close as strings, yet a word in one with no near twin in the other ("not", "without") changes the meaning;
    # a dropped article or a misspelt word does not.
    return _words_have_twins(a.split(), b.split()) and _words_have_twins(b.split(), a.split())


FILLER_WORDS = {"a", "an", "the", "and", "of", "on", "for", "in", "to", "with"}


def _words_have_twins(words: list[str], others: list[str]) -> bool:
    unmatched = [w for w in words if w not in others and w not in FILLER_WORDS]
    return all(difflib.get_close_matches(w, others, n=1, cutoff=0.75) for w in unmatched)

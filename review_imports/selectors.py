"""Reads of review_imports: the paper page's OpenReview blocks, an import's state for its page and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Q, QuerySet

from paperhub.moderation import ModerationStatus
from reviews.models import ReviewKind

from .models import ForumImport, ForumNote

MAX_DEPTH = 4  # deeper replies are shown at this indent: a thread stays readable on a phone


@dataclass
class ThreadItem:
    note: ForumNote
    depth: int  # 1 answers the entry itself

    @property
    def review(self):
        return self.note.review


@dataclass
class Entry:
    """A top-level note (a review, the meta-review, the decision, a comment on the paper) and its thread."""

    note: ForumNote
    replies: list[ThreadItem] = field(default_factory=list)

    @property
    def review(self):
        return self.note.review


@dataclass
class ForumBlock:
    forum_import: ForumImport
    decisions: list[Entry]
    meta_reviews: list[Entry]
    reviews: list[Entry]
    comments: list[Entry]  # on the paper itself, not under a review
    gone: int  # notes hidden because OpenReview no longer shows them

    @property
    def summary(self) -> list[str]:
        """ "OpenReview · ICLR 2024 · 4 reviews · meta-review · Decision: Accept (poster)" as its parts."""
        forum = self.forum_import
        parts = ["OpenReview"]
        if forum.venue:
            parts.append(forum.venue)
        count = len(self.reviews)
        parts.append(f"{count} review{'' if count == 1 else 's'}")
        if self.meta_reviews:
            parts.append("meta-review")
        if forum.decision:
            parts.append(f"Decision: {forum.decision}")
        if forum.withdrawn:
            parts.append("withdrawn submission")
        return parts


def forum_imports_of_paper(paper) -> QuerySet[ForumImport]:
    return (
        ForumImport.objects.filter(paper=paper)
        .defer("raw_notes")
        .select_related("requested_by", "requested_by__reviewer_profile")
        .annotate(gone_count=Count("notes", filter=~Q(notes__gone="")))
        .order_by("requested_at", "id")
    )


def forums_for_paper_page(paper) -> list[ForumBlock]:
    """The paper's published forums, their public notes threaded: two queries, one when none is published."""
    published = list(forum_imports_of_paper(paper).filter(status=ModerationStatus.APPROVED))
    notes_by_forum: dict[int, list[ForumNote]] = {fi.id: [] for fi in published}
    if published:
        for note in published_notes(published):
            notes_by_forum[note.forum_import_id].append(note)
    return [_block(fi, notes_by_forum[fi.id]) for fi in published]


class ImportsOfPaper:
    """The paper's imports not yet published, read only when the template asks (for a signed-in visitor)."""

    def __init__(self, paper):
        self.paper = paper

    @cached_property
    def unpublished(self) -> list[ForumImport]:
        return list(forum_imports_of_paper(self.paper).exclude(status=ModerationStatus.APPROVED))


def published_notes(forums) -> list[ForumNote]:
    """The public notes of these forums, with their reviews, oldest first: one query."""
    return list(
        ForumNote.objects.filter(forum_import__in=forums, gone="", review__status=ModerationStatus.APPROVED)
        .select_related("review")
        .defer("content")
        .order_by("created", "id")
    )


_GROUP_OF_KIND = {ReviewKind.DECISION: "decision", ReviewKind.META_REVIEW: "meta", ReviewKind.OFFICIAL_REVIEW: "review"}


def _block(forum_import: ForumImport, notes: list[ForumNote]) -> ForumBlock:
    for note in notes:
        note.forum_import = forum_import  # note.url reads the forum id: no query per note
    by_id = {note.note_id: note for note in notes}
    children: dict[str, list[ForumNote]] = {}
    top: list[ForumNote] = []
    for note in notes:
        parent = note.reply_to
        if parent and parent != forum_import.forum_id and parent in by_id:
            children.setdefault(parent, []).append(note)
        else:
            top.append(note)  # answers the paper, or a note not shown (not public, deleted)
    groups: dict[str, list[Entry]] = {"decision": [], "meta": [], "review": [], "comment": []}
    for note in top:
        entry = Entry(note, _thread(note.note_id, children, depth=1))
        groups[_GROUP_OF_KIND.get(note.review.kind, "comment")].append(entry)
    return ForumBlock(
        forum_import=forum_import,
        decisions=groups["decision"],
        meta_reviews=groups["meta"],
        reviews=groups["review"],
        comments=groups["comment"],
        gone=getattr(forum_import, "gone_count", 0),
    )


def _thread(note_id: str, children: dict[str, list[ForumNote]], *, depth: int, seen=None) -> list[ThreadItem]:
    seen = seen if seen is not None else set()
    items: list[ThreadItem] = []
    for child in children.get(note_id, []):
        if child.note_id in seen:  # a cycle in replyto would otherwise never end
            continue
        seen.add(child.note_id)
        items.append(ThreadItem(child, min(depth, MAX_DEPTH)))
        items.extend(_thread(child.note_id, children, depth=depth + 1, seen=seen))
    return items


def forum_import_for_api(*, paper, import_id: int) -> ForumImport:
    return (
        ForumImport.objects.defer("raw_notes")
        .select_related("paper", "requested_by", "requested_by__reviewer_profile")
        .get(paper=paper, id=import_id)
    )


def may_follow(forum_import: ForumImport, user) -> bool:
    """Who asked for the import and staff see all of it: what it brought in before moderation, why it waits."""
    return bool(
        user is not None and user.is_authenticated and (user.is_staff or forum_import.requested_by_id == user.id)
    )


def forum_import_reviews(forum_import: ForumImport, *, user=None) -> list[ForumNote]:
    """The import's notes with their reviews: the public ones for everyone; all of them for who may follow it
    (a forum waiting for moderation shows its requester what it brought in)."""
    notes = ForumNote.objects.filter(forum_import=forum_import).select_related("review").defer("content")
    if not may_follow(forum_import, user):
        notes = notes.filter(review__status=ModerationStatus.APPROVED, gone="")
    return list(notes.order_by("created", "id"))

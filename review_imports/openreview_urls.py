"""Pure: what a user pasted -> the OpenReview forum it names, or a clear reason why it names none.

Accepted (nothing else is):
  https://openreview.net/forum?id=ID                 the forum page
  https://openreview.net/forum?id=ID&noteId=NOTE     a note inside it (other query parameters are ignored)
  https://openreview.net/pdf?id=ID                   the submission's PDF
  http:// as well, a missing scheme (openreview.net/forum?id=ID), and the www. host: openreview.net itself sends
  www.openreview.net to openreview.net, so it names the same forum. Surrounding whitespace is ignored.
  ID                                                 a bare forum id, as OpenReview prints them (B1CEaMbR-, 00F7BfXLYJ)
Refused: any other host (openreview.net.evil.com, evil.com/openreview.net, punycode look-alikes), other schemes,
ports (even :443), user:password@ and paths other than /forum and /pdf.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

# OpenReview ids are URL-safe base64-ish: 9-10 characters in practice ("B1CEaMbR-", "HJepJh0qKX", "sH9vCYg_1"),
# 6 to 20 allowed so that older and future ids fit without letting in words or paths.
ID_RE = re.compile(r"[A-Za-z0-9_-]{6,20}")
HOSTS = frozenset({"openreview.net", "www.openreview.net"})
PATHS = frozenset({"/forum", "/pdf"})
MAX_LENGTH = 2000


class InvalidForumLink(ValueError):
    """The text is not an OpenReview forum link or id; the message says why and is fit to show to the user."""


@dataclass(frozen=True)
class ForumRef:
    forum_id: str
    note_id: str = ""  # the note a link pointed at (noteId=), if any

    @property
    def url(self) -> str:
        return f"https://openreview.net/forum?id={self.forum_id}"


def is_id(text: str) -> bool:
    return bool(ID_RE.fullmatch(text))


def parse_forum(text: str) -> ForumRef:
    """The forum `text` names; raises InvalidForumLink (with a readable message) for anything else."""
    text = (text or "").strip()
    if not text:
        raise InvalidForumLink("Paste an OpenReview forum link, e.g. https://openreview.net/forum?id=B1CEaMbR-.")
    if len(text) > MAX_LENGTH:
        raise InvalidForumLink("That is too long to be an OpenReview link.")
    if is_id(text):
        return ForumRef(text)
    if re.match(r"(?i)(www\.)?openreview\.net/", text):
        text = f"https://{text}"
    elif ":" not in text:
        raise InvalidForumLink(
            "That is neither an OpenReview forum id nor a link; paste https://openreview.net/forum?id=…."
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidForumLink("That is not a valid link.") from None
    if parts.scheme.lower() not in ("https", "http"):
        raise InvalidForumLink("Only https:// (or http://) links to openreview.net are accepted.")
    if "@" in parts.netloc:
        raise InvalidForumLink("Links with a user name or password are not accepted.")
    if port is not None or parts.netloc.endswith(":"):
        raise InvalidForumLink("Links with a port number are not accepted; use https://openreview.net/….")
    host = (parts.hostname or "").lower()
    if host not in HOSTS:
        raise InvalidForumLink(f"Only links to openreview.net are accepted, not {host or 'this address'}.")
    if parts.path not in PATHS:
        raise InvalidForumLink("Use the forum link (https://openreview.net/forum?id=…) or the PDF link (/pdf?id=…).")
    query = parse_qs(parts.query, keep_blank_values=True)
    ids = query.get("id", [])
    if len(ids) != 1 or not is_id(ids[0]):
        raise InvalidForumLink("The link has no valid forum id (…?id=…).")
    note_ids = query.get("noteId", [])
    if len(note_ids) > 1 or (note_ids and not is_id(note_ids[0])):
        raise InvalidForumLink("The link's noteId is not a valid OpenReview id.")
    return ForumRef(ids[0], note_ids[0] if note_ids else "")

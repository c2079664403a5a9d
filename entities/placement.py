"""Pure: place PubTator3 mentions in the text our page renders, exactly or not at all.

PubTator's offsets point into its own text. Our page renders the abstract as `<div data-entity-target="abstract">`
holding one `<p>` per paragraph (its text is "".join(paragraphs): the template puts nothing between them) and each
full-text section as an element `data-entity-target="<section id>"` holding that section's stored HTML (its text
is the HTML's textContent). `page_targets` builds those texts; `place` aligns each PubTator passage to them and maps
each mention's location across.

Alignment works on a "skeleton" of each text: its letters and digits only, NFKC-normalised and case-folded, with
citation markers ("[12]", "[3-5, 8]", "(Smith et al., 2001)") cut from both sides, each skeleton character
remembering its offset in the original. Whitespace, punctuation, entities, dashes and quotes therefore never
break an alignment. A passage whose skeleton occurs verbatim in a target maps one to one; otherwise 16-character
anchors are looked up, each hit is extended both ways while the skeletons agree, and difflib.SequenceMatcher aligns
only the short stretches left between those blocks, tolerating small differences (a changed word, superscript
citation numbers) in linear time. A repeated passage takes the next stretch no other passage took.
Every candidate span is then checked: our text at [start, end) must equal the mention's text
case-insensitively after whitespace (and NFKC) normalisation, without cutting a word the mention does not cut.
A mention whose mapped span fails it is looked for within SEARCH_WINDOW characters of where it should be (the
nearest occurrence that passes wins); one that still fails is counted (`total`) but never highlighted.

Title passages map to no target (the page does not highlight the title): their mentions count in `total` as not
placeable, and `in_title` says how many they were. Mentions PubTator could not normalize are placed too, with
identifier "" (the page may show them unlinked or skip them).
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import pubtator

ABSTRACT = "abstract"
ANCHOR = 16  # skeleton characters per anchor k-gram
GAP = 200  # skeleton characters between anchored blocks that difflib aligns
SEARCH_WINDOW = 40  # characters either side of a predicted position searched for the mention's text

# Citation markers one side may have and the other lack; cut from both before aligning.
_CITATIONS = re.compile(
    r"\[\s*\d+[a-z]?(?:\s*[-\u2010-\u2015,;]\s*\d+[a-z]?)*\s*\]"
    r"|\((?:see\s+|e\.g\.,?\s+)?(?:[A-Z][\w'\u2019-]+(?:\s+(?:et\s+al\.?|(?:and|&)\s+[A-Z][\w'\u2019-]+))?,?\s+"
    r"(?:19|20)\d{2}[a-z]?(?:\s*[;,]\s*)?)+\)"
)
_ALNUM_RUN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Target:
    key: str  # "abstract" or a full-text section id: the element's data-entity-target
    text: str


@dataclass(frozen=True)
class Span:
    target: str
    start: int
    end: int
    type: str  # an EntityType value
    identifier: str  # the first record the mention names ("" when it names none)

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "identifier": self.identifier,
        }


@dataclass(frozen=True)
class Placement:
    spans: list[Span]
    placed: int  # mentions whose every location was placed exactly
    total: int  # every mention in the documents, title ones included
    in_title: int = 0  # of total, mentions in title passages: never placed


# -- our page's texts


class _TextContent(HTMLParser):
    """textContent as a browser computes it for a fragment: every text node, entities decoded, whitespace kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_newline = False

    def handle_starttag(self, tag, attrs) -> None:
        # The HTML parser drops one newline right after these start tags.
        self._skip_newline = tag in ("pre", "textarea", "listing")

    def handle_startendtag(self, tag, attrs) -> None:
        self._skip_newline = False

    def handle_endtag(self, tag) -> None:
        self._skip_newline = False

    def handle_data(self, data: str) -> None:
        if self._skip_newline and data.startswith("\n"):
            data = data[1:]
        self._skip_newline = False
        self.parts.append(data)


def text_content(html: str) -> str:
    """The textContent of an element holding `html` (MathML text included; comments not; CR LF read as LF)."""
    parser = _TextContent()
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    return "".join(parser.parts)


def page_targets(abstract_paragraphs: list[str], sections: list[tuple[str, str]]) -> list[Target]:
    """The texts the page's highlight script sees: the abstract's, then each full-text section's (id, html)."""
    targets = [Target(ABSTRACT, "".join(abstract_paragraphs))] if abstract_paragraphs else []
    targets += [Target(key, text_content(html)) for key, html in sections]
    return targets


# -- skeletons


class _Skeleton:
    """Letters and digits of one or more texts, normalised, each mapped to (text index, offset in that text)."""

    def __init__(self, texts: list[str]) -> None:
        chars: list[str] = []
        self.owner: list[int] = []
        self.offset: list[int] = []
        for index, text in enumerate(texts):
            if index:
                chars.append("\x00")  # no passage skeleton holds it, so no exact match crosses two targets
                self.owner.append(-1)
                self.offset.append(0)
            masked = _CITATIONS.sub(lambda m: " " * len(m.group()), text)
            for run in _ALNUM_RUN.finditer(masked):
                word, start = run.group(), run.start()
                if word.isascii():
                    chars.append(word.lower())
                    self.owner.extend([index] * len(word))
                    self.offset.extend(range(start, start + len(word)))
                    continue
                for i, char in enumerate(word):
                    for folded in unicodedata.normalize("NFKC", char).casefold():
                        if folded.isalnum():
                            chars.append(folded)
                            self.owner.append(index)
                            self.offset.append(start + i)
        self.text = "".join(chars)


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


# -- aligning


class _Alignment:
    """Passage skeleton index -> target skeleton index, from matching blocks (i, j, size)."""

    def __init__(self, blocks: list[tuple[int, int, int]]) -> None:
        self.blocks = sorted(b for b in blocks if b[2])
        self.starts = [b[0] for b in self.blocks]

    def exact(self, i: int) -> int | None:
        at = bisect.bisect_right(self.starts, i) - 1
        if at >= 0:
            a, b, size = self.blocks[at]
            if i < a + size:
                return b + i - a
        return None

    def approximate(self, i: int) -> int | None:
        """Where i would be by the nearest block's shift (for search, never trusted as is)."""
        if not self.blocks:
            return None
        at = max(0, bisect.bisect_right(self.starts, i) - 1)
        a, b, _ = self.blocks[at]
        return b + i - a


def _find_unused(passage: str, body: str, cursor: int, used: list[tuple[int, int]]) -> int:
    """Where `passage` occurs verbatim, after `cursor` first, skipping stretches earlier passages took; or -1."""
    for start in (cursor, 0):
        found = body.find(passage, start)
        while found >= 0:
            if not any(found < end and low < found + len(passage) for low, end in used):
                return found
            found = body.find(passage, found + 1)
    return -1


def _align(passage: str, body: str, cursor: int, used: list[tuple[int, int]]) -> _Alignment | None:
    """Align a passage skeleton into a group skeleton: verbatim (after `cursor` first), else by anchors + difflib.

    A repeated passage (a boilerplate sentence, a figure caption quoted twice) takes the next occurrence not yet
    taken, so two passages never share one stretch of our text.
    """
    if not passage:
        return None
    found = _find_unused(passage, body, cursor, used)
    if found >= 0:
        return _Alignment([(0, found, len(passage))])
    if len(passage) < ANCHOR * 2:
        return None
    hits = []
    for i in range(0, len(passage) - ANCHOR + 1, ANCHOR):
        hit = _find_unused(passage[i : i + ANCHOR], body, cursor, used)
        if hit >= 0:
            hits.append((i, hit))
    if len(hits) < 2:
        return None
    shifts = sorted(j - i for i, j in hits)
    shift = shifts[len(shifts) // 2]  # the median: stray anchor hits elsewhere do not move the region
    slack = len(passage) // 4 + ANCHOR
    blocks: list[tuple[int, int, int]] = []
    for i, j in hits:
        if abs(j - i - shift) > slack or (blocks and j < blocks[-1][1] + blocks[-1][2]):
            continue  # a stray hit, or one inside (or behind) the block before
        a, b = i, j
        floor = blocks[-1][0] + blocks[-1][2] if blocks else 0
        while a > floor and b > 0 and passage[a - 1] == body[b - 1]:
            a, b = a - 1, b - 1
        end_a, end_b = i + ANCHOR, j + ANCHOR
        while end_a < len(passage) and end_b < len(body) and passage[end_a] == body[end_b]:
            end_a, end_b = end_a + 1, end_b + 1
        blocks.append((a, b, end_a - a))
    return _Alignment(_fill_gaps(passage, body, blocks)) if blocks else None


def _fill_gaps(passage: str, body: str, blocks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Anchored blocks, plus difflib's matches inside the short stretches between them (a changed word)."""
    edges = [(0, max(0, blocks[0][1] - blocks[0][0] - GAP)), *((a + n, b + n) for a, b, n in blocks)]
    ends = [(a, b) for a, b, _ in blocks] + [(len(passage), min(len(body), edges[-1][1] + len(passage) + GAP))]
    filled = list(blocks)
    for (a1, b1), (a2, b2) in zip(edges, ends, strict=True):
        if 0 < a2 - a1 <= GAP and 0 < b2 - b1 <= 2 * GAP:
            matcher = difflib.SequenceMatcher(None, passage[a1:a2], body[b1:b2], autojunk=False)
            filled += [(a1 + a, b1 + b, n) for a, b, n in matcher.get_matching_blocks() if n >= 3]
    return filled


# -- placing


@dataclass
class _Group:
    targets: list[Target]
    skeleton: _Skeleton
    cursor: int = 0
    used: list[tuple[int, int]] = field(default_factory=list)  # skeleton stretches passages were aligned to


def place(documents: list[pubtator.Document], targets: list[Target]) -> Placement:
    """Place every mention of `documents` in `targets` where it can be placed exactly; count the rest."""
    abstract = [t for t in targets if t.key == ABSTRACT]
    body = [t for t in targets if t.key != ABSTRACT]
    groups = {
        ABSTRACT: _Group(abstract, _Skeleton([t.text for t in abstract])),
        "body": _Group(body, _Skeleton([t.text for t in body])),
    }
    spans: list[Span] = []
    seen: set[tuple[str, int, int]] = set()
    placed = total = in_title = 0
    for document in documents:
        for group in groups.values():
            group.cursor, group.used = 0, []
        for passage in document.passages:
            total += len(passage.annotations)
            if passage.is_title:
                in_title += len(passage.annotations)
                continue
            if not passage.annotations:
                continue
            # Abstract passages belong to the abstract, the rest to the sections: a body passage never lands on
            # the abstract's words (or the reverse), even where the page lacks its own part.
            group = groups[ABSTRACT if passage.section_type == "ABSTRACT" else "body"]
            if not group.targets:
                continue
            skeleton = _Skeleton([passage.text])
            alignment = _align(skeleton.text, group.skeleton.text, group.cursor, group.used)
            if alignment is None:
                continue
            first, last = alignment.blocks[0], alignment.blocks[-1]
            group.cursor = last[1] + last[2]  # the next passage most likely follows this one
            group.used.append((first[1], group.cursor))
            for annotation in passage.annotations:
                found = _place_annotation(annotation, passage, skeleton, alignment, group, seen)
                if found and len(found) == len(annotation.locations):
                    placed += 1
                spans.extend(found)
    return Placement(spans=spans, placed=placed, total=total, in_title=in_title)


def _place_annotation(annotation, passage, skeleton, alignment, group, seen) -> list[Span]:
    resolved = pubtator.resolve(annotation)
    kind = resolved[0].type if resolved else pubtator.entity_type(annotation.type)
    identifier = resolved[0].identifier if resolved else ""
    spans = []
    for offset, length in annotation.locations:
        start, end = offset - passage.offset, offset - passage.offset + length
        if start < 0 or end > len(passage.text):
            continue
        expected = annotation.text if len(annotation.locations) == 1 else passage.text[start:end]
        where = _locate(expected, passage.text, start, end, skeleton, alignment, group)
        if where is None:
            continue
        target, our_start, our_end = where
        if (target.key, our_start, our_end) in seen:
            continue
        seen.add((target.key, our_start, our_end))
        spans.append(Span(target.key, our_start, our_end, kind, identifier))
    return spans


def _locate(expected, text, start, end, skeleton, alignment, group) -> tuple[Target, int, int] | None:
    first = bisect.bisect_left(skeleton.offset, start)
    last = bisect.bisect_left(skeleton.offset, end) - 1
    if first > last:
        return None  # nothing alphanumeric to align on
    lead = skeleton.offset[first] - start
    trail = end - skeleton.offset[last] - 1
    j_first, j_last = alignment.exact(first), alignment.exact(last)
    owner, offsets = group.skeleton.owner, group.skeleton.offset
    if j_first is not None and j_last is not None and owner[j_first] == owner[j_last] >= 0:
        target = group.targets[owner[j_first]]
        our_start, our_end = offsets[j_first] - lead, offsets[j_last] + 1 + trail
        if _matches(expected, text, start, end, target.text, our_start, our_end):
            return target, our_start, our_end
    guess = j_first if j_first is not None else alignment.approximate(first)
    if guess is None or not 0 <= guess < len(owner) or owner[guess] < 0:
        return None
    target = group.targets[owner[guess]]
    return _search(expected, text, start, end, target, offsets[guess] - lead)


def _search(expected, text, start, end, target: Target, guess: int) -> tuple[Target, int, int] | None:
    """The occurrence of `expected` nearest to `guess` within SEARCH_WINDOW, whitespace and case aside."""
    words = expected.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    low = max(0, guess - SEARCH_WINDOW)
    high = min(len(target.text), guess + len(expected) + SEARCH_WINDOW)
    best = None
    for match in pattern.finditer(target.text, low, high):
        if _matches(expected, text, start, end, target.text, match.start(), match.end()):
            distance = abs(match.start() - guess)
            if best is None or distance < best[0]:
                best = (distance, match.start(), match.end())
    return (target, best[1], best[2]) if best else None


def _matches(expected: str, theirs: str, start: int, end: int, ours: str, our_start: int, our_end: int) -> bool:
    """Our text at [our_start, our_end) is the mention, and cuts no word that PubTator's text does not cut."""
    if not 0 <= our_start < our_end <= len(ours) or _normal(ours[our_start:our_end]) != _normal(expected):
        return False
    before_theirs = start > 0 and theirs[start - 1].isalnum()
    after_theirs = end < len(theirs) and theirs[end].isalnum()
    before_ours = our_start > 0 and ours[our_start - 1].isalnum()
    after_ours = our_end < len(ours) and ours[our_end].isalnum()
    return (before_theirs or not before_ours) and (after_theirs or not after_ours)

"""Pure: the search box's web-search syntax parsed as PostgreSQL's websearch_to_tsquery reads it, and written
out as SQLite FTS5 MATCH expressions. No database here.

Syntax: words are ANDed, "quoted phrases", OR between alternatives, -excluded words or "phrases". As in
PostgreSQL's english configuration, stop words are ignored and punctuation only separates words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# PostgreSQL's english.stop (the Snowball list): to_tsvector('english', ...) drops these words.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself
    it its itself they them their theirs themselves what which who whom this that these those am is are was were be
    been being have has had having do does did doing a an the and but if or because as until while of at by for with
    about against between into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some such no nor not only
    own same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())
MAX_WORDS = 8  # suggestions read at most this many words, as before
# A quoted chunk (its closing quote may be missing), a run of minus signs starting a chunk, or a bare chunk.
_CHUNK = re.compile(r'"(?P<quoted>[^"]*)"?|(?P<minus>-+)|(?P<bare>[^\s"]+)')
_SEPARATORS = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase's words in order
    excluded: bool = False


# Alternatives (OR) of terms that must all hold (AND): PostgreSQL's precedence, AND binding tighter than OR.
WebQuery = list[list[Term]]


def words_of(text: str) -> list[str]:
    """Lower-cased letter/digit runs, composed first so an accent stays inside its word."""
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower())


def _without_stop_words(words: list[str]) -> tuple[str, ...]:
    # Inside a phrase only the ends can go: FTS5 phrases cannot skip a word as PostgreSQL's <2> does.
    start, end = 0, len(words)
    while start < end and words[start] in STOP_WORDS:
        start += 1
    while end > start and words[end - 1] in STOP_WORDS:
        end -= 1
    return tuple(words[start:end])


def parse_web_query(text: str) -> WebQuery:
    """The alternatives in `text`, each a list of terms; empty alternatives (only stop words, dangling OR) dropped."""
    alternatives: WebQuery = [[]]
    minuses = 0
    for chunk in _CHUNK.finditer(text):
        if chunk["minus"]:
            minuses += len(chunk["minus"])
            continue
        excluded, minuses = minuses % 2 == 1, 0  # "--word" is a double negation, as in PostgreSQL
        if chunk["bare"] is not None and chunk["bare"].lower() == "or" and not excluded:
            alternatives.append([])
            continue
        # Other punctuation separates words, as PostgreSQL's parser does; "x-ray" or "2.5" stays a phrase.
        parts = [chunk["quoted"]] if chunk["quoted"] is not None else _SEPARATORS.split(chunk["bare"])
        for part in parts:
            if words := _without_stop_words(words_of(part)):
                alternatives[-1].append(Term(words, excluded))
    return [terms for terms in alternatives if terms]


def _quoted(term: Term) -> str:
    # Words hold only letters and digits, so inside double quotes nothing can be read as FTS5 syntax.
    return '"' + " ".join(term.words) + '"'


@dataclass(frozen=True)
class Fts5Query:
    """`matching` finds the alternatives that require some term; each of `excluding` is an alternative made only
    of exclusions, which FTS5 cannot say alone (its NOT is binary): papers matching none of its words qualify."""

    matching: str | None
    excluding: tuple[str, ...] = ()


def fts5_query(query: WebQuery) -> Fts5Query:
    matching, excluding = [], []
    for terms in query:
        required = " AND ".join(_quoted(t) for t in terms if not t.excluded)
        excluded = " OR ".join(_quoted(t) for t in terms if t.excluded)
        if not required:
            excluding.append(excluded)
        elif excluded:
            matching.append(f"({required} NOT ({excluded}))")
        else:
            matching.append(f"({required})")
    return Fts5Query(" OR ".join(matching) or None, tuple(excluding))


def fts5_prefix_query(text: str) -> str | None:
    """Every word must match, the last one as a prefix ("word"*): for suggestions while typing."""
    words = [word for word in words_of(text) if word not in STOP_WORDS][:MAX_WORDS]
    if not words:
        return None
    return " AND ".join(f'"{word}"*' if i == len(words) - 1 else f'"{word}"' for i, word in enumerate(words))

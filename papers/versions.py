"""The current version of each paper, held in the shared cache so that cached pages and records need no query.

A paper's version is its id, `updated_at` (which every change to the paper, its reviews or its videos moves)
and fetch state. Whatever changes them calls `papers_changed`: the old versions are dropped at once (inside a
transaction this sends readers to the database, which still shows the committed state) and the new ones are
set once the change commits, overwriting any older version a reader put back meanwhile. A version read from
the database is trusted for VERSION_SECONDS at most, which bounds the damage of a change made behind our back.

Listings depend on every paper at once, so they are kept per *generation*: one shared counter that every
change moves, read together with the stored listing.

With a per-process cache (`make run`), versions come from the database on every request and listings are not
kept: a worker's change would not reach the web process's memory.
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from paperhub.caching import read_counting

from .models import Paper
from .selectors import PaperVersion, paper_version

VERSION_SECONDS = 300
GENERATION_KEY = "papers-generation"


def current(doi: str, *, also: str) -> tuple[PaperVersion | None, object]:
    """The paper's version (None when it is not here) and the cache entry `also`, read in one round trip."""
    if not settings.PAPERHUB_SHARED_CACHE:
        return paper_version(doi=doi), cache.get(also)
    key = _key(doi)
    found = cache.get_many([key, also])
    return _settled(doi, found.get(key)), found.get(also)


def current_counting(doi: str, *, also: str, counters) -> tuple[PaperVersion | None, object, list[int | None]]:
    """current(), with counters incremented in the same round trip (paperhub.caching.read_counting)."""
    if not settings.PAPERHUB_SHARED_CACHE:
        return *current(doi, also=also), read_counting([], counters)[1]
    key = _key(doi)
    found, counts = read_counting([key, also], counters)
    return _settled(doi, found.get(key)), found.get(also), counts


def _settled(doi: str, version: PaperVersion | None) -> PaperVersion | None:
    if version is None:
        version = paper_version(doi=doi)
        if version is not None:
            cache.add(_key(doi), version, VERSION_SECONDS)  # add: a newer version set meanwhile wins
    return version


def papers_changed(*, paper_ids=None, dois=None, versions: dict[str, PaperVersion] | None = None) -> None:
    """Call wherever a paper's `updated_at` or fetch state moves without Paper.save() (which calls it itself).

    `versions` maps DOIs to the version the change leaves, when the caller has it from the row it just wrote
    (UPDATE … RETURNING, a save of every field): those are set on commit as they are, without reading them back.
    A later change in the same transaction calls this again, and its callback, run after, has the last word.
    """
    if not settings.PAPERHUB_SHARED_CACHE:
        return
    known = dict(versions or {})
    dois = [*(dois or []), *known]
    if paper_ids:
        dois += Paper.objects.filter(id__in=list(paper_ids)).values_list("doi", flat=True)
    if not dois:
        _next_generation()
        return
    cache.delete_many([_key(doi) for doi in dois])
    _next_generation()
    unknown = [doi for doi in dois if doi not in known]
    transaction.on_commit(functools.partial(set_versions, unknown, known=known))


def set_versions(dois: list[str], *, known: dict[str, PaperVersion] | None = None) -> None:
    _next_generation()  # again after the commit: a listing built in between showed the old rows
    found = dict(known or {})
    if dois:
        rows = Paper.objects.filter(doi__in=dois).values_list("doi", "id", "updated_at", "fetch_state")
        found.update((doi, PaperVersion(*rest)) for doi, *rest in rows)
    cache.set_many({_key(doi): version for doi, version in found.items()}, VERSION_SECONDS)
    gone = [_key(doi) for doi in dois if doi not in found]
    if gone:
        cache.delete_many(gone)


def generation(*, also: str | None = None) -> tuple[int | None, object]:
    """The current generation of all papers and the cache entry `also`, in one round trip; (None, None) when
    the cache is per-process."""
    if not settings.PAPERHUB_SHARED_CACHE:
        return None, None
    found = cache.get_many([GENERATION_KEY, also] if also else [GENERATION_KEY])
    current = found.get(GENERATION_KEY)
    if current is None:
        _next_generation()
        current = cache.get(GENERATION_KEY)
    return current, found.get(also) if also else None


def generation_counting(*, also: str, counters) -> tuple[int | None, object, list[int | None]]:
    """generation(), with counters incremented in the same round trip (paperhub.caching.read_counting)."""
    if not settings.PAPERHUB_SHARED_CACHE:
        return None, None, read_counting([], counters)[1]
    found, counts = read_counting([GENERATION_KEY, also], counters)
    current = found.get(GENERATION_KEY)
    if current is None:
        _next_generation()
        current = cache.get(GENERATION_KEY)
    return current, found.get(also), counts


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # Start from the clock, so that a counter lost from the cache never comes back to a value it had.
        cache.add(GENERATION_KEY, time.time_ns() // 1000, None)


def digest(doi: str) -> str:
    """A DOI as a cache key part: DOIs may hold spaces and other characters not every cache accepts."""
    return hashlib.sha256(doi.encode()).hexdigest()[:24]


def _key(doi: str) -> str:
    return f"paper-version:{digest(doi)}"

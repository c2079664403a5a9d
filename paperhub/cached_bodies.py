"""Large page bodies in the shared cache, kept by content and copied once into each web process.

A page with a long full text is a quarter of a megabyte; read from Redis on every hit it was the largest cost of
serving it (profiled, eLife 09560's page: the socket reads of the reply were over a third of a hit's time,
thirteen times a small page's, as Redis sends a large reply over several turns of its event loop). So a kept
page names its body by a digest of the bytes, and the bytes are stored apart, once: a hit reads the small entry
(its version and the digest) in the same single round trip as before, and takes the bytes from this process's
own copy. The entry's version still decides whether the page answers; a copy only ever holds the same bytes
under the same digest, so it cannot be stale. Copies are bounded (LOCAL_BYTES per process, least recently used
dropped first), which bounds what they add to a web process's memory.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import NamedTuple

from django.core.cache import cache

# Below this a body travels with its entry: one reply, no second key.
THRESHOLD = 32 * 1024
# What the copies may hold in each process.
LOCAL_BYTES = 24 * 1024 * 1024


class BodyRef(NamedTuple):
    digest: str
    size: int


def stash(content: bytes, seconds: int) -> bytes | BodyRef:
    """What to keep in the entry for this body: the bytes themselves when small, else a reference to them."""
    if len(content) < THRESHOLD:
        return content
    ref = BodyRef(hashlib.sha256(content).hexdigest()[:32], len(content))
    cache.set(_key(ref), content, seconds)
    _local.put(ref.digest, content)
    return ref


def fetch(body: bytes | BodyRef) -> bytes | None:
    """The bytes of a kept body; None when a referenced body has left the cache (the page is then rendered)."""
    if not isinstance(body, BodyRef):
        return body
    content = _local.get(body.digest)
    if content is None:
        content = cache.get(_key(body))
        if content is None:
            return None
        _local.put(body.digest, content)
    return content


def _key(ref: BodyRef) -> str:
    return f"page-body:{ref.digest}"


class _Copies:
    """A least-recently-used map of bytes, bounded by their total size; safe for gunicorn's threaded workers."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> bytes | None:
        with self._lock:
            content = self._items.get(digest)
            if content is not None:
                self._items.move_to_end(digest)
            return content

    def put(self, digest: str, content: bytes) -> None:
        if len(content) > self.limit:
            return
        with self._lock:
            if digest in self._items:
                self._items.move_to_end(digest)
                return
            self._items[digest] = content
            self.size += len(content)
            while self.size > self.limit:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


_local = _Copies(LOCAL_BYTES)

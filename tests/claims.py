"""Two claims at once, in two connections: what batch claims with SKIP LOCKED must keep apart."""

import threading
from collections.abc import Callable

from django.db import connection, transaction


def claims_side_by_side(claim: Callable[[], list]) -> tuple[list, list]:
    """Run `claim` in another thread whose transaction stays open (its rows locked), then `claim` here meanwhile;
    what each claimed."""
    first: list = []
    claimed, release = threading.Event(), threading.Event()

    def hold_a_claim():
        try:
            with transaction.atomic():  # the claimed rows stay locked until this commits
                first.extend(claim())
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=hold_a_claim)
    other.start()
    assert claimed.wait(10), "the first claim did not finish"
    second = claim()
    release.set()
    other.join(10)
    return first, second

"""On-commit callbacks, as pytest-django's django_capture_on_commit_callbacks captures them."""

import functools

from papers import versions


def queued_work(callbacks: list) -> list:
    """The callbacks that queue background work, leaving out the paper versions refresh."""
    return [c for c in callbacks if not (isinstance(c, functools.partial) and c.func is versions.set_versions)]

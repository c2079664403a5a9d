"""How an import task ends whatever happens inside it: never with its paper or lookup left claimed.

The task runs in this process (Celery's apply(), retries included) against PostgreSQL and the fake upstream; the
faults are injected into the service the task calls. The SQLite drills in tests/reliability/ make the database
itself busy under a real worker.
"""

import logging

import pytest
from django.db import OperationalError

from papers import services, tasks
from papers.models import IdentifierLookup, Paper

pytestmark = pytest.mark.django_db

PONE = "10.1371/journal.pone.0033693"


@pytest.fixture
def fast_retries(settings):
    settings.PAPERHUB_RETRY_BASE_SECONDS = 0.01
    settings.PAPERHUB_RETRY_MAX_SECONDS = 0.01
    settings.PAPERHUB_IMPORT_MAX_RETRIES = 3


def failing_first(monkeypatch, name: str, errors: list[Exception]):
    """Make services.<name> raise the given errors on its first calls, then behave as before."""
    real = getattr(services, name)
    calls = []

    def wrapper(**kwargs):
        calls.append(kwargs)
        if errors:
            raise errors.pop(0)
        return real(**kwargs)

    monkeypatch.setattr(services, name, wrapper)
    return calls


def test_an_unexpected_exception_fails_the_paper_with_its_reason_and_logs_the_traceback(
    fake_upstream, fast_retries, monkeypatch, caplog
):
    paper = Paper.objects.create(doi=PONE)
    calls = failing_first(monkeypatch, "paper_save_record", [KeyError("container-title")])
    with caplog.at_level(logging.ERROR, logger="paperhub.retries"):
        tasks.paper_import.apply(args=[paper.id])
    paper.refresh_from_db()
    assert paper.fetch_state == "failed"
    assert "Unexpected error in PaperHub (KeyError: 'container-title')" in paper.fetch_error
    assert len(calls) == 1, "a bug is not retried"
    assert any(record.exc_info and record.exc_info[0] is KeyError for record in caplog.records)


def test_a_transient_database_error_is_retried_then_the_paper_is_ready(fake_upstream, fast_retries, monkeypatch):
    paper = Paper.objects.create(doi=PONE)
    calls = failing_first(monkeypatch, "paper_save_record", [OperationalError("database is locked")])
    tasks.paper_import.apply(args=[paper.id])
    paper.refresh_from_db()
    assert (paper.fetch_state, paper.fetch_error) == ("ready", "")
    assert len(calls) == 2
    assert paper.references.count() == 70


def test_a_database_error_that_persists_ends_failed_after_the_retries(fake_upstream, fast_retries, monkeypatch):
    paper = Paper.objects.create(doi=PONE)
    errors = [OperationalError("could not serialize access due to concurrent update")] * 10
    calls = failing_first(monkeypatch, "paper_save_record", errors)
    tasks.paper_import.apply(args=[paper.id])
    paper.refresh_from_db()
    assert paper.fetch_state == "failed"
    assert "The database was busy or unreachable (could not serialize access" in paper.fetch_error
    assert "Gave up after 4 attempts" in paper.fetch_error
    assert len(calls) == 4


def test_an_unexpected_exception_fails_the_lookup(fake_upstream, fast_retries, monkeypatch):
    lookup = IdentifierLookup.objects.create(scheme="pmid", value="26354291")
    failing_first(monkeypatch, "identifier_lookup_resolve", [ValueError("no digits")])
    tasks.identifier_lookup_resolve.apply(args=[lookup.id])
    lookup.refresh_from_db()
    assert lookup.state == "failed"
    assert "Unexpected error in PaperHub (ValueError: no digits)" in lookup.error


def test_beat_requeues_lookups_left_pending(django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from tests.callbacks import queued_work

    stuck = IdentifierLookup.objects.create(scheme="pmid", value="1")
    IdentifierLookup.objects.create(scheme="pmid", value="2")  # just added: not stuck yet
    IdentifierLookup.objects.filter(id=stuck.id).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.identifier_lookups_requeue_stuck(older_than=dt.timedelta(minutes=15)) == [stuck.id]
    assert len(queued_work(callbacks)) == 1

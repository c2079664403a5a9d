import io

import pytest
from django.core.management import CommandError, call_command

from papers import selectors, services
from papers.models import IdentifierLookup, Paper, PaperRelation
from tests.papers.factories import PaperFactory
from tests.workers import wait_until


@pytest.mark.django_db
def test_counts_queued_present_and_invalid_and_fails_on_invalid(tmp_path, django_capture_on_commit_callbacks):
    PaperFactory(doi="10.5555/here")
    source = tmp_path / "ids.txt"
    source.write_text("10.5555/new\nhttps://doi.org/10.5555/HERE\n# a comment\n\nnot-an-id\n2311.16162\nPMC4559886\n")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(CommandError, match="1 invalid"):
        call_command("import_dois", str(source), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "3 queued, 1 already present, 1 invalid" in text
    assert "line 5:" in text and "not-an-id" in text
    assert set(Paper.objects.values_list("doi", flat=True)) == {
        "10.5555/here",
        "10.5555/new",
        "10.48550/arxiv.2311.16162",
    }
    assert IdentifierLookup.objects.get().value == "PMC4559886"


@pytest.mark.django_db
def test_pasted_noise_is_dropped_and_impossible_ids_are_refused(tmp_path, django_capture_on_commit_callbacks):
    source = tmp_path / "ids.txt"
    source.write_text("10.5555/new.\nhttps://doi.org/10.5555/NEW?utm_source=x\nPMID: 0\nPMC0\narXiv:9999.99999\n")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(CommandError, match="3 invalid"):
        call_command("import_dois", str(source), stdout=out, stderr=io.StringIO())
    assert "1 queued, 1 already present, 3 invalid" in out.getvalue()
    assert list(Paper.objects.values_list("doi", flat=True)) == ["10.5555/new"]
    assert not IdentifierLookup.objects.exists()


@pytest.mark.django_db
def test_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("10.5555/from.stdin\n"))
    out = io.StringIO()
    call_command("import_dois", "-", stdout=out, stderr=io.StringIO())
    assert "1 queued, 0 already present, 0 invalid" in out.getvalue()
    assert Paper.objects.filter(doi="10.5555/from.stdin").exists()


def test_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="cannot read /nonexistent/ids.txt"):
        call_command("import_dois", "/nonexistent/ids.txt")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_wait_follows_the_imports_and_reports_failures(tmp_path, fake_upstream, celery_worker):
    source = tmp_path / "ids.txt"
    source.write_text("10.1371/journal.pone.0033693\n10.7554/eLife.01567\n10.5555/nobody.knows\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="0 invalid, 1 failed"):
        call_command("import_dois", str(source), "--wait", "--timeout", "60", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "2 ready, 1 failed, 0 unfinished" in text
    assert "10.5555/nobody.knows: Crossref and DataCite: neither knows the DOI" in text


@pytest.mark.django_db
def test_wait_stops_with_a_clear_message_when_nothing_moves(monkeypatch, django_capture_on_commit_callbacks):
    """No worker takes the tasks (none are even sent here): --wait gives up after --stall-timeout, non-zero."""
    monkeypatch.setattr("sys.stdin", io.StringIO("10.5555/never.fetched\n"))
    out, err = io.StringIO(), io.StringIO()
    with (
        django_capture_on_commit_callbacks(execute=False),
        pytest.raises(CommandError, match="0 invalid, 1 failed or unfinished"),
    ):
        call_command("import_dois", "-", "--wait", "--timeout", "600", "--stall-timeout", "1", stdout=out, stderr=err)
    assert "Nothing moved for 1 s (--stall-timeout): is a worker running?" in err.getvalue()
    assert "0 ready, 0 failed, 1 unfinished" in out.getvalue()
    assert "10.5555/never.fetched: still pending" in out.getvalue()


def _queue(dois, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        requests = services.papers_request_import(dois=dois)
    return requests, callbacks


@pytest.mark.django_db
def test_bulk_queueing_takes_the_same_queries_for_five_dois_as_for_fifty(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    PaperFactory(doi="10.5555/bulk.here")
    for count in (5, 50):
        dois = [f"10.5555/bulk.{count}.{n}" for n in range(count)] + ["10.5555/BULK.HERE"]
        # Look, insert, read back, relations naming them (savepoint and release around them: the atomic block).
        with django_assert_num_queries(6):
            requests, callbacks = _queue(dois, django_capture_on_commit_callbacks)
        # One callback sends every import, the other sets the new papers' versions: the same two for any number.
        assert len(callbacks) == 2
        assert [r.created for r in requests] == [True] * count + [False]
        assert Paper.objects.filter(doi__startswith=f"10.5555/bulk.{count}.", fetch_state="pending").count() == count


@pytest.mark.django_db
def test_bulk_request_reports_each_doi_and_the_repeats_as_present(django_capture_on_commit_callbacks):
    requests, _ = _queue(
        ["10.5555/twice", "10.5555/once", "https://doi.org/10.5555/TWICE"], django_capture_on_commit_callbacks
    )
    assert [(r.paper.doi, r.created) for r in requests] == [
        ("10.5555/twice", True),
        ("10.5555/once", True),
        ("10.5555/twice", False),
    ]
    assert requests[0].paper.id == requests[2].paper.id
    assert Paper.objects.count() == 2
    requests, callbacks = _queue(["10.5555/once"], django_capture_on_commit_callbacks)
    assert [r.created for r in requests] == [False] and callbacks == []  # nothing queued again


@pytest.mark.django_db
def test_bulk_arrivals_link_the_relations_other_papers_name_to_them(django_capture_on_commit_callbacks):
    preprint = PaperFactory(doi="10.5555/preprint")
    relation = PaperRelation.objects.create(paper=preprint, kind="preprint_of", other_doi="10.5555/published")
    before = preprint.updated_at
    _queue(["10.5555/published"], django_capture_on_commit_callbacks)
    relation.refresh_from_db()
    assert relation.other_paper.doi == "10.5555/published"
    preprint.refresh_from_db()
    assert preprint.updated_at > before  # its page now links the published version


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_hundreds_of_dois_end_one_paper_each_all_imported_and_a_rerun_queues_none(
    tmp_path, fake_upstream, celery_worker
):
    fake_upstream.serve_template("10.5555/bench.")
    dois = [f"10.5555/bench.{n}" for n in range(1, 201)]
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(dois + dois[:10]) + "\n")  # ten listed twice
    out = io.StringIO()
    call_command("import_dois", str(source), "--wait", "--timeout", "240", stdout=out, stderr=io.StringIO())
    assert "200 queued, 10 already present, 0 invalid" in out.getvalue()
    assert "200 ready, 0 failed, 0 unfinished" in out.getvalue()
    assert sorted(Paper.objects.values_list("doi", flat=True)) == sorted(dois)
    fetched = [call.path for call in fake_upstream.calls("crossref") if call.status == 200]
    assert sorted(fetched) == sorted(f"works/{doi}" for doi in dois)  # each imported once

    fetched_at = dict(Paper.objects.values_list("doi", "fetched_at"))
    out = io.StringIO()
    call_command("import_dois", str(source), stdout=out, stderr=io.StringIO())
    assert "0 queued, 210 already present, 0 invalid" in out.getvalue()
    assert dict(Paper.objects.values_list("doi", "fetched_at")) == fetched_at


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_visitors_add_does_not_wait_behind_a_bulk_load(fake_upstream, celery_worker):
    # Bulk imports have their own queue, and workers take from it and the other in turn.
    fake_upstream.serve_template("10.5555/bench.")
    fake_upstream.set_latency(0.2)
    services.papers_request_import(dois=[f"10.5555/bench.{n}" for n in range(1, 61)])
    bulk = Paper.objects.filter(doi__startswith="10.5555/bench.")
    wait_until(lambda: bulk.filter(fetch_state="ready").exists(), 60, "the bulk load to start")  # all 60 queued
    paper, _ = services.paper_request_import(doi="10.1371/journal.pone.0033693")
    wait_until(lambda: Paper.objects.filter(id=paper.id, fetch_state="ready").exists(), 60, "the visitor's add")
    assert bulk.exclude(fetch_state="ready").count() > 30  # one queue: none left, the add waited for all


@pytest.mark.django_db
def test_fan_out_sends_only_papers_still_pending_so_a_redelivery_queues_none_twice():
    ready, pending, failed = (PaperFactory(fetch_state=state) for state in ("ready", "pending", "failed"))
    later = PaperFactory(fetch_state="pending")
    ids = [later.id, ready.id, pending.id, failed.id, 10**9]  # the last one deleted meanwhile
    assert selectors.papers_pending_ids(paper_ids=ids) == [later.id, pending.id]

"""Imports through a real Celery worker on Redis, PostgreSQL and the fake upstream (recorded OpenReview forums).

The fake answers v2 with its recorded 404 NotFoundError for the v1 forums, as OpenReview does, so the client falls
back to v1. The challenge page is the recorded one; 429 and 5xx bodies are the fake's own.
"""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from paperhub import http
from review_imports import services
from review_imports.clients.openreview import SIGN_IN_MESSAGE
from review_imports.models import ForumImport
from reviews.models import Review
from tests.fake_upstream.server import OPENREVIEW_PASSWORD, Fail, Garbage
from tests.papers.factories import PaperFactory
from tests.review_imports.recordings import ICLR2026_RECORD, TITLE_2018, long_forum
from tests.reviews.factories import UserFactory
from tests.workers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ICLR2026_TITLE = ICLR2026_RECORD["content"]["title"]


def settled(forum_import, timeout=30):
    return wait_until(
        lambda: ForumImport.objects.filter(id=forum_import.id).exclude(state__in=["queued", "fetching"]).first(),
        timeout,
        f"import {forum_import.id} to settle",
    )


def ask(paper, link, user):
    with transaction.atomic():
        return services.forum_import_request(paper=paper, link=link, user=user).forum_import


@pytest.fixture
def paper():
    return PaperFactory(doi="10.48550/arxiv.1801.07648", title=TITLE_2018)


def test_a_v1_forum_is_imported_by_the_worker_and_shown_on_the_page(client, paper, fake_upstream, celery_worker):
    staff = UserFactory(is_staff=True)
    forum_import = settled(ask(paper, "https://openreview.net/forum?id=B1CEaMbR-", staff))
    assert (forum_import.state, forum_import.api_version, forum_import.status) == ("done", 1, "approved"), (
        forum_import.error
    )
    # v2 said 404 NotFoundError; v1 held it.
    assert [c.path for c in fake_upstream.calls("openreview")] == ["notes"]
    assert [c.query["forum"] for c in fake_upstream.calls("openreview-v1")] == [["B1CEaMbR-"]]
    assert Review.objects.filter(paper=paper, origin="openreview", status="approved").count() == 5
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "OpenReview · ICLR 2018 · 3 reviews" in html.replace("<bdi>", "").replace("</bdi>", "")
    assert "https://openreview.net/forum?id=B1CEaMbR-&amp;noteId=SJmstHilM" in html


def test_asking_again_refetches_and_changes_nothing(paper, fake_upstream, celery_worker):
    staff = UserFactory(is_staff=True)
    first = settled(ask(paper, "B1CEaMbR-", staff))
    ids = set(Review.objects.values_list("id", flat=True))
    ForumImport.objects.filter(id=first.id).update(fetched_at=first.fetched_at.replace(year=2020))  # not recent
    again = settled(ask(paper, "https://openreview.net/forum?id=B1CEaMbR-&noteId=SJmstHilM", staff))
    assert again.id == first.id and again.fetched_at > first.fetched_at
    assert set(Review.objects.values_list("id", flat=True)) == ids
    assert ForumImport.objects.count() == 1


def test_the_browser_check_without_an_account_fails_with_what_to_set(paper, fake_upstream, celery_worker):
    fake_upstream.challenge_anonymous_openreview()
    forum_import = settled(ask(paper, "B1CEaMbR-", UserFactory(is_staff=True)))
    assert forum_import.state == "failed"
    assert forum_import.error == SIGN_IN_MESSAGE
    assert not Review.objects.exists()


def test_the_browser_check_with_an_account_is_passed_with_a_token(paper, fake_upstream, settings):
    # In this process (the session's worker has no account): the same service the task calls.
    settings.OPENREVIEW_USERNAME, settings.OPENREVIEW_PASSWORD = "reader@paperhub.example", OPENREVIEW_PASSWORD
    fake_upstream.challenge_anonymous_openreview()
    forum_import = services.forum_import_request(paper=paper, link="B1CEaMbR-", queue=False).forum_import
    result = services.forum_import_run(forum_import=forum_import)
    assert result.created == 5
    assert all(c.headers.get("Authorization", "").startswith("Bearer ") for c in fake_upstream.calls("openreview-v1"))


def test_429_and_503_are_retried_then_the_forum_arrives(paper, fake_upstream, celery_worker):
    fake_upstream.script("openreview", Fail(429, retry_after=1), Fail(503))
    forum_import = settled(ask(paper, "B1CEaMbR-", UserFactory(is_staff=True)), timeout=60)
    assert forum_import.state == "done", forum_import.error
    assert len(fake_upstream.calls("openreview")) == 3  # two refusals, then v2's 404 for this v1 forum


def test_a_lasting_outage_ends_failed_with_the_reason_and_a_later_check(paper, fake_upstream, celery_worker):
    fake_upstream.always("openreview", Fail(502))
    forum_import = settled(ask(paper, "B1CEaMbR-", UserFactory(is_staff=True)), timeout=60)
    assert forum_import.state == "failed"
    assert "502" in forum_import.error and "Gave up after" in forum_import.error
    assert forum_import.next_check_at is not None
    assert not Review.objects.exists()


def test_garbage_ends_failed_at_once_with_the_reason(paper, fake_upstream, celery_worker):
    fake_upstream.always("openreview", Garbage())
    forum_import = settled(ask(paper, "B1CEaMbR-", UserFactory(is_staff=True)))
    assert forum_import.state == "failed"
    assert "OpenReview" in forum_import.error and "JSON" in forum_import.error
    assert len(fake_upstream.calls("openreview")) == 1  # not retried


def test_an_unknown_forum_ends_failed_saying_neither_api_holds_it(paper, fake_upstream, celery_worker):
    forum_import = settled(ask(paper, "NoSuchForum1", UserFactory(is_staff=True)))
    assert forum_import.state == "failed"
    assert "no forum NoSuchForum1 on API v2 or v1" in forum_import.error


def test_the_command_imports_in_its_own_process(paper, fake_upstream, capsys):
    call_command("import_openreview", paper.doi, "https://openreview.net/forum?id=B1CEaMbR-")
    out = capsys.readouterr().out
    assert "5 new, 0 updated, 0 gone; ICLR 2018" in out and "Published on" in out
    call_command("import_openreview", paper.doi, "B1CEaMbR-")
    assert "0 new, 0 updated, 0 gone" in capsys.readouterr().out
    assert Review.objects.count() == 5


@pytest.mark.parametrize(
    "args, message",
    [
        (["10.48550/arxiv.1801.07648", "https://evil.example/forum?id=B1CEaMbR-"], "Only links to openreview.net"),
        (["10.9999/not.here", "B1CEaMbR-"], "is not on PaperHub"),
        (["not a doi", "B1CEaMbR-"], "DOI"),
    ],
)
def test_the_command_refuses_bad_input_with_a_message(paper, fake_upstream, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_openreview", *args)
    assert not ForumImport.objects.exists()


def test_the_command_says_why_an_import_failed(paper, fake_upstream):
    fake_upstream.challenge_anonymous_openreview()
    with pytest.raises(CommandError, match="OpenReview asks for sign-in"):
        call_command("import_openreview", paper.doi, "B1CEaMbR-")
    assert ForumImport.objects.get().state == "failed"


def test_a_forum_of_more_than_1000_notes_is_read_in_pages_and_stored_whole(fake_upstream, settings):
    # In this process: 1000 full ICLR 2026 reviews are about 3.9 MB a page, over the worker's 2 MB test cap.
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
    paper = PaperFactory(title=ICLR2026_TITLE)
    fake_upstream.serve_openreview_forum("00F7BfXLYJ", long_forum(1203), version=2)
    forum_import = services.forum_import_request(paper=paper, link="00F7BfXLYJ", queue=False).forum_import
    result = services.forum_import_run(forum_import=forum_import)
    assert result.created == 1203
    assert [c.query["offset"] for c in fake_upstream.calls("openreview")] == [["0"], ["1000"]]
    assert Review.objects.filter(paper=paper, status="approved").count() == 1203
    forum_import.refresh_from_db()
    assert (forum_import.notes_listed, forum_import.match) == (1204, "matched")


def test_an_answer_over_the_size_limit_fails_the_import_with_the_reason_and_stores_nothing(
    paper, fake_upstream, settings
):
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 2_000  # the recorded ICLR 2018 listing is about 14 KB
    forum_import = services.forum_import_request(paper=paper, link="B1CEaMbR-", queue=False).forum_import
    with pytest.raises(http.UpstreamBadResponse, match="limit is 2,000|2,000-byte limit"):
        services.forum_import_run(forum_import=forum_import)
    assert not Review.objects.exists()
    assert ForumImport.objects.get(id=forum_import.id).state == "queued"  # the task's give_up records the failure

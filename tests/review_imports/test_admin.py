"""Staff moderate imported forums in the admin: the difference shown, publish, reject, check again."""

import pytest

from review_imports import services
from review_imports.models import ForumImport
from reviews.models import Review
from tests.papers.factories import PaperFactory
from tests.review_imports.recordings import ICLR2018, TITLE_2018
from tests.reviews.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mismatched():
    paper = PaperFactory(title="Graph neural networks for weather")
    asked = services.forum_import_request(paper=paper, link="B1CEaMbR-", user=UserFactory(), queue=False)
    services.forum_import_store(import_id=asked.forum_import.id, raw_notes=ICLR2018, api_version=1)
    return ForumImport.objects.get(id=asked.forum_import.id)


def test_the_change_page_shows_both_titles_and_the_notes(admin_client, mismatched):
    page = admin_client.get(f"/admin/review_imports/forumimport/{mismatched.id}/change/").content.decode()
    assert f"OpenReview&#x27;s title: {TITLE_2018}" in page
    assert "The paper&#x27;s title: Graph neural networks for weather" in page
    assert "SJmstHilM" in page  # the notes inline
    listing = admin_client.get("/admin/review_imports/forumimport/?match__exact=mismatch").content.decode()
    assert "B1CEaMbR-" in listing


def test_publish_confirms_the_forum_and_its_reviews(admin_client, mismatched):
    response = admin_client.post(
        "/admin/review_imports/forumimport/",
        {"action": "approve", "_selected_action": [mismatched.id]},
        follow=True,
    )
    assert response.status_code == 200
    mismatched.refresh_from_db()
    assert (mismatched.status, mismatched.match) == ("approved", "confirmed")
    assert Review.objects.filter(status="approved").count() == 5


def test_check_again_queues_a_fetch_once(admin_client, mismatched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as sent:
        admin_client.post(
            "/admin/review_imports/forumimport/", {"action": "check_again", "_selected_action": [mismatched.id]}
        )
        admin_client.post(
            "/admin/review_imports/forumimport/", {"action": "check_again", "_selected_action": [mismatched.id]}
        )
    assert len(sent) == 1
    assert ForumImport.objects.get(id=mismatched.id).state == "queued"

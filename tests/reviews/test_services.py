import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from paperhub.moderation import ModerationStatus
from reviews import services
from reviews.models import Review
from tests.papers.factories import PaperFactory
from tests.reviews.factories import ReviewFactory, TrustedReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def data(**overrides):
    base = {
        "platform": "openreview",
        "source_url": "https://openreview.net/forum?id=abc",
        "venue": "ICLR 2024",
        "year": 2024,
        "reviewer_name": "Ada Lovelace",
        "is_anonymous": False,
        "body": "## Summary\n\nSolid paper.",
        "rating": "8: accept",
        "confidence": "4",
        "license": "CC-BY-4.0",
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        ("openreview", "https://openreview.net/forum?id=abc"),
        ("iclr", "https://openreview.net/forum?id=abc"),
        ("iclr", "https://iclr.cc/virtual/2024/poster/1"),
        ("neurips", "https://proceedings.neurips.cc/paper/2020/file/x-Review.html"),
        ("icml", "https://openreview.net/forum?id=abc"),
        ("other", "https://www.biorxiv.org/content/10.1101/x"),
    ],
)
def test_links_on_the_platform_domain_are_accepted(platform, url):
    services.review_check_content(data(platform=platform, source_url=url))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"source_url": "https://openreview.net.evil.example/forum"}, "source_url", "reviews live on openreview.net"),
        ({"source_url": "https://evil.example/?u=openreview.net"}, "source_url", "this link is on evil.example"),
        ({"platform": "neurips", "source_url": "https://icml.cc/x"}, "source_url", "NeurIPS reviews live on"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "web address"),
        ({"source_url": "ftp://openreview.net/x"}, "source_url", "web address"),
        ({"body": "   "}, "body", "Paste the text"),
        ({"body": "x" * 60_001}, "body", "60,001 characters long; at most 60,000"),
        ({"reviewer_name": ""}, "reviewer_name", "tick that the original review was anonymous"),
        ({"year": 1800}, "year", "Enter a year between 1990"),
    ],
)
def test_content_rules_name_the_field_and_the_problem(overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.review_check_content(data(**overrides))
    assert message in " ".join(excinfo.value.message_dict[field])


def test_body_of_exactly_the_limit_is_accepted():
    services.review_check_content(data(body="x" * 60_000))


def test_new_account_review_is_pending_and_sanitized():
    review = services.review_create(
        paper=PaperFactory(), author=UserFactory(), data=data(body="<script>x</script> **ok**")
    )
    assert review.status == ModerationStatus.PENDING and review.published_at is None
    assert "<script>" not in review.body_html and "<strong>ok</strong>" in review.body_html
    assert review.revisions.get().status == ModerationStatus.PENDING


def test_trusted_reviewer_publishes_directly():
    profile = TrustedReviewerFactory()
    review = services.review_create(paper=PaperFactory(), author=profile.user, data=data())
    assert review.status == ModerationStatus.APPROVED and review.published_at


def test_anonymous_review_shows_anonymous_reviewer():
    review = services.review_create(paper=PaperFactory(), author=UserFactory(), data=data(is_anonymous=True))
    assert review.reviewer_name == "Anonymous reviewer"


def test_untrusted_edit_of_a_published_review_waits_and_keeps_the_published_version():
    review = ReviewFactory(body="Original text", status=ModerationStatus.APPROVED)
    services.review_update(review=review, editor=review.author, data=data(body="Edited text"))
    review.refresh_from_db()
    assert review.status == ModerationStatus.APPROVED and review.body == "Original text"
    pending = review.revisions.get(status=ModerationStatus.PENDING)
    assert pending.body == "Edited text"
    services.revision_approve(revision=pending, moderator=UserFactory(is_staff=True))
    review.refresh_from_db()
    assert review.body == "Edited text" and "Edited text" in review.body_html


def test_edit_of_a_rejected_review_goes_back_to_pending():
    review = ReviewFactory(status=ModerationStatus.REJECTED, rejection_reason="Not a review")
    services.review_update(review=review, editor=review.author, data=data(body="Now a real review"))
    review.refresh_from_db()
    assert (review.status, review.rejection_reason, review.body) == ("pending", "", "Now a real review")


def test_a_later_edit_replaces_an_earlier_pending_one():
    review = ReviewFactory()
    services.review_update(review=review, editor=review.author, data=data(body="first edit"))
    services.review_update(review=review, editor=review.author, data=data(body="second edit"))
    assert list(review.revisions.values_list("body", "status").order_by("created_at")) == [
        ("first edit", "rejected"),
        ("second edit", "pending"),
    ]


def test_nobody_edits_or_deletes_another_persons_review():
    review = ReviewFactory()
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.review_update(review=review, editor=other, data=data())
    with pytest.raises(PermissionDenied):
        services.review_delete(review=review, user=other)
    assert Review.objects.filter(id=review.id).exists()


def test_reject_needs_a_reason_the_author_sees():
    review = ReviewFactory(status=ModerationStatus.PENDING)
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError):
        services.review_reject(review=review, moderator=staff, reason=" ")
    services.review_reject(review=review, moderator=staff, reason="Please link the original.")
    review.refresh_from_db()
    assert (review.status, review.rejection_reason, review.moderated_by) == (
        "rejected",
        "Please link the original.",
        staff,
    )


def test_linked_orcid_is_shown_on_the_review():
    from allauth.socialaccount.models import SocialAccount

    author = UserFactory()
    SocialAccount.objects.create(user=author, provider="orcid", uid="0000-0002-1825-0097")
    review = services.review_create(paper=PaperFactory(), author=author, data=data())
    assert review.reviewer_orcid == "0000-0002-1825-0097"


def test_the_same_submission_twice_is_one_review():
    paper, author = PaperFactory(), UserFactory()
    first = services.review_submit(paper=paper, author=author, data=data())
    second = services.review_submit(paper=paper, author=author, data=data())
    assert first.created and not second.created and not second.changed
    assert second.review.id == first.review.id
    assert Review.objects.count() == 1 and first.review.revisions.count() == 1


def test_a_resubmission_with_another_spelling_of_the_link_lands_on_the_first():
    paper, author = PaperFactory(), UserFactory()
    first = services.review_create(paper=paper, author=author, data=data())
    again = services.review_create(
        paper=paper, author=author, data=data(source_url=" HTTPS://OpenReview.net/forum?id=abc#reply ")
    )
    assert again.id == first.id and Review.objects.count() == 1
    assert first.source_url == "https://openreview.net/forum?id=abc"


def test_a_resubmission_with_other_text_edits_the_first():
    paper, author = PaperFactory(), UserFactory()
    first = services.review_create(paper=paper, author=author, data=data())
    second = services.review_submit(paper=paper, author=author, data=data(body="Corrected text."))
    assert second.review.id == first.id and second.changed
    first.refresh_from_db()
    assert first.body == "Corrected text." and first.status == ModerationStatus.PENDING
    assert Review.objects.count() == 1 and first.revisions.count() == 2


def test_a_resubmitted_edit_of_a_published_review_waits_once():
    paper, author = PaperFactory(), UserFactory()
    review = ReviewFactory(paper=paper, author=author, source_url="https://openreview.net/forum?id=abc")
    for _ in range(2):
        services.review_submit(paper=paper, author=author, data=data(body="New text."))
    review.refresh_from_db()
    assert review.status == ModerationStatus.APPROVED and review.body != "New text."
    assert review.revisions.filter(status=ModerationStatus.PENDING).count() == 1


def test_other_authors_and_other_links_are_other_reviews():
    paper, author = PaperFactory(), UserFactory()
    services.review_create(paper=paper, author=author, data=data())
    services.review_create(paper=paper, author=UserFactory(), data=data())
    services.review_create(paper=paper, author=author, data=data(source_url="https://openreview.net/forum?id=xyz"))
    assert Review.objects.count() == 3


def test_the_database_refuses_a_second_row_for_one_author_and_source():
    from django.db import IntegrityError, transaction

    review = ReviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(paper=review.paper, author=review.author, source_url=review.source_url)


def test_trojan_source_characters_never_reach_a_stored_review():
    trojan = "Ada \u202eecalevoL\u202c \u2066x\u2069 \u202a\u202b\u202d\u2067\u2068"
    review = services.review_create(
        paper=PaperFactory(), author=UserFactory(), data=data(reviewer_name=trojan, venue="\u202eICLR", body=trojan)
    )
    for value in (review.reviewer_name, review.venue, review.body, review.body_html, review.revisions.get().body):
        assert not set(value) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), value
    assert review.reviewer_name == "Ada ecalevoL x"
    assert review.author.reviewer_profile.display_name == "Ada ecalevoL x"


def test_migration_folds_duplicates_stored_before_the_constraint_into_the_first():
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("reviews.migrations.0002_merge_duplicate_reviews")
    constraint = next(c for c in Review._meta.constraints if c.name == "review_once_per_author_source")
    with connection.schema_editor() as editor:  # rolled back with the test's transaction
        editor.remove_constraint(Review, constraint)
    first = services.review_create(paper=PaperFactory(), author=UserFactory(), data=data())
    twin = ReviewFactory(paper=first.paper, author=first.author, source_url="HTTPS://OpenReview.net/forum?id=abc#x")
    twin.revisions.create(editor=first.author, **{name: getattr(twin, name) for name in Review.CONTENT_FIELDS})
    other = ReviewFactory(paper=first.paper, author=first.author)
    migration.merge_duplicates(apps, None)
    assert set(Review.objects.values_list("id", flat=True)) == {first.id, other.id}
    assert first.revisions.count() == 2, "the twin's text stays in the first's history"

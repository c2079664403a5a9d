from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import migrations


def _normalize(url):
    # A copy of reviews.services.review_source_url_normalize as it was when this migration was written.
    parts = urlsplit((url or "").strip())
    if not parts.scheme or not parts.netloc:
        return (url or "").strip()
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def merge_duplicates(apps, schema_editor):
    """Normalise stored links, then fold each author's repeated submissions of one source into the first:
    the later ones' revisions move onto it, so no text is lost from its history."""
    Review = apps.get_model("reviews", "Review")
    ReviewRevision = apps.get_model("reviews", "ReviewRevision")
    first: dict[tuple, int] = {}
    for review in Review.objects.filter(author__isnull=False).order_by("id").iterator():
        url = _normalize(review.source_url)
        if url != review.source_url:
            Review.objects.filter(pk=review.pk).update(source_url=url)
        key = (review.paper_id, review.author_id, url)
        if key in first:
            ReviewRevision.objects.filter(review_id=review.pk).update(review_id=first[key])
            Review.objects.filter(pk=review.pk).delete()
        else:
            first[key] = review.pk


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(merge_duplicates, migrations.RunPython.noop),
    ]

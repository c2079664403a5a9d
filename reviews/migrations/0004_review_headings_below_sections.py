"""Stored review HTML rendered again, so the headings of reviews saved before sit below the page's (h3 and down)."""

from django.db import migrations
from django.utils import timezone

# Pure (no database, no models), so importing it here stays valid whatever the app becomes.
from reviews.rendering import render_review_markdown

BATCH = 500


def rerender(apps, schema_editor=None, *, batch: int = BATCH) -> None:
    now = timezone.now()
    for model_name in ("Review", "ReviewRevision"):
        model = apps.get_model("reviews", model_name)
        changed = []
        for row in model.objects.filter(body_html__regex=r"<h[1-6]").only("id", "body", "body_html").iterator():
            html = render_review_markdown(row.body)
            if html != row.body_html:
                row.body_html = html
                changed.append(row)
        model.objects.bulk_update(changed, ["body_html"], batch_size=batch)
        if model_name == "Review" and changed:
            # The page caches key on the paper's updated_at: move it so cached pages show the new headings now.
            Paper = apps.get_model("papers", "Paper")
            Paper.objects.filter(reviews__in=[row.id for row in changed]).update(updated_at=now)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_review_once_per_author_source"), ("papers", "0006_title_markup")]

    operations = [migrations.RunPython(rerender, migrations.RunPython.noop, elidable=True)]

from django.db import migrations, models


class Migration(migrations.Migration):
    # Separate from 0002's data changes: PostgreSQL refuses to alter a table with pending trigger events.
    dependencies = [("reviews", "0002_merge_duplicate_reviews")]

    operations = [
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                condition=models.Q(("author__isnull", False)),
                fields=("paper", "author", "source_url"),
                name="review_once_per_author_source",
            ),
        ),
    ]

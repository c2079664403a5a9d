from django.contrib.sitemaps import Sitemap

from .models import Paper


class PaperSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10_000  # the sitemap protocol allows 50,000 URLs a file; Django splits into an index past `limit`

    def items(self):
        return Paper.objects.listed().order_by("id").only("doi", "updated_at")

    def lastmod(self, paper):
        return paper.updated_at

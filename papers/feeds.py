"""Atom feeds of new papers: all, and per topic."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from paperhub.feeds import AtomFeed

from .models import Paper, Topic

FEED_SIZE = 50


class LatestPapersFeed(AtomFeed):
    title = "PaperHub: new papers"
    subtitle = "Papers recently added to PaperHub."

    def link(self):
        return reverse("papers:home")

    def items(self, topic=None):
        papers = Paper.objects.listed()
        if topic is not None:
            papers = papers.filter(paper_topics__topic=topic)
        return papers.order_by("-created_at")[:FEED_SIZE]

    def item_title(self, item):
        return item.title or item.doi

    def item_description(self, item):
        return "\n\n".join(item.abstract_paragraphs[:2]) or item.container_title

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_guid(self, item):
        return item.doi_url


class TopicPapersFeed(LatestPapersFeed):
    def get_object(self, request, openalex_id):
        return get_object_or_404(Topic, openalex_id=openalex_id)

    def title(self, topic):
        return f"PaperHub: new papers on {topic.name}"

    def link(self, topic):
        return reverse("papers:taxon", kwargs={"level": "topics", "openalex_id": topic.openalex_id})

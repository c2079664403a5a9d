"""The one base of PaperHub's Atom feeds."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed


class AtomFeed(Feed):
    """An Atom feed as RFC 4287 wants it: the feed names an author, so that every entry has one (section 4.1.1).

    Feed sets Last-Modified from its newest entry; ConditionalGetMiddleware answers If-Modified-Since and
    If-None-Match from it and from the ETag it adds."""

    feed_type = Atom1Feed
    author_name = "PaperHub"

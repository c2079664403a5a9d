"""Forum links and ids as users paste them; everything else refused with a reason."""

import re

import pytest

from review_imports.openreview_urls import ForumRef, InvalidForumLink, parse_forum

# Ids recorded in papers/fixtures/upstream/openreview/: forums, notes and the count probe's note.
RECORDED_IDS = ["B1CEaMbR-", "HJepJh0qKX", "BkgzMCVtPB", "00F7BfXLYJ", "rhgIgTSSxW", "sH9vCYg_1", "T86jIuSi5A"]


@pytest.mark.parametrize("forum_id", RECORDED_IDS)
def test_a_bare_recorded_id_is_a_forum(forum_id):
    assert parse_forum(forum_id) == ForumRef(forum_id)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://openreview.net/forum?id=B1CEaMbR-", ForumRef("B1CEaMbR-")),
        ("https://openreview.net/forum?id=BkgzMCVtPB&noteId=sH9vCYg_1", ForumRef("BkgzMCVtPB", "sH9vCYg_1")),
        ("https://openreview.net/forum?noteId=sH9vCYg_1&id=BkgzMCVtPB", ForumRef("BkgzMCVtPB", "sH9vCYg_1")),
        ("https://openreview.net/pdf?id=00F7BfXLYJ", ForumRef("00F7BfXLYJ")),
        ("http://openreview.net/forum?id=HJepJh0qKX", ForumRef("HJepJh0qKX")),
        ("https://www.openreview.net/forum?id=HJepJh0qKX", ForumRef("HJepJh0qKX")),
        ("HTTPS://OpenReview.net/forum?id=HJepJh0qKX", ForumRef("HJepJh0qKX")),  # scheme and host ignore case
        ("openreview.net/forum?id=HJepJh0qKX", ForumRef("HJepJh0qKX")),  # no scheme: https assumed
        ("  https://openreview.net/forum?id=B1CEaMbR-\n", ForumRef("B1CEaMbR-")),
        ("https://openreview.net/forum?id=B1CEaMbR-&referrer=%5BAuthor%20Console%5D", ForumRef("B1CEaMbR-")),
        ("https://openreview.net/forum?id=B1CEaMbR-#discussion", ForumRef("B1CEaMbR-")),
    ],
)
def test_accepted_links(text, expected):
    assert parse_forum(text) == expected


def test_the_reference_gives_the_canonical_forum_url():
    assert (
        parse_forum("https://www.openreview.net/pdf?id=00F7BfXLYJ").url == "https://openreview.net/forum?id=00F7BfXLYJ"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://openreview.net.evil.com/forum?id=B1CEaMbR-", "Only links to openreview.net"),
        ("https://evil.com/openreview.net/forum?id=B1CEaMbR-", "Only links to openreview.net"),
        ("https://evilopenreview.net/forum?id=B1CEaMbR-", "Only links to openreview.net"),
        ("https://api.openreview.net/notes?forum=B1CEaMbR-", "Only links to openreview.net"),
        ("https://xn--openreview-xyz.net/forum?id=B1CEaMbR-", "Only links to openreview.net"),
        ("https://xn--penreview-v2g.net/forum?id=B1CEaMbR-", "Only links to openreview.net"),  # punycode look-alike
        ("https://\u043epenreview.net/forum?id=B1CEaMbR-", "Only links to openreview.net"),  # Cyrillic о
        ("https://openreview.net./forum?id=B1CEaMbR-", "Only links to openreview.net"),
        ("https://openreview.net:443/forum?id=B1CEaMbR-", "port"),
        ("https://openreview.net:8080/forum?id=B1CEaMbR-", "port"),
        ("https://openreview.net:/forum?id=B1CEaMbR-", "port"),
        ("https://user:secret@openreview.net/forum?id=B1CEaMbR-", "user name or password"),
        ("https://openreview.net@evil.com/forum?id=B1CEaMbR-", "user name or password"),
        ("ftp://openreview.net/forum?id=B1CEaMbR-", "Only https://"),
        ("javascript:alert(1)//openreview.net/forum?id=B1CEaMbR-", "Only https://"),
        ("file:///etc/passwd", "Only https://"),
        ("https://openreview.net/group?id=ICLR.cc/2018/Conference", "Use the forum link"),
        ("https://openreview.net/forum/extra?id=B1CEaMbR-", "Use the forum link"),
        ("https://openreview.net/forum", "no valid forum id"),
        ("https://openreview.net/forum?id=", "no valid forum id"),
        ("https://openreview.net/forum?id=B1CEaMbR-&id=HJepJh0qKX", "no valid forum id"),
        ("https://openreview.net/forum?id=../../etc", "no valid forum id"),
        ("https://openreview.net/forum?id=B1CEaMbR-&noteId=<script>", "noteId"),
        ("", "Paste an OpenReview forum link"),
        ("   ", "Paste an OpenReview forum link"),
        ("short", "neither an OpenReview forum id nor a link"),
        ("hello world", "neither an OpenReview forum id nor a link"),
        ("B1CEaMbR-B1CEaMbR-B1CEaMbR-", "neither an OpenReview forum id nor a link"),  # too long for an id
        ("10.1145/3448016.3452841", "neither an OpenReview forum id nor a link"),
        ("https://openreview.net/forum?id=" + "a" * 3000, "too long"),
    ],
)
def test_refused_links_say_why(text, reason):
    with pytest.raises(InvalidForumLink, match=re.escape(reason)):
        parse_forum(text)

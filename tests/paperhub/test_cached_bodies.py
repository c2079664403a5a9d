"""Large page bodies: kept once by content in the shared cache, then served from each process's own copy."""

import pytest
from django.core.cache import cache

from fulltext.services import fulltext_import_file
from paperhub import cached_bodies
from papers.demo import FIXTURES

pytestmark = pytest.mark.django_db

ELIFE_09560 = FIXTURES / "jats" / "elife-publisher-jats-digest-10.7554_eLife.09560.xml"  # the largest recorded JATS


@pytest.fixture(autouse=True)
def _no_copies():
    cached_bodies._local.clear()  # each test starts as a fresh web process
    yield
    cached_bodies._local.clear()


def kept_entry():
    [key] = [k for k in cache.keys("paper-response:*")]
    return cache.get(key)


def test_a_long_full_text_page_is_kept_by_reference_and_served_from_the_copy(client, django_assert_num_queries):
    paper = fulltext_import_file(data=ELIFE_09560.read_bytes()).paper
    rendered = client.get(paper.get_absolute_url())
    assert rendered.status_code == 200 and len(rendered.content) > cached_bodies.THRESHOLD
    _, (body, headers) = kept_entry()
    assert isinstance(body, cached_bodies.BodyRef) and body.size == len(rendered.content)
    assert cache.get(f"page-body:{body.digest}") == rendered.content

    with django_assert_num_queries(0):
        from_copy = client.get(paper.get_absolute_url())
    cached_bodies._local.clear()  # another process: the bytes come from the shared cache once
    with django_assert_num_queries(0):
        from_shared = client.get(paper.get_absolute_url())
    assert from_copy.content == from_shared.content == rendered.content
    assert from_copy["ETag"] == from_shared["ETag"] == rendered["ETag"]
    assert cached_bodies._local.get(body.digest) == rendered.content


def test_a_body_gone_from_the_cache_has_the_page_rendered_again(client):
    paper = fulltext_import_file(data=ELIFE_09560.read_bytes()).paper
    rendered = client.get(paper.get_absolute_url())
    _, (body, _) = kept_entry()
    cache.delete(f"page-body:{body.digest}")
    cached_bodies._local.clear()
    again = client.get(paper.get_absolute_url())
    assert again.status_code == 200 and again.content == rendered.content
    assert cache.get(f"page-body:{body.digest}") == rendered.content, "kept again"


def test_a_small_page_keeps_its_body_in_its_entry(client):
    from tests.papers.factories import PaperFactory

    paper = PaperFactory(title="A short page")
    rendered = client.get(paper.get_absolute_url())
    _, (body, _) = kept_entry()
    assert body == rendered.content and len(body) < cached_bodies.THRESHOLD
    assert not cache.keys("page-body:*")


def test_copies_stay_within_their_bound_dropping_the_least_recently_used():
    copies = cached_bodies._Copies(limit=10)
    copies.put("a", b"aaaa")
    copies.put("b", b"bbbb")
    assert copies.get("a") == b"aaaa"  # now the most recently used
    copies.put("c", b"cccc")
    assert (copies.get("a"), copies.get("b"), copies.get("c")) == (b"aaaa", None, b"cccc")
    assert copies.size == 8
    copies.put("huge", b"x" * 11)
    assert copies.get("huge") is None and copies.size == 8

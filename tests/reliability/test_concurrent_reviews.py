"""200 review submissions from 20 users at once: each accepted review stored exactly once, limits applied, no 500.

The 20 users submit side by side, ten reviews each. (Two hundred separate sockets at the same instant would only
measure the test server's listen backlog; gunicorn's is 2048.)
"""

import threading
from collections import Counter

import httpx
import pytest

from reviews.models import Review
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_hundred_concurrent_submissions(live_server, settings):
    settings.REVIEW_RATE_LIMIT_USER = "5/h"
    settings.REVIEW_RATE_LIMIT_IP = "60/h"  # every request comes from 127.0.0.1 here
    PaperFactory(doi="10.5555/busy.paper")
    users = [UserFactory() for _ in range(20)]
    from paperhub.tokens import token_create

    tokens = [token_create(user=user, name="drill")[1] for user in users]
    statuses: list[int] = []
    bodies: list[str] = []
    lock = threading.Lock()

    errors: list[Exception] = []

    def submit_ten(token: str, first: int):
        try:
            with httpx.Client(base_url=live_server.url, timeout=60) as client:
                for n in range(first, first + 10):
                    submit(client, token, n)
        except Exception as exc:  # asserted below: a failing thread must fail the test
            errors.append(exc)

    def submit(client, token: str, n: int):
        body = {
            "platform": "openreview",
            "source_url": f"https://openreview.net/forum?id={token[-6:]}{n}",
            "venue": "ICLR 2024",
            "year": 2024,
            "reviewer_name": "Load Tester",
            "body": f"Review number {n} " * 20,
            "license": "CC-BY-4.0",
            "attest": True,
        }
        with httpx.Client(base_url=live_server.url, timeout=60) as client:
            response = client.post(
                "/api/v1/papers/10.5555/busy.paper/reviews/", json=body, headers={"Authorization": f"Bearer {token}"}
            )
        with lock:
            statuses.append(response.status_code)
            bodies.append(response.text)

    threads = [threading.Thread(target=submit_ten, args=(tokens[i], i * 10)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    counts = Counter(statuses)
    assert errors == []
    assert len(statuses) == 200
    assert set(counts) <= {201, 429}, counts
    assert counts[201] == Review.objects.count(), "every accepted review is stored, and only those"
    assert counts[201] <= 60, "the per-IP limit holds across concurrent requests"
    per_user = Counter(Review.objects.values_list("author_id", flat=True))
    assert max(per_user.values()) <= 5, "the per-user limit holds"
    assert Review.objects.values("body").distinct().count() == counts[201], "no review stored twice"


def test_a_double_click_racing_itself_stores_one_review(live_server, settings):
    """Eight copies of one submission at once, as a double click or a retrying client sends them."""
    PaperFactory(doi="10.5555/double.click")
    from paperhub.tokens import token_create

    token = token_create(user=UserFactory(), name="drill")[1]
    body = {
        "platform": "openreview",
        "source_url": "https://openreview.net/forum?id=twice",
        "venue": "ICLR 2024",
        "year": 2024,
        "reviewer_name": "Quick Fingers",
        "body": "The same review, sent again before the first answer came back.",
        "license": "CC-BY-4.0",
        "attest": True,
    }
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    errors: list[Exception] = []

    def submit():
        try:
            with httpx.Client(base_url=live_server.url, timeout=60) as client:
                barrier.wait()
                response = client.post(
                    "/api/v1/papers/10.5555/double.click/reviews/",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                )
            statuses.append(response.status_code)
        except Exception as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(statuses) == [200] * 7 + [201], statuses
    assert Review.objects.count() == 1

"""PostgreSQL drops the connection under a request: a 503 page with a retry hint, then recovery by itself.

Runs against the live server (Django's real WSGI handler and request signals). The request is held on a table
lock, its database backend is terminated while it waits, and the lock is released: the query fails mid-request.
"""

import threading
import time

import httpx
import psycopg
import pytest
from django.core.cache import cache
from django.db import connection

from tests.papers.factories import PaperFactory

pytestmark = pytest.mark.django_db(transaction=True)


def admin_connection():
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"])


@pytest.mark.parametrize(("path", "kind"), [("/doi/10.5555/drop.test", "html"), ("/api/v1/papers/", "json")])
def test_connection_dropped_under_a_request_gives_503_then_recovers(live_server, path, kind):
    PaperFactory(doi="10.5555/drop.test")
    with httpx.Client(base_url=live_server.url, timeout=20) as client:
        assert client.get(path).status_code == 200
        cache.clear()  # a cached page needs no database at all; this request must reach it
        responses = []
        with admin_connection() as admin:
            admin.execute("LOCK TABLE papers_paper IN ACCESS EXCLUSIVE MODE")  # held until the block ends
            request = threading.Thread(target=lambda: responses.append(client.get(path)))
            request.start()
            deadline = time.monotonic() + 10
            waiting = []
            while not waiting and time.monotonic() < deadline:
                waiting = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).fetchall()
                time.sleep(0.05)
            assert waiting, "the request never reached the database"
            for (pid,) in waiting:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            admin.rollback()
        request.join(timeout=20)
        [response] = responses
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "Traceback" not in response.text
        if kind == "json":
            assert response.json()["error"]["code"] == "database_unavailable"
        else:
            assert "reload this page in a few seconds" in response.text
        assert client.get(path).status_code == 200, "the next request reconnects by itself"

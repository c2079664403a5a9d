import os

import pytest
from django.conf import settings

from tests.fake_upstream.server import FakeUpstream
from tests.workers import Worker

# Fast retries and short timeouts for the background work the tests run; production defaults are slower.
WORKER_SETTINGS = {
    "PAPERHUB_RETRY_BASE_SECONDS": "0.2",
    "PAPERHUB_RETRY_MAX_SECONDS": "1",
    "PAPERHUB_IMPORT_MAX_RETRIES": "3",
    "UPSTREAM_TIMEOUT_SECONDS": "2",
    "UPSTREAM_MAX_RESPONSE_BYTES": str(2 * 1024 * 1024),
    "CELERY_BROKER_VISIBILITY_TIMEOUT": "5",
    "ENRICHMENT_BATCH_WAIT_SECONDS": "0.3",
    "REFERENCES_LOOKUP_WAIT_SECONDS": "1",
    "ENTITIES_BATCH_WAIT_SECONDS": "0.3",
    # The fake upstream's limits, not Crossref's (5/s and one at a time without a contact address): it advertises
    # 50/s and allows any number at once.
    "CROSSREF_RATE_LIMIT": "50",
    "CROSSREF_CONCURRENCY": "8",
}


def pytest_configure(config):
    # The suite is about PostgreSQL behaviour (constraints, query counts): refuse to run elsewhere. Search also
    # runs on SQLite (`make run`), so the tests marked both_databases may run there, alone (`make test` does).
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine or ("sqlite" in engine and config.option.markexpr == "both_databases"):
        return
    raise pytest.UsageError(
        f"The tests run against PostgreSQL, not {engine}: set DATABASE_URL or use `make test`. "
        "Only the search tests run on SQLite too: `-m both_databases`, as `make test` runs them."
    )


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The hashed-manifest storage needs `collectstatic` first; that is a deployment step, checked on its own.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects stored passwords, not test accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _short_batch_waits(settings):
    # Batches a test's commits schedule (enrichments, cited DOIs, annotations) run within a fraction of a second,
    # not seconds later in another test, where a worker touching the tables deadlocks with the flush between tests.
    settings.ENRICHMENT_BATCH_WAIT_SECONDS = float(WORKER_SETTINGS["ENRICHMENT_BATCH_WAIT_SECONDS"])
    settings.REFERENCES_LOOKUP_WAIT_SECONDS = int(WORKER_SETTINGS["REFERENCES_LOOKUP_WAIT_SECONDS"])
    settings.ENTITIES_BATCH_WAIT_SECONDS = float(WORKER_SETTINGS["ENTITIES_BATCH_WAIT_SECONDS"])


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the (Redis) cache: every test starts with none, whatever ran before.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def fake_upstream_server():
    server = FakeUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def fake_upstream(fake_upstream_server, settings):
    """The fake upstream, reset, with this process's settings pointing at it."""
    fake_upstream_server.reset()
    for name, value in fake_upstream_server.env().items():
        setattr(settings, name, value)
    settings.UPSTREAM_TIMEOUT_SECONDS = float(WORKER_SETTINGS["UPSTREAM_TIMEOUT_SECONDS"])
    settings.UPSTREAM_MAX_RESPONSE_BYTES = int(WORKER_SETTINGS["UPSTREAM_MAX_RESPONSE_BYTES"])
    settings.UPSTREAM_RATE_LIMITS = {name: 1000.0 for name in settings.UPSTREAM_RATE_LIMITS}
    yield fake_upstream_server
    fake_upstream_server.reset()


def broker_url() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        pytest.fail(f"Worker tests need the Redis broker (CELERY_BROKER_URL=redis://...), not {url}: use `make test`.")
    return url


def worker_env(fake: FakeUpstream) -> dict[str, str]:
    from django.db import connection

    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **fake.env(),
        **WORKER_SETTINGS,
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url(),
        "CACHE_URL": os.environ.get("CACHE_URL", ""),
        "SECRET_KEY": "worker-test-key",
        "DEBUG": "false",
    }


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, fake_upstream_server):
    """A real Celery worker process on the Redis broker, against the test database and the fake upstream."""
    import redis

    with django_db_blocker.unblock():
        env = worker_env(fake_upstream_server)
    redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()  # no leftovers from an earlier run
    worker = Worker(env).start()
    yield worker
    worker.stop()


@pytest.fixture
def start_worker(django_db_setup, fake_upstream_server):
    """Start extra workers a test may kill; all are stopped at the end of the test."""
    started = []

    def start(concurrency: int = 2, **extra_env):
        worker = Worker({**worker_env(fake_upstream_server), **extra_env}, concurrency=concurrency).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()

import os
import time

import pytest
from django.conf import settings

from tests.fake_upstream.server import FakeUpstream
from tests.workers import Worker, broker_idle, empty_broker

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


_WORKER_LOG_AT = pytest.StashKey[tuple]()
_session_worker: list = []  # the celery_worker fixture's, once started
_restarted_after: list[str] = []  # tests whose background work outlasted SETTLE_SECONDS
# How long a test's own leftovers (a batch due in a moment, a retry) may run on after it before the worker is
# restarted instead.
SETTLE_SECONDS = 5


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, fake_upstream_server):
    """A real Celery worker process on the Redis broker, against the test database and the fake upstream."""
    with django_db_blocker.unblock():
        env = worker_env(fake_upstream_server)
    empty_broker(env["CELERY_BROKER_URL"])  # no leftovers from an earlier run
    worker = Worker(env).start()
    _session_worker.append(worker)
    yield worker
    _session_worker.clear()
    worker.stop()


@pytest.fixture(autouse=True)
def _worker_between_tests(request):
    """Keep one test's background work out of the next. The session's worker runs whatever reaches the broker: a
    test's late batches and retries, the tasks a transactional test's commits send, messages a killed worker
    left unacknowledged. Running into the next test, such a task finds the wrong rows or deadlocks with the
    flush between tests. So after a test that used a worker, or committed while one runs, the broker must go
    idle (before the database is flushed) or the worker is restarted on an empty broker."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and any(marker.kwargs.get(k) for k in ("transaction", "serialized_rollback"))
    uses_worker = {"celery_worker", "start_worker"} & set(request.fixturenames)
    if marker is not None and (uses_worker or transactional):
        request.getfixturevalue("_django_db_helper")  # set up first, so torn down (flushed) after the settling
    if "celery_worker" in request.fixturenames:
        worker = request.getfixturevalue("celery_worker")
        request.node.stash[_WORKER_LOG_AT] = (worker, worker.log.stat().st_size)
    yield
    if _session_worker and (uses_worker or transactional):
        _settle(_session_worker[0], request.node.nodeid)


def _settle(worker, test: str, seconds: float = SETTLE_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not broker_idle(worker.env["CELERY_BROKER_URL"]):
        if time.monotonic() > deadline:
            _restarted_after.append(test)
            worker.restart()
            return
        time.sleep(0.05)


def pytest_terminal_summary(terminalreporter):
    if _restarted_after:
        terminalreporter.write_line(
            f"The Celery worker was restarted after {len(_restarted_after)} test(s) whose background work was still "
            f"running {SETTLE_SECONDS} s later: " + ", ".join(_restarted_after)
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and _WORKER_LOG_AT in item.stash:
        worker, start = item.stash[_WORKER_LOG_AT]
        with worker.log.open("rb") as log:
            log.seek(start)
            text = log.read().decode(errors="replace")
        report.sections.append(("worker log during this test (last 12,000 characters)", text[-12000:]))
    return report


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

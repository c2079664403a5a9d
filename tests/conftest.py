import pytest
from django.conf import settings


def pytest_configure(config):
    # The suite is about PostgreSQL behaviour (constraints, query counts): refuse to run elsewhere.
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(f"The tests run against PostgreSQL, not {engine}: set DATABASE_URL or use `make test`.")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The hashed-manifest storage needs `collectstatic` first; that is a deployment step, checked on its own.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

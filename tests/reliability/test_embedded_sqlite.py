"""`make run`'s embedded site as a newcomer meets it: SQLite on file, the file-system broker, var/local.env.

Each test works in a copy of the checkout in a temporary folder, so that its var/ (the database, the queue, the
local configuration) is the copy's own, as in a fresh clone. Commands then run with no PaperHub variable at all,
as from a second terminal, and the worker runs as `make run` starts it (one process, two threads), told only
where the configuration file is.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import WORKER_SETTINGS
from tests.fake_upstream.server import FIXTURES
from tests.workers import Worker, wait_until

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "var", "__pycache__", ".*_cache", "staticfiles")


class LocalInstall:
    """A checkout in `folder` whose var/local.env `make run` has written, pointed at the fake upstream."""

    def __init__(self, folder: Path, fake):
        self.root = folder / "checkout"
        shutil.copytree(ROOT, self.root, ignore=NOT_COPIED)
        self.python(["-m", "paperhub.local_env"], check=True)
        self.env_file = self.root / "var" / "local.env"
        # As a user pointing a local site at the fake upstream would: its settings appended to the file.
        with self.env_file.open("a") as handle:
            handle.writelines(f"{name}={value}\n" for name, value in {**fake.env(), **WORKER_SETTINGS}.items())
        self.database = self.root / "var" / "paperhub.sqlite3"

    def python(self, args, *, input=None, check=False, env=None, timeout=300):
        """Run the venv's Python in the checkout with a terminal's environment: no PaperHub variable."""
        clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"), **(env or {})}
        result = subprocess.run(
            [sys.executable, *args],
            cwd=self.root,
            env=clean,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check:
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    def manage(self, *args, **kwargs):
        return self.python(["manage.py", *args], **kwargs)

    def worker(self, pool: str = "threads", **extra_env) -> Worker:
        """The worker as `make run` starts it (threads), or as `celery -A paperhub worker` does (prefork)."""
        env = {"PAPERHUB_ENV_FILE": str(self.env_file), "HOME": os.environ.get("HOME", "/root"), **extra_env}
        return Worker(env, concurrency=2, pool=pool, cwd=self.root, inherit=False)

    def states(self) -> dict[str, tuple[str, str]]:
        with sqlite3.connect(self.database) as db:
            return {
                doi: (state, error)
                for doi, state, error in db.execute("SELECT doi, fetch_state, fetch_error FROM papers_paper")
            }


def recorded_dois() -> list[str]:
    """Every DOI the fake upstream has a Crossref or DataCite recording of."""
    crossref = [json.loads(p.read_text())["message"]["DOI"] for p in sorted((FIXTURES / "crossref").glob("*.json"))]
    datacite = [
        json.loads(p.read_text())["data"]["attributes"]["doi"] for p in sorted((FIXTURES / "datacite").glob("*.json"))
    ]
    return crossref + datacite


@pytest.fixture
def local_install(tmp_path, fake_upstream_server):
    fake_upstream_server.reset()
    install = LocalInstall(tmp_path, fake_upstream_server)
    install.manage("migrate", "--noinput", check=True)
    yield install
    fake_upstream_server.reset()


@pytest.mark.parametrize("pool", ["threads", "prefork"])
def test_concurrent_imports_on_sqlite_all_end_ready_and_every_terminal_reaches_the_same_database(
    local_install, fake_upstream_server, pool
):
    fake_upstream_server.serve_template("10.5555/local.")  # more DOIs, each answered with a real recording
    dois = recorded_dois() + [f"10.5555/local.{n}" for n in range(1, 16)]
    assert len(dois) >= 20
    worker = local_install.worker(pool).start()
    try:
        # A second terminal: no PaperHub variable, only the checkout's var/local.env to go by.
        result = local_install.manage(
            "import_dois", "-", "--wait", "--timeout", "240", "--stall-timeout", "60", input="\n".join(dois)
        )
    finally:
        worker.stop()
    log = worker.output()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:] + log[-3000:]
    assert f"{len(dois)} queued, 0 already present, 0 invalid" in result.stdout
    assert f"{len(dois)} ready, 0 failed, 0 unfinished" in result.stdout
    assert "database is locked" not in log
    # The rows are in the database file the site serves, and none is left pending or fetching.
    states = local_install.states()
    assert sorted(states) == sorted(d.lower() for d in dois)
    assert {state for state, _ in states.values()} == {"ready"}

    admin = local_install.manage(
        "createsuperuser",
        "--noinput",
        "--username",
        "moderator",
        "--email",
        "moderator@example.org",
        env={"DJANGO_SUPERUSER_PASSWORD": "a-long-local-password-1"},
    )
    assert admin.returncode == 0, admin.stderr
    with sqlite3.connect(local_install.database) as db:
        assert db.execute("SELECT username FROM auth_user WHERE is_superuser").fetchall() == [("moderator",)]


def test_a_database_held_locked_makes_imports_retry_then_finish(local_install, fake_upstream_server):
    """Another process holds SQLite's write lock longer than the worker's busy timeout: the tasks that hit it
    are retried like an unavailable upstream, and every paper still ends ready."""
    dois = recorded_dois()[:5]
    queued = local_install.manage("import_dois", "-", input="\n".join(dois))
    assert "5 queued" in queued.stdout, queued.stdout + queued.stderr
    holder = sqlite3.connect(local_install.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as a long write transaction elsewhere would hold it
    worker = local_install.worker(SQLITE_BUSY_TIMEOUT_SECONDS="1", PAPERHUB_IMPORT_MAX_RETRIES="8").start()
    try:
        wait_until(lambda: "database error, will retry" in worker.output(), 30, "a task to find the database locked")
        holder.execute("ROLLBACK")
        holder.close()
        wait_until(
            lambda: {state for state, _ in local_install.states().values()} == {"ready"},
            90,
            "every paper to be ready",
        )
    finally:
        worker.stop()
    assert "database is locked" in worker.output()
    assert all(error == "" for _, error in local_install.states().values())


def test_local_configuration_is_written_once_and_read_only_where_pointed_at(local_install):
    text = local_install.env_file.read_text()
    assert "DEBUG=true" in text and f"DATABASE_URL=sqlite:///{local_install.database}" in text
    assert oct(local_install.env_file.stat().st_mode & 0o777) == "0o600"
    secret = next(line for line in text.splitlines() if line.startswith("SECRET_KEY="))
    assert len(secret) > 60
    local_install.python(["-m", "paperhub.local_env"], check=True)
    assert local_install.env_file.read_text() == text, "an existing file is never rewritten"

    show = "from django.conf import settings as s; print(s.DEBUG, s.DATABASES['default']['NAME'], s.SECRET_KEY)"
    # manage.py finds the checkout's file by itself ...
    out = local_install.manage("shell", "--no-imports", "-c", show, check=True).stdout.split()
    assert out == ["True", str(local_install.database), secret.split("=", 1)[1]]
    # ... the environment still wins over it ...
    out = local_install.manage(
        "shell", "--no-imports", "-c", show, env={"DEBUG": "false", "SECRET_KEY": "from-env"}, check=True
    )
    assert out.stdout.split()[0::2] == ["False", "from-env"]
    # ... PAPERHUB_ENV_FILE set empty turns it off, and a production process (gunicorn and celery import the
    # settings directly, never through manage.py) reads no file it was not pointed at.
    off = local_install.manage("check", env={"PAPERHUB_ENV_FILE": ""})
    assert off.returncode != 0 and "Set SECRET_KEY" in off.stderr
    wsgi = local_install.python(["-c", "import paperhub.wsgi"])
    assert wsgi.returncode != 0 and "Set SECRET_KEY" in wsgi.stderr
    missing = local_install.manage("check", env={"PAPERHUB_ENV_FILE": "/nonexistent/local.env"})
    assert "PAPERHUB_ENV_FILE names /nonexistent/local.env, which is not a file." in missing.stderr


def test_make_run_starts_a_worker_and_beat_beside_the_site():
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "paperhub.local_env" in plan
    assert "celery -A paperhub worker" in plan and "--pool=threads" in plan
    assert "celery -A paperhub beat" in plan
    assert "manage.py runserver" in plan

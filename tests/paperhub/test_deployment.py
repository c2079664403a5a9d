"""The deployment description and production settings, checked without a Docker engine."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.manage import last_lines, run_manage

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_docker_compose_config_validates():
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is missing: .ci/run installs Debian's docker-compose package")
        pytest.skip("docker-compose is not installed here (`apt-get install docker-compose`); CI runs this check")
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, "SECRET_KEY": "compose-check"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_has_every_service_with_healthchecks_and_named_volumes(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], f"{name} has no healthcheck"
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "paperhub", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "paperhub", "beat"]
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media"}
    assert services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    # Figure images: the worker writes them, the web serves them, so both mount the one volume at MEDIA_ROOT.
    media_root = compose["x-app"]["environment"]["MEDIA_ROOT"]
    for name in ("web", "worker"):
        assert services[name]["volumes"] == [f"media:{media_root}"]


def _manage(*args, **env):
    return run_manage(*args, env=env, drop=("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"))


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="paperhub.example",
        SECURE_SSL_REDIRECT="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_celery_is_configured_not_to_lose_tasks():
    from paperhub.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.main == "paperhub"


def test_orcid_sign_in_is_offered_only_when_configured():
    script = "from django.conf import settings; print('orcid' in ' '.join(settings.INSTALLED_APPS))"
    base = {"SECRET_KEY": "x", "DEBUG": "false"}
    without = run_manage("shell", "-c", script, env=base)
    with_orcid = run_manage("shell", "-c", script, env={**base, "ORCID_CLIENT_ID": "APP-1", "ORCID_CLIENT_SECRET": "s"})
    assert (last_lines(without, 1), last_lines(with_orcid, 1)) == (["False"], ["True"]), without.stderr


def test_make_run_configuration_works_on_sqlite(tmp_path):
    """`make run`'s defaults: SQLite and the file broker under var/. Migrate, load the demo, browse and search."""
    env = {"DEBUG": "true", "PAPERHUB_VAR_DIR": str(tmp_path), "SECRET_KEY": "x"}

    def manage(*args):
        result = run_manage(*args, env=env, drop=("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"))
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--noinput")
    assert "11 added" in manage("load_demo")
    script = (
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='127.0.0.1')\n"
        "for path in ['/', '/search?q=proliferation', '/search?q=Sankar', '/topics/', '/topics/T11478',\n"
        "             '/doi/10.7554/elife.01567', '/api/v1/papers/?q=histology', '/feeds/papers.atom']:\n"
        "    r = c.get(path)\n"
        "    print(path, r.status_code, b'hypocotyl' in r.content or b'Vector Quotient' in r.content)\n"
    )
    out = manage("shell", "-c", script)
    lines = [line for line in out.splitlines() if line.startswith("/")]
    assert len(lines) == 8 and all(" 200 " in line for line in lines), out
    assert all(line.endswith("True") for line in lines if "search" in line or "topics/T" in line), out
    assert (tmp_path / "paperhub.sqlite3").exists()

"""The local configuration file `make run` writes (paperhub/local_env.py), without a database."""

from dotenv import dotenv_values

from paperhub.local_env import write_local_env


def test_writes_a_complete_private_file_with_a_generated_secret(tmp_path):
    first, second = tmp_path / "a" / "local.env", tmp_path / "b" / "local.env"
    assert write_local_env(first) and write_local_env(second)
    values = dotenv_values(first)
    assert values["DEBUG"] == "true"
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'a' / 'paperhub.sqlite3'}"
    assert values["CELERY_BROKER_URL"] == "filesystem://" and values["PAPERHUB_VAR_DIR"] == str(tmp_path / "a")
    assert len(values["SECRET_KEY"]) >= 50 and values["SECRET_KEY"] != dotenv_values(second)["SECRET_KEY"]
    assert first.stat().st_mode & 0o777 == 0o600


def test_an_existing_file_keeps_every_line_and_gets_only_what_it_lacks(tmp_path):
    path = tmp_path / "local.env"
    # What `python -m tests.fake_upstream >> var/local.env` leaves before the first `make run`, no final newline.
    path.write_text("CROSSREF_API_URL=http://127.0.0.1:8765/crossref\nDEBUG=false")
    assert write_local_env(path)
    values = dotenv_values(path)
    assert values["CROSSREF_API_URL"] == "http://127.0.0.1:8765/crossref" and values["DEBUG"] == "false"
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "PAPERHUB_VAR_DIR"} <= set(values)
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    assert write_local_env(path) is False and path.read_text() == text, "a complete file is never rewritten"

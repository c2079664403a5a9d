"""The configuration file of a local install: written once by `make run`, read by every process of the checkout.

    python -m paperhub.local_env [PATH]     (PATH defaults to var/local.env)

It names what the running site uses (DEBUG, a generated SECRET_KEY, the SQLite database and the file-system
broker under var/), so that any `manage.py` command from any terminal reaches the same database and queue.
An existing line is never rewritten: its secret signs the sessions already handed out, and the user may have
edited it. Production reads no such file unless PAPERHUB_ENV_FILE names one.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from dotenv import dotenv_values

DEFAULT_VAR_DIR = Path(__file__).resolve().parent.parent / "var"
FILE_NAME = "local.env"


def default_path() -> Path:
    return Path(os.environ.get("PAPERHUB_VAR_DIR") or DEFAULT_VAR_DIR) / FILE_NAME


def point_at_local_file() -> None:
    """Have settings read the checkout's local file when there is one (manage.py calls this first).

    PAPERHUB_ENV_FILE set in the environment wins, and set empty it turns the file off.
    """
    path = default_path()
    if "PAPERHUB_ENV_FILE" not in os.environ and path.is_file():
        os.environ["PAPERHUB_ENV_FILE"] = str(path)


def write_local_env(path: Path) -> bool:
    """Write the file, or add to it the settings it lacks (a file made by `>> var/local.env` before the first
    `make run`); lines already there are never changed. True when something was written."""
    path = path.resolve()
    var_dir = path.parent
    wanted = {
        "DEBUG": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PAPERHUB_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'paperhub.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
    }
    present = dotenv_values(path) if path.exists() else {}
    missing = {name: value for name, value in wanted.items() if name not in present}
    if not missing:
        return False
    var_dir.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    lead = HEADER if not existing else ("" if existing.endswith("\n") else "\n")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(lead + "".join(f"{name}={value}\n" for name, value in missing.items()))
    path.chmod(0o600)  # readable by its owner only: it holds the secret key
    return True


HEADER = (
    "# PaperHub's local configuration, written by `make run`. Every manage.py command of this checkout reads it,\n"
    "# and so do the worker and beat `make run` starts; a variable set in the environment wins over this file.\n"
    "# Production reads no such file: it sets its variables in the environment (README, Configuration).\n"
)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default_path()
    if write_local_env(target):
        print(f"Wrote the local configuration {target}")

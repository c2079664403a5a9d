"""Run `manage.py` in a separate process, with the environment a test chooses (production switches, SQLite …)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_manage(
    *args: str, env: dict[str, str], drop: tuple[str, ...] = (), timeout: int = 300, input: str | None = None
):
    """Returns the CompletedProcess; `drop` removes variables of this process's environment first.

    The checkout's own local configuration (var/local.env, if `make run` wrote one) is never read unless the
    test names a file in PAPERHUB_ENV_FILE: what the test chooses is all the process gets.
    """
    base = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "PAPERHUB_ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
    )


def last_lines(result, count: int) -> list[str]:
    return result.stdout.strip().splitlines()[-count:]

"""What the benchmarks share: each uses a database of its own, created here when missing."""

from __future__ import annotations


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database `url` names, if it is not there (migrations are the benchmark's to run)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')

"""Alembic environment: the shared async runner (URL from the config or MEDFUND_DATABASE_URL)."""

from medfund_shared.alembic_env import run_migrations

run_migrations()

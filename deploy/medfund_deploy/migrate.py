"""``python -m medfund_deploy.migrate SERVER_URL``: bring the four service databases to the latest schema.

For Docker Compose, where no launcher runs: ``SERVER_URL`` is the server without a database name,
e.g. ``postgresql+asyncpg://medfund@postgres:5432``.
"""

from __future__ import annotations

import sys

from medfund_deploy.postgres import migrate
from medfund_deploy.profiles import SERVICES


def main(server_url: str) -> None:
    for service in SERVICES:
        migrate(f"medfund_{service}", f"{server_url.rstrip('/')}/medfund_{service}")
        print(f"migrated medfund_{service}")


if __name__ == "__main__":
    main(sys.argv[1])

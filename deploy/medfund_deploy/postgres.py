"""A real PostgreSQL server per profile: its own data folder (initdb), its own port, trust auth on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from medfund_deploy.errors import StackError
from medfund_deploy.procs import port_open, tail
from medfund_deploy.profiles import POSTGRES_SOCKETS, SERVICES, Profile
from medfund_shared.db import ensure_database
from medfund_shared.db import migrate as alembic_upgrade

SUPERUSER = "medfund"
SERVER_SETTINGS = """
# medfund local stack
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 128MB
"""
START_SETTINGS = {"default_toast_compression": "lz4"}
"""Given to every start, so an existing cluster follows them too. lz4 compresses the stored JSON (a settlement's
trace, its answer, the outbox) at a fraction of pglz's CPU, which was about a twentieth of a settlement's."""


def bin_dir() -> Path:
    """Debian keeps the server binaries off PATH, in /usr/lib/postgresql/<version>/bin."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise StackError("PostgreSQL server binaries (initdb, pg_ctl) not found; run `make setup`")


def _paths(profile: Profile) -> tuple[Path, Path, Path]:
    """(base folder owned by the server's user, data folder, log file)."""
    base = profile.state_dir / "postgres"
    return base, base / "data", profile.logs_dir / "postgres.log"


def _as_server_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the ``postgres`` system user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(_as_server_user(argv), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StackError(f"{what} failed:\n{result.stdout}{result.stderr}")
    return result


def _prepare_folders(profile: Profile) -> None:
    base, _, log_file = _paths(profile)
    for folder in (base, POSTGRES_SOCKETS, log_file.parent):
        folder.mkdir(parents=True, exist_ok=True)
    log_file.touch()
    if os.geteuid() == 0:
        for owned in (base, POSTGRES_SOCKETS, log_file):
            shutil.chown(owned, "postgres", "postgres")


def _init_cluster(profile: Profile) -> None:
    base, data, _ = _paths(profile)
    if (data / "PG_VERSION").exists():
        return
    _run(
        [str(bin_dir() / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
         "--locale=C.UTF-8", "--no-instructions"],
        f"initdb in {data}",
    )
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(SERVER_SETTINGS)


def running(profile: Profile) -> bool:
    _, data, _ = _paths(profile)
    if not (data / "PG_VERSION").exists():
        return False
    status = subprocess.run(
        _as_server_user([str(bin_dir() / "pg_ctl"), "status", "-D", str(data)]), capture_output=True, check=False
    )
    return status.returncode == 0


def postmaster_pid(profile: Profile) -> int | None:
    """The running server's pid, from its ``postmaster.pid``; None when it is not running."""
    _, data, _ = _paths(profile)
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def start_postgres(profile: Profile) -> bool:
    """Initialise on first use and start the server unless ours runs already. True if started."""
    if running(profile):
        return False
    if port_open(profile.postgres_port):
        raise StackError(
            f"port {profile.postgres_port} is taken by a process this launcher did not start; stop it or free the port"
        )
    _prepare_folders(profile)
    _init_cluster(profile)
    _, data, log_file = _paths(profile)
    options = f"-p {profile.postgres_port} -k {shlex.quote(str(POSTGRES_SOCKETS))} {_start_settings()}"
    result = subprocess.run(
        _as_server_user([str(bin_dir() / "pg_ctl"), "start", "-D", str(data), "-l", str(log_file), "-w", "-t", "60",
                         "-o", options]),
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise StackError(f"PostgreSQL did not start; log {log_file}:\n{tail(log_file)}")
    return True


def _start_settings() -> str:
    return " ".join(f"-c {name}={shlex.quote(value)}" for name, value in START_SETTINGS.items())


def stop_postgres(profile: Profile) -> bool:
    """``pg_ctl stop -m fast``: rolls back open transactions, no recovery needed next start."""
    if not running(profile):
        return False
    _, data, log_file = _paths(profile)
    _run([str(bin_dir() / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w", "-t", "60"],
         f"stopping PostgreSQL (log {log_file})")
    return True


def restart_postgres(profile: Profile) -> None:
    """Stop and start the server keeping its data: a database outage as the services see it."""
    stop_postgres(profile)
    start_postgres(profile)


def admin_url(profile: Profile) -> str:
    return profile.database_url("postgres")


def create_databases(profile: Profile, names: list[str] | None = None) -> list[str]:
    """Create the service databases (default: the four of the product) when missing."""
    names = names or [f"medfund_{service}" for service in SERVICES]

    async def create_all() -> None:
        for name in names:
            await ensure_database(admin_url(profile), name)

    asyncio.run(create_all())
    return names


def migrate(package: str, database_url: str) -> None:
    """Bring one service database to the latest schema with that service's Alembic migrations."""
    try:
        alembic_upgrade(package, database_url)
    except Exception as error:
        raise StackError(f"migrating {package} at {database_url} failed: {error}") from error

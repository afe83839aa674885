"""Production mode refuses to start with the published development secret (or a short one).

Each service is started for real under uvicorn with ``MEDFUND_ENV=production``; it must exit on its
own, non-zero, naming ``MEDFUND_JWT_SECRET``, before it binds its port or touches a database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from medfund_deploy.instances import free_port
from medfund_shared.settings import DEV_JWT_SECRET

UVICORN = Path(sys.executable).with_name("uvicorn")
PACKAGES = ("medfund_enrollment", "medfund_billing", "medfund_adjudication", "medfund_ledger")
EXIT_TIMEOUT = 60


@pytest.mark.parametrize("secret", [None, DEV_JWT_SECRET, "short-secret"], ids=["default", "dev-secret", "short"])
@pytest.mark.parametrize("package", PACKAGES)
def test_production_refuses_to_start(package: str, secret: str | None) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MEDFUND_")}
    env.update(MEDFUND_ENV="production", MEDFUND_DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:9/none")
    if secret is not None:
        env["MEDFUND_JWT_SECRET"] = secret
    result = subprocess.run(
        [str(UVICORN), f"{package}.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(free_port())],
        env=env, capture_output=True, text=True, timeout=EXIT_TIMEOUT, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "MEDFUND_JWT_SECRET" in output, output[-2000:]
    assert "Application startup complete" not in output

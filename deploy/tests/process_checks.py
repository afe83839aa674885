"""What the launcher's and the process control's tests ask of a process by its pid (one copy for both)."""

import time
from pathlib import Path


def ends_soon(pid: int) -> bool:
    """Exited within a few seconds: a killed process may take a moment to die, and a zombie is about to be reaped
    by init."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False

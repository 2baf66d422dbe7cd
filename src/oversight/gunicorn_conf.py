"""gunicorn settings for `oversight serve`: while the site is up, overdue SOAG actions are
escalated to the board without anyone having to remember a cron job.

The master process runs `oversight support escalate-overdue` (idempotent) as a subprocess at
start-up and then every ``ESCALATION_INTERVAL_SECONDS``: a subprocess, so the master never holds
a database connection that forked workers would inherit. Set ``OVERSIGHT_ESCALATE=0`` to leave
escalation to a scheduler of your own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ESCALATION_INTERVAL_SECONDS = 3600


def escalation_command() -> list[str]:
    return [str(Path(sys.executable).with_name("oversight")), "support", "escalate-overdue"]


def escalate_periodically(log: Any, interval: float = ESCALATION_INTERVAL_SECONDS) -> None:
    """Run the escalation now and then every ``interval`` seconds, logging what it said."""
    while True:
        try:
            done = subprocess.run(escalation_command(), capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            log.error("oversight: escalating overdue SOAG actions failed: %s", exc)
        else:
            lines = (done.stdout + done.stderr).strip().splitlines() or [""]
            said = " ".join(lines[-1].split())  # the summary line, not the table above it
            if done.returncode:
                log.error(
                    "oversight: escalating overdue SOAG actions failed (%s): %s",
                    done.returncode,
                    said,
                )
            else:
                log.info("oversight: %s", said)
        time.sleep(interval)


def when_ready(server: Any) -> None:  # gunicorn server hook
    if os.environ.get("OVERSIGHT_ESCALATE", "1").strip().lower() in {"0", "false", "no", "off"}:
        return
    threading.Thread(
        target=escalate_periodically, args=(server.log,), daemon=True, name="oversight-escalation"
    ).start()

"""Where axe-core lives for the accessibility audits: ``$MODERATION_AXE_DIR`` (by default
``~/.cache/moderation-tests``, where scripts/test.sh puts it), installed from the npm registry
the first time a test needs it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

AXE_DIR = Path(os.environ.get("MODERATION_AXE_DIR", Path.home() / ".cache/moderation-tests"))
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def axe_source() -> str | None:
    """axe.min.js as text, installing ``axe-core@4`` with npm if it is missing; None if that
    cannot be done (no npm, no network): the caller skips, or fails when strict."""
    if not AXE_SCRIPT.exists() and shutil.which("npm"):
        subprocess.run(
            ["npm", "install", "--silent", "--no-save", "--no-audit", "--no-fund", "--prefix",
             str(AXE_DIR), "axe-core@4"],
            check=False,
            timeout=300,
        )  # fmt: skip
    return AXE_SCRIPT.read_text() if AXE_SCRIPT.exists() else None

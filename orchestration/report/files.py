"""How the report and the profiles reach disk: readable by others, swapped in whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Report files are for anyone on the machine (a web server, a colleague): owner writes, all read.
FILE_MODE = 0o644


def swap_folder(staging: Path, folder: Path) -> None:
    """Replace ``folder`` by the fully written ``staging`` folder beside it: a reader sees the old set
    of files or the new one, never a mix."""
    retired = folder.with_name(f".{folder.name}-retired")
    shutil.rmtree(retired, ignore_errors=True)
    if folder.exists():
        os.replace(folder, retired)
    os.replace(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)

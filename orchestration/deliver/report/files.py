"""How the report and the profiles reach disk: readable by others, written atomically, a folder swapped
in whole. One place, so the report, its chart CSVs and the profiles all land the same way."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Report files are for anyone on the machine (a web server, a colleague): owner writes, all read.
FILE_MODE = 0o644


def write_readable(path: Path, text: str) -> int:
    """Write ``path`` (in a folder not yet published) readable by others; return its size."""
    path.write_text(text, encoding="utf-8")
    path.chmod(FILE_MODE)
    return path.stat().st_size


def write_atomically(path: Path, text: str) -> None:
    """Write ``path`` readable by others: a temporary file beside it, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
    ) as handle:
        handle.write(text)
        temporary = Path(handle.name)
    temporary.chmod(FILE_MODE)
    os.replace(temporary, path)


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """A fresh folder beside ``folder`` to fill; on success it replaces ``folder`` at once, so a reader
    sees the old set of files or the new one, never a mix. On an error the old folder stays."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    staging.chmod(0o755)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = folder.with_name(f".{folder.name}-retired")
    shutil.rmtree(retired, ignore_errors=True)
    if folder.exists():
        os.replace(folder, retired)
    os.replace(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)

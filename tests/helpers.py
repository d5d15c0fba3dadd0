"""Test-data helpers: isolated warehouses and poisoned copies of bundled files."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.settings import BUNDLED_DIR_VAR, PROJECT_ROOT, WAREHOUSE_DIR_VAR

BUNDLED_DIR = PROJECT_ROOT / "data" / "bundled"


@contextmanager
def environment(**variables: str) -> Iterator[None]:
    """Set environment variables for the block, restoring the previous values after."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def isolated_warehouse(warehouse_dir: Path, bundled_dir: Path = BUNDLED_DIR) -> Iterator[Path]:
    with environment(**{WAREHOUSE_DIR_VAR: str(warehouse_dir), BUNDLED_DIR_VAR: str(bundled_dir)}):
        yield warehouse_dir


def poisoned_bundle(
    tmp_path: Path,
    relative_path: str,
    poison: Callable[[bytes], bytes] | None = None,
) -> Path:
    """A copy of data/bundled/ in which one file is changed by ``poison`` (or removed if None).

    Every other file is a symlink to the real one, so a case costs one line:
    ``poisoned_bundle(tmp_path, "ons_els/x.csv", replace_cell(7, "observation", "abc"))``.
    """
    root = tmp_path / "bundled"
    for source in BUNDLED_DIR.rglob("*"):
        if source.is_file():
            target = root / source.relative_to(BUNDLED_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    target = root / relative_path
    original = (BUNDLED_DIR / relative_path).read_bytes()
    target.unlink()
    if poison is not None:
        target.write_bytes(poison(original))
    return root


def edit_csv(edit: Callable[[list[str], list[list[str]]], tuple[list[str], list[list[str]]]]):
    """A poison that edits (header, rows) of a UTF-8 CSV and writes it back."""

    def _poison(data: bytes) -> bytes:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header, body = edit(rows[0], rows[1:])
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows([header, *body])
        return out.getvalue().encode("utf-8")

    return _poison


def set_cell(line: int, column: str, value: str):
    """A poison that sets one cell; ``line`` counts file lines (header = line 1)."""

    def _edit(header: list[str], rows: list[list[str]]):
        rows[line - 2][header.index(column)] = value
        return header, rows

    return edit_csv(_edit)


def set_cells_where(column: str, value: str, predicate: Callable[[dict[str, str]], bool]):
    """A poison that sets ``column`` to ``value`` on every row matching ``predicate``."""

    def _edit(header: list[str], rows: list[list[str]]):
        for row in rows:
            if predicate(dict(zip(header, row, strict=True))):
                row[header.index(column)] = value
        return header, rows

    return edit_csv(_edit)


def copy_published(source_dir: Path, target_dir: Path) -> None:
    """Seed a test warehouse with an already published (and built) state."""
    shutil.copytree(source_dir, target_dir, dirs_exist_ok=True)

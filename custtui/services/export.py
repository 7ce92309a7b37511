"""CSV export of the grid's current result or a selection, safe to open in a spreadsheet.

Rows stream from the database in chunks (a million customers never sit in memory), read
exactly as the grid shows them, and any cell a spreadsheet would treat as a formula
(``= + - @``, tab, carriage return, line feed first) gets a leading apostrophe (OWASP CSV
injection advice). The file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from custtui.models.db import database
from custtui.services import audit, clock, permissions
from custtui.services.actor import Actor
from custtui.services.errors import ValidationError
from custtui.services.grid import GridQuery, Selection, build_where, order_by
from custtui.services.grid_columns import COLUMNS_BY_KEY, RAW_COLUMNS, Lookups, format_value

EXPORT_DIR = Path("data/exports")
CHUNK = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def safe_cell(value: str, numeric: bool = False) -> str:
    """Neutralise a cell a spreadsheet would evaluate (numeric ID columns are left alone)."""
    if not numeric and value.startswith(FORMULA_START):
        return "'" + value
    return value


def default_path() -> Path:
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    return EXPORT_DIR / f"customers-{stamp}.csv"


def _unused(path: Path) -> Path:
    if not path.exists():
        return path
    for n in range(2, 10_000):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise ValidationError("path", f"{path} and its numbered variants all exist")


def _rows(target: GridQuery | Selection, lookups: Lookups) -> Iterator[dict[str, Any]]:
    if isinstance(target, Selection):
        sort = target.query.sort if target.query is not None else GridQuery().sort
        parts = target.chunks()
    else:
        sort = target.sort
        parts = [build_where(target, lookups)]
    cols = ", ".join(RAW_COLUMNS)
    p = database.obj.param
    for where, params in parts:
        offset = 0
        while True:
            cursor = database.obj.execute_sql(
                f"SELECT {cols} FROM customer_grid WHERE {where} ORDER BY {order_by(sort)} "
                f"LIMIT {p} OFFSET {p}",
                [*params, CHUNK, offset],
            )
            batch = cursor.fetchall()
            for row in batch:
                yield dict(zip(RAW_COLUMNS, row, strict=True))
            if len(batch) < CHUNK:
                break
            offset += CHUNK


def export_csv(
    actor: Actor,
    target: GridQuery | Selection,
    columns: Sequence[str],
    path: Path | None = None,
) -> ExportResult:
    """Write the rows of *target* (a query's whole result or a selection) to a CSV file."""
    permissions.require(actor, permissions.CUSTOMERS_EXPORT)
    unknown = [c for c in columns if c not in COLUMNS_BY_KEY]
    if unknown or not columns:
        raise ValidationError("columns", f"unknown or no columns: {', '.join(unknown)}")
    if isinstance(target, Selection) and not target.is_all_matching and not target.ids:
        raise ValidationError("selection", "Select at least one customer to export.")
    lookups = Lookups.load()
    target_path = _unused(Path(path) if path else default_path())
    if target_path.is_dir():
        raise ValidationError("path", f"{target_path} is a directory")
    target_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target_path.parent, prefix=".export-", suffix=".csv")
    count = 0
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, quoting=csv.QUOTE_ALL)
            writer.writerow([COLUMNS_BY_KEY[c].label for c in columns])
            for row in _rows(target, lookups):
                writer.writerow(
                    [
                        safe_cell(
                            format_value(c, row.get(c), row, lookups), COLUMNS_BY_KEY[c].numeric
                        )
                        for c in columns
                    ]
                )
                count += 1
        os.replace(temp_name, target_path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    with database.obj.atomic():
        audit.record(
            actor,
            "customers_exported",
            entity_type="export",
            note=f"{count} row(s) to {target_path}",
        )
    return ExportResult(target_path, count)

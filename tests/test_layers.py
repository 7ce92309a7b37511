"""The layer rule of DESIGN.md: models and services never import Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import custtui.models
import custtui.services

ROOT = Path(__file__).resolve().parent.parent


def _modules(package) -> list[str]:
    return [f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)]


def test_models_and_services_import_without_textual():
    modules = _modules(custtui.models) + _modules(custtui.services)
    assert "custtui.services.grid" in modules
    code = (
        "import sys\n"
        f"for name in {modules!r}:\n"
        "    __import__(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "", f"textual imported by services/models: {result.stdout}"


def test_no_markup_rendering_of_data_in_screens():
    """Widgets that show data are built from Text; nothing enables markup explicitly."""
    for path in (ROOT / "custtui").rglob("*.py"):
        assert "markup=True" not in path.read_text(encoding="utf-8"), path


def test_screens_hold_no_queries():
    """Screens and widgets reach data only through services: no model import (the database
    handle of ``custtui.models.db`` is allowed, for worker threads' connections)."""
    places = [
        *(ROOT / "custtui" / "screens").glob("*.py"),
        *(ROOT / "custtui" / "widgets").glob("*.py"),
    ]
    places += [ROOT / "custtui" / "app.py", ROOT / "custtui" / "commands.py"]
    for path in places:
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if words[:1] in (["from"], ["import"]) and len(words) > 1:
                module = words[1]
                assert not (
                    module.startswith("custtui.models") and module != "custtui.models.db"
                ), f"{path.name}: {line.strip()}"
